"""A whole group clinic through the UI, as the facilitator and the clinician run it.

Sign in, check in 8 people with measurements and consents, show the board on the second screen,
add and prioritise 5 agenda items, document 8 reviews, set 8 goals, wrap up. Then the store must
hold exactly what was typed.
"""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind, SessionStatus
from groupclinic_desktop.ui.phases.agenda import AgendaPage
from groupclinic_desktop.ui.phases.board import BoardPage
from groupclinic_desktop.ui.phases.checkin import CheckInPage
from groupclinic_desktop.ui.phases.goals import GoalsPage
from groupclinic_desktop.ui.phases.one_to_one import OneToOnePage
from groupclinic_desktop.ui.phases.wrapup import WrapUpPage
from tests.ui.conftest import CLINICIAN, sign_in
from tests.ui.test_checkin import TYPED, near_last, type_into
from tests.ui.test_wrapup import when_a_dialog_opens

QUESTIONS = [
    "Can I drink alcohol on metformin?",
    "Is fruit bad for my sugars?",
    "Why do my feet tingle at night?",
    "How do I get the walking group's times?",
    "Does poor sleep raise blood sugar?",
]
NOTES = [f"Reviewed numbers with the group; plan agreed with person {n}." for n in range(8)]
GOALS = [f"Walk for {10 + 5 * n} minutes after lunch" for n in range(8)]


def page_of(window, phase: str, kind: type):  # type: ignore[no-untyped-def]
    window.session_window.go_to(phase)
    page = window.session_window.current_page()
    assert isinstance(page, kind)
    return page


def test_a_whole_session_through_the_ui(qtbot, running) -> None:
    window = running
    clinic = window.clinic
    sid = window.session_window.session_id
    people = [e.patient for e in clinic.roster(sid)][:8]
    ids = [p.id for p in people]

    # Check-in: attendance, consents, measurements and a questionnaire for eight people.
    page = page_of(window, "checkin", CheckInPage)
    weights = {
        p.id: near_last(clinic, p.id, "weight", t[1]) for p, t in zip(people, TYPED, strict=True)
    }
    for person, (bp, _, chol, confidence) in zip(people, TYPED, strict=True):
        weight = weights[person.id]
        page.select(person.id)
        qtbot.mouseClick(page.attendance_buttons[AttendanceStatus.ATTENDED],
                         Qt.MouseButton.LeftButton)
        for yes, _no, _state in page.consent_buttons.values():
            qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
        type_into(qtbot, page.rows["blood_pressure"].edit, bp, Qt.Key.Key_Tab)
        type_into(qtbot, page.rows["weight"].edit, weight)
        type_into(qtbot, page.rows["total_cholesterol"].edit, chol)
        type_into(qtbot, page.answer_rows[("confidence", "confidence")].edit, confidence)

    # The board, shown on the second screen.
    board = page_of(window, "board", BoardPage)
    qtbot.mouseClick(board.second_screen, Qt.MouseButton.LeftButton)
    assert board.presenter is not None
    shown = " ".join(board.presenter.texts())
    assert people[0].board_name in shown
    board.presenter.close()

    # Agenda: five questions, one voted up and moved to the top.
    agenda = page_of(window, "agenda", AgendaPage)
    for text in QUESTIONS:
        qtbot.keyClicks(agenda.question, text)
        qtbot.keyClick(agenda.question, Qt.Key.Key_Return)
    tree = agenda.list
    tree.setFocus()
    tree.setCurrentItem(tree.topLevelItem(4))
    for _ in range(4):
        qtbot.keyClick(tree, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(tree, Qt.Key.Key_Plus)
    qtbot.keyClick(tree, Qt.Key.Key_Plus)

    # One-to-ones: the clinician signs in and documents eight reviews.
    window.sign_out()
    sign_in(qtbot, window, CLINICIAN)
    reviews = page_of(window, "one_to_ones", OneToOnePage)
    documented = []
    for n in range(8):
        pid = reviews.patient_id
        reviews.notes.setFocus()
        qtbot.keyClicks(reviews.notes, NOTES[n])
        qtbot.keyClick(reviews.notes, Qt.Key.Key_Tab)
        documented.append(pid)
        qtbot.mouseClick(reviews.next_button, Qt.MouseButton.LeftButton)
    assert sorted(documented) == sorted(ids)

    # Goals for the same eight people.
    goals = page_of(window, "goals", GoalsPage)
    set_for = []
    for n in range(8):
        pid = goals.patient_id
        goals.goal_text.setFocus()
        qtbot.keyClicks(goals.goal_text, GOALS[n])
        qtbot.keyClick(goals.goal_text, Qt.Key.Key_Tab)
        goals.confidence.number.setFocus()
        goals.confidence.number.selectAll()
        qtbot.keyClicks(goals.confidence.number, str(n + 2))
        qtbot.keyClick(goals.confidence.number, Qt.Key.Key_Tab)
        set_for.append(pid)
        qtbot.mouseClick(goals.next_button, Qt.MouseButton.LeftButton)
    assert sorted(set_for) == sorted(ids)

    # Wrap-up: finish after saying yes.
    wrapup = page_of(window, "wrapup", WrapUpPage)
    when_a_dialog_opens(
        qtbot, lambda box: box.button(QMessageBox.StandardButton.Yes).click(),  # type: ignore[attr-defined]
    )
    qtbot.mouseClick(wrapup.finish_button, Qt.MouseButton.LeftButton)

    # The store holds exactly what was typed.
    assert clinic.session(sid).status == SessionStatus.FINISHED
    roster = {e.patient.id: e.attendance.status for e in clinic.roster(sid)}
    consents = clinic.consents(sid)
    for person, (bp, _, chol, confidence) in zip(people, TYPED, strict=True):
        weight = weights[person.id]
        assert roster[person.id] == AttendanceStatus.ATTENDED
        assert all(consents[(person.id, kind)] for kind in ConsentKind)
        taken = {m.type_key: m.value for m in clinic.measurements(patient_id=person.id,
                                                                  session_id=sid)}
        systolic, diastolic = (float(v) for v in bp.split("/"))
        assert (taken["systolic_bp"], taken["diastolic_bp"]) == (systolic, diastolic)
        assert taken["weight"] == float(weight)
        assert taken["total_cholesterol"] == float(chol)
        score = {r.questionnaire_key: r.score for r in clinic.responses(
            session_id=sid, patient_id=person.id)}
        assert score["confidence"] == float(confidence)
    others = [pid for pid in roster if pid not in ids]
    assert all(roster[pid] == AttendanceStatus.INVITED for pid in others)

    items = clinic.agenda(sid)
    assert sorted(i.text for i in items) == sorted(QUESTIONS)
    assert items[0].text == QUESTIONS[4] and items[0].votes == 2

    clinician = next(u for u in clinic.staff() if u.name == CLINICIAN[0])
    saved_reviews = {r.patient_id: r for r in clinic.reviews(sid)}
    assert set(saved_reviews) == set(ids)
    for n, pid in enumerate(documented):
        assert saved_reviews[pid].notes == NOTES[n]
        assert saved_reviews[pid].documented_by_id == clinician.id
        assert saved_reviews[pid].on_behalf_of_id is None

    saved_goals = {g.patient_id: g for g in clinic.goals(session_id=sid)}
    assert set(saved_goals) == set(ids)
    for n, pid in enumerate(set_for):
        assert (saved_goals[pid].text, saved_goals[pid].confidence) == (GOALS[n], n + 2)
    assert clinic.check() == []
