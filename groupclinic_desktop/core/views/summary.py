"""The end-of-session summary: who came, what was done, and what is missing.

`session_summary` reads the rows through the facade; `summarise` is a pure function of them, so
it is easy to test. The gaps are written as sentences a facilitator can act on before finishing
the session.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.schema import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Channel,
    ClinicSession,
    ConsentKind,
    Goal,
    Measurement,
    Patient,
    SessionStatus,
)

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic

STATUS_WORDS = {
    AttendanceStatus.INVITED: "not marked yet",
    AttendanceStatus.ATTENDED: "attended",
    AttendanceStatus.LATE: "came late",
    AttendanceStatus.DID_NOT_ATTEND: "did not attend",
    AttendanceStatus.CANCELLED: "cancelled",
    AttendanceStatus.DROP_IN: "dropped in",
}


@dataclass(frozen=True)
class Gap:
    """Something to put right (or knowingly leave) before the session is finished."""

    kind: str  # no_review, no_confidentiality, no_share_consent, no_goal, not_marked
    patient_id: int | None
    message: str


@dataclass(frozen=True)
class PersonSummary:
    patient_id: int
    name: str
    status: AttendanceStatus
    carer_present: bool
    measured: tuple[str, ...]  # measurement labels taken at this session
    reviewed: bool
    goal: str | None
    # How they joined (migration 0009): the summary marks video and phone attendees.
    channel: Channel = Channel.IN_ROOM


@dataclass(frozen=True)
class SessionSummary:
    session_id: int
    status: SessionStatus
    came: tuple[PersonSummary, ...]
    did_not_come: tuple[PersonSummary, ...]
    measured: Mapping[str, int]  # measurement label -> how many people
    topics_covered: tuple[str, ...]
    topics_open: tuple[str, ...]
    reviews_done: tuple[str, ...]
    reviews_missing: tuple[str, ...]
    goals_set: tuple[str, ...]
    gaps: tuple[Gap, ...] = field(default=())

    @property
    def finished(self) -> bool:
        return self.status in (SessionStatus.FINISHED, SessionStatus.EXPORTED)


def session_summary(clinic: Clinic, session_id: int) -> SessionSummary:
    """Who came, what was measured, topics, reviews and goals, and the gaps to look at."""
    return summarise(
        clinic.session(session_id),
        [(e.attendance, e.patient) for e in clinic.roster(session_id)],
        clinic.measurements(session_id=session_id),
        clinic.consents(session_id),
        clinic.agenda(session_id),
        clinic.reviewed(session_id),
        clinic.goals(session_id=session_id),
    )


def summarise(
    session: ClinicSession,
    roster: Sequence[tuple[Attendance, Patient]],
    measurements: Iterable[Measurement],
    consents: Mapping[tuple[int, ConsentKind], bool],
    agenda: Iterable[AgendaItem],
    reviewed: Collection[int],
    goals: Iterable[Goal],
) -> SessionSummary:
    """Summarise one session from its rows (merged agenda items already left out); `reviewed`
    holds the people whose one-to-one review has something in it."""
    cat = catalogue()
    measured_by: dict[int, list[str]] = {}
    for m in measurements:
        label = cat.get(m.type_key).label if m.type_key in cat else m.type_key
        labels = measured_by.setdefault(m.patient_id, [])
        if label not in labels:
            labels.append(label)
    goal_of = {g.patient_id: g.text for g in goals}

    came: list[PersonSummary] = []
    absent: list[PersonSummary] = []
    gaps: list[Gap] = []
    for attendance, patient in roster:
        pid = patient.id
        assert pid is not None
        person = PersonSummary(
            patient_id=pid,
            name=patient.full_name,
            status=attendance.status,
            carer_present=attendance.carer_present,
            measured=tuple(measured_by.get(pid, ())),
            reviewed=pid in reviewed,
            goal=goal_of.get(pid),
            channel=attendance.channel,
        )
        if attendance.status.present:
            came.append(person)
            gaps += _gaps_for(person, consents)
        else:
            absent.append(person)
            if attendance.status == AttendanceStatus.INVITED:
                gaps.append(
                    Gap(
                        "not_marked",
                        pid,
                        f"{person.name}: attendance not marked (attended, late or did not "
                        "attend?).",
                    )
                )

    counts: Counter[str] = Counter()
    for person in came:
        counts.update(person.measured)
    items = list(agenda)
    return SessionSummary(
        session_id=session.id or 0,
        status=session.status,
        came=tuple(came),
        did_not_come=tuple(absent),
        measured=dict(counts),
        topics_covered=tuple(i.text for i in items if i.covered),
        topics_open=tuple(i.text for i in items if not i.covered),
        reviews_done=tuple(p.name for p in came if p.reviewed),
        reviews_missing=tuple(p.name for p in came if not p.reviewed),
        goals_set=tuple(p.name for p in came if p.goal),
        gaps=tuple(gaps),
    )


def _gaps_for(person: PersonSummary, consents: Mapping[tuple[int, ConsentKind], bool]) -> list[Gap]:
    gaps: list[Gap] = []
    pid = person.patient_id
    if not person.reviewed:
        gaps.append(Gap("no_review", pid, f"{person.name}: attended but has no one-to-one review."))
    confidentiality = consents.get((pid, ConsentKind.CONFIDENTIALITY))
    if confidentiality is None:
        gaps.append(
            Gap(
                "no_confidentiality",
                pid,
                f"{person.name}: attended but no confidentiality agreement is recorded.",
            )
        )
    elif not confidentiality:
        gaps.append(
            Gap(
                "no_confidentiality",
                pid,
                f"{person.name}: did not agree to confidentiality, yet is marked as present.",
            )
        )
    if (pid, ConsentKind.SHARE_RESULTS) not in consents:
        gaps.append(
            Gap(
                "no_share_consent",
                pid,
                f"{person.name}: consent to share results on the board is not recorded.",
            )
        )
    if not person.goal:
        gaps.append(Gap("no_goal", pid, f"{person.name}: attended but has no goal set."))
    return gaps
