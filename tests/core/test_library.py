"""The vetted library: new measures, PHQ-9 / GAD-7 / NAPC scoring against the published bands,
the PHQ-9 item-9 red flag through the Clinic, and what stays out of the monitoring dataset."""

from datetime import date

import pytest

from groupclinic_desktop.core import outbox, questionnaires, red_flags
from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.clinic import Actor, Clinic
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.schema import AttendanceStatus, OutboxEvent, Role
from groupclinic_desktop.core.targets import Status, status_of

TODAY = date.today()
LIBRARY_MEASURES = (
    "peak_flow", "waist_to_height", "capillary_glucose", "falls_12m", "pain_score", "phq9_item9",
)

# Published severity bands: Kroenke et al. 2001 (PHQ-9), Spitzer et al. 2006 (GAD-7).
PHQ9_BANDS = [(0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"),
              (15, 19, "moderately severe"), (20, 27, "severe")]
GAD7_BANDS = [(0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")]


def answers_totalling(total: int, items: int) -> dict[str, int]:
    """Answers 0-3 adding up to `total`, filled from item 1 (item 9 last, so 0 unless needed)."""
    left, given = total, {}
    for n in range(1, items + 1):
        given[f"item{n}"] = min(3, left)
        left -= given[f"item{n}"]
    assert left == 0
    return given


@pytest.mark.parametrize(
    ("key", "items", "bands"), [("phq9", 9, PHQ9_BANDS), ("gad7", 7, GAD7_BANDS)]
)
def test_every_total_gets_its_published_band(key: str, items: int, bands: list) -> None:
    for low, high, label in bands:
        for total in range(low, high + 1):
            result = questionnaires.score(key, answers_totalling(total, items))
            assert (result.value, result.band, result.label) == (total, label, f"{total} ({label})")


def test_phq9_answers_by_their_printed_words_and_an_unanswered_item_gives_no_score() -> None:
    words = {f"item{n}": "more than half the days" for n in range(1, 10)}
    assert questionnaires.score("phq9", words).value == 18
    words["item4"] = ""
    result = questionnaires.score("phq9", words)
    assert result.value is None and "item 4" in (result.reason or "")
    with pytest.raises(InvalidInput, match="PHQ-9 item 2: 4 is not an allowed answer"):
        questionnaires.score("phq9", {"item2": 4})


def test_napc_rates_one_to_four_and_says_its_labels_are_ours() -> None:
    result = questionnaires.score("napc_self_management", {"rating": 3})
    assert result.value == 3 and result.label.startswith("3 out of 4")
    assert "our wording" in result.label
    with pytest.raises(InvalidInput, match="Managing my health"):
        questionnaires.score("napc_self_management", {"rating": 5})


def test_every_library_measure_has_limits_a_source_and_an_honest_code() -> None:
    for key in LIBRARY_MEASURES:
        mtype = catalogue().get(key)
        assert mtype.unit and mtype.limits_source and mtype.hard_min < mtype.hard_max
        assert not mtype.snomed_confirmed  # none is in a UK source we hold: never invented
        assert mtype.snomed_code is None and mtype.snomed_source
    # Only the waist-to-height ratio has a guideline target (NICE: below 0.5).
    assert status_of("waist_to_height", 0.49) is Status.ON_TARGET
    assert status_of("waist_to_height", 0.5) is Status.CLOSE
    assert status_of("waist_to_height", 0.6) is Status.OFF_TARGET
    assert status_of("peak_flow", 400) is Status.NO_TARGET


@pytest.mark.parametrize(("answer", "fires"), [(0, False), (1, True), (3, True)])
def test_phq9_item9_rule_fires_on_any_answer_above_not_at_all(answer: int, fires: bool) -> None:
    found = [f.key for f in red_flags.flags_for("phq9_item9", answer)]
    assert found == (["phq9_self_harm"] if fires else [])


def staff(clinic: Clinic, role: Role) -> Actor:
    user = next(u for u in clinic.staff() if u.role == role)
    return Actor(user.id, user.name, user.role)


def test_a_self_harm_answer_is_raised_to_the_clinician_and_never_sent(demo: Clinic) -> None:
    sid = demo.sessions(day=TODAY)[0].id
    facilitator, clinician = staff(demo, Role.FACILITATOR), staff(demo, Role.CLINICIAN)
    pid = demo.roster(sid)[0].patient.id
    with demo._read() as s:
        events_before = len(s.exec(__import__("sqlmodel").select(OutboxEvent)).all())
    answers = {f"item{n}": 0 for n in range(1, 10)} | {"item1": 2, "item9": 1}
    with demo.acting_as(facilitator):
        demo.start_session(sid)
        demo.set_attendance(sid, pid, AttendanceStatus.ATTENDED)
        row = demo.record_questionnaire(sid, pid, "phq9", answers)
    assert (row.score, row.complete) == (3, True)  # minimal total, still a flag
    flags = demo.red_flags(sid, pid)
    assert [(f.rule_key, f.acknowledged) for f in flags] == [("phq9_self_harm", False)]
    with demo.acting_as(facilitator), pytest.raises(InvalidInput, match="Red flags"):
        demo.finish_session(sid)
    with demo.acting_as(clinician):
        demo.acknowledge_red_flag(sid, flags[0].measurement_id, "phq9_self_harm", "spoke privately")
    assert demo.red_flags(sid, pid)[0].acknowledged
    # Neither the PHQ-9 score nor the item-9 answer is in the outbox for the ICB.
    with demo._read() as s:
        events = s.exec(__import__("sqlmodel").select(OutboxEvent)).all()[events_before:]
    text = " ".join(str(e.payload) for e in events)
    assert "phq9" not in text


def test_the_dataset_leaves_out_the_library_and_says_so() -> None:
    for key in LIBRARY_MEASURES:
        assert not outbox.is_sent_measure(key)
    for key in ("phq9", "gad7", "napc_self_management", "matters_to_me"):
        assert not outbox.is_sent_instrument(key)
    assert outbox.is_sent_measure("systolic_bp") and outbox.is_sent_instrument("swemwbs")
