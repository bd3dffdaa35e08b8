"""The admin's export screen, driven the way an admin would use it."""

import json
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.demo import DEMO_STAFF
from groupclinic_desktop.core.schema import Role, SessionStatus
from groupclinic_desktop.ui.export_view import ExportView


def signed_in_admin(clinic: Clinic) -> None:
    person = next(p for p in DEMO_STAFF if p.role == Role.ADMIN)
    user = next(u for u in clinic.staff() if u.name == person.name)
    clinic.sign_in(user.id, person.pin)  # type: ignore[arg-type]


def test_admin_exports_copies_the_coded_summary_and_marks_people_filed(
    qtbot,
    demo: Clinic,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    signed_in_admin(demo)
    out = tmp_path / "for-emis"
    view = ExportView(demo, choose_folder=lambda parent: str(out))
    qtbot.addWidget(view)
    view.show()
    (finished,) = demo.sessions(status=SessionStatus.FINISHED)
    assert view.current_session_id() == finished.id
    assert view.people.rowCount() == 9
    assert "9 of 9 people still to file" in view.outstanding.text()

    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    # Nine who came and one who did not attend (a short DNA record).
    assert len(list(out.glob("*.pdf"))) == 10
    assert len(list(out.glob("*.fhir.json"))) == 10
    assert len(list(out.glob("*.csv"))) == 1
    for path in out.glob("*.fhir.json"):
        Bundle.model_validate(json.loads(path.read_text()))
    assert demo.session(finished.id).status == SessionStatus.EXPORTED  # type: ignore[arg-type]
    assert view.log.rowCount() == 10
    assert "Exported notes for 10 people" in view.message.text()

    # Choose the first person: their coded summary shows and copies as tab-separated text.
    view.people.selectRow(0)
    person = view.selected_person()
    assert person is not None
    assert view.summary.item(0, 0).text() == "72313002"
    qtbot.mouseClick(view.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    lines = copied.splitlines()
    # Whose it is comes first, so it cannot be pasted silently into another record.
    assert lines[0] == f"Name\t{person.patient.full_name}"
    assert lines[1].startswith("NHS number\t")
    assert lines[2] == f"Date of birth\t{person.patient.date_of_birth:%d/%m/%Y}"
    assert lines[3] == "SNOMED CT code\tTerm\tValue\tUnit\tDate\tClinician"
    assert lines[4].startswith("72313002\tSystolic arterial pressure\t")

    qtbot.mouseClick(view.mark_button, Qt.MouseButton.LeftButton)
    latest = [r for r in demo.export_log(finished.id) if r.patient_id == person.patient_id]  # type: ignore[arg-type]
    assert latest[-1].filed_at is not None
    assert "8 of 9 people still to file" in view.outstanding.text()
    assert view.people.item(0, 3).text().startswith("Filed")

    # A second export of the same session is refused on screen, and nothing is overwritten.
    before = sorted(p.name for p in out.iterdir())
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    assert view.message.text().startswith("Not done:")
    assert sorted(p.name for p in out.iterdir()) == before


def test_a_correction_after_export_is_exported_as_a_new_version(
    qtbot,
    demo: Clinic,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    signed_in_admin(demo)
    out = tmp_path / "out"
    view = ExportView(demo, choose_folder=lambda parent: str(out))
    qtbot.addWidget(view)
    qtbot.mouseClick(view.all_button, Qt.MouseButton.LeftButton)
    assert not view.correction_button.isEnabled()
    sid = view.current_session_id()
    person = view.record.people[1]  # type: ignore[union-attr]
    with demo.acting_as(SYSTEM):
        demo.correct_review(sid, person.patient_id, "dose was wrong", notes="Metformin 500 mg.")  # type: ignore[arg-type]
    view.refresh()
    assert view.correction_button.isEnabled()
    qtbot.mouseClick(view.correction_button, Qt.MouseButton.LeftButton)
    assert len(list(out.glob("*-v2.pdf"))) == 1
    assert "(correction)" in view.log.item(0, 3).text()
