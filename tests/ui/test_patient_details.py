"""The details dialog and the check-in page's Details… and Add carer… buttons, driven by hand."""

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.ui.carers import CarerDialog
from groupclinic_desktop.ui.patient_details import PatientDetailsDialog
from groupclinic_desktop.ui.phases.base import SessionBus
from groupclinic_desktop.ui.phases.checkin import CheckInPage
from tests.ui.test_agenda import SHOTS, activate, sign_in, todays_session


def choose(box, text: str) -> None:  # type: ignore[no-untyped-def]
    index = box.findText(text, Qt.MatchFlag.MatchExactly)
    if index < 0:
        index = box.findText(text, Qt.MatchFlag.MatchContains)
    assert index >= 0, text
    box.setCurrentIndex(index)


def test_every_equity_field_can_be_set_and_set_back_to_not_stated(
    demo: Clinic, qtbot: QtBot
) -> None:
    sign_in(demo, "Alex Turner")  # an admin may edit details too
    person = demo.patients()[0]
    dialog = PatientDetailsDialog(demo, person.id)
    qtbot.addWidget(dialog)
    dialog.show()
    choose(dialog.ethnic, "Bangladeshi")
    choose(dialog.imd, "Decile 2")
    dialog.language.setFocus()
    dialog.language.lineEdit().selectAll()
    qtbot.keyClicks(dialog.language.lineEdit(), "Bengali (bn)")
    choose(dialog.interpreter, "Yes")
    choose(dialog.carer, "No")
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "patient-details.png"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    row = demo.patient(person.id)
    assert (row.ethnic_category, row.imd_decile, row.imd_quintile) == ("K", 2, 1)
    assert (row.preferred_language, row.interpreter_needed, row.is_carer) == ("bn", True, False)

    again = PatientDetailsDialog(demo, person.id)
    qtbot.addWidget(again)
    assert again.ethnic.currentData() == "K" and again.language.currentText() == "Bengali (bn)"
    for box in (again.ethnic, again.imd, again.language, again.interpreter, again.carer):
        box.setCurrentIndex(0)  # "Not stated" / "Not recorded" is always the first choice
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    row = demo.patient(person.id)
    assert row.ethnic_category is None and row.imd_decile is None and row.imd_quintile is None
    assert row.preferred_language is None
    assert row.interpreter_needed is None and row.is_carer is None


def test_a_bad_language_code_is_explained_and_nothing_changes(demo: Clinic, qtbot: QtBot) -> None:
    sign_in(demo, "Dr Priya Shah")
    person = demo.patients()[1]
    dialog = PatientDetailsDialog(demo, person.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.language.lineEdit().selectAll()
    qtbot.keyClicks(dialog.language.lineEdit(), "Elvish 2")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Preferred language" in dialog.message.text()
    assert dialog.isVisible() and demo.patient(person.id).preferred_language is None


def _when_dialog_opens(act) -> None:  # type: ignore[no-untyped-def]
    def run() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, run)
            return
        act(dialog)

    QTimer.singleShot(20, run)


def test_details_and_carer_open_from_check_in(demo: Clinic, qtbot: QtBot) -> None:
    sid = todays_session(demo, present=2)
    page = CheckInPage(demo, sid, SessionBus())
    qtbot.addWidget(page)
    page.resize(1366, 768)
    activate(page)
    pid = demo.roster(sid)[0].patient.id
    page.select(pid)

    def fill_details(dialog: PatientDetailsDialog) -> None:
        choose(dialog.ethnic, "Not stated (asked")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    _when_dialog_opens(fill_details)
    qtbot.mouseClick(page.details_button, Qt.MouseButton.LeftButton)
    assert demo.patient(pid).ethnic_category == "Z"

    def fill_carer(dialog: CarerDialog) -> None:
        qtbot.keyClicks(dialog.name, "Sam Ellis")
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        qtbot.mouseClick(dialog.agreed, Qt.MouseButton.LeftButton)
        dialog.goal.setText("Get an hour to myself on Sundays")
        dialog.confidence.setValue(6)
        dialog.wellbeing.setValue(23)
        dialog.grab().save(str(SHOTS / "carer-dialog.png"))
        dialog.save()

    _when_dialog_opens(fill_carer)
    qtbot.mouseClick(page.carer_button, Qt.MouseButton.LeftButton)
    (visit,) = demo.carer_visits(session_id=sid)
    assert visit.cares_for_patient_id == pid and visit.confidentiality_agreed
    assert (visit.goal, visit.goal_confidence, visit.swemwbs_score) == (
        "Get an hour to myself on Sundays",
        6,
        23,
    )
    assert page.carer.isChecked()  # "Carer present" now ticked for the person
    assert demo.goals(session_id=sid, patient_id=pid) == []
    assert date.today() == demo.session(sid).day


def test_a_carer_who_has_not_agreed_is_not_recorded(demo: Clinic, qtbot: QtBot) -> None:
    sid = todays_session(demo, present=1)
    pid = demo.roster(sid)[0].patient.id
    dialog = CarerDialog(demo, sid, pid)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name, "Sam")
    dialog.save()
    assert "Confidentiality" in dialog.message.text()
    assert demo.carer_visits(session_id=sid) == []
