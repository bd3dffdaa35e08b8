"""Whatever is typed or imported, the parsers answer with a value or a clear, typed refusal.

Property-based: hypothesis throws arbitrary text (other scripts, control characters, numbers
with units, near misses) at every parser and validator, and at the facade with a real store,
which must stay sound (check() == []) whatever was refused.
"""

import csv
import io
import math
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groupclinic_desktop.core import cohort, questionnaires, validation
from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.errors import InvalidInput, NeedsConfirmation

TYPED_ERRORS = (InvalidInput, NeedsConfirmation)
KEYS = sorted(catalogue().keys())
# Text a person (or a GP system export) might produce: digits, separators, units, other scripts.
near_numbers = st.from_regex(
    r"\A\s?[-+]?[0-9]{0,4}([.,/][0-9]{0,3})?\s?(kg|cm|mmHg|mmol/mol|%|st|lb|/|bpm)?\s?\Z"
)
any_text = st.text(max_size=40) | near_numbers | st.sampled_from(
    ["", " ", "NaN", "inf", "-inf", "1e308", "1e-320", "٣٤", "１２０", "120/", "/80", "0x50",
     "12\x00", "1_000", "٫5", "142/88/70", "99999999999999999999"]
)
FAST = settings(max_examples=300, deadline=None)


def _is_clear(exc: Exception) -> bool:
    message = str(exc)
    return bool(message) and "Traceback" not in message and len(message) < 2000


@FAST
@given(key=st.sampled_from(KEYS), text=any_text)
def test_measurement_text_gives_a_value_in_range_or_a_clear_refusal(key: str, text: str) -> None:
    mtype = catalogue().get(key)
    try:
        value = validation.parse_measurement(key, text)
    except TYPED_ERRORS as exc:
        assert _is_clear(exc)
        return
    assert math.isfinite(value) and mtype.hard_min <= value <= mtype.hard_max


@FAST
@given(text=any_text)
def test_blood_pressure_text_gives_a_plausible_pair_or_a_clear_refusal(text: str) -> None:
    try:
        systolic, diastolic = validation.parse_blood_pressure(text, confirmed=True)
    except InvalidInput as exc:
        assert _is_clear(exc)
        return
    assert math.isfinite(systolic) and math.isfinite(diastolic) and systolic > diastolic


@FAST
@given(text=st.text(max_size=30) | st.from_regex(r"\A[0-9 /.-]{0,12}\Z"))
def test_dates_and_nhs_numbers_parse_or_are_refused_clearly(text: str) -> None:
    for parse in (
        lambda t: validation.parse_date(t, "Date"),
        lambda t: validation.parse_date_of_birth(t, today=date(2026, 1, 1)),
        validation.parse_nhs_number,
    ):
        try:
            parse(text)
        except InvalidInput as exc:
            assert _is_clear(exc)


@FAST
@given(
    key=st.sampled_from(sorted(questionnaires.questionnaires())),
    answers=st.dictionaries(
        st.text(max_size=12) | st.sampled_from([f"q{i}" for i in range(1, 8)]),
        st.none() | st.integers(-5, 200) | st.floats(allow_nan=True) | st.text(max_size=12),
        max_size=8,
    ),
)
def test_questionnaire_answers_score_or_are_refused_clearly(key: str, answers: dict) -> None:
    try:
        questionnaires.score(key, answers)
    except InvalidInput as exc:
        assert _is_clear(exc)


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


HEADERS = ["NHS number", "Forename", "Surname", "Date of birth", "Sex", "HbA1c", "HbA1c date"]


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(st.text(max_size=15) | near_numbers, min_size=0, max_size=9),
                  max_size=6),
    raw=st.text(max_size=200),
)
def test_a_cohort_file_is_checked_into_rows_and_problems_never_a_crash(
    rows: list[list[str]], raw: str
) -> None:
    for text in (_csv([HEADERS, *rows]), raw):
        try:
            parsed = cohort.read_text(text)
            result = cohort.check(parsed, today=date(2026, 1, 1))
        except InvalidInput as exc:
            assert _is_clear(exc)
            continue
        for problem in result.problems:
            assert str(problem)
        assert len(result.rows) <= len(parsed.rows)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from([*KEYS, "blood_pressure"]), text=any_text, note=st.text(max_size=300))
def test_the_facade_refuses_bad_input_and_the_store_stays_sound(
    demo: Clinic, key: str, text: str, note: str
) -> None:
    person = demo.patients()[0]
    before = len(demo.measurements(patient_id=person.id))
    with demo.acting_as(SYSTEM):
        try:
            demo.record_measurement(person.id, key, text)
        except TYPED_ERRORS as exc:
            assert _is_clear(exc)
            assert len(demo.measurements(patient_id=person.id)) == before  # nothing half-saved
        goal_note = note.strip()
        if goal_note:
            session = demo.sessions()[-1]
            try:
                demo.set_goal(session.id, person.id, note, confidence=5)
            except TYPED_ERRORS as exc:
                assert _is_clear(exc)


def test_after_all_that_the_store_is_sound(demo: Clinic) -> None:
    # The property test shares one store across its examples; this checks a store after a burst
    # of refusals and odd text, including a very long note.
    person = demo.patients()[0]
    session = demo.sessions()[-1]
    with demo.acting_as(SYSTEM):
        for text in ("", "abc", "1e400", "\x00", "300/200", "-1"):
            with pytest.raises(TYPED_ERRORS):
                demo.record_measurement(person.id, "blood_pressure", text)
        demo.set_goal(session.id, person.id, "Walk " * 2000 + "\x07 ✓ صباح", confidence=7)
    assert demo.check() == []
    assert demo.goals(session_id=session.id, patient_id=person.id)[-1].text.endswith("\x07 ✓ صباح")
