"""In the app, a full disk is told plainly and never stops the clinic (issue 21, point 6).

On a real small tmpfs, mounted by the test when run as root (CI runs as root); skipped, with the
reason, otherwise.
"""

from pathlib import Path

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.ui.main_window import MainWindow
from tests.core.test_full_disk import (  # noqa: F401 - fixtures
    fill,
    practice_on_small_disk,
    small_disk,
)
from tests.ui.conftest import ADMIN, FACILITATOR, sign_in

FULL_LINE = "The disk holding the GroupClinic data is full"


def test_backups_and_sign_in_on_a_full_disk_say_so_and_change_nothing(
    qtbot, practice_on_small_disk: Path, small_disk: Path  # noqa: F811
) -> None:
    backups_dir = practice_on_small_disk / "backups"
    clinic = Clinic.open(practice_on_small_disk, create=False)
    window = MainWindow(clinic)
    qtbot.addWidget(window)
    window.show()
    try:
        sign_in(qtbot, window, ADMIN)
        for made in backups_dir.glob("*-daily.db"):
            made.unlink()  # so that the hourly check tries to make today's backup
        before = sorted(p.name for p in backups_dir.iterdir())
        fill(small_disk)
        window.daily_backup()  # what the hourly timer calls
        message = window.statusBar().currentMessage()
        assert "Today's backup was not made: " + FULL_LINE in message
        assert message.endswith("Nothing was changed.")
        tabs = window.admin_home.tabs
        index = next(i for i in range(tabs.count()) if tabs.tabText(i) == "Backups")
        tabs.setCurrentIndex(index)
        backups = tabs.widget(index)
        backups.backup_now()
        assert backups.message.text().startswith("No backup was made: " + FULL_LINE)
        # Signing in writes its audit entry: on a full disk it says why it cannot, in one line.
        window.lock()
        sign_in(qtbot, window, FACILITATOR)
        assert window.sign_in.error.text().startswith(FULL_LINE)
    finally:
        window.idle.stop()
        clinic.close()
    assert sorted(p.name for p in backups_dir.iterdir()) == before
    assert not list(practice_on_small_disk.rglob("*.partial*"))
