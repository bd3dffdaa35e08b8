"""One person's progress through a programme: numbers, questionnaire scores and goals over time.

Decisions, so the one-to-one panel, the private PDF and the outcome figures agree:
- A person's time in the programme starts at the first session of it they attended (or, if none
  yet, the programme's first session). A measurement counts from that day minus its stale window
  (programme override, else catalogue): the bloods taken for the first session are the baseline,
  just as the board showed them that day.
- Baseline is the first value in that window; change from baseline is the latest value minus it,
  and only exists once there are two values (one value is not "no change").
- Questionnaire scores come from this programme's sessions; a "choice" questionnaire (the
  end-of-session experience question) is listed but has no change: it rates a day, not a person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from groupclinic_desktop.core import days, questionnaires, targets
from groupclinic_desktop.core.catalogue import Status, catalogue
from groupclinic_desktop.core.schema import (
    AttendanceStatus,
    ClinicSession,
    GoalOutcome,
    Measurement,
    Patient,
    SessionStatus,
)
from groupclinic_desktop.core.targets import Person
from groupclinic_desktop.core.views import board

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic

HELD = (SessionStatus.FINISHED, SessionStatus.EXPORTED)
NOT_HELD = (SessionStatus.CANCELLED,)
OUTCOME_WORDS = {
    GoalOutcome.ACHIEVED: "achieved",
    GoalOutcome.PARTLY: "partly achieved",
    GoalOutcome.NOT_YET: "not yet",
    GoalOutcome.CHANGED: "changed the goal",
}


@dataclass(frozen=True)
class Point:
    taken_on: date
    value: float
    session_id: int | None


@dataclass(frozen=True)
class Series:
    """One measure (or questionnaire score) over time, with its change from baseline."""

    key: str
    label: str  # clinical words, for staff screens
    plain_label: str  # the person's own words, for their PDF
    unit: str
    decimals: int
    points: tuple[Point, ...]
    band: tuple[float | None, float | None]  # the person's target (low, high); (None, None)
    target_text: str
    latest_status: Status
    comparable: bool = True  # False for ratings of a day (experience), which have no change

    @property
    def baseline(self) -> Point | None:
        return self.points[0] if self.points else None

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def change(self) -> float | None:
        if not self.comparable or len(self.points) < 2:
            return None
        return self.points[-1].value - self.points[0].value

    def show(self, value: float | None) -> str:
        return "" if value is None else f"{value:.{self.decimals}f}"

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return ""
        rounded = round(change, self.decimals)
        if rounded == 0:
            return "no change"
        sign = "+" if rounded > 0 else board.MINUS
        return f"{sign}{abs(rounded):.{self.decimals}f}"


@dataclass(frozen=True)
class GoalEntry:
    session_day: date
    text: str
    what_matters: str
    confidence: int
    outcome: str  # words, "" while not yet reviewed


@dataclass(frozen=True)
class SessionEntry:
    session_id: int
    day: date
    number: int
    attendance: str  # "attended", "did not attend", "" when not invited


@dataclass(frozen=True)
class PersonProgress:
    patient_id: int
    programme_id: int
    programme_name: str
    starts_on: date | None
    sessions: tuple[SessionEntry, ...]
    measures: tuple[Series, ...]
    scores: tuple[Series, ...]
    goals: tuple[GoalEntry, ...]

    def measure(self, key: str) -> Series:
        return next(s for s in self.measures if s.key == key)

    def score(self, key: str) -> Series:
        return next(s for s in self.scores if s.key == key)


# ------------------------------------------------------------------------------ building


def person_progress(
    clinic: Clinic, patient_id: int, programme_id: int, *, today: date | None = None
) -> PersonProgress:
    """Everything about one person in one programme, as of today."""
    today = today or date.today()
    programme = clinic.programme(programme_id)
    patient = clinic.patient(patient_id)
    sessions = programme_sessions(clinic, programme_id)
    attendance = {
        s.id: _attendance(clinic, s.id, patient_id)  # type: ignore[arg-type]
        for s in sessions
    }
    starts_on = start_day(sessions, attendance)
    definition = dict(programme.definition or {})
    keys = measurement_keys(definition, sessions)
    history = grouped(clinic.measurements(patient_id=patient_id))
    personal = targets.personal_levels(clinic.personal_targets(patient_id)).get(patient_id, {})
    measures = tuple(
        measure_series(key, definition, patient, personal, history.get(key, []), starts_on, today)
        for key in keys
    )
    session_ids = {s.id for s in sessions}
    day_of = {s.id: s.day for s in sessions}
    scores = score_series(
        [r for r in clinic.responses(patient_id=patient_id) if r.session_id in session_ids],
        day_of,
        definition,
    )
    goals = tuple(
        GoalEntry(
            session_day=day_of[g.session_id],
            text=g.text,
            what_matters=g.what_matters,
            confidence=g.confidence,
            outcome=OUTCOME_WORDS.get(g.outcome, "") if g.outcome else "",
        )
        for g in sorted(
            (g for g in clinic.goals(patient_id=patient_id) if g.session_id in session_ids),
            key=lambda g: (day_of[g.session_id], g.id or 0),
        )
    )
    entries = tuple(
        SessionEntry(s.id, s.day, s.session_number, attendance[s.id])  # type: ignore[arg-type]
        for s in sessions
    )
    return PersonProgress(
        patient_id=patient_id,
        programme_id=programme_id,
        programme_name=programme.name,
        starts_on=starts_on,
        sessions=entries,
        measures=measures,
        scores=scores,
        goals=goals,
    )


def programme_sessions(clinic: Clinic, programme_id: int) -> list[ClinicSession]:
    """The programme's sessions in date order, cancelled ones left out."""
    return [
        s for s in clinic.sessions() if s.programme_id == programme_id and s.status not in NOT_HELD
    ]


def start_day(
    sessions: Sequence[ClinicSession], attendance: Mapping[int | None, str]
) -> date | None:
    """The first session the person attended, else the programme's first session."""
    attended = [s.day for s in sessions if attendance.get(s.id) == "attended"]
    if attended:
        return min(attended)
    return sessions[0].day if sessions else None


def measurement_keys(definition: Mapping[str, Any], sessions: Sequence[ClinicSession]) -> list[str]:
    """The programme's measurements today, then any an older version of it measured."""
    keys = [k for k in definition.get("measurements", []) if k in catalogue()]
    for s in sessions:
        for key in (s.programme_snapshot or {}).get("measurements", []):
            if key not in keys and key in catalogue():
                keys.append(key)
    return keys


def stale_days(key: str, definition: Mapping[str, Any]) -> int:
    overrides = definition.get("stale_after_days") or {}
    return int(overrides.get(key, catalogue().get(key).stale_after_days))


def in_window(
    rows: Sequence[Measurement],
    key: str,
    definition: Mapping[str, Any],
    starts_on: date | None,
    today: date,
) -> list[Measurement]:
    """The values that belong to the person's time in the programme, oldest first."""
    if starts_on is None:
        return []
    first = starts_on - timedelta(days=stale_days(key, definition))
    return [m for m in rows if first <= days.taken_on(m.taken_at) <= today]


def person_for(patient: Patient, on: date, personal: Mapping[str, Any]) -> Person:
    return Person.on(
        on,
        born=patient.date_of_birth,
        sex=patient.sex,
        hypo_risk=patient.hypo_risk,
        personal=personal,
    )


def status_on(
    m: Measurement, definition: Mapping[str, Any], patient: Patient, personal: Mapping[str, Any]
) -> Status:
    """Where a value stood against the person's target on the day it was taken."""
    person = person_for(patient, days.taken_on(m.taken_at), personal)
    return targets.status_of(m.type_key, m.value, person, definition)


def measure_series(
    key: str,
    definition: Mapping[str, Any],
    patient: Patient,
    personal: Mapping[str, Any],
    rows: Sequence[Measurement],
    starts_on: date | None,
    today: date,
) -> Series:
    mtype = catalogue().get(key)
    kept = in_window(rows, key, definition, starts_on, today)
    threshold = targets.threshold_for(mtype, person_for(patient, today, personal), definition)
    latest = status_on(kept[-1], definition, patient, personal) if kept else Status.NO_TARGET
    return Series(
        key=key,
        label=mtype.label,
        plain_label=board.plain_label(key),
        unit=mtype.unit,
        decimals=mtype.decimals,
        points=tuple(Point(days.taken_on(m.taken_at), m.value, m.session_id) for m in kept),
        band=(threshold.low, threshold.high) if threshold else (None, None),
        target_text=threshold.describe(mtype.unit) if threshold else "",
        latest_status=latest,
    )


def score_series(
    responses: Sequence[Any], day_of: Mapping[int | None, date], definition: Mapping[str, Any]
) -> tuple[Series, ...]:
    """Scored questionnaires in the programme's order, then any others the person answered."""
    known = questionnaires.questionnaires()
    order = [k for k in (definition.get("questionnaires") or {}) if k in known]
    for r in responses:
        if r.questionnaire_key not in order and r.questionnaire_key in known:
            order.append(r.questionnaire_key)
    found = []
    for key in order:
        q = known[key]
        rows = sorted(
            (r for r in responses if r.questionnaire_key == key and r.score is not None),
            key=lambda r: (day_of[r.session_id], r.id or 0),
        )
        found.append(
            Series(
                key=key,
                label=q.short_title,
                plain_label=q.plain_label or board.plain_questionnaire_label(key),
                unit="",
                decimals=0 if all(float(r.score).is_integer() for r in rows) else 2,
                points=tuple(
                    Point(day_of[r.session_id], float(r.score), r.session_id) for r in rows
                ),
                band=(None, None),
                target_text="",
                latest_status=Status.NO_TARGET,
                comparable=q.scoring != "choice",
            )
        )
    return tuple(found)


def grouped(rows: Sequence[Measurement]) -> dict[str, list[Measurement]]:
    found: dict[str, list[Measurement]] = {}
    for m in sorted(rows, key=lambda m: (days.aware(m.taken_at), m.id or 0)):
        found.setdefault(m.type_key, []).append(m)
    return found


def _attendance(clinic: Clinic, session_id: int, patient_id: int) -> str:
    for entry in clinic.roster(session_id):
        if entry.patient.id == patient_id:
            return attendance_word(entry.attendance.status)
    return ""


def attendance_word(status: AttendanceStatus) -> str:
    if status.present:
        return "attended"
    if status == AttendanceStatus.DID_NOT_ATTEND:
        return "did not attend"
    if status == AttendanceStatus.CANCELLED:
        return "cancelled"
    return "invited"
