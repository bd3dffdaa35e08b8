"""The 4Ms panel on the board page and the room's presenter screen, clicked through."""

import os
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QWidget

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.schema import ConsentKind
from groupclinic_desktop.ui.four_ms_panel import FourMsPanel
from groupclinic_desktop.ui.phases.base import SessionBus
from groupclinic_desktop.ui.phases.board import BoardPage
from groupclinic_desktop.ui.presenter import PresenterWindow

from ..four_ms_scenario import four_ms_scenario

# Screens are saved for a person to look at, outside the repository (docs/screenshots holds
# the copies that were looked at).
SHOTS = Path(os.environ.get("GROUPCLINIC_SHOTS", tempfile.gettempdir())) / "groupclinic-screens"


def sign_in_facilitator(demo: Clinic) -> None:
    jo = next(u for u in demo.staff() if u.name == "Jo Morgan")
    demo.sign_in(jo.id, "2468")  # type: ignore[arg-type]


def test_the_board_page_shows_the_4ms_with_codes_for_people_without_consent(
    qtbot, demo: Clinic  # type: ignore[no-untyped-def]
) -> None:
    case = four_ms_scenario(demo)
    sign_in_facilitator(demo)
    bus = SessionBus()
    page = BoardPage(demo, case.now_id, bus)
    qtbot.addWidget(page)
    page.resize(1400, 950)
    page.show()
    panel = page.findChild(FourMsPanel)
    assert panel is not None and panel.isVisible()
    texts = panel.texts()
    for words in ("Movement", "Mood", "Motivation", "What matters to me",
                  "Mood score: group 25.03, up 5.78 since last time",
                  "Confidence: group 8, up 3 since last time",
                  "Movement (minutes a week): group 150, up 60 since last time",
                  "Goals set today: 3 of 3"):
        assert words in texts, words
    assert [panel.people.verticalHeaderItem(r).text() for r in range(3)] == ["Ada", "P2", "Cy"]
    assert not any("Ben" in t or "Roper" in t for t in texts)
    # Ben says yes to sharing: the panel repaints with his first name.
    demo.set_consent(case.now_id, case.patient_ids[1], ConsentKind.SHARE_RESULTS, True)
    assert panel.people.verticalHeaderItem(1).text() == "Ben"
    demo.set_consent(case.now_id, case.patient_ids[1], ConsentKind.SHARE_RESULTS, False)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(SHOTS / "4ms-board-page.png"))


def test_the_room_screen_shows_the_4ms_in_large_plain_words(qtbot, demo: Clinic) -> None:  # type: ignore[no-untyped-def]
    case = four_ms_scenario(demo)
    sign_in_facilitator(demo)
    room = PresenterWindow(demo, case.now_id, SessionBus())
    qtbot.addWidget(room)
    room.resize(1600, 1000)
    room.show()
    panel = room.findChild(FourMsPanel)
    assert panel is not None and panel.isVisible() and panel.room
    texts = room.texts()
    assert "Mood score: group 25.03, up 5.78 since last time" in texts
    assert not any(surname in t for t in texts for surname in ("Quill", "Roper", "Stroud"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert room.grab().save(str(SHOTS / "4ms-room-screen.png"))


def test_a_programme_without_4ms_shows_no_panel(qtbot, demo: Clinic) -> None:  # type: ignore[no-untyped-def]
    sign_in_facilitator(demo)
    sid = demo.sessions()[0].id
    holder = QWidget()
    qtbot.addWidget(holder)
    panel = FourMsPanel(demo, sid, parent=holder)  # type: ignore[arg-type]
    holder.show()
    assert panel.panel is None and not panel.isVisible()
