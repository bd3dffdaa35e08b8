"""The payload rules the laptop and the service share: nothing identifying gets through."""

from __future__ import annotations

import uuid

import pytest

from icb_service.protocol import (
    PAYLOAD_SCHEMAS,
    age_band,
    payload_problem,
    subject_id,
)
from tests.icb_service import events as ev

S = str(uuid.uuid4())
VALID = {
    "session": ev.session(S, "2025-01-10"),
    "attendance": ev.attendance(S, "a", ethnic_group="asian", imd_quintile="2"),
    "measurement": ev.measurement("a", "hba1c", 53, "2025-01-10", "close", S),
    "questionnaire": ev.questionnaire(S, "a", "swemwbs", 23.21),
    "goal": ev.goal(S, "a", str(uuid.uuid4()), None),
    "experience": ev.experience(S, "very_good"),
    "signposting": {"session_uid": S, "subject": ev.subject("a"),
                    "resource_kind": "social_prescribing"},
    "review": {"session_uid": S, "subject": ev.subject("a"), "reviews": 2,
               "professions": ["gp", "clinical_pharmacist"]},
    "measurement_void": {"session_uid": S, "subject": ev.subject("a"), "measure": "weight",
                         "taken_on": "2025-01-10"},
    # follow-up between sessions: counts only
    "follow_up": {"date": "2025-01-10", "item": "dna", "step": "reinvite"},
    "staff_experience": {"session_uid": S, "role": "clinician", "profession": "practice_nurse",
                         "answers": {"satisfying": 5, "workload": 3}},
}


def test_every_event_type_has_a_valid_example() -> None:
    assert {t for t, _ in PAYLOAD_SCHEMAS} == set(VALID)
    for event_type, payload in VALID.items():
        assert payload_problem(event_type, 1, payload) is None, event_type


def test_a_name_in_an_extra_field_is_refused_and_named() -> None:
    payload = {**VALID["attendance"], "patient_name": "Mary Smith"}
    reason = payload_problem("attendance", 1, payload)
    assert reason is not None and reason.startswith("payload.<key>:")
    # The reason never repeats what was sent, not even the client's own field name.
    assert "Mary" not in reason and "patient_name" not in reason


@pytest.mark.parametrize(
    "extra",
    [{"staff_name": "Asha Patel"}, {"staff_id": 4}, {"comment": "too busy"}],
)
def test_staff_experience_carries_no_name_id_or_words(extra: dict[str, object]) -> None:
    reason = payload_problem("staff_experience", 1, {**VALID["staff_experience"], **extra})
    assert reason is not None and reason.startswith("payload.<key>:")
    assert "Asha" not in reason and "too busy" not in reason


@pytest.mark.parametrize("answers", [{}, {"satisfying": 0}, {"satisfying": 6}, {"mood": 3}])
def test_staff_experience_answers_are_known_questions_on_a_1_to_5_scale(
    answers: dict[str, int],
) -> None:
    payload = {**VALID["staff_experience"], "answers": answers}
    reason = payload_problem("staff_experience", 1, payload)
    assert reason is not None and "answers" in reason
    if answers.get("satisfying") is not None:  # a known question is named, with the rule broken
        assert reason.startswith("payload.answers.satisfying:")


def test_protocol_3_session_and_review_carry_time() -> None:
    session = {**VALID["session"], "usual_appointment_minutes": 20}
    assert payload_problem("session", 3, session) is None
    assert payload_problem("session", 2, session) is not None  # new in schema 3
    review = {**VALID["review"], "minutes_spent": 25}
    assert payload_problem("review", 2, review) is None
    assert payload_problem("review", 1, review) is not None
    too_long = {**session, "usual_appointment_minutes": 500}
    assert "usual_appointment_minutes" in (payload_problem("session", 3, too_long) or "")


def test_experience_is_anonymous() -> None:
    reason = payload_problem("experience", 1, {**VALID["experience"], "subject": ev.subject("a")})
    assert reason is not None and "payload.subject" in reason


@pytest.mark.parametrize("bad", ["9434765919", "A" * 64, "abc", ev.subject("a")[:63]])
def test_subject_must_be_a_64_hex_hash(bad: str) -> None:
    reason = payload_problem("attendance", 1, {**VALID["attendance"], "subject": bad})
    assert reason is not None and reason.startswith("payload.subject")


@pytest.mark.parametrize(
    "field, value",
    [("unit", "9434765919"), ("unit", "943 476 5919"), ("unit", "943-476-5919"),
     ("value", 9434765919)],
)
def test_anything_like_an_nhs_number_is_refused(field: str, value: object) -> None:
    reason = payload_problem("measurement", 1, {**VALID["measurement"], field: value})
    assert reason == (
        f"payload.{field}: nhs_number_like (looks like an NHS number; identifiers are never sent)"
    )


def test_an_nhs_number_hidden_in_a_phase_name_is_refused() -> None:
    payload = {**VALID["session"], "planned_phase_minutes": {"9434765919": 10}}
    assert "NHS number" in (payload_problem("session", 1, payload) or "")


def test_a_hash_that_happens_to_contain_ten_digits_is_accepted() -> None:
    digits_inside = "1234567890" + "ab" * 27
    payload = {**VALID["attendance"], "subject": digits_inside}
    assert payload_problem("attendance", 1, payload) is None


def test_types_are_not_guessed() -> None:
    reason = payload_problem("attendance", 1, {**VALID["attendance"], "carer_present": "yes"})
    assert reason is not None and "payload.carer_present" in reason
    reason = payload_problem("goal", 1, {**VALID["goal"], "confidence": 11})
    assert reason is not None and "payload.confidence" in reason


def test_unknown_type_and_schema_version_are_named() -> None:
    assert payload_problem("diagnosis", 1, {}) == (
        "type: unknown_type (not one of the dataset's event types)"
    )
    assert "schema_version" in (payload_problem("goal", 2, VALID["goal"]) or "")


def test_measurement_is_a_catalogue_key_with_a_date_only() -> None:
    assert "payload.measure" in (
        payload_problem("measurement", 1, {**VALID["measurement"], "measure": "mood"}) or ""
    )
    assert "payload.taken_on" in (
        payload_problem(
            "measurement", 1, {**VALID["measurement"], "taken_on": "2025-01-10T09:30:00"}
        ) or ""
    )


@pytest.mark.parametrize(
    "age, band",
    [(None, "unknown"), (17, "unknown"), (18, "18-39"), (39, "18-39"), (40, "40-49"),
     (79, "70-79"), (80, "80+"), (101, "80+")],
)
def test_age_bands(age: int | None, band: str) -> None:
    assert age_band(age) == band


def test_subject_id_is_keyed_and_ignores_spacing() -> None:
    key = b"k" * 32
    first = subject_id("943 476 5919", key)
    assert first == subject_id("9434765919", key)
    assert first != subject_id("9434765919", b"j" * 32)
    assert len(first) == 64 and payload_problem(
        "attendance", 1, {**VALID["attendance"], "subject": first}
    ) is None
    with pytest.raises(ValueError, match="NHS number"):
        subject_id("12345", key)


def test_protocol_module_stands_alone() -> None:
    """The desktop's sync client imports it; it must not drag in FastAPI, a database or Qt."""
    import subprocess
    import sys

    probe = (
        "import sys, icb_service.protocol\n"
        "heavy = {'fastapi', 'sqlalchemy', 'sqlmodel', 'PySide6', 'groupclinic_desktop'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_service_never_imports_the_desktop_app() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, icb_service.app, icb_service.cli\n"
        "print(sorted({'groupclinic_desktop', 'PySide6'} & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
