"""Everything about one person in one session, gathered for the GP-record exports.

Built only from Clinic facade reads, so the exports see exactly what the app shows. The export
modules (PDF, FHIR, CSV, coded summary) are pure functions of these records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from groupclinic_desktop.core.errors import InvalidInput, NotFound
from groupclinic_desktop.core.schema import (
    AgendaItem,
    Attendance,
    ClinicSession,
    ConsentKind,
    Goal,
    Measurement,
    Patient,
    QuestionnaireResponse,
    Review,
    Source,
    StaffUser,
)

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic
    from groupclinic_desktop.core.programmes import CodedFinding


@dataclass(frozen=True)
class SessionInfo:
    """What every person's notes from one session share."""

    session: ClinicSession
    practice_name: str
    ods_code: str
    programme_name: str
    facilitator: StaffUser | None
    clinicians: tuple[StaffUser, ...]
    covered_topics: tuple[AgendaItem, ...]
    # The programme's coded findings as the session ran them (from its snapshot).
    coded_findings: tuple[CodedFinding, ...] = ()

    @property
    def day(self) -> date:
        return self.session.day

    @property
    def session_id(self) -> int:
        assert self.session.id is not None
        return self.session.id


@dataclass(frozen=True)
class PersonRecord:
    """One person's part of one session, ready to render."""

    info: SessionInfo
    patient: Patient
    attendance: Attendance
    consents: dict[ConsentKind, bool]
    measurements: tuple[Measurement, ...]
    responses: tuple[QuestionnaireResponse, ...]
    review: Review | None
    goals: tuple[Goal, ...]
    staff: dict[int, StaffUser] = field(repr=False, default_factory=dict)

    @property
    def patient_id(self) -> int:
        assert self.patient.id is not None
        return self.patient.id

    def staff_name(self, staff_id: int | None) -> str:
        if staff_id is None:
            return ""
        user = self.staff.get(staff_id)
        return user.name if user else f"staff #{staff_id}"

    @property
    def documented_by(self) -> str:
        return self.staff_name(self.review.documented_by_id) if self.review else ""

    @property
    def on_behalf_of(self) -> str:
        return self.staff_name(self.review.on_behalf_of_id) if self.review else ""

    @property
    def responsible_clinician(self) -> str:
        """Who answers for this person's review: the clinician named on it, else the session's."""
        if self.review is not None:
            if self.review.on_behalf_of_id is not None:
                return self.on_behalf_of
            return self.documented_by
        return self.info.clinicians[0].name if self.info.clinicians else ""

    @property
    def session_measurements(self) -> tuple[Measurement, ...]:
        """Readings taken for this session (not results copied in from the GP record)."""
        return tuple(m for m in self.measurements if m.source != Source.GP_RECORD)

    @property
    def latest_change(self) -> datetime | None:
        """When anything in this record last changed; a later export is then a correction."""
        times: list[datetime] = [self.attendance.updated_at]
        times += [m.entered_at for m in self.measurements]
        times += [r.entered_at for r in self.responses]
        times += [g.created_at for g in self.goals]
        if self.review is not None:
            times.append(self.review.updated_at)
        return max(times) if times else None


@dataclass(frozen=True)
class SessionRecord:
    info: SessionInfo
    people: tuple[PersonRecord, ...]  # the people who were there, by surname

    def person(self, patient_id: int) -> PersonRecord:
        for person in self.people:
            if person.patient_id == patient_id:
                return person
        raise NotFound(f"Patient {patient_id} did not attend session {self.info.session_id}.")


def build_session_record(clinic: Clinic, session_id: int) -> SessionRecord:
    """Gather a session's record for export: one PersonRecord per person who was there."""
    session = clinic.session(session_id)
    practice = clinic.practice()
    programme = clinic.programme(session.programme_id)
    staff = {u.id: u for u in clinic.staff(active_only=False) if u.id is not None}
    info = SessionInfo(
        session=session,
        practice_name=practice.name if practice else "",
        ods_code=practice.ods_code if practice else "",
        programme_name=programme.name,
        facilitator=staff.get(session.facilitator_id) if session.facilitator_id else None,
        clinicians=tuple(clinic.session_clinicians(session_id)),
        covered_topics=tuple(item for item in clinic.agenda(session_id) if item.covered),
        coded_findings=_coded_findings(session.programme_snapshot),
    )
    consents = clinic.consents(session_id)
    reviews = {r.patient_id: r for r in clinic.reviews(session_id)}
    goals = clinic.goals(session_id=session_id)
    responses = clinic.responses(session_id=session_id)
    measurements = clinic.measurements(session_id=session_id)
    people: list[PersonRecord] = []
    for entry in clinic.roster(session_id):
        if not entry.attendance.status.present:
            continue
        pid = entry.patient.id
        people.append(
            PersonRecord(
                info=info,
                patient=entry.patient,
                attendance=entry.attendance,
                consents={kind: given for (p, kind), given in consents.items() if p == pid},
                measurements=tuple(m for m in measurements if m.patient_id == pid),
                responses=tuple(r for r in responses if r.patient_id == pid),
                review=reviews.get(pid),  # type: ignore[arg-type]
                goals=tuple(g for g in goals if g.patient_id == pid),
                staff=staff,  # type: ignore[arg-type]
            )
        )
    return SessionRecord(info=info, people=tuple(people))


def _coded_findings(snapshot: dict[str, Any] | None) -> tuple[CodedFinding, ...]:
    if not snapshot:
        return ()
    from groupclinic_desktop.core.programmes import template_from_dict

    try:
        return template_from_dict(snapshot).coded_findings
    except InvalidInput:  # an unreadable old snapshot means "no confirmed codes", not no export
        return ()
