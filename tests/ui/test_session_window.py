"""The phase guide: phases in any order, time against budget, cue cards."""

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from groupclinic_desktop.core.programmes import PHASES, cue_cards, template
from groupclinic_desktop.ui.phase_bar import time_state
from groupclinic_desktop.ui.phases import registry
from groupclinic_desktop.ui.phases.checkin import CheckInPage
from groupclinic_desktop.ui.phases.registry import PlaceholderPage


@pytest.mark.parametrize(
    ("spent", "budget", "level", "words"),
    [
        (4.5, 15, "ok", "4 of 15 min"),
        (15.2, 15, "amber", "time is up"),
        (18.1, 15, "amber", "3 min over"),
        (18.9, 15, "red", "3 min over"),  # 126% of the budget
        (30, 15, "red", "15 min over"),
        (7, 0, "none", "no time set"),
    ],
)
def test_time_against_budget_in_colour_and_words(spent, budget, level, words) -> None:
    state = time_state(spent, budget)
    assert state.level == level
    assert words in state.text


def test_clicking_a_phase_moves_there_and_is_kept(qtbot, running) -> None:
    window = running.session_window
    clinic = running.clinic
    for phase in ("agenda", "board", "checkin", "wrapup", "one_to_ones"):
        qtbot.mouseClick(window.phase_bar.buttons[phase], Qt.MouseButton.LeftButton)
        assert clinic.session(window.session_id).phase == phase
        assert window.phase_bar.buttons[phase].isChecked()
        assert window.current_page().isVisible()
    others = [p for p in PHASES if p != "one_to_ones"]
    assert not any(window.phase_bar.buttons[p].isChecked() for p in others)


def test_ctrl_number_keys_move_between_phases(qtbot, running) -> None:
    window = running.session_window
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert running.clinic.session(window.session_id).phase == "agenda"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert running.clinic.session(window.session_id).phase == "checkin"
    assert isinstance(window.current_page(), CheckInPage)


def test_phase_over_time_turns_amber_then_red_with_words(qtbot, running) -> None:
    bar = running.session_window.phase_bar
    entered = running.clinic.session(running.session_window.session_id).phase_entered_at
    entered = entered.replace(tzinfo=UTC) if entered.tzinfo is None else entered
    bar.tick(entered + timedelta(minutes=16, seconds=5))
    assert bar.elapsed.property("state") == "amber"
    assert "1 min over" in bar.elapsed.text()
    assert bar.buttons["checkin"].property("time") == "amber"
    bar.tick(entered + timedelta(minutes=20, seconds=5))
    assert bar.elapsed.property("state") == "red"
    assert "5 min over" in bar.elapsed.text()
    assert "5 min over" in bar.buttons["checkin"].accessibleName()
    bar.tick(datetime.now(UTC))
    assert bar.elapsed.property("state") == "ok"


def test_cue_card_follows_the_phase_and_folds_away(qtbot, running) -> None:
    window = running.session_window
    cards = cue_cards(template("type2_diabetes"))
    assert cards["checkin"].title in window.cue_card.body.text()
    window.go_to("goals")
    text = window.cue_card.body.text()
    assert cards["goals"].title in text
    assert "Do" in text and "Say" in text
    qtbot.mouseClick(window.cue_card.toggle, Qt.MouseButton.LeftButton)
    assert window.cue_card.folded
    assert window.cue_card.toggle.text() == "Show cue card"
    qtbot.mouseClick(window.cue_card.toggle, Qt.MouseButton.LeftButton)
    assert not window.cue_card.folded


def test_a_missing_phase_page_shows_a_plain_placeholder(qtbot, running, monkeypatch) -> None:
    monkeypatch.setitem(registry.PHASE_PAGES, "goals", ("not_built_yet", "GoalsPage"))
    window = running.session_window
    window.go_to("goals")
    page = window.current_page()
    assert isinstance(page, PlaceholderPage)
    assert "not available yet" in page.findChild(type(window.title)).text()
    assert registry.page_class("checkin") is CheckInPage
