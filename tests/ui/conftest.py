"""UI fixtures: the demo practice, signed in through the real sign-in screen.

Only the real store and the real widgets are used; the tests type and click as a person would.
"""

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.schema import ClinicSession
from groupclinic_desktop.ui.main_window import MainWindow

FACILITATOR = ("Jo Morgan", "2468")
CLINICIAN = ("Dr Priya Shah", "1357")
ADMIN = ("Alex Turner", "9753")


def staff_id(clinic: Clinic, name: str) -> int:
    return next(u.id for u in clinic.staff() if u.name == name)  # type: ignore[misc]


def sign_in(qtbot, window: MainWindow, who: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Choose the name and type the PIN, then Enter, as at the laptop."""
    page = window.sign_in
    page.choose(staff_id(window.clinic, who[0]))
    page.pin.setFocus()
    qtbot.keyClicks(page.pin, who[1])
    qtbot.keyClick(page.pin, Qt.Key.Key_Return)


def todays_session(clinic: Clinic) -> ClinicSession:
    return clinic.sessions(day=date.today())[0]


@pytest.fixture
def window(qtbot, demo: Clinic) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    """The main window on the demo practice, not yet signed in, at laptop size."""
    w = MainWindow(demo)
    qtbot.addWidget(w)
    # Closing mid-session asks a person first; pytest-qt closes windows itself at the end.
    w.ask_before_closing = False
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.idle.stop()


@pytest.fixture
def running(qtbot, window: MainWindow) -> MainWindow:  # type: ignore[no-untyped-def]
    """Signed in as the facilitator with today's session started from the home screen."""
    sign_in(qtbot, window, FACILITATOR)
    session = todays_session(window.clinic)
    button = window.home.cards[session.id].button  # type: ignore[index]
    assert button is not None and button.text() == "Start session"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.session_window is not None
    return window
