"""What every phase page shares: the facade, the session, and the session's change bus."""

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from groupclinic_desktop.core.clinic import Clinic


class SessionBus(QObject):
    """Tells every open view of a session what changed, so each repaints only its own part.

    One bus per running session; the session window owns it and hands it to every page, the
    board and the presenter view.
    """

    measurement_saved = Signal(int)  # patient id
    attendance_changed = Signal(int)  # patient id
    consent_changed = Signal(int)  # patient id
    agenda_changed = Signal()
    review_saved = Signal(int)  # patient id
    goal_saved = Signal(int)  # patient id
    phase_changed = Signal(str)  # phase key
    locked = Signal(bool)  # True while the idle lock hides patient data


class PhasePage(QWidget):
    """Base for a phase page. Subclasses set `phase_key` and fill themselves in `refresh()`."""

    phase_key: str = ""

    def __init__(
        self, clinic: Clinic, session_id: int, bus: SessionBus, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.session_id = session_id
        self.bus = bus

    def refresh(self) -> None:
        """Reload everything this page shows from the facade (called when it is shown)."""
