"""The 4M panel: plain labels, consent-aware people, group medians and change since last time."""

import pytest

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.questionnaires import score
from groupclinic_desktop.core.views.board import build_board
from groupclinic_desktop.core.views.four_ms import build_four_ms, four_m_panel

from ..four_ms_scenario import four_ms_scenario


def swemwbs(answer: int) -> float:
    value = score("swemwbs", {f"item{n}": answer for n in range(1, 8)}).value
    assert value is not None
    return value


def test_the_panel_has_the_4ms_in_plain_words_with_medians_and_change(demo: Clinic) -> None:
    case = four_ms_scenario(demo)
    panel = build_four_ms(demo, case.now_id)
    assert panel is not None
    assert [d.label for d in panel.domains] == [
        "Movement", "Mood", "Motivation", "What matters to me"
    ]
    movement = panel.domain("movement")
    # The activity question feeds the minutes measure, so it is shown once.
    assert [i.plain_label for i in movement.items] == [
        "Movement (minutes a week)", "Grip strength"
    ]
    # Activity now 150, 150, 200 -> median 150; last month 60, 90, 120 -> 90; change +60.
    minutes = panel.item("activity_minutes")
    assert (minutes.median_text, minutes.change_text, minutes.with_value) == ("150", "+60", 3)
    # Grip now 22, 25, 30 -> 25.0; before 20, 24, 28 -> 24.0.
    assert (panel.item("grip_strength").median_text, panel.item("grip_strength").change_text) == (
        "25.0", "+1.0"
    )
    # Mood (SWEMWBS metric): now raw 28, 21, 28 -> median metric of raw 28; before 21, 21, 14.
    mood = panel.item("swemwbs")
    assert mood.plain_label == "Mood score"
    assert mood.median_text == f"{swemwbs(4):.2f}" == "25.03"
    assert mood.change_text == f"+{swemwbs(4) - swemwbs(3):.2f}"
    # Motivation: confidence now 7, 8, 9 -> 8; before 4, 5, 6 -> 5: up 3.
    confidence = panel.item("confidence")
    assert (confidence.median_text, confidence.change_text) == ("8", "+3")
    assert panel.domain("matters_to_me").note.startswith("The person's own goal")
    assert panel.goals_set == 3  # everyone set a goal; its words never reach the panel
    assert "Walk round the park" not in repr(panel)


def test_people_without_consent_appear_only_as_their_code(demo: Clinic) -> None:
    case = four_ms_scenario(demo)
    panel = build_four_ms(demo, case.now_id)
    assert panel is not None
    labels = [p.label for p in panel.people]
    assert labels == ["Ada", "P2", "Cy"]
    ben = panel.person(case.patient_ids[1])
    assert ben is not None and not ben.named and ben.values["confidence"] == "8"
    hidden = build_four_ms(demo, case.now_id, hide_non_consented=True)
    assert hidden is not None and [p.label for p in hidden.people] == ["Ada", "Cy"]
    # Hidden people are left out of the group figures too: confidence 7 and 9 -> 8, SWEMWBS
    # both raw 28.
    assert hidden.item("confidence").with_value == 2
    assert hidden.item("swemwbs").median_text == "25.03"
    text = repr(panel)
    for surname in ("Quill", "Roper", "Stroud", "Ben"):
        assert surname not in text


def test_a_programme_without_domains_has_no_panel(demo: Clinic) -> None:
    sid = demo.sessions()[0].id
    assert build_four_ms(demo, sid) is None  # the demo runs type 2 diabetes: no 4Ms
    board = build_board(demo, sid)
    assert four_m_panel(board, [], {}) is None


def test_first_session_has_medians_but_no_change(demo: Clinic) -> None:
    case = four_ms_scenario(demo)
    panel = build_four_ms(demo, case.before_id)
    assert panel is not None
    assert panel.item("confidence").median_text == "5"
    assert panel.item("confidence").change_text == ""


@pytest.mark.parametrize("key", ["swemwbs", "confidence"])
def test_a_score_taken_off_the_questionnaires_leaves_the_domain(demo: Clinic, key: str) -> None:
    case = four_ms_scenario(demo)
    session = demo.session(case.now_id)
    domains = [
        {**d, "questionnaires": [q for q in d.get("questionnaires", []) if q != key]}
        for d in (session.programme_snapshot or {})["domains"]
    ]
    panel = four_m_panel(build_board(demo, case.now_id), domains, {})
    assert panel is not None
    assert key not in {i.key for d in panel.domains for i in d.items}
