"""Session home: what is on today and next, starting and resuming."""

from datetime import date

from PySide6.QtCore import Qt

from groupclinic_desktop.core.schema import SessionStatus
from groupclinic_desktop.ui.main_window import MainWindow
from tests.ui.conftest import ADMIN, FACILITATOR, sign_in, todays_session


def test_home_lists_today_first_with_programme_time_place_and_roster(qtbot, window) -> None:
    sign_in(qtbot, window, FACILITATOR)
    clinic = window.clinic
    today = todays_session(clinic)
    later = [s for s in clinic.sessions(since=date.today()) if s.day > date.today()]
    ids = list(window.home.cards)
    assert ids[0] == today.id
    card = window.home.cards[today.id]
    text = card.label.text()
    assert text.startswith("Today 10:00")
    for part in ("Type 2 diabetes group clinic", "Riverside Community Room", "Face to face"):
        assert part in text
    assert f"{len(clinic.roster(today.id))} on the roster" in text  # type: ignore[arg-type]
    assert card.button is not None and card.button.text() == "Start session"
    # A later session is listed, but not started from here before its day.
    assert later and later[0].id in ids
    assert window.home.cards[later[0].id].button is None


def test_start_session_opens_check_in_and_marks_it_running(qtbot, running) -> None:
    session = running.clinic.session(running.session_window.session_id)
    assert session.status == SessionStatus.RUNNING
    assert session.phase == "checkin"
    assert running.session_window.phase_bar.buttons["checkin"].isChecked()


def test_an_admin_lands_on_the_admin_home_and_cannot_start_a_session(qtbot, window) -> None:
    sign_in(qtbot, window, ADMIN)
    assert window.stack.currentWidget() is window.admin_home
    session = todays_session(window.clinic)
    # Even if the session home is reached, starting is refused with the reason shown.
    window.home.refresh()
    qtbot.mouseClick(window.home.cards[session.id].button, Qt.MouseButton.LeftButton)
    assert "admin may not" in window.home.message.text()
    assert window.session_window is None
    assert window.clinic.session(session.id).status == SessionStatus.PLANNED


def test_signing_in_goes_straight_back_to_a_running_session_and_its_phase(qtbot, running) -> None:
    running.session_window.go_to("agenda")
    sid = running.session_window.session_id
    running.sign_out()
    assert running.session_window is None
    sign_in(qtbot, running, FACILITATOR)
    assert running.stack.currentWidget() is running.session_window
    assert running.session_window.session_id == sid
    assert running.session_window.phase_bar.buttons["agenda"].isChecked()
    # Home shows it as running, with Resume.
    running.show_home()
    card = running.home.cards[sid]
    assert card.button is not None and card.button.text() == "Resume"
    assert card.status.text() == "Running now"


def test_a_new_window_on_the_same_store_resumes_too(qtbot, running) -> None:
    running.session_window.go_to("goals")
    again = MainWindow(running.clinic)
    qtbot.addWidget(again)
    again.ask_before_closing = False  # torn down mid-session by the test, not a person
    again.show()
    sign_in(qtbot, again, FACILITATOR)
    assert again.session_window is not None
    assert again.session_window.phase == "goals"
    again.idle.stop()
