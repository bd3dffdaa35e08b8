"""The admin sets up sync on the screen, presses Sync now, and the status bar says it worked."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.schema import Role
from groupclinic_desktop.ui.sync_admin import SyncAdminPage
from groupclinic_desktop.ui.sync_status import SyncRunner, SyncStatusBar
from tests.sync.conftest import FAST, IcbServer, outbox_ids


def test_admin_sets_up_sync_and_the_status_bar_follows(
    qtbot, demo: Clinic, icb_sqlite: IcbServer, tmp_path: Path
) -> None:
    produced = outbox_ids(demo)
    admin = next(s for s in demo.staff() if s.role == Role.ADMIN)
    demo.sign_in(admin.id, "9753")
    runner = SyncRunner(demo, poll_seconds=30, refresh_ms=200, tuning=FAST)
    page = SyncAdminPage(demo, runner)
    bar = SyncStatusBar()
    bar.follow(runner)
    qtbot.addWidget(page)
    qtbot.addWidget(bar)
    page.resize(720, 560)
    page.show()
    qtbot.waitUntil(lambda: page.pending.text() == str(len(produced)), timeout=5000)

    qtbot.keyClicks(page.url, icb_sqlite.url)
    qtbot.keyClicks(page.token, icb_sqlite.token)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    runner.start()
    try:
        qtbot.waitUntil(lambda: page.pending.text() == "0", timeout=20000)
        qtbot.waitUntil(lambda: bar.text.text().startswith("Online"), timeout=5000)
    finally:
        runner.stop()

    assert sorted(icb_sqlite.event_ids()) == sorted(produced)
    assert demo.outbox_events() == []
    assert page.token.text() == ""  # the token is not left on the screen
    assert "0 to send" in bar.text.text() and "last sync" in bar.text.text()
    assert any(e.action == "update" or e.action == "create" for e in demo.audit_entries()
               if e.entity == "setting")
    if os.environ.get("GROUPCLINIC_SCREENSHOTS"):
        page.grab().save(str(Path(os.environ["GROUPCLINIC_SCREENSHOTS"]) / "sync_admin.png"))
        bar.grab().save(str(Path(os.environ["GROUPCLINIC_SCREENSHOTS"]) / "sync_bar.png"))


def test_a_facilitator_cannot_change_the_service(qtbot, demo: Clinic) -> None:
    facilitator = next(s for s in demo.staff() if s.role == Role.FACILITATOR)
    demo.sign_in(facilitator.id, "2468")
    runner = SyncRunner(demo, tuning=FAST)
    page = SyncAdminPage(demo, runner)
    qtbot.addWidget(page)
    qtbot.keyClicks(page.url, "http://127.0.0.1:9")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "may not" in page.message.text()
    assert demo.sync_settings()["url"] is None
