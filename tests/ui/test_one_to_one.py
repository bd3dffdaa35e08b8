"""One-to-one reviews, driven as a clinician (and a facilitator on a clinician's behalf) would."""

from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.ui.phases.base import SessionBus
from groupclinic_desktop.ui.phases.one_to_one import OneToOnePage, sparkline
from tests.ui.test_agenda import SHOTS, activate, sign_in, todays_session


def make_page(clinic: Clinic, sid: int, qtbot: QtBot) -> OneToOnePage:
    widget = OneToOnePage(clinic, sid, SessionBus())
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    activate(widget)
    return widget


@pytest.fixture
def sid(demo: Clinic) -> int:
    return todays_session(demo, present=4)


def staff_id(clinic: Clinic, name: str) -> int:
    return next(s.id for s in clinic.staff() if s.name == name)  # type: ignore[misc]


def test_clinician_documents_a_review_and_moves_on(demo: Clinic, sid: int, qtbot: QtBot) -> None:
    sign_in(demo, "Dr Priya Shah")
    page = make_page(demo, sid, qtbot)
    present = [e.patient for e in demo.roster(sid) if e.attendance.status.present]
    assert page.queue.count() == 4
    assert not page.on_behalf_row.isVisibleTo(page)  # a clinician documents in their own name
    first = page.patient_id
    assert first == present[0].id
    assert present[0].full_name in page.name_label.text()
    # Their numbers: the demo's HbA1c history shows latest value, change and status in words.
    rows = {page.numbers.item(r, 0).text(): r for r in range(page.numbers.rowCount())}
    hba1c = rows["HbA1c"]
    assert "mmol/mol" in page.numbers.item(hba1c, 1).text()
    assert "since" in page.numbers.item(hba1c, 3).text()
    assert page.numbers.item(hba1c, 4).text() in {"On target", "Close to target", "Off target"}
    assert "Walk" in page.last_goal.text() or "“" in page.last_goal.text()

    page.notes.setFocus()
    qtbot.keyClicks(page.notes, "Sugars better since last time.")
    qtbot.keyClick(page.notes, Qt.Key.Key_Tab)  # leaving the field saves it
    assert demo.review(sid, first).notes == "Sugars better since last time."  # type: ignore[arg-type, union-attr]
    smoker_box = next(b for b, f in page.finding_boxes if f["key"] == "ex_smoker")
    # Click the tick box itself, as a person does (the widget is wider than its label).
    qtbot.mouseClick(smoker_box, Qt.MouseButton.LeftButton, pos=QPoint(8, smoker_box.height() // 2))
    qtbot.mouseClick(page.medications.add_button, Qt.MouseButton.LeftButton)
    row = page.medications.rows[0]
    row.action.setCurrentIndex(row.action.findData("change_dose"))
    qtbot.keyClicks(row.drug, "Metformin")
    qtbot.keyClicks(row.dose, "1 g twice daily")
    qtbot.keyClick(row.dose, Qt.Key.Key_Return)
    qtbot.mouseClick(page.actions.add_button, Qt.MouseButton.LeftButton)
    action = page.actions.rows[0]
    qtbot.keyClicks(action.text, "Repeat HbA1c")
    qtbot.keyClicks(action.owner, "Practice nurse")
    qtbot.keyClicks(action.due, "01/09/2030")
    qtbot.keyClick(action.due, Qt.Key.Key_Return)
    qtbot.mouseClick(page.phrase_buttons[0], Qt.MouseButton.LeftButton)
    qtbot.wait(1100)  # the timer runs while the review is open
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)

    review = demo.review(sid, first)  # type: ignore[arg-type]
    assert review is not None
    assert review.findings == [{"code": "8517006", "term": "Ex-smoker"}]
    assert review.medication_changes == [
        {"action": "change_dose", "drug": "Metformin", "dose": "1 g twice daily"}
    ]
    assert review.actions == [
        {"text": "Repeat HbA1c", "owner": "Practice nurse", "due": "2030-09-01"}
    ]
    assert review.safety_netting.startswith("If you feel much worse")
    assert review.documented_by_id == staff_id(demo, "Dr Priya Shah")
    assert review.on_behalf_of_id is None
    assert review.seconds_spent >= 1
    # "Next person" marked them done and moved on; the queue remembers both.
    assert page.patient_id == present[1].id
    assert demo.review_queue(sid)["done"] == [first]
    assert "Done" in page.queue.item(0).text()


def test_unfinished_rows_wait_and_bad_dates_are_explained(
    demo: Clinic, sid: int, qtbot: QtBot
) -> None:
    sign_in(demo, "Dr Priya Shah")
    page = make_page(demo, sid, qtbot)
    pid = page.patient_id
    qtbot.mouseClick(page.actions.add_button, Qt.MouseButton.LeftButton)
    action = page.actions.rows[0]
    qtbot.keyClicks(action.owner, "GP")
    qtbot.keyClick(action.owner, Qt.Key.Key_Return)
    assert "needs what needs doing" in page.status.text()
    qtbot.keyClicks(action.text, "Foot check")
    qtbot.keyClicks(action.due, "31/02/2030")
    qtbot.keyClick(action.due, Qt.Key.Key_Return)
    assert "Not saved" in page.status.text() and "due date" in page.status.text()
    review = demo.review(sid, pid)  # type: ignore[arg-type]
    assert review is None or review.actions == []
    # Removing the row saves the empty list.
    action.due.clear()
    qtbot.keyClicks(action.due, "28/02/2030")
    qtbot.keyClick(action.due, Qt.Key.Key_Return)
    assert demo.review(sid, pid).actions[0]["due"] == "2030-02-28"  # type: ignore[arg-type, union-attr]
    qtbot.mouseClick(action.remove, Qt.MouseButton.LeftButton)
    assert demo.review(sid, pid).actions == []  # type: ignore[arg-type, union-attr]


def test_facilitator_must_name_the_clinician(demo: Clinic, sid: int, qtbot: QtBot) -> None:
    page = make_page(demo, sid, qtbot)  # still signed in as Jo, the facilitator
    assert page.on_behalf_row.isVisibleTo(page)
    assert not page.form.isEnabled()
    assert "choose the clinician" in page.status.text()
    page.on_behalf.setFocus()
    qtbot.keyClick(page.on_behalf, Qt.Key.Key_Down)
    assert page.on_behalf.currentText() == "Dr Priya Shah (GP)"
    assert page.form.isEnabled()
    qtbot.keyClicks(page.notes, "Discussed with Dr Shah.")
    page.notes.flush()
    review = demo.review(sid, page.patient_id)  # type: ignore[arg-type]
    assert review is not None
    assert review.documented_by_id == staff_id(demo, "Jo Morgan")
    assert review.on_behalf_of_id == staff_id(demo, "Dr Priya Shah")


def test_queue_order_and_done_survive_a_restart(demo: Clinic, sid: int, qtbot: QtBot) -> None:
    sign_in(demo, "Dr Priya Shah")
    page = make_page(demo, sid, qtbot)
    order = page.queue_order()
    page.queue.setCurrentRow(0)
    qtbot.mouseClick(page.down_button, Qt.MouseButton.LeftButton)
    assert page.queue_order() == [order[1], order[0], *order[2:]]
    page.queue.setCurrentRow(3)
    page.done_box.setFocus()
    qtbot.keyClick(page.done_box, Qt.Key.Key_Space)
    # A drag inside the list moves the row the same way Qt's model does; it is saved too.
    page.queue.model().moveRow(page.queue.rootIndex(), 3, page.queue.rootIndex(), 0)
    saved = demo.review_queue(sid)
    assert saved["order"] == [order[3], order[1], order[0], order[2]]
    assert saved["done"] == [order[3]]
    again = make_page(demo, sid, qtbot)
    assert again.queue_order() == saved["order"]
    assert "Done" in again.queue.item(0).text()
    assert again.patient_id == order[1]  # the first person not yet done


def test_sparkline_rises_with_values() -> None:
    assert sparkline([1, 2, 3]) == "▁▅█"
    assert sparkline([5, 5]) == "▄▄"


def test_screenshot(demo: Clinic, sid: int, qtbot: QtBot) -> None:
    sign_in(demo, "Dr Priya Shah")
    page = make_page(demo, sid, qtbot)
    qtbot.keyClicks(page.notes, "Sugars better since last time; keen to walk more.")
    qtbot.mouseClick(page.medications.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(page.medications.rows[0].drug, "Metformin")
    page.medications.flush()
    qtbot.wait(50)  # new rows appear on the next turn of the event loop
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(SHOTS / "one_to_one.png"))
    assert date.today()  # the demo's dates are relative to today


def test_progress_over_time_opens_for_the_person(demo: Clinic, sid: int, qtbot: QtBot) -> None:
    from groupclinic_desktop.ui.progress import ProgressView

    sign_in(demo, "Dr Priya Shah")
    page = make_page(demo, sid, qtbot)
    qtbot.mouseClick(page.progress_button, Qt.MouseButton.LeftButton)
    dialog = page.progress_dialog
    qtbot.addWidget(dialog)
    view = dialog.findChild(ProgressView)
    assert dialog.isVisible() and view is not None
    assert view.patient_id == page.patient_id
    shown = [view.table.item(r, 0).text() for r in range(view.table.rowCount())]
    assert any("HbA1c" in text for text in shown)  # last time's bloods are in the history
