"""Admin home > GP record delivery, clicked through as an admin would, against the MESH sandbox."""

import pytest
from PySide6.QtCore import Qt

from groupclinic_desktop.ui.gp_delivery import GpDeliveryPage
from tests.delivery import gp_system
from tests.delivery.conftest import BROOKSIDE, HILLSIDE, make_hub
from tests.delivery.sandbox import (
    BROOKSIDE_MAILBOX,
    HILLSIDE_MAILBOX,
    HUB_MAILBOX,
    PASSWORD,
    SHARED_KEY,
)
from tests.ui.conftest import ADMIN, sign_in, window  # noqa: F401 - the window fixture


def test_an_admin_sets_up_mesh_sends_a_session_and_sees_it_filed(
    qtbot, window, sandbox, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    monkeypatch.delenv("GROUPCLINIC_MESH_PASSWORD")
    monkeypatch.delenv("GROUPCLINIC_MESH_SHARED_KEY")
    _, split = make_hub(window.clinic)
    sign_in(qtbot, window, ADMIN)
    tabs = window.admin_home.tabs
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == "GP record delivery")
    tabs.setCurrentIndex(index)
    page = tabs.widget(index)
    assert isinstance(page, GpDeliveryPage)
    assert "Not ready: no MESH address" in page.ready.text()
    assert page.kind.currentData() == "hub"
    page.pcn.clear()
    qtbot.keyClicks(page.pcn, "x")
    qtbot.mouseClick(page.kind_button, Qt.MouseButton.LeftButton)
    assert page.message.text() == "PCN ODS code: 'X' is not an ODS code."
    page.pcn.clear()
    qtbot.keyClicks(page.pcn, "U99991")
    qtbot.mouseClick(page.kind_button, Qt.MouseButton.LeftButton)
    assert window.clinic.organisation().pcn_ods_code == "U99991"

    page.url.clear()
    qtbot.keyClicks(page.url, sandbox.url)
    qtbot.keyClicks(page.mailbox, HUB_MAILBOX)
    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.keyClicks(page.shared_key, SHARED_KEY)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.message.text() == "Saved."
    assert page.ready.text() == "Ready to send."
    assert page.password.text() == ""  # the secret went to the keyring, not the screen
    for (ods, _), mailbox in ((HILLSIDE, HILLSIDE_MAILBOX), (BROOKSIDE, BROOKSIDE_MAILBOX)):
        qtbot.keyClicks(page.member_ods, ods)
        qtbot.keyClicks(page.member_mailbox, mailbox)
        qtbot.mouseClick(page.mailbox_button, Qt.MouseButton.LeftButton)
        assert f"notes go to {mailbox}" in page.message.text()
        page.member_ods.clear()
        page.member_mailbox.clear()

    people = sum(len(ids) for ids in split.values())
    qtbot.mouseClick(page.send_button, Qt.MouseButton.LeftButton)
    # The click returns at once; the worker thread sends and the page follows.
    assert "Sending in the background" in page.message.text()
    qtbot.waitUntil(lambda: f"{people} sent" in page.summary.text(), timeout=120_000)

    for ods, mailbox in ((HILLSIDE[0], HILLSIDE_MAILBOX), (BROOKSIDE[0], BROOKSIDE_MAILBOX)):
        for message in gp_system.fetch_inbox(sandbox.url, mailbox):
            gp_system.send_acknowledgement(sandbox.url, mailbox, message, "20013")
            code = "30003" if ods == BROOKSIDE[0] and message.patient else "30001"
            gp_system.send_acknowledgement(sandbox.url, mailbox, message, code)
    qtbot.mouseClick(page.send_button, Qt.MouseButton.LeftButton)  # also collects answers
    brookside = len(split[BROOKSIDE[0]])
    qtbot.waitUntil(
        lambda: f"{people - brookside} filed, {brookside} failed" in page.summary.text(),
        timeout=120_000,
    )
    failed = [r for r in range(page.table.rowCount()) if page.table.item(r, 3).text() == "FAILED"]
    assert len(failed) == brookside
    assert page.table.item(failed[0], 4).text() == "ITK 30003: the patient has left that practice"
    assert page.resend_button.isEnabled()
    # The export log shows each person's registered practice and delivery state too.
    export_index = next(i for i in range(tabs.count()) if tabs.tabText(i) == "Export to GP record")
    tabs.setCurrentIndex(export_index)
    view = tabs.widget(export_index)
    shown = [view.people.item(r, 5).text() for r in range(view.people.rowCount())]
    assert shown.count("filed") == people - brookside
    assert shown.count("failed: ITK 30003: the patient has left that practice") == brookside
    practices = {view.people.item(r, 4).text() for r in range(view.people.rowCount())}
    assert practices == {f"{HILLSIDE[1]} ({HILLSIDE[0]})", f"{BROOKSIDE[1]} ({BROOKSIDE[0]})"}
    tabs.setCurrentIndex(index)
    page.table.selectRow(failed[0])
    qtbot.mouseClick(page.resend_button, Qt.MouseButton.LeftButton)
    assert f"Queued again for {BROOKSIDE[0]}" in page.message.text()
    qtbot.waitUntil(lambda: f"{brookside - 1} failed" in page.summary.text(), timeout=120_000)
    page.runner.stop()
