"""A store that will not open: damaged, locked by another process, or from a newer version.

Each is opened the way the app opens it (open_or_ask with the app's own opener) and from the
command line; the person sees what happened in plain words and the safe actions work.
"""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from groupclinic_desktop.core import store
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.errors import StoreError
from groupclinic_desktop.ui.opening import open_clinic
from groupclinic_desktop.ui.store_problem import StoreProblemDialog, open_or_ask

PAGE = 4096


def cli(data_dir: Path, *args: str, pin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "groupclinic_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, env=dict(os.environ), timeout=120, input=pin + "\n",
    )


ADMIN = ("--user", "Alex Turner", "--pin-stdin")


def with_backup(data_dir: Path) -> Path:
    with Clinic.open(data_dir, create=False) as clinic:
        made = clinic.backup(reason="daily")
        with clinic.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return made


def corrupt(data_dir: Path, page: int = 10) -> None:
    """Scribble over part of one page, as a failing disk or a torn write would."""
    with (data_dir / store.STORE_FILE).open("r+b") as fh:
        fh.seek(page * PAGE + 100)
        fh.write(b"\xff" * 300)


def make_newer(data_dir: Path) -> None:
    with Clinic.open(data_dir, create=False) as clinic, clinic.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00dfeed'")


def answer(qtbot, act: Callable[[StoreProblemDialog], None]) -> list[StoreProblemDialog]:  # type: ignore[no-untyped-def]
    """When the problem screen appears, let `act` look at it and press a button."""
    seen: list[StoreProblemDialog] = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, StoreProblemDialog) and dialog not in seen:
            seen.append(dialog)
            act(dialog)
        if not seen or isinstance(QApplication.activeModalWidget(), StoreProblemDialog):
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return seen


def test_a_damaged_store_says_so_and_restoring_the_latest_good_backup_works(
    qtbot, demo_dir: Path
) -> None:
    good = with_backup(demo_dir)
    corrupt(demo_dir)
    with pytest.raises(StoreError) as caught:
        Clinic.open(demo_dir, create=False)
    assert caught.value.kind == "damaged"

    def restore(dialog: StoreProblemDialog) -> None:
        assert dialog.heading.text() == "The practice store is damaged"
        assert "Nothing has been changed" in dialog.explanation.text()
        assert "Anything saved after that time is not in it" in dialog.backup_note.text()
        assert set(dialog.buttons) == {"restored", "read_only", "quit"}
        assert dialog.buttons["restored"].isDefault()
        dialog.buttons["restored"].click()

    seen = answer(qtbot, restore)
    clinic = open_or_ask(demo_dir, open_clinic)
    assert len(seen) == 1 and seen[0].choice == "restored"
    assert clinic is not None and not clinic.read_only
    try:
        assert clinic.check() == []
        assert len(clinic.patients()) == 10
        assert clinic.audit_entries()[-1].action == "restore"
    finally:
        clinic.close()
    # The damaged file was kept, untouched, before the backup replaced it.
    kept = list((demo_dir / "backups").glob("*before-restore-as-found.db"))
    assert len(kept) == 1 and store.latest_good_backup(demo_dir, os.environ[store.KEY_ENV]) == good


def test_a_damaged_store_can_be_looked_at_read_only_and_is_not_changed(
    qtbot, demo_dir: Path
) -> None:
    with_backup(demo_dir)
    corrupt(demo_dir)
    before = (demo_dir / store.STORE_FILE).read_bytes()
    seen = answer(qtbot, lambda d: d.buttons["read_only"].click())
    clinic = open_or_ask(demo_dir, open_clinic)
    assert clinic is not None and clinic.read_only and len(seen) == 1
    try:
        assert len(clinic.patients()) == 10
        admin = next(u for u in clinic.staff() if u.role == "admin")
        clinic.sign_in(admin.id, "9753")  # sign-in works without writing anything
        with pytest.raises(StoreError, match="read-only") as refused:
            clinic.add_patient("999 000 0115", "New", "Person", "1970-01-01")
        assert refused.value.kind == "read_only"
        # Even a write that bypasses the facade is refused by SQLite itself.
        with pytest.raises(Exception, match="readonly"), clinic.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM patient")
    finally:
        clinic.close()
    assert (demo_dir / store.STORE_FILE).read_bytes() == before


def test_a_damaged_store_from_the_command_line(demo_dir: Path) -> None:
    with_backup(demo_dir)
    corrupt(demo_dir)
    result = cli(demo_dir, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "damaged" in result.stderr and "groupclinic recover" in result.stderr
    damaged = (demo_dir / store.STORE_FILE).read_bytes()
    nobody = cli(demo_dir, "recover")
    assert nobody.returncode == 2 and "--user NAME" in nobody.stderr
    facilitator = cli(demo_dir, "--user", "Jo", "--pin-stdin", "recover", pin="2468")
    assert facilitator.returncode == 1 and "may not restore" in facilitator.stderr
    wrong = cli(demo_dir, *ADMIN, "recover", pin="0000")
    assert wrong.returncode == 1 and "PIN is not right" in wrong.stderr
    assert (demo_dir / store.STORE_FILE).read_bytes() == damaged
    recovered = cli(demo_dir, *ADMIN, "recover", pin="9753")
    assert recovered.returncode == 0, recovered.stderr
    assert "The store as it was is kept in" in recovered.stdout
    again = cli(demo_dir, "check")
    assert again.returncode == 0 and again.stdout.startswith("OK")


def test_recover_without_any_good_backup_says_so(demo_dir: Path) -> None:
    corrupt(demo_dir)
    before = (demo_dir / store.STORE_FILE).read_bytes()
    result = cli(demo_dir, *ADMIN, "recover", pin="9753")
    assert result.returncode == 1 and "no good backup" in result.stderr
    assert (demo_dir / store.STORE_FILE).read_bytes() == before


def test_a_store_locked_by_another_process(qtbot, demo_dir: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from groupclinic_desktop.core.clinic import Clinic; "
         "c = Clinic.open(sys.argv[1], create=False); print('ready', flush=True); "
         "sys.stdin.read(); c.close()", str(demo_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=dict(os.environ),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        result = cli(demo_dir, "check")
        assert result.returncode == 1 and "already open" in result.stderr
        assert "Traceback" not in result.stderr

        def look_then_quit(dialog: StoreProblemDialog) -> None:
            assert dialog.heading.text() == "The store is already open"
            assert set(dialog.buttons) == {"retry", "quit"}
            dialog.buttons["quit"].click()

        seen = answer(qtbot, look_then_quit)
        assert open_or_ask(demo_dir, open_clinic) is None
        assert seen[0].kind == "locked"

        # Once the other one closes, "Try again" opens the store.
        def release_then_retry(dialog: StoreProblemDialog) -> None:
            assert holder.stdin is not None
            holder.stdin.close()
            holder.wait(timeout=60)
            dialog.buttons["retry"].click()

        answer(qtbot, release_then_retry)
        clinic = open_or_ask(demo_dir, open_clinic)
        assert clinic is not None and not clinic.read_only
        clinic.close()
    finally:
        if holder.poll() is None:
            holder.kill()


def test_a_store_from_a_newer_version_opens_only_read_only(qtbot, demo_dir: Path) -> None:
    make_newer(demo_dir)
    result = cli(demo_dir, "check")
    assert result.returncode == 1 and "newer version of GroupClinic" in result.stderr

    def look_then_read(dialog: StoreProblemDialog) -> None:
        assert dialog.heading.text() == "This store is from a newer version of GroupClinic"
        assert set(dialog.buttons) == {"read_only", "quit"}  # restoring would lose newer work
        dialog.buttons["read_only"].click()

    answer(qtbot, look_then_read)
    clinic = open_or_ask(demo_dir, open_clinic)
    assert clinic is not None and clinic.read_only
    try:
        assert len(clinic.patients()) == 10
        with clinic.acting_as(SYSTEM), pytest.raises(StoreError):
            clinic.set_setting("idle_lock_minutes", 3)
    finally:
        clinic.close()
    with Clinic.open(demo_dir, read_only=True) as clinic:
        assert store.current_revision(clinic.engine) == "f00dfeed"  # not migrated or changed


def test_a_missing_key_offers_only_quit(qtbot, demo_dir: Path, monkeypatch) -> None:
    monkeypatch.delenv(store.KEY_ENV)
    with pytest.raises(StoreError) as caught:
        Clinic.open(demo_dir, create=False)
    dialog = StoreProblemDialog(caught.value, demo_dir)
    qtbot.addWidget(dialog)
    assert dialog.kind == "key" and set(dialog.buttons) == {"quit"}
    assert dialog.heading.text() == "The key to open this store is missing"
    dialog.grab().save(str(demo_dir.parent / "store-problem-key.png"))


def test_the_damaged_screen_looks_right(qtbot, demo_dir: Path) -> None:
    with_backup(demo_dir)
    corrupt(demo_dir)
    with pytest.raises(StoreError) as caught:
        Clinic.open(demo_dir, create=False)
    dialog = StoreProblemDialog(caught.value, demo_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    path = os.environ.get("GROUPCLINIC_SHOT_DIR")
    if path:
        dialog.grab().save(str(Path(path) / "store-problem-damaged.png"))
    assert dialog.buttons["restored"].isVisible()
