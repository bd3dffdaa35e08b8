"""The store-problem screen for an emptied store (offers the latest good backup) and for a full
disk (offers no restore) - issue 21, points 1 and 6."""

from pathlib import Path

from groupclinic_desktop.core import store
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import StoreError
from groupclinic_desktop.ui.opening import open_clinic
from groupclinic_desktop.ui.store_problem import StoreProblemDialog, open_or_ask
from tests.ui.test_store_problem import answer, with_backup


def test_an_emptied_store_offers_the_latest_good_backup_never_the_first_run(
    qtbot, demo_dir: Path, tmp_path: Path
) -> None:
    good = with_backup(demo_dir)
    (demo_dir / store.STORE_FILE).write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        Path(str(demo_dir / store.STORE_FILE) + suffix).unlink(missing_ok=True)

    def restore(dialog: StoreProblemDialog) -> None:
        assert dialog.kind == "damaged" and dialog.backup == good
        assert "empty" in dialog.details.text()
        assert "The latest good backup is from" in dialog.backup_note.text()
        assert dialog.buttons["restored"].isDefault()
        dialog.resize(760, dialog.sizeHint().height())
        dialog.grab().save(str(tmp_path / "damaged-store-offers-backup.png"))
        dialog.buttons["restored"].click()

    seen = answer(qtbot, restore)
    clinic = open_or_ask(demo_dir, open_clinic)
    assert len(seen) == 1 and seen[0].choice == "restored"
    assert clinic is not None
    try:
        assert clinic.practice().ods_code == "Y99999" and len(clinic.patients()) == 10
    finally:
        clinic.close()
    assert (tmp_path / "damaged-store-offers-backup.png").stat().st_size > 0


def test_a_missing_store_beside_its_backups_offers_them_too(qtbot, demo_dir: Path) -> None:
    good = with_backup(demo_dir)
    for path in demo_dir.glob(store.STORE_FILE + "*"):
        path.unlink()
    seen = answer(qtbot, lambda d: d.buttons["restored"].click())
    clinic = open_or_ask(demo_dir, open_clinic)
    assert seen[0].backup == good and "missing" in seen[0].details.text()
    assert clinic is not None
    clinic.close()


def test_a_full_disk_never_offers_a_restore(qtbot, demo_dir: Path) -> None:
    error = StoreError(
        "The disk holding the GroupClinic data is full (0 MB free); free some space. "
        "Nothing was changed.",
        kind="disk_full",
    )
    with_backup(demo_dir)
    dialog = StoreProblemDialog(error, demo_dir)
    qtbot.addWidget(dialog)
    assert dialog.heading.text() == "The disk is full"
    assert set(dialog.buttons) == {"retry", "quit"}
    assert "restore" not in dialog.explanation.text().lower()
    assert "Nothing was changed" in dialog.details.text()
    assert Clinic.latest_good_backup(demo_dir) is not None  # there is one, and it is not offered
