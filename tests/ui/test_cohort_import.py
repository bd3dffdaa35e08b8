"""The cohort import dialog, driven as an admin would: file, columns, preview, import, invite,
and Cancel part-way through a large file."""

import os
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel

from groupclinic_desktop.core import store
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.schema import SessionStatus
from groupclinic_desktop.ui.cohort_import import CohortImportDialog

FIXTURES = Path(__file__).parent.parent / "fixtures" / "cohort"
sys.path.insert(0, str(FIXTURES))
import generate  # noqa: E402


@pytest.fixture
def admin(demo: Clinic) -> Clinic:
    with demo.acting_as(SYSTEM):
        yield demo


@pytest.fixture
def dialog(admin: Clinic, qtbot):  # type: ignore[no-untyped-def]
    d = CohortImportDialog(admin)
    qtbot.addWidget(d)
    d.show()
    yield d
    if d.busy():
        d.cancel_import()
        qtbot.waitUntil(lambda: not d.busy(), timeout=60_000)


def every_row(clinic: Clinic) -> dict[str, list[tuple]]:
    """Every row of every table, in order: the store exactly, read on a connection of its own."""
    engine = store.make_engine(clinic.location.db_path, os.environ["GROUPCLINIC_DB_KEY"],
                               read_only=True)
    try:
        with engine.connect() as conn:
            tables = [name for (name,) in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
            return {name: list(map(tuple, conn.exec_driver_sql(
                f'SELECT * FROM "{name}" ORDER BY rowid'))) for name in tables}
    finally:
        engine.dispose()


def counts(clinic: Clinic) -> tuple[int, int, int, int]:
    return (
        len(clinic.patients()),
        len(clinic.measurements()),
        len(clinic.audit_entries()),
        len(clinic.outbox_events()),
    )


def test_recognised_file_goes_straight_to_preview_then_imports_and_invites(
    dialog: CohortImportDialog,
    admin: Clinic,
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    before = counts(admin)
    dialog.open_file(FIXTURES / "systmone_search.csv")  # what "Choose CSV file…" calls
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=20_000)
    assert dialog.pages.currentWidget() is dialog.preview_page
    assert dialog.preview_table.rowCount() == 12
    assert "12 ready to import" in dialog.preview_summary.text()
    assert counts(admin) == before  # the preview wrote nothing
    qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.done_page, timeout=60_000)
    assert dialog.result is not None and dialog.result.created == 12
    assert len(admin.patients()) == before[0] + 12
    planned = [s for s in admin.sessions(status=SessionStatus.PLANNED)]
    assert dialog.session_box.count() == len(planned)
    dialog.session_box.setCurrentIndex(0)
    qtbot.mouseClick(dialog.invite_button, Qt.LeftButton)
    assert "12 new invitation(s)" in dialog.invite_result.text()
    session_id = dialog.session_box.currentData()
    invited = {e.patient.id for e in admin.roster(session_id)}
    assert set(dialog.result.patient_ids) <= invited


def test_bad_row_blocks_import_until_valid_rows_only_is_chosen(
    dialog: CohortImportDialog,
    admin: Clinic,
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    source = tmp_path / "search.csv"
    source.write_bytes((FIXTURES / "emis_500_one_bad_row.csv").read_bytes())
    dialog.open_file(source)
    qtbot.waitUntil(lambda: dialog.checked is not None, timeout=30_000)
    assert not dialog.import_button.isEnabled()
    assert dialog.report_table.rowCount() == 1
    assert dialog.report_table.item(0, 0).text() == "318"
    assert dialog.report_table.item(0, 1).text() == "NHS Number"
    # Click on the box itself (the check box's row is wider than its words).
    box = dialog.valid_only
    qtbot.mouseClick(box, Qt.LeftButton, pos=QPoint(8, box.height() // 2))
    assert dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.done_page, timeout=120_000)
    assert dialog.result is not None and dialog.result.created == 499
    assert (tmp_path / "search-rejected.csv").exists()
    assert "search-rejected.csv" in dialog.done_summary.text()


def test_unrecognised_columns_are_mapped_and_remembered(
    dialog: CohortImportDialog,
    admin: Clinic,
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    source = tmp_path / "odd.csv"
    source.write_text(
        "Patient identifier,Christian name,Surname,Born on\n9990200009,Chloe,Carver,27/01/1945\n"
    )
    dialog.open_file(source)
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.mapping_page, timeout=20_000)
    assert not dialog.mapping_next.isEnabled()
    assert "needed for every person" in dialog.mapping_problems_label.text()
    boxes = dialog.mapping_boxes
    for box, key in zip(
        boxes, ["nhs_number", "given_name", "family_name", "date_of_birth"], strict=True
    ):
        box.setCurrentIndex(box.findData(key))
    assert dialog.mapping_next.isEnabled()
    qtbot.mouseClick(dialog.mapping_next, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=20_000)
    assert admin.cohort_mapping()["Patient identifier"] == "nhs_number"
    # Next time the same titles need no questions.
    again = CohortImportDialog(admin)
    qtbot.addWidget(again)
    again.open_file(source)
    qtbot.waitUntil(lambda: again.import_button.isEnabled(), timeout=20_000)
    assert again.pages.currentWidget() is again.preview_page


def test_cancel_button_undoes_a_large_import(
    dialog: CohortImportDialog,
    admin: Clinic,
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    big = tmp_path / "big.csv"
    generate.write_emis(big, 4000, seed=5, preamble=False)
    before = counts(admin)
    exactly = every_row(admin)
    dialog.open_file(big)
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=60_000)
    said: list[str] = []
    dialog.progress_label.setText = lambda text, said=said, label=dialog.progress_label: (
        said.append(text), QLabel.setText(label, text))[-1]
    qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    # The window keeps painting and the bar moves while rows are written.
    qtbot.waitUntil(lambda: dialog.progress_bar.value() > 0, timeout=60_000)
    assert dialog.busy()
    assert dialog.progress_bar.maximum() == 4000 and dialog.cancel_button.isEnabled()
    assert any("Checking 4000 people" in text for text in said)
    assert any("copy of the store" in text for text in said)
    qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.done_page, timeout=120_000)
    assert dialog.result is not None and dialog.result.cancelled
    assert "Import cancelled" in dialog.done_summary.text()
    assert not dialog.invite_box.isVisible()
    assert not any("Saving" in text for text in said)
    assert counts(admin) == before
    assert every_row(admin) == exactly  # not one row, value or audit entry changed
    assert admin.check() == []


def test_a_finished_import_says_each_stage_and_cannot_be_cancelled_while_saving(
    dialog: CohortImportDialog,
    admin: Clinic,
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    source = tmp_path / "some.csv"
    generate.write_emis(source, 300, seed=7, preamble=False)
    dialog.open_file(source)
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=60_000)
    seen: list[tuple[str, bool, int]] = []
    dialog.progress_label.setText = lambda text, label=dialog.progress_label: (
        seen.append((text, dialog.cancel_button.isEnabled(), dialog.progress_bar.maximum())),
        QLabel.setText(label, text))[-1]
    qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.done_page, timeout=120_000)
    assert dialog.result is not None and dialog.result.created == 300
    words = [text for text, _, _ in seen]
    order = ["Checking", "copy of the store", "Importing 300 people", "Saving"]
    found = [next(i for i, text in enumerate(words) if part in text) for part in order]
    assert found == sorted(found), words
    writing, saving = seen[found[2]], seen[found[3]]
    assert writing[1] and saving[1:] == (False, 0)  # Cancel off and a busy bar while saving


def test_invitations_dialog_tracks_replies_and_writes_the_lists(
    admin: Clinic,
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from groupclinic_desktop.core import invitations
    from groupclinic_desktop.core.schema import InvitationStatus
    from groupclinic_desktop.ui.cohort_import import InvitationsDialog

    programme_id = admin.programmes()[0].id
    outcome = admin.import_cohort_file(FIXTURES / "emis_search.csv", programme_id)
    assert outcome.result is not None
    session_id = admin.sessions(status=SessionStatus.PLANNED)[-1].id
    invitations.enrol_and_invite(admin, outcome.result.patient_ids, programme_id, session_id)
    dialog = InvitationsDialog(admin, session_id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.table.rowCount() == 12
    assert "Invited: 12" in dialog.counts_label.text()
    box = dialog.reply_boxes[0]
    box.setCurrentIndex(box.findData(InvitationStatus.DECLINED.value))
    first = invitations.invitees(admin, session_id)[0]
    assert first.status == InvitationStatus.DECLINED
    assert "Declined: 1" in dialog.counts_label.text()
    dialog.export_batch(tmp_path / "batch.csv")
    assert "saved" in dialog.message.text() and (tmp_path / "batch.csv").exists()
    dialog.export_letters(tmp_path / "letters.pdf")
    assert (tmp_path / "letters.pdf").read_bytes().startswith(b"%PDF")
    dialog.export_pack(tmp_path / "pack.pdf")
    assert (tmp_path / "pack.pdf").read_bytes().startswith(b"%PDF")
