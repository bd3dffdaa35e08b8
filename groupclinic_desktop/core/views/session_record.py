"""Everything about one person in one session, gathered for the GP-record exports.

Built only from Clinic facade reads, so the exports see exactly what the app shows. The export
modules (PDF, FHIR, CSV, coded summary) are pure functions of these records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from groupclinic_desktop.core import professions
from groupclinic_desktop.core.clinic import RosterEntry
from groupclinic_desktop.core.errors import InvalidInput, NotFound
from groupclinic_desktop.core.programmes import template_from_dict
from groupclinic_desktop.core.schema import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    CarerVisit,
    ClinicSession,
    CommunityResource,
    ConsentKind,
    Goal,
    Measurement,
    Patient,
    QuestionnaireResponse,
    Review,
    Signposting,
    Source,
    StaffUser,
)
from groupclinic_desktop.core.targets import PersonalLevel, personal_levels

if TYPE_CHECKING:
    from groupclinic_desktop.core.care_plan import CarePlanView
    from groupclinic_desktop.core.clinic import Clinic
    from groupclinic_desktop.core.programmes import CodedFinding


DEFAULT_TIME_ZONE = "Europe/London"


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
    # The practice's time zone (setting "time_zone") and the programme's planned length.
    time_zone: str = DEFAULT_TIME_ZONE
    planned_minutes: int = 0

    @property
    def day(self) -> date:
        return self.session.day

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(DEFAULT_TIME_ZONE)

    def local(self, when: datetime) -> datetime:
        """An instant in the practice's time zone (stored instants are UTC, naive or aware)."""
        aware = when if when.tzinfo else when.replace(tzinfo=UTC)
        return aware.astimezone(self.zone)

    @property
    def window(self) -> tuple[datetime, datetime]:
        """When the session ran, in the practice's time zone: its start to its actual finish.

        The start and finish buttons count only when pressed on the session's day (a session
        finished later from the wrap-up screen, or the demo, did not run then); otherwise the
        planned start and the programme's planned length stand in. Times are cut to the second,
        as the exports write them.
        """
        planned = datetime.combine(self.day, self.session.start_time, tzinfo=self.zone)
        start = self._on_the_day(self.session.started_at) or planned
        start = start.replace(microsecond=0)
        end = self._on_the_day(self.session.finished_at)
        end = end.replace(microsecond=0) if end else None
        # A finish less than a minute after the start (pressed by mistake) is no session length.
        if end is None or end - start < timedelta(minutes=1):
            end = start + timedelta(minutes=self.planned_minutes or 0)
        return start, end

    def clinical_time(self, when: datetime | None) -> datetime:
        """The time a clinical item belongs to: when it happened if that was during the
        session, else the session's start (a value typed in afterwards is still the session's)."""
        start, end = self.window
        if when is None:
            return start
        local = self.local(when)
        return local if start <= local <= end else start

    def _on_the_day(self, when: datetime | None) -> datetime | None:
        if when is None:
            return None
        local = self.local(when)
        return local if local.date() == self.day else None

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
    # One review per professional who saw the person, oldest first. Reviews still awaiting
    # their clinician's sign-off are here too; the export holds such a person back.
    reviews: tuple[Review, ...]
    goals: tuple[Goal, ...]
    staff: dict[int, StaffUser] = field(repr=False, default_factory=dict)
    # Community connections: (signposting, directory entry) pairs for this person.
    signposts: tuple[tuple[Signposting, CommunityResource], ...] = ()
    # Visits this person made AS A CARER (never the visits of someone caring for them).
    carer_visits: tuple[CarerVisit, ...] = ()
    # True when the person came only as a registered carer, not as a member of the group.
    carer_only: bool = False
    # True when a carer came with this person (ticked at check-in or recorded as a visit).
    came_with_carer: bool = False
    # The person's own targets set by a clinician, by measure (core/targets.py).
    personal_targets: Mapping[str, PersonalLevel] = field(default_factory=dict)
    # The GP practice the person is registered at: the custodian of their record.
    registered_ods: str = ""
    registered_name: str = ""
    # Values voided as mistaken: never rendered, only counted as a change since export.
    voided: tuple[Measurement, ...] = ()
    # The person's care and support plan in this programme, as it stands at export (None when
    # it holds nothing yet).
    care_plan: CarePlanView | None = None

    @property
    def patient_id(self) -> int:
        assert self.patient.id is not None
        return self.patient.id

    def staff_name(self, staff_id: int | None) -> str:
        if staff_id is None:
            return ""
        user = self.staff.get(staff_id)
        return user.name if user else f"staff #{staff_id}"

    def staff_label(self, staff_id: int | None, profession: str | None = None) -> str:
        """A staff name with their profession, as the record shows it: "Dr Priya Shah (GP)"."""
        if staff_id is None:
            return ""
        user = self.staff.get(staff_id)
        return professions.name_with_profession(user, profession) if user else f"staff #{staff_id}"

    def profession_of(self, staff_id: int | None, profession: str | None = None) -> str:
        user = self.staff.get(staff_id) if staff_id is not None else None
        return professions.label(
            profession or (user.profession if user else None), user.role if user else None
        )

    @property
    def review(self) -> Review | None:
        """The first review (older callers that show one); exports render every review."""
        return self.reviews[0] if self.reviews else None

    @property
    def awaiting_sign_off(self) -> tuple[Review, ...]:
        return tuple(r for r in self.reviews if r.awaiting_sign_off)

    def review_author(self, review: Review) -> str:
        """Who answers for a review, with their profession."""
        return self.staff_label(review.author_id, review.profession)

    def review_byline(self, review: Review) -> str:
        """"Documented by ..." as every export says it, naming on-behalf writing, the sign-off
        and any correction by someone other than the author."""
        author = self.review_author(review)
        if review.on_behalf_of_id is not None and review.documented_by_id != review.author_id:
            writer = self.staff_label(review.documented_by_id)
            line = f"Documented by {writer} on behalf of {author}"
            if review.signed_off_at is not None:
                line += f"; signed by {self.staff_name(review.signed_off_by_id)}"
            else:
                line += "; awaiting sign-off"
        else:
            line = f"Documented by {author}"
        if review.corrected_by_id is not None:
            line += f"; corrected by {self.staff_label(review.corrected_by_id)}"
        started = f", started {review.started_at:%H:%M}" if review.started_at else ""
        minutes = f", about {review.minutes} min" if review.minutes else ""
        return line + started + minutes + "."

    def measurement_taker(self, m: Measurement) -> str:
        """Who took a reading (the person who entered it unless someone else is named)."""
        return self.staff_label(m.taken_by)

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
            return self.staff_name(self.review.author_id)
        return self.info.clinicians[0].name if self.info.clinicians else ""

    @property
    def responsible_clinician_user(self) -> StaffUser | None:
        """The same clinician as a staff record (for their SDS identifiers), when known."""
        if self.review is not None:
            return self.staff.get(self.review.author_id) if self.review.author_id else None
        return self.info.clinicians[0] if self.info.clinicians else None

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
        times += [sp.at for sp, _ in self.signposts]
        times += [v.updated_at for v in self.carer_visits]
        times += [r.updated_at for r in self.reviews]
        times += [m.voided_at for m in self.voided if m.voided_at is not None]
        if self.care_plan is not None and self.care_plan.updated_at is not None:
            times.append(self.care_plan.updated_at)
        return max(times) if times else None


@dataclass(frozen=True)
class SessionRecord:
    info: SessionInfo
    people: tuple[PersonRecord, ...]  # the people who were there, by surname
    # The people booked who did not attend (DNA), by surname: their record says so.
    absent: tuple[PersonRecord, ...] = ()

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
        time_zone=str(clinic.setting("time_zone", DEFAULT_TIME_ZONE) or DEFAULT_TIME_ZONE),
        planned_minutes=_planned_minutes(session.programme_snapshot),
    )

    consents = clinic.consents(session_id)
    reviews = clinic.reviews(session_id)
    goals = clinic.goals(session_id=session_id)
    responses = clinic.responses(session_id=session_id)
    measurements = clinic.measurements(session_id=session_id)
    voided = [
        m for m in clinic.measurements(session_id=session_id, include_voided=True) if m.voided
    ]
    entries = {r.id: r for r in clinic.community_resources()}
    signposts = [(sp, entries[sp.resource_id]) for sp in clinic.signposts(session_id=session_id)]
    all_visits = clinic.carer_visits(session_id=session_id)
    visits = [v for v in all_visits if v.carer_patient_id]
    cared_for = {v.cares_for_patient_id for v in all_visits}
    personal = personal_levels(clinic.personal_targets())
    members = {m.ods_code: m.name for m in clinic.member_practices(active_only=False)}
    people: list[PersonRecord] = []
    roster = [e for e in clinic.roster(session_id) if e.attendance.status.present]
    present = {e.patient.id for e in roster}
    # A registered carer who came only as a carer gets their own record (carer's part only).
    carers_only = {v.carer_patient_id for v in visits} - present
    for carer_id in sorted(c for c in carers_only if c is not None):
        carer = clinic.patient(carer_id)
        stand_in = Attendance(
            session_id=session_id, patient_id=carer_id, status=AttendanceStatus.ATTENDED
        )
        roster.append(RosterEntry(stand_in, carer))
    roster.sort(key=lambda e: (e.patient.family_name, e.patient.given_name))
    for entry in roster:
        pid = entry.patient.id
        carer_only = pid in carers_only
        people.append(
            PersonRecord(
                info=info,
                patient=entry.patient,
                attendance=entry.attendance,
                consents={kind: given for (p, kind), given in consents.items() if p == pid},
                measurements=tuple(m for m in measurements if m.patient_id == pid),
                responses=tuple(r for r in responses if r.patient_id == pid),
                reviews=tuple(r for r in reviews if r.patient_id == pid),
                goals=tuple(g for g in goals if g.patient_id == pid),
                staff=staff,
                signposts=tuple(pair for pair in signposts if pair[0].patient_id == pid),
                carer_visits=tuple(v for v in visits if v.carer_patient_id == pid),
                carer_only=carer_only,
                came_with_carer=entry.attendance.carer_present or pid in cared_for,
                personal_targets=personal.get(pid, {}),  # type: ignore[arg-type]
                registered_ods=entry.patient.registered_ods or info.ods_code,
                registered_name=members.get(
                    entry.patient.registered_ods or info.ods_code, info.practice_name
                ),
                voided=tuple(m for m in voided if m.patient_id == pid),
                care_plan=None if carer_only else _care_plan(clinic, pid, session.programme_id),
            )
        )
    absent = [
        PersonRecord(
            info=info,
            patient=e.patient,
            attendance=e.attendance,
            consents={},
            measurements=(),
            responses=(),
            reviews=(),
            goals=(),
            staff=staff,
            registered_ods=e.patient.registered_ods or info.ods_code,
            registered_name=members.get(
                e.patient.registered_ods or info.ods_code, info.practice_name
            ),
        )
        for e in clinic.roster(session_id)
        if e.attendance.status == AttendanceStatus.DID_NOT_ATTEND
    ]
    absent.sort(key=lambda p: (p.patient.family_name, p.patient.given_name))
    return SessionRecord(info=info, people=tuple(people), absent=tuple(absent))


def _care_plan(
    clinic: Clinic, patient_id: int | None, programme_id: int | None
) -> CarePlanView | None:
    """The person's plan in the session's programme, when it holds anything at all."""
    if patient_id is None or programme_id is None:
        return None
    plan = clinic.care_plan(patient_id, programme_id)
    empty = not (
        plan.goals or plan.actions or plan.support or plan.what_matters or plan.if_worse
    )
    return None if empty and not plan.saved else plan


def _planned_minutes(snapshot: dict[str, Any] | None) -> int:
    if not snapshot:
        return 0

    try:
        return template_from_dict(snapshot).total_minutes
    except InvalidInput:
        return 0


def _coded_findings(snapshot: dict[str, Any] | None) -> tuple[CodedFinding, ...]:
    if not snapshot:
        return ()

    try:
        return template_from_dict(snapshot).coded_findings
    except InvalidInput:  # an unreadable old snapshot means "no confirmed codes", not no export
        return ()
