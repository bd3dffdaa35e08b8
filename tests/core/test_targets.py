"""The one rule for targets and status: every consumer gives the same status for the same value.

A grid of people (sex, age 80 and over, hypoglycaemia risk, personal targets) and values (at, just
inside and just outside each target and each "close" margin, for every measure in the catalogue)
is saved through the facade, then read back through the board, the room screen's words, the
one-to-one page, progress, outcomes and the monitoring event. Each must say what the grid says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest

from groupclinic_desktop.core import outbox, targets
from groupclinic_desktop.core.catalogue import Status, catalogue
from groupclinic_desktop.core.clinic import Actor, Clinic
from groupclinic_desktop.core.programmes import PRIVATE_MEASURES
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind, OutboxEvent, Role
from groupclinic_desktop.core.validation import nhs_check_digit
from groupclinic_desktop.core.views import outcomes, progress
from groupclinic_desktop.core.views.board import BP_PARTS, build_board
from groupclinic_desktop.core.views.progress import person_progress
from groupclinic_desktop.ui.phases.one_to_one import STATUS_WORDS, number_lines
from groupclinic_desktop.ui.presenter import presenter_text

ON, CLOSE, OFF, NONE = Status.ON_TARGET, Status.CLOSE, Status.OFF_TARGET, Status.NO_TARGET
TODAY = date.today()


@dataclass(frozen=True)
class Case:
    key: str  # a catalogue measure, or "bmi" (from weight and height)
    text: str  # as typed; BP as "sys/dia"
    expected: Status
    age: int = 60
    sex: str = "male"
    hypo_risk: bool = False
    personal: tuple[float | None, float | None] | None = None  # (below, above)

    @property
    def name(self) -> str:
        who = [self.sex[0], f"{self.age}y"]
        if self.hypo_risk:
            who.append("hypo")
        if self.personal:
            who.append(f"own{self.personal}")
        return f"{self.key}={self.text}[{','.join(who)}]"


GRID: list[Case] = [
    # Systolic: below 140 (not inclusive), close within 10; below 150 from age 80 (NICE NG136).
    Case("blood_pressure", "139/70", ON),
    Case("blood_pressure", "140/70", CLOSE),
    Case("blood_pressure", "150/70", CLOSE),
    Case("blood_pressure", "151/70", OFF),
    Case("blood_pressure", "149/70", ON, age=80),
    Case("blood_pressure", "150/70", CLOSE, age=80),
    Case("blood_pressure", "160/70", CLOSE, age=81),
    Case("blood_pressure", "161/70", OFF, age=80),
    Case("blood_pressure", "145/70", CLOSE, age=79),
    # Diastolic: below 90 at every age.
    Case("blood_pressure", "110/89", ON),
    Case("blood_pressure", "110/90", CLOSE),
    Case("blood_pressure", "110/100", CLOSE),
    Case("blood_pressure", "110/101", OFF, age=85),
    # The worse half decides the board's one status.
    Case("blood_pressure", "139/101", OFF),
    # A personal BP target keeps the guideline's "below" and close margin.
    Case("blood_pressure", "149/70", ON, personal=(150, None)),
    Case("blood_pressure", "150/70", CLOSE, personal=(150, None)),
    Case("blood_pressure", "161/70", OFF, personal=(150, None)),
    # HbA1c: 48 or below (inclusive), close within 5; 53 with hypo risk (NICE NG28).
    Case("hba1c", "48", ON),
    Case("hba1c", "49", CLOSE),
    Case("hba1c", "53", CLOSE),
    Case("hba1c", "54", OFF),
    Case("hba1c", "53", ON, hypo_risk=True),
    Case("hba1c", "54", CLOSE, hypo_risk=True),
    Case("hba1c", "58", CLOSE, hypo_risk=True),
    Case("hba1c", "59", OFF, hypo_risk=True),
    Case("hba1c", "48", ON, age=85),  # no age variant for HbA1c
    Case("hba1c", "49", CLOSE, age=85),
    # The example: 60 with a personal target of 58 is close, everywhere.
    Case("hba1c", "58", ON, personal=(58, None)),
    Case("hba1c", "60", CLOSE, personal=(58, None)),
    Case("hba1c", "63", CLOSE, personal=(58, None)),
    Case("hba1c", "64", OFF, personal=(58, None)),
    # A personal target wins over the hypo-risk level too.
    Case("hba1c", "62", CLOSE, hypo_risk=True, personal=(58, None)),
    # Total cholesterol: below 5 (not inclusive), close within 0.5.
    Case("total_cholesterol", "4.9", ON),
    Case("total_cholesterol", "5.0", CLOSE),
    Case("total_cholesterol", "5.5", CLOSE),
    Case("total_cholesterol", "5.6", OFF),
    Case("total_cholesterol", "5.0", ON, personal=(5.5, None)),
    # HDL: above 1.0 for men, above 1.2 for women (not inclusive), close within 0.2.
    Case("hdl", "1.01", ON),
    Case("hdl", "1.00", CLOSE),
    Case("hdl", "0.80", CLOSE),
    Case("hdl", "0.79", OFF),
    Case("hdl", "1.21", ON, sex="female"),
    Case("hdl", "1.20", CLOSE, sex="female"),
    Case("hdl", "1.10", CLOSE, sex="female"),  # the example: close, everywhere
    Case("hdl", "1.00", CLOSE, sex="female"),
    Case("hdl", "0.99", OFF, sex="female"),
    Case("hdl", "1.10", ON, sex="unknown"),
    Case("hdl", "1.10", ON, sex="female", personal=(None, 1.0)),
    # BMI (from weight and a 200 cm height): 18.5 to 24.9, close within 2.
    Case("bmi", "74.0", ON),  # 18.5
    Case("bmi", "73.6", CLOSE),  # 18.4
    Case("bmi", "99.6", ON),  # 24.9
    Case("bmi", "100.0", CLOSE),  # 25.0
    Case("bmi", "107.6", CLOSE),  # 26.9
    Case("bmi", "108.0", OFF),  # 27.0
    Case("bmi", "65.6", OFF),  # 16.4
    # Activity: at least 150 minutes (inclusive), close within 30.
    Case("activity_minutes", "150", ON),
    Case("activity_minutes", "149", CLOSE),
    Case("activity_minutes", "120", CLOSE),
    Case("activity_minutes", "119", OFF),
    Case("activity_minutes", "100", ON, personal=(None, 90)),
    # Measures with no target in the catalogue: no status, whoever the person is.
    Case("pulse", "72", NONE),
    Case("weight", "82.0", NONE),
    Case("height", "170.0", NONE),
    Case("waist", "94.0", NONE),
    Case("egfr", "55", NONE),
    Case("creatinine", "90", NONE),
    Case("spo2", "97", NONE, age=85),
    Case("grip_strength", "25.0", NONE, sex="female"),
    # The library: waist-to-height ratio below 0.5 (not inclusive, NICE), close up to 0.59.
    Case("waist_to_height", "0.49", ON),
    Case("waist_to_height", "0.50", CLOSE),
    Case("waist_to_height", "0.59", CLOSE),
    Case("waist_to_height", "0.60", OFF),
    Case("waist_to_height", "0.55", ON, personal=(0.56, None)),
    Case("peak_flow", "420", NONE),
    Case("peak_flow", "300", ON, personal=(None, 280)),
    Case("capillary_glucose", "6.2", NONE),
    Case("falls_12m", "2", NONE, age=82),
    Case("pain_score", "7", NONE),
]


def test_the_grid_covers_every_measure_in_the_catalogue() -> None:
    keys = {c.key for c in GRID} | ({"systolic_bp", "diastolic_bp"} if any(
        c.key == "blood_pressure" for c in GRID
    ) else set())
    # A private answer (PHQ-9 item 9) is never on a board, so it has no status to agree on.
    assert set(catalogue().keys()) - PRIVATE_MEASURES <= keys


def staff(clinic: Clinic, role: Role) -> Actor:
    user = next(u for u in clinic.staff() if u.role == role)
    return Actor(user.id, user.name, user.role)


def nhs_number(n: int) -> str:
    """The n-th valid number in the 999 test range."""
    seed = 999_100_000 + n * 7
    while True:
        first9 = f"{seed:09d}"
        digit = nhs_check_digit(first9)
        if digit is not None:
            return first9 + str(digit)
        seed += 1


def born_for(age: int) -> date:
    # A birthday 100 days ago: the age is the same for every value taken in the last 3 months.
    day = TODAY - timedelta(days=100)
    try:
        return day.replace(year=day.year - age)
    except ValueError:  # 29 February
        return (day - timedelta(days=1)).replace(year=day.year - age)


@pytest.fixture
def grid(demo: Clinic) -> tuple[int, int, dict[Case, int]]:
    """A programme showing every measure, a running session today, one person per case."""
    keys = [m.key for m in catalogue() if m.key not in PRIVATE_MEASURES]
    with demo.acting_as(staff(demo, Role.ADMIN)):
        programme = demo.add_programme("type2_diabetes", "Every measure")
        demo.update_programme(programme.id, measurements=keys)  # type: ignore[arg-type]
        session = demo.plan_session(programme.id, TODAY, time(10), "Room 1")  # type: ignore[arg-type]
        people: dict[Case, int] = {}
        for n, case in enumerate(GRID):
            patient = demo.add_patient(
                nhs_number(n), f"Grid{n}", "Case", born_for(case.age),
                sex=case.sex, hypo_risk=case.hypo_risk,
            )
            people[case] = patient.id  # type: ignore[assignment]
            demo.enrol(patient.id, programme.id)  # type: ignore[arg-type]
            demo.invite(session.id, patient.id)  # type: ignore[arg-type]
    sid: int = session.id  # type: ignore[assignment]
    clinician = staff(demo, Role.CLINICIAN)
    with demo.acting_as(staff(demo, Role.FACILITATOR)):
        demo.start_session(sid)
    for case, pid in people.items():
        if case.personal:
            below, above = case.personal
            key = "systolic_bp" if case.key == "blood_pressure" else case.key
            with demo.acting_as(clinician):
                demo.set_personal_target(
                    pid, key, below=below, above=above, reason="frailty, agreed with the person"
                )
        with demo.acting_as(staff(demo, Role.FACILITATOR)):
            demo.set_attendance(sid, pid, AttendanceStatus.ATTENDED)
            demo.set_consent(sid, pid, ConsentKind.SHARE_RESULTS, True)
            if case.key == "bmi":
                demo.record_measurement(pid, "height", "200.0", session_id=sid, confirmed=True)
                demo.record_measurement(pid, "weight", case.text, session_id=sid, confirmed=True)
            else:
                demo.record_measurement(pid, case.key, case.text, session_id=sid, confirmed=True)
    return sid, programme.id, people  # type: ignore[return-value]


def _parts(case: Case) -> tuple[str, ...]:
    return BP_PARTS if case.key == "blood_pressure" else (case.key,)


def test_every_consumer_gives_the_grid_status(
    demo: Clinic, grid: tuple[int, int, dict[Case, int]]
) -> None:
    sid, programme_id, people = grid
    session = demo.session(sid)
    definition = dict(session.programme_snapshot or {})
    board = build_board(demo, sid, today=TODAY)
    events = _measurement_events(demo)
    wrong: list[str] = []
    for case, pid in people.items():
        parts = _parts(case)
        patient = demo.patient(pid)
        saved = {m.type_key: m for m in demo.measurements(patient_id=pid)}
        personal = targets.personal_levels(demo.personal_targets(pid)).get(pid, {})
        person = targets.Person.on(
            TODAY, born=patient.date_of_birth, sex=patient.sex, hypo_risk=patient.hypo_risk,
            personal=personal,
        )
        found: dict[str, Status] = {}
        # The rule itself.
        found["rule"] = targets.reading_status(
            targets.status_of(k, saved[k].value, person, definition) for k in parts
        )
        # The board and what the room screen and printed board say of the cell.
        row = board.row_for(pid)
        assert row is not None
        cell = row.cell(case.key)
        found["board"] = cell.status
        words = presenter_text(cell)
        found["room screen"] = _from_symbol(words)
        # The one-to-one page.
        lines = number_lines(
            patient, list(parts), demo.measurements(patient_id=pid), personal, TODAY, definition
        )
        found["one-to-one"] = targets.reading_status(_from_words(line.status) for line in lines)
        # Progress and outcomes.
        found["progress"] = targets.reading_status(
            progress.status_on(saved[k], definition, patient, personal) for k in parts
        )
        mine = person_progress(demo, pid, programme_id)
        found["progress series"] = targets.reading_status(
            next(s for s in mine.measures if s.key == k).latest_status for k in parts
        )
        data = outcomes._PersonData.build(demo, patient, [session], definition, TODAY)
        found["outcomes"] = data.status(parts, -1, definition)
        # The monitoring event of each value; a library measure outside the dataset is not sent.
        if all(outbox.is_sent_measure(k) for k in parts):
            found["monitoring event"] = targets.reading_status(
                Status[events[saved[k].id].upper()] for k in parts  # type: ignore[index]
            )
        else:
            assert not any(saved[k].id in events for k in parts), f"{case.name} was sent"
        for consumer, status in found.items():
            if status is not case.expected:
                said = f"{consumer} says {status.name}, not {case.expected.name}"
                wrong.append(f"{case.name}: {said}")
    assert not wrong, "\n".join(wrong)


def _measurement_events(clinic: Clinic) -> dict[int, str]:
    """Each saved value's monitoring status, by measurement id (payloads hold no id: match)."""
    with clinic._read() as s:  # the outbox has no read of its own in the facade
        rows = list(s.exec(_select_events()))
    by_value: dict[int, str] = {}
    measurements = {
        (m.patient_id, m.type_key, m.value): m.id for m in clinic.measurements()
    }
    for event in rows:
        p = event.payload or {}
        mid = measurements.get((p["patient_id"], p["measure"], p["value"]))
        if mid is not None:
            by_value[mid] = p["status"]  # type: ignore[index]
    return by_value


def _select_events():  # type: ignore[no-untyped-def]
    from sqlmodel import select

    return select(OutboxEvent).where(OutboxEvent.type == "measurement")


def _from_words(text: str) -> Status:
    return {words: status for status, words in STATUS_WORDS.items()}[text]


def _from_symbol(text: str) -> Status:
    if text.endswith("✓"):
        return ON
    if text.endswith("~"):
        return CLOSE
    if text.endswith("!"):
        return OFF
    return NONE


def test_a_contradictory_personal_level_falls_back_to_the_guideline() -> None:
    person = targets.Person(personal={"hba1c": targets.PersonalLevel(below=40, above=60)})
    assert targets.status_of("hba1c", 48, person) is ON


def test_age_is_taken_on_the_day_of_the_value() -> None:
    born = date(1946, 6, 1)
    person = targets.Person.on(date(2026, 12, 2), born=born)
    assert person.age == 80
    assert targets.status_of("systolic_bp", 145, person) is ON
    assert targets.status_of("systolic_bp", 145, person.as_on(date(2026, 5, 1))) is CLOSE
