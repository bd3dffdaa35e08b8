"""Which page shows which phase. Pages are imported only when first shown, so a phase whose
module is not there yet shows a plain "not available yet" page instead of stopping the session."""

import importlib
import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.programmes import PHASE_TITLES
from groupclinic_desktop.core.roles import Permission, allows
from groupclinic_desktop.ui.phases.base import PhasePage, SessionBus

log = logging.getLogger(__name__)

# phase key -> (module under groupclinic_desktop.ui.phases, class name)
PHASE_PAGES: dict[str, tuple[str, str]] = {
    "checkin": ("checkin", "CheckInPage"),
    "board": ("board", "BoardPage"),
    "agenda": ("agenda", "AgendaPage"),
    "one_to_ones": ("one_to_one", "OneToOnePage"),
    "goals": ("goals", "GoalsPage"),
    "wrapup": ("wrapup", "WrapUpPage"),
}


class PlaceholderPage(PhasePage):
    """Stands in for a phase page that is not part of this build yet."""

    def __init__(
        self,
        clinic: Clinic,
        session_id: int,
        bus: SessionBus,
        parent: QWidget | None = None,
        *,
        phase: str = "",
    ) -> None:
        super().__init__(clinic, session_id, bus, parent)
        self.phase_key = phase
        layout = QVBoxLayout(self)
        title = PHASE_TITLES.get(phase, phase)
        label = QLabel(
            f"The {title} page is not available yet in this version.\n"
            "Use the cue card for this phase, and move on with the phase bar when ready."
        )
        label.setObjectName("subtitle")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        label.setAccessibleName(f"{title} not available yet")
        layout.addWidget(label)


def page_class(phase: str) -> type[PhasePage] | None:
    """The page class for a phase, or None when its module or class is missing."""
    module_name, class_name = PHASE_PAGES[phase]
    full_name = f"groupclinic_desktop.ui.phases.{module_name}"
    try:
        module = importlib.import_module(full_name)
    except ModuleNotFoundError as exc:
        if exc.name != full_name:
            raise  # the page exists but something it imports is missing: a real bug
        return None
    found = getattr(module, class_name, None)
    if found is None:
        log.warning("%s has no %s", full_name, class_name)
    return found


class NotForYourRolePage(PlaceholderPage):
    """One-to-one reviews are for the clinical team: a co-facilitator sees this instead."""

    def __init__(
        self, clinic: Clinic, session_id: int, bus: SessionBus, parent: QWidget | None = None
    ) -> None:
        super().__init__(clinic, session_id, bus, parent, phase="one_to_ones")
        label = self.findChild(QLabel)
        assert label is not None
        label.setText(
            "One-to-one reviews are seen and written only by the clinical team.\n"
            "While they happen, help people with their goals and questions."
        )
        label.setAccessibleName("One-to-one reviews are for the clinical team")


def make_page(
    phase: str, clinic: Clinic, session_id: int, bus: SessionBus, parent: QWidget | None = None
) -> PhasePage:
    actor = clinic.actor
    if phase == "one_to_ones" and actor is not None and not allows(
        actor.role, Permission.READ_REVIEWS
    ):
        return NotForYourRolePage(clinic, session_id, bus, parent)
    cls = page_class(phase)
    if cls is None:
        return PlaceholderPage(clinic, session_id, bus, parent, phase=phase)
    return cls(clinic, session_id, bus, parent)
