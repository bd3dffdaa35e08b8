"""Goal setting, driven as a facilitator would: words, what matters, confidence, review date,
and last time's outcome."""

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.schema import GoalOutcome
from groupclinic_desktop.ui.phases.base import SessionBus
from groupclinic_desktop.ui.phases.goals import GoalsPage
from tests.ui.test_agenda import SHOTS, activate, todays_session


@pytest.fixture
def page(demo: Clinic, qtbot: QtBot) -> GoalsPage:
    sid = todays_session(demo, present=3)
    widget = GoalsPage(demo, sid, SessionBus())
    qtbot.addWidget(widget)
    widget.resize(1366, 640)
    activate(widget)
    return widget


def test_a_goal_is_saved_as_it_is_typed(page: GoalsPage, qtbot: QtBot) -> None:
    clinic, sid = page.clinic, page.session_id
    pid = page.patient_id
    assert pid is not None
    saved: list[int] = []
    page.bus.changes.connect(lambda changes: saved.extend(changes.people_in({"goal"}, sid)))
    page.goal_text.setFocus()
    qtbot.keyClicks(page.goal_text, "Walk to the park with my grandson on Saturdays")
    qtbot.keyClick(page.goal_text, Qt.Key.Key_Tab)  # focus moves on: the words are kept...
    # ...but nothing is saved until they say how confident they are.
    assert clinic.goals(session_id=sid) == []
    assert "how confident" in page.status.text()
    qtbot.keyClicks(page.what_matters, "Keeping up with him")
    qtbot.keyClick(page.what_matters, Qt.Key.Key_Return)
    page.confidence.slider.setFocus()
    for _ in range(7):
        qtbot.keyClick(page.confidence.slider, Qt.Key.Key_Right)
    assert page.confidence.number.value() == 7
    (goal,) = clinic.goals(session_id=sid)
    assert goal.patient_id == pid
    assert goal.text == "Walk to the park with my grandson on Saturdays"
    assert goal.what_matters == "Keeping up with him"
    assert goal.confidence == 7
    # The review date defaults to the next planned session of the programme.
    next_day = clinic.next_session(sid).day  # type: ignore[union-attr]
    assert goal.review_date == next_day
    assert "Goal set" in page.people.currentItem().text()
    assert saved and saved[-1] == pid
    # Typing a number works as well as the slider; the review date can be changed.
    page.confidence.number.selectAll()
    qtbot.keyClicks(page.confidence.number, "9")
    page.review_date.setDate(next_day + timedelta(days=7))
    goal = clinic.goals(session_id=sid)[0]
    assert (goal.confidence, goal.review_date) == (9, next_day + timedelta(days=7))


def test_last_times_goal_outcome_is_recorded(page: GoalsPage, qtbot: QtBot) -> None:
    clinic = page.clinic
    pid = page.patient_id
    previous = clinic.previous_goal(page.session_id, pid)  # type: ignore[arg-type]
    assert previous is not None, "the demo person had a goal at the last session"
    assert previous.text in page.previous_text.text()
    qtbot.mouseClick(page.outcome_buttons[GoalOutcome.PARTLY], Qt.MouseButton.LeftButton)
    assert clinic.goals(patient_id=pid)[0].outcome == GoalOutcome.PARTLY
    assert "Partly" in page.outcome_said.text()


def test_next_person_moves_on_with_the_next_session_as_review_date(
    demo: Clinic, qtbot: QtBot
) -> None:
    sid = todays_session(demo, present=2)
    session = demo.session(sid)
    later = [s for s in demo.sessions(since=date.today()) if s.day > session.day]
    assert later, "the demo plans a session in four weeks"
    widget = GoalsPage(demo, sid, SessionBus())
    qtbot.addWidget(widget)
    activate(widget)
    first = widget.patient_id
    qtbot.mouseClick(widget.next_button, Qt.MouseButton.LeftButton)
    assert widget.patient_id != first
    assert widget.review_day() == later[0].day


def test_screenshot(page: GoalsPage, qtbot: QtBot) -> None:
    qtbot.keyClicks(page.goal_text, "Walk to the park with my grandson on Saturdays")
    qtbot.keyClicks(page.what_matters, "Keeping up with him")
    page.confidence.number.setValue(7)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(SHOTS / "goals.png"))
