"""The clinic's tables. Changing one means writing an Alembic migration in core/migrations.

Instants are timezone-aware UTC datetimes (`utcnow()`); session dates and start times are the
practice's local wall-clock, because that is what the invitation letter says.
"""

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    FACILITATOR = "facilitator"
    CLINICIAN = "clinician"
    ADMIN = "admin"
    # Volunteers and VCFSE partners: check-in, board, agenda and goals; no reviews, no exports.
    CO_FACILITATOR = "co_facilitator"


class SessionStatus(StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    FINISHED = "finished"
    EXPORTED = "exported"
    CANCELLED = "cancelled"


class Mode(StrEnum):
    FACE_TO_FACE = "face_to_face"
    VIDEO = "video"
    # Some people in the room and some joining by video or phone (migration 0009).
    HYBRID = "hybrid"

    @property
    def channels(self) -> tuple["Channel", ...]:
        """How people may join a session held this way."""
        if self == Mode.FACE_TO_FACE:
            return (Channel.IN_ROOM,)
        if self == Mode.VIDEO:
            return (Channel.VIDEO, Channel.PHONE)
        return (Channel.IN_ROOM, Channel.VIDEO, Channel.PHONE)

    @property
    def default_channel(self) -> "Channel":
        return Channel.VIDEO if self == Mode.VIDEO else Channel.IN_ROOM


class Channel(StrEnum):
    """How one person joined a session: in the room, by video or by phone (migration 0009)."""

    IN_ROOM = "in_room"
    VIDEO = "video"
    PHONE = "phone"

    @property
    def remote(self) -> bool:
        """Remote attendees get the identity and private-place checks; the room does not."""
        return self != Channel.IN_ROOM


class Cadence(StrEnum):
    """How often a series' sessions come round; a drop-in clinic is a single open session."""

    WEEK = "week"
    FORTNIGHT = "fortnight"
    MONTH = "month"
    QUARTER = "quarter"


class AttendanceStatus(StrEnum):
    INVITED = "invited"
    ATTENDED = "attended"
    LATE = "late"
    DID_NOT_ATTEND = "did_not_attend"
    CANCELLED = "cancelled"
    DROP_IN = "drop_in"

    @property
    def present(self) -> bool:
        return self in (AttendanceStatus.ATTENDED, AttendanceStatus.LATE, AttendanceStatus.DROP_IN)


class InvitationStatus(StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NO_REPLY = "no_reply"


class ConsentKind(StrEnum):
    CONFIDENTIALITY = "confidentiality"
    SHARE_RESULTS = "share_results"
    MONITORING = "monitoring"


class Source(StrEnum):
    IN_SESSION = "in_session"
    SELF_REPORTED = "self_reported"
    GP_RECORD = "gp_record"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class GoalOutcome(StrEnum):
    ACHIEVED = "achieved"
    PARTLY = "partly"
    NOT_YET = "not_yet"
    CHANGED = "changed"


def json_column() -> Any:
    return Field(default=None, sa_column=Column(JSON))


class OrganisationKind(StrEnum):
    """Who runs the clinics in this store: one practice, or a PCN / neighbourhood hub."""

    PRACTICE = "practice"
    PCN = "pcn"
    HUB = "hub"


class Practice(SQLModel, table=True):
    """The organisation that runs the clinics (a practice, or a PCN or neighbourhood hub)."""

    id: int | None = Field(default=None, primary_key=True)
    ods_code: str = Field(unique=True)
    name: str
    is_demo: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    kind: OrganisationKind = OrganisationKind.PRACTICE
    # The PCN this organisation belongs to (a PCN's own code when kind is "pcn"), for monitoring.
    pcn_ods_code: str | None = None


class MemberPractice(SQLModel, table=True):
    """A GP practice whose patients this store may hold; a single practice is its own member."""

    __tablename__ = "member_practice"
    id: int | None = Field(default=None, primary_key=True)
    ods_code: str = Field(unique=True)
    name: str
    # An explicit MESH mailbox for this practice, used instead of automated (GPPROVIDER_) routing.
    mesh_mailbox: str | None = None
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    role: Role
    # A key of resources/professions.toml, shown beside the name; None for staff added before
    # professions were recorded (the role's word is shown instead).
    profession: str | None = None
    # NHS Spine Directory Service identifiers, set by an admin when known: the person's SDS user
    # ID (on their Smartcard) and their role profile ID at this organisation. The GP-record
    # documents name them so a receiving system can match the author (GP Connect CS-036).
    sds_user_id: str | None = None
    sds_role_profile_id: str | None = None
    pin_hash: str
    active: bool = True
    failed_sign_ins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Programme(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    template_key: str
    name: str = Field(unique=True)
    version: int = 1
    # The programme as the template/admin defines it now; sessions keep their own snapshot.
    definition: dict[str, Any] | None = json_column()
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class ClinicSession(SQLModel, table=True):
    __tablename__ = "clinic_session"
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    programme_version: int
    programme_snapshot: dict[str, Any] | None = json_column()
    day: date = Field(index=True)
    start_time: time
    place: str
    mode: Mode = Mode.FACE_TO_FACE
    facilitator_id: int | None = Field(default=None, foreign_key="staff_user.id")
    status: SessionStatus = SessionStatus.PLANNED
    phase: str | None = None
    # Minutes spent per phase so far, and when the current phase was entered (UTC).
    phase_minutes: dict[str, float] | None = json_column()
    phase_entered_at: datetime | None = None
    session_number: int = 1
    series_uid: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # Video and hybrid sessions: the https link people join by, and the words that go with it
    # (invitations and letters carry both; never monitoring). Migration 0009.
    joining_link: str | None = None
    joining_instructions: str | None = None
    # A single drop-in clinic open to anyone enrolled in the programme: no fixed roster; people
    # are added as they arrive (migration 0009).
    drop_in: bool = False


class SessionClinician(SQLModel, table=True):
    __tablename__ = "session_clinician"
    session_id: int = Field(foreign_key="clinic_session.id", primary_key=True)
    staff_id: int = Field(foreign_key="staff_user.id", primary_key=True)


class Patient(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    nhs_number: str = Field(unique=True, index=True)
    given_name: str
    family_name: str
    preferred_name: str | None = None
    date_of_birth: date
    sex: Sex = Sex.UNKNOWN
    mobile: str | None = None
    # A drug that can cause hypoglycaemia changes the HbA1c target (NICE NG28).
    hypo_risk: bool = False
    # Equity fields, all optional: None means "not stated", which is a real answer.
    ethnic_category: str | None = None  # NHS Data Dictionary ethnic category code (A-Z, 99)
    imd_decile: int | None = None  # from the GP search export; the app cannot look it up offline
    imd_quintile: int | None = None  # when the source gives only a quintile (1 most deprived)
    preferred_language: str | None = None  # e.g. "en", "pl", "ur"
    interpreter_needed: bool | None = None
    is_carer: bool | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # Added by a facilitator on the day (a drop-in not yet in the store): the admin checks the
    # details against the GP record, then clears it (migration 0007).
    added_on_day: date | None = None
    # The ODS code of the GP practice the person is registered with (a member practice).
    registered_ods: str | None = Field(default=None, index=True)

    @property
    def board_name(self) -> str:
        return self.preferred_name or self.given_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Enrolment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("patient_id", "programme_id"),)
    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    enrolled_at: datetime = Field(default_factory=utcnow)
    active: bool = True


class Attendance(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("session_id", "patient_id"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="clinic_session.id", index=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    status: AttendanceStatus = AttendanceStatus.INVITED
    invitation: InvitationStatus = InvitationStatus.INVITED
    carer_present: bool = False
    # How the person joined (migration 0009); the checks below apply to video and phone only.
    channel: Channel = Channel.IN_ROOM
    # Remote attendees: identity checked (e.g. last four digits of phone), in a private place.
    identity_confirmed: bool = False
    private_place: bool = False
    updated_at: datetime = Field(default_factory=utcnow)


class Consent(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("session_id", "patient_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="clinic_session.id", index=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    kind: ConsentKind
    given: bool
    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by_id: int | None = Field(default=None, foreign_key="staff_user.id")


class Measurement(SQLModel, table=True):
    # A person's history of one measure, by date: the board, trends and "previous value" read it.
    # It also serves every look-up by patient alone, so patient_id has no index of its own: each
    # index is one more encrypted page written with every value saved.
    __table_args__ = (
        Index("ix_measurement_patient_type_taken", "patient_id", "type_key", "taken_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    patient_id: int = Field(foreign_key="patient.id")
    session_id: int | None = Field(default=None, foreign_key="clinic_session.id", index=True)
    type_key: str
    value: float
    unit: str
    taken_at: datetime
    source: Source = Source.IN_SESSION
    # Blood pressure's systolic and diastolic rows share one reading uid.
    reading_uid: str | None = None
    confirmed_unusual: bool = False
    entered_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    entered_at: datetime = Field(default_factory=utcnow)
    # Who took the reading (defaults to whoever entered it): the record credits this person.
    taken_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    # A voided value stays for the audit trail and staff screens, and is left out of everything
    # else; a corrected value is voided and its replacement names it.
    voided_at: datetime | None = None
    voided_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    void_reason: str | None = None
    replaces_id: int | None = Field(default=None, foreign_key="measurement.id")

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    @property
    def taken_by(self) -> int | None:
        return self.taken_by_id if self.taken_by_id is not None else self.entered_by_id


class QuestionnaireResponse(SQLModel, table=True):
    __tablename__ = "questionnaire_response"
    __table_args__ = (UniqueConstraint("session_id", "patient_id", "questionnaire_key"),)
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    session_id: int = Field(foreign_key="clinic_session.id", index=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    questionnaire_key: str
    answers: dict[str, Any] | None = json_column()
    score: float | None = None
    raw: float | None = None
    complete: bool = False
    entered_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    entered_at: datetime = Field(default_factory=utcnow)


class AgendaItem(SQLModel, table=True):
    __tablename__ = "agenda_item"
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="clinic_session.id", index=True)
    text: str
    topic: str | None = None
    raised_by: str | None = None
    votes: int = 0
    position: int = 0
    covered: bool = False
    merged_into_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    created_at: datetime = Field(default_factory=utcnow)


class Review(SQLModel, table=True):
    # One review per professional: a person seen by a GP, a pharmacist and a physiotherapist in
    # one session has three reviews, each its author's own.
    __table_args__ = (UniqueConstraint("session_id", "patient_id", "author_id"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="clinic_session.id", index=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    # The clinician who answers for this review (the one written on behalf of, or the writer).
    author_id: int | None = Field(default=None, foreign_key="staff_user.id")
    # The author's profession when the review was written (a key of resources/professions.toml).
    profession: str | None = None
    started_at: datetime | None = None
    notes: str = ""
    # [{"code": "...", "term": "..."}]
    findings: list[dict[str, Any]] | None = json_column()
    # [{"action": "start|stop|change_dose", "drug": "...", "dose": "..."}]
    medication_changes: list[dict[str, Any]] | None = json_column()
    # [{"text": "...", "owner": "...", "due": "YYYY-MM-DD"}]
    actions: list[dict[str, Any]] | None = json_column()
    safety_netting: str = ""
    documented_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    on_behalf_of_id: int | None = Field(default=None, foreign_key="staff_user.id")
    seconds_spent: int = 0
    updated_at: datetime = Field(default_factory=utcnow)
    # A review written on a clinician's behalf waits for that clinician's sign-off.
    signed_off_at: datetime | None = None
    signed_off_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    # The last correction after the session finished: by its author, or by another clinician.
    corrected_at: datetime | None = None
    corrected_by_id: int | None = Field(default=None, foreign_key="staff_user.id")

    @property
    def awaiting_sign_off(self) -> bool:
        return self.on_behalf_of_id is not None and self.signed_off_at is None

    @property
    def minutes(self) -> int:
        return round(self.seconds_spent / 60)


class Goal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    session_id: int = Field(foreign_key="clinic_session.id", index=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    text: str
    what_matters: str = ""
    confidence: int
    review_date: date | None = None
    outcome: GoalOutcome | None = None
    outcome_recorded_at: datetime | None = None
    set_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """Append-only; each entry carries the hash of the one before, so edits show."""

    __tablename__ = "audit_entry"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    user_id: int | None = None
    user_name: str
    action: str
    entity: str
    entity_id: str | None = None
    patient_id: int | None = Field(default=None, index=True)
    before: dict[str, Any] | None = json_column()
    after: dict[str, Any] | None = json_column()
    prev_hash: str
    hash: str


class OutboxEvent(SQLModel, table=True):
    """A monitoring event waiting for the ICB service to acknowledge it. `id` is the sequence."""

    __tablename__ = "outbox_event"
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    type: str
    schema_version: int = 1
    occurred_at: datetime = Field(default_factory=utcnow)
    payload: dict[str, Any] | None = json_column()
    attempts: int = 0
    last_error: str | None = None
    needs_attention: bool = False


class PersonalTarget(SQLModel, table=True):
    """A clinician's own target for one person and one measurement; the board uses it instead."""

    __tablename__ = "personal_target"
    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    type_key: str
    below: float | None = None  # on target when the value is below (or at) this
    above: float | None = None  # on target when the value is above (or at) this
    reason: str
    set_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    set_at: datetime = Field(default_factory=utcnow)
    active: bool = True


class RedFlagAcknowledgement(SQLModel, table=True):
    """A clinician has heard about one red flag (one rule met by one reading) in a session."""

    __tablename__ = "red_flag_acknowledgement"
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="clinic_session.id", index=True)
    patient_id: int = Field(foreign_key="patient.id")
    measurement_id: int = Field(foreign_key="measurement.id")
    rule_key: str
    note: str = ""
    acknowledged_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    acknowledged_at: datetime = Field(default_factory=utcnow)


class ExportRecord(SQLModel, table=True):
    """One person's notes exported once: what, where, by whom, and whether it was filed."""

    __tablename__ = "export_record"
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="clinic_session.id", index=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    formats: str  # comma-separated: pdf,fhir,csv
    files: list[str] | None = json_column()
    version: int = 1
    is_correction: bool = False
    exported_at: datetime = Field(default_factory=utcnow)
    exported_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    filed_at: datetime | None = None
    filed_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    # Where the notes went: the registered practice's ODS code and its folder, or MESH.
    destination: str | None = None


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # handed to MESH; the answer was not yet saved
    SENT = "sent"  # MESH accepted it (message id known)
    ACKNOWLEDGED = "acknowledged"  # infrastructure acknowledgement: technically valid
    FILED = "filed"  # business acknowledgement: the practice matched the patient
    FAILED = "failed"


class GpDelivery(SQLModel, table=True):
    """One person's notes from one session sent to their registered practice over MESH."""

    __tablename__ = "gp_delivery"
    __table_args__ = (UniqueConstraint("session_id", "patient_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    # The ITK SenderReference: the same on every attempt, so acknowledgements find their row.
    uid: str = Field(unique=True)
    session_id: int = Field(foreign_key="clinic_session.id", index=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    version: int = 1
    registered_ods: str
    mex_to: str = ""  # the MESH address used: an explicit mailbox or the GPPROVIDER_ address
    status: DeliveryStatus = DeliveryStatus.QUEUED
    reason: str | None = None  # why it failed, in words for the admin (no patient data)
    message_uid: str | None = None  # the ITK message bundle's identifier of the latest attempt
    mesh_message_id: str | None = None
    attempts: int = 0
    needs_attention: bool = False
    queued_at: datetime = Field(default_factory=utcnow)
    queued_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    sent_at: datetime | None = None
    acknowledged_at: datetime | None = None
    filed_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class Setting(SQLModel, table=True):
    """Practice settings (idle lock minutes, backup counts, import mappings...), as JSON values."""

    key: str = Field(primary_key=True)
    value: dict[str, Any] | list[Any] | str | int | float | bool | None = json_column()
    updated_at: datetime = Field(default_factory=utcnow)


# ---- community connections and carers (migration 0002)


class CommunityResource(SQLModel, table=True):
    """One entry in the practice's directory of local community support."""

    __tablename__ = "community_resource"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    offers: str = ""  # what it offers, in the practice's words
    when_where: str = ""
    contact: str = ""
    organisation: str = ""
    kind: str = "other"  # a key from resources/community.toml
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Signposting(SQLModel, table=True):
    """A person pointed ("signposted") or referred to a directory entry during a session."""

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    session_id: int = Field(foreign_key="clinic_session.id", index=True)
    resource_id: int = Field(foreign_key="community_resource.id", index=True)
    kind: str = "signposted"  # signposted | referred
    note: str = ""
    by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    at: datetime = Field(default_factory=utcnow)


class CarerVisit(SQLModel, table=True):
    """A carer who came with someone. Kept apart from the cared-for person's record: it is
    exported only to the carer's own record, and only when they are registered here
    (carer_patient_id set)."""

    __tablename__ = "carer_visit"
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    session_id: int = Field(foreign_key="clinic_session.id", index=True)
    cares_for_patient_id: int = Field(foreign_key="patient.id", index=True)
    carer_patient_id: int | None = Field(default=None, foreign_key="patient.id", index=True)
    carer_name: str
    confidentiality_agreed: bool = False
    goal: str = ""
    goal_confidence: int | None = None
    swemwbs_score: int | None = None  # the short scale's raw total, 7-35, if they wished
    recorded_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    updated_at: datetime = Field(default_factory=utcnow)


# ---- the personalised care and support plan, and follow-up between sessions (migration 0010)


class PlanGoalStatus(StrEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    CHANGED = "changed"
    STOPPED = "stopped"


class CarePlan(SQLModel, table=True):
    """One person's living care and support plan in one programme (its latest version).

    Goals, actions and support are JSON lists of small dicts (core/care_plan.py says their
    shape); every change writes a CarePlanVersion with the whole plan as it became."""

    __tablename__ = "care_plan"
    __table_args__ = (UniqueConstraint("patient_id", "programme_id"),)
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    programme_id: int = Field(foreign_key="programme.id")
    version: int = 1
    what_matters: str = ""
    goals: list[dict[str, Any]] | None = json_column()
    actions: list[dict[str, Any]] | None = json_column()
    support: list[dict[str, Any]] | None = json_column()
    if_worse: str = ""
    next_review: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="staff_user.id")


class CarePlanVersion(SQLModel, table=True):
    """The whole plan as one change left it: nothing in a plan is ever overwritten unseen."""

    __tablename__ = "care_plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="care_plan.id", index=True)
    version: int
    content: dict[str, Any] | None = json_column()
    change: str = ""  # what changed, in a few words ("goal achieved", "action added")
    session_id: int | None = Field(default=None, foreign_key="clinic_session.id")
    changed_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    changed_at: datetime = Field(default_factory=utcnow)


class FollowUp(SQLModel, table=True):
    """Something done about an item of the care coordinator's due list: a contact recorded
    (call, text, letter, visit), a re-invitation, or the item marked done."""

    __tablename__ = "follow_up"
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    item: str = Field(index=True)  # the due item's key, e.g. "dna:12" (core/due.py)
    kind: str  # contact | reinvite | done
    method: str | None = None  # call | text | letter | visit (contacts)
    outcome: str | None = None  # a key of core/due.py OUTCOMES (contacts)
    note: str = ""
    at: datetime = Field(default_factory=utcnow)
    by_id: int | None = Field(default=None, foreign_key="staff_user.id")


class StaffExperience(SQLModel, table=True):
    """One member of staff's answers about a session they helped run (or their choice to skip).

    Anonymous by design: no staff id, no name, no time of answering, no free text; only the
    role (facilitator or clinician, as the monitoring dataset has them), the profession key and
    the session. Answers are {question key: 1-5} (resources/monitoring/staff_experience.toml);
    an empty set is someone who chose to skip, kept only so the wrap-up page stops asking.
    """

    __tablename__ = "staff_experience"
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="clinic_session.id", index=True)
    role: str  # facilitator | clinician
    profession: str  # a key of resources/professions.toml, or "not_recorded"
    answers: dict[str, Any] | None = json_column()
