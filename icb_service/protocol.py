"""The monitoring protocol, version 3: what a practice's laptop may send to the ICB service.

Version 3 adds staff experience (a new event type) and clinician time (the session's usual
appointment length, each review's minutes); see the "protocol version 3" block below.

Version 2 adds hybrid sessions (the session's mode may be hybrid; a drop-in clinic is marked) and
each attendance's channel (in the room, video or phone); see the "protocol version 2" block
below. Version 1 batches are still accepted until the date in resources/monitoring/dataset.toml.

Pydantic only (no FastAPI, no database, no desktop code) so the desktop's sync client and the
service validate events with the same models. The payload models forbid unknown fields: that is
what stops a name or an NHS number from being slipped into the dataset by mistake.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal, get_args
from uuid import UUID

from pydantic import (
    UUID4,
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
)

from icb_service.dataset import rules

PROTOCOL_VERSION = 3
SUPPORTED_PROTOCOL_VERSIONS: tuple[int, ...] = (1, 2, 3)
# An older protocol version, and the last day (UTC) its batches are accepted; after that, 409.
RETIRING_PROTOCOL_VERSIONS: dict[int, dt.date] = dict(rules().retiring_protocol_versions)
MAX_EVENTS_PER_BATCH = 500
MAX_BODY_BYTES = rules().max_body_bytes
MAX_SEQ = rules().max_seq

# The catalogue's measurement keys, agreed across the project (see resources/catalogue.toml).
MEASURES = (
    "systolic_bp", "diastolic_bp", "pulse", "weight", "height", "bmi", "waist", "hba1c",
    "total_cholesterol", "hdl", "egfr", "creatinine", "spo2", "grip_strength", "activity_minutes",
)
AGE_BANDS = ("18-39", "40-49", "50-59", "60-69", "70-79", "80+", "unknown")

Measure = Literal[
    "systolic_bp", "diastolic_bp", "pulse", "weight", "height", "bmi", "waist", "hba1c",
    "total_cholesterol", "hdl", "egfr", "creatinine", "spo2", "grip_strength", "activity_minutes",
]
AgeBand = Literal["18-39", "40-49", "50-59", "60-69", "70-79", "80+", "unknown"]
Sex = Literal["female", "male", "other", "unknown"]
AttendanceStatus = Literal[
    "invited", "attended", "late", "did_not_attend", "cancelled", "drop_in"
]
# NHS Data Dictionary ethnic category, top-level groups only: finer categories could identify.
EthnicGroup = Literal["white", "mixed", "asian", "black", "other", "not_stated"]
ImdQuintile = Literal["1", "2", "3", "4", "5", "not_stated"]
YesNo = Literal["yes", "no", "not_stated"]
SessionMode = Literal["face_to_face", "video"]
SessionStatus = Literal["planned", "running", "finished", "cancelled"]
StaffRole = Literal["facilitator", "clinician"]
MeasurementSource = Literal["in_session", "self_reported", "gp_record"]
TargetStatus = Literal["on_target", "close", "off_target", "no_target"]
Instrument = Literal["swemwbs", "confidence", "activity", "pam"]
GoalOutcome = Literal["achieved", "partly", "not_yet", "changed"]
ExperienceResponse = Literal["very_good", "good", "neither", "poor", "very_poor", "dont_know"]
ResourceKind = Literal[
    "social_prescribing", "physical_activity", "weight_management", "education_programme",
    "mental_health", "smoking_cessation", "carer_support", "money_advice", "other",
]

_SUBJECT = re.compile(r"[0-9a-f]{64}")
# Ten digits in a row, or 3-3-4 with spaces, hyphens or dots: how NHS numbers are written down.
_NHS_NUMBER_LIKE = re.compile(r"\d{3}[ .-]?\d{3}[ .-]?\d{4}")
_IDENTIFIER_FIELDS = {"subject", "session_uid", "goal_uid"}
# How dates of birth are written down: 12/03/1956, 12-3-56, 1956-03-12, 12 March 1956.
_DATE_LIKE = re.compile(
    r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}|\d{4}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{1,2}"
    r"|\d{1,2}(st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{2,4}",
    re.IGNORECASE,
)
# Two or more capitalised words, as a name is written: John Smith, Mary O'Neil-Jones.
_NAME_LIKE = re.compile(r"[A-Z][a-z'’]+(?:[\s_.-]+[A-Z][a-z'’]+)+")
# Fields whose type is a calendar date: a date there is expected (and checked against a window).
_DATE_FIELDS = {"date", "taken_on"}


def _check_subject(value: str) -> str:
    if not _SUBJECT.fullmatch(value):
        raise ValueError(
            "must be 64 lowercase hexadecimal characters (the keyed hash of the NHS number)"
        )
    return value


def _check_utc_representable(value: dt.datetime) -> dt.datetime:
    # 9999-12-31T23:59:59-23:59 is a valid instant that no UTC calendar can hold.
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ValueError("date_range: must be a representable date and time") from None


_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}T")


def _check_iso_instant(value: Any) -> Any:
    # Pydantic would read a bare number as Unix time; the protocol says ISO 8601 only.
    if isinstance(value, str) and not _ISO_START.match(value):
        raise ValueError("must be ISO 8601 with a time zone, e.g. 2025-01-10T10:00:00Z")
    if not isinstance(value, str | dt.datetime):
        raise ValueError("must be an ISO 8601 date and time string")
    return value


Subject = Annotated[str, AfterValidator(_check_subject)]
Instant = Annotated[
    AwareDatetime, BeforeValidator(_check_iso_instant), AfterValidator(_check_utc_representable)
]


def _check_programme(value: str) -> str:
    if value not in rules().programme_keys:
        raise ValueError("programme_list: must be a programme key from the published dataset")
    return value


def _check_phase(value: str) -> str:
    if value not in rules().phase_keys:
        raise ValueError("phase_list: must be a phase key from the published dataset")
    return value


Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
ProgrammeKey = Annotated[Key, AfterValidator(_check_programme)]
PhaseKey = Annotated[Key, AfterValidator(_check_phase)]
Minutes = Annotated[int, Field(ge=0, le=600)]
# Units are the catalogue's, in ASCII: "mmHg", "mmol/mol", "kg/m2", "min/week" (checked per
# measure against resources/monitoring/dataset.toml in payload_problem).
Unit = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9 /%.\[\]^()*-]{1,20}$")]
Amount = Annotated[float, Field(ge=0, le=100_000, allow_inf_nan=False)]
Change = Annotated[float, Field(ge=-100_000, le=100_000, allow_inf_nan=False)]
# Questionnaire scores: the widest instrument is active minutes a week (0-5040).
Score = Annotated[float, Field(ge=-10_000, le=10_000, allow_inf_nan=False)]
OdsCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{3,10}$")]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SessionPayload(_Payload):
    """A group clinic session in a programme's series; re-sent whenever it changes."""

    session_uid: UUID
    programme_key: ProgrammeKey
    programme_version: int = Field(ge=1, le=10_000)
    date: dt.date
    mode: SessionMode
    status: SessionStatus
    planned_phase_minutes: dict[PhaseKey, Minutes] = Field(max_length=20)
    actual_phase_minutes: dict[PhaseKey, Minutes] | None = Field(default=None, max_length=20)
    staff_roles_present: list[StaffRole] = Field(default_factory=list, max_length=2)
    session_number: int = Field(ge=1, le=10_000)
    # The PCN of the organisation that ran it (an ODS code: not personal data); optional.
    pcn: OdsCode | None = None


class AttendancePayload(_Payload):
    """One person's attendance at one session; the latest event for the pair wins."""

    session_uid: UUID
    subject: Subject
    age_band: AgeBand
    sex: Sex
    status: AttendanceStatus
    carer_present: bool
    ethnic_group: EthnicGroup = "not_stated"
    imd_quintile: ImdQuintile = "not_stated"
    interpreter_needed: YesNo = "not_stated"
    is_carer: YesNo = "not_stated"
    # The person's registered GP practice (an ODS code: not personal data); optional, since a
    # single practice's clients before this field sent none.
    registered_practice: OdsCode | None = None


class MeasurementPayload(_Payload):
    """One measurement; a date only (never a time) so it cannot be matched to a visit log."""

    session_uid: UUID | None = None
    subject: Subject
    measure: Measure
    value: Amount
    unit: Unit
    taken_on: dt.date
    source: MeasurementSource
    change_since_previous: Change | None = None
    status: TargetStatus


class QuestionnairePayload(_Payload):
    """A questionnaire score; the answers themselves never leave the laptop."""

    session_uid: UUID
    subject: Subject
    instrument: Instrument
    score: Score
    raw: Score | None = None


class GoalPayload(_Payload):
    """A goal's confidence and outcome. The goal's words stay on the laptop."""

    session_uid: UUID
    subject: Subject
    goal_uid: UUID
    confidence: int = Field(ge=0, le=10)
    outcome: GoalOutcome | None = None


class ExperiencePayload(_Payload):
    """An anonymous Friends-and-Family-style answer: deliberately no subject."""

    session_uid: UUID
    response: ExperienceResponse


class SignpostingPayload(_Payload):
    """Someone was pointed to a kind of support; which organisation is not sent."""

    session_uid: UUID
    subject: Subject
    resource_kind: ResourceKind


Profession = Literal[
    "gp", "practice_nurse", "nurse", "clinical_pharmacist", "physiotherapist", "dietitian",
    "health_wellbeing_coach", "care_coordinator", "social_prescribing_link_worker",
    "healthcare_assistant", "vcfse_partner", "volunteer_lived_experience", "trainee",
    "not_recorded",
]


class ReviewPayload(_Payload):
    """How many professionals reviewed a person in a session, and their professions (the keys of
    resources/professions.toml). No review text and no staff names. The latest event wins."""

    session_uid: UUID
    subject: Subject
    reviews: int = Field(ge=0, le=50)
    professions: list[Profession] = Field(default_factory=list, max_length=20)


class MeasurementVoidPayload(_Payload):
    """A measurement voided as a mistake: the reading it superseded (same person, measure, day and
    session) is dropped from the aggregates. No value is sent."""

    session_uid: UUID | None = None
    subject: Subject
    measure: Measure
    taken_on: dt.date


# ---- follow-up between sessions (the care coordinator's list of what is due) ----------------
FollowUpItem = Literal["red_flag", "action", "goal_review", "plan_review", "dna", "no_reply"]
FollowUpStep = Literal["contact", "reinvite", "done"]
ContactMethod = Literal["call", "text", "letter", "visit"]
ContactOutcome = Literal["spoke", "no_answer", "message_left", "booked", "declined", "other"]


class FollowUpPayload(_Payload):
    """One thing done from the list of what is due, counted by kind. Deliberately no subject, no
    session and no words: the ICB sees how much follow-up happens, never about whom."""

    date: dt.date
    item: FollowUpItem
    step: FollowUpStep
    method: ContactMethod | None = None
    outcome: ContactOutcome | None = None


# ---- end of follow-up --------------------------------------------------------------------------


# (event type, schema version) -> the model its payload must satisfy.
PAYLOAD_SCHEMAS: dict[tuple[str, int], type[_Payload]] = {
    ("session", 1): SessionPayload,
    ("attendance", 1): AttendancePayload,
    ("measurement", 1): MeasurementPayload,
    ("questionnaire", 1): QuestionnairePayload,
    ("goal", 1): GoalPayload,
    ("experience", 1): ExperiencePayload,
    ("signposting", 1): SignpostingPayload,
    ("review", 1): ReviewPayload,
    ("measurement_void", 1): MeasurementVoidPayload,
    # follow-up between sessions (counts only)
    ("follow_up", 1): FollowUpPayload,
}


# ---- protocol version 2: hybrid sessions (the session's mode, each attendance's channel) ------
# Schema version 2 of `session` and `attendance`. Version 1 of both stays accepted: events
# written before a laptop was updated are still in its outbox.

SessionModeV2 = Literal["face_to_face", "video", "hybrid"]
Channel = Literal["in_room", "video", "phone"]
CAME_STATUSES = frozenset({"attended", "late", "drop_in"})


class SessionPayloadV2(SessionPayload):
    """Schema 2: a session may be hybrid, and a single drop-in clinic is marked as one."""

    mode: SessionModeV2  # type: ignore[assignment]
    drop_in: bool = False


class AttendancePayloadV2(AttendancePayload):
    """Schema 2: how the person joined, once there; null while invited or when absent."""

    channel: Channel | None = None


PAYLOAD_SCHEMAS[("session", 2)] = SessionPayloadV2
PAYLOAD_SCHEMAS[("attendance", 2)] = AttendancePayloadV2
# ---- end of protocol version 2's hybrid block ---------------------------------------------------


# ---- protocol version 3: staff experience and clinician time --------------------------------
# A session says how long the one-to-one appointment it replaces usually takes (the programme's
# setting), a review says how many minutes the clinicians spent with the person, and each member
# of staff may answer a short anonymous question set at the end of a session. Schema 1 and 2
# events stay accepted (see dataset.toml).

StaffQuestion = Literal["satisfying", "workload", "time_well_used"]
StaffAnswer = Annotated[int, Field(ge=1, le=5)]


class SessionPayloadV3(SessionPayloadV2):
    """Schema 3: the minutes of the usual one-to-one appointment the session's reviews replace."""

    usual_appointment_minutes: int | None = Field(default=None, ge=1, le=120)


class ReviewPayloadV2(ReviewPayload):
    """Schema 2: the minutes the reviewing clinicians spent with the person, all together."""

    minutes_spent: int | None = Field(default=None, ge=0, le=600)


class StaffExperiencePayload(_Payload):
    """One member of staff's answers about a session they helped run. Deliberately no staff name,
    id or free text: only the role and profession, and answers on a 1-5 scale."""

    session_uid: UUID
    role: StaffRole
    profession: Profession
    answers: dict[StaffQuestion, StaffAnswer] = Field(min_length=1, max_length=3)


PAYLOAD_SCHEMAS[("session", 3)] = SessionPayloadV3
PAYLOAD_SCHEMAS[("review", 2)] = ReviewPayloadV2
PAYLOAD_SCHEMAS[("staff_experience", 1)] = StaffExperiencePayload
# ---- end of protocol version 3's block ---------------------------------------------------------
EVENT_TYPES = tuple(sorted({event_type for event_type, _ in PAYLOAD_SCHEMAS}))


class Event(BaseModel):
    """One monitoring event as the laptop's outbox sends it."""

    model_config = ConfigDict(extra="forbid")

    id: UUID4 = Field(description="Chosen by the laptop; the server stores each id once.")
    # Strict: "5" or true for a number is refused, not guessed.
    seq: StrictInt = Field(ge=1, le=MAX_SEQ, description="Monotonic per practice client.")
    type: StrictStr = Field(min_length=1, max_length=40, examples=["attendance"])
    schema_version: StrictInt = Field(ge=1, le=10_000)
    occurred_at: Instant = Field(description="When the change happened, in UTC.")
    payload: dict[str, Any]


class EventBatch(BaseModel):
    """The body of POST /v1/events."""

    model_config = ConfigDict(extra="forbid")

    protocol_version: int = Field(description="Must be one of the server's protocol_versions.")
    practice: OdsCode = Field(description="The practice's ODS code, e.g. Y99999.")
    events: list[Event] = Field(
        min_length=1, description=f"1 to {MAX_EVENTS_PER_BATCH} events; more is refused with 413."
    )


_KNOWN_FIELDS = frozenset(
    {name for model in PAYLOAD_SCHEMAS.values() for name in model.model_fields}
    | set(Event.model_fields) | {"[key]", "protocol_version", "practice", "events", "body"}
    | set(get_args(StaffQuestion))  # the keys of staff_experience.answers, named in refusals
)


def _documented_as(model: type[BaseModel], name: str) -> Any:
    """A loose field that the OpenAPI document still describes as the strict model does."""
    return WithJsonSchema(model.model_json_schema()["properties"][name])


class ReceivedEvent(BaseModel):
    """An event as the service receives it: only the id is checked with the whole batch.

    Everything else is judged per event (event_problem), so one bad event is rejected with its
    reason while the rest of its batch is stored. The document shows the strict Event's fields.
    """

    model_config = ConfigDict(
        extra="allow", title="Event",
        json_schema_extra={
            "required": ["id", "seq", "type", "schema_version", "occurred_at", "payload"],
            "additionalProperties": False,
        },
    )

    id: UUID4 = Field(description="Chosen by the laptop; the server stores each id once.")
    seq: Annotated[Any, _documented_as(Event, "seq")] = None
    type: Annotated[Any, _documented_as(Event, "type")] = None
    schema_version: Annotated[Any, _documented_as(Event, "schema_version")] = None
    occurred_at: Annotated[Any, _documented_as(Event, "occurred_at")] = None
    payload: Annotated[Any, _documented_as(Event, "payload")] = None


class ReceivedBatch(BaseModel):
    """The body of POST /v1/events, as the service reads it."""

    model_config = ConfigDict(extra="forbid", title="EventBatch")

    protocol_version: StrictInt = Field(
        description="Must be one of the server's protocol_versions (a JSON integer)."
    )
    practice: OdsCode = Field(description="The practice's ODS code, e.g. Y99999.")
    events: list[ReceivedEvent] = Field(
        min_length=1, description=f"1 to {MAX_EVENTS_PER_BATCH} events; more is refused with 413."
    )


class EventResult(BaseModel):
    id: str
    status: Literal["stored", "duplicate", "rejected"]
    reason: str | None = None


class BatchResult(BaseModel):
    """One result per event, in the order sent."""

    results: list[EventResult]


class ProblemLocation(BaseModel):
    loc: list[str | int]
    type: str


class ValidationProblem(BaseModel):
    """422 body: where the request is malformed and which rule it broke; never what was sent."""

    detail: str
    errors: list[ProblemLocation]


class Health(BaseModel):
    status: Literal["ok"]
    protocol_versions: list[int]
    # Older versions still accepted, with the last day (UTC) each is: e.g. {"1": "2027-06-30"}.
    retiring_protocol_versions: dict[str, dt.date] = Field(default_factory=dict)
    time: dt.datetime
    reports_ready: bool = Field(True, description=(
        "For operators, not laptops: false while the service is still deciding the ICB reports "
        "it decides ahead (after start-up, and after new figures arrive). Reads are answered "
        "meanwhile, more slowly."))


def protocol_refusal(version: int, today: dt.date) -> str | None:
    """Why a batch of this protocol version is refused today (409), or None when accepted."""
    if version not in SUPPORTED_PROTOCOL_VERSIONS:
        return (
            f"protocol_version: not_supported; this server speaks "
            f"{list(SUPPORTED_PROTOCOL_VERSIONS)}"
        )
    last_day = RETIRING_PROTOCOL_VERSIONS.get(version)
    if last_day is not None and today > last_day:
        return (
            f"protocol_version: retired (version {version} was accepted until "
            f"{last_day.isoformat()}); update GroupClinic to send version {PROTOCOL_VERSION}"
        )
    return None


class ProblemDetail(BaseModel):
    """Error body for 401, 403, 409, 413, 429 (FastAPI's usual shape)."""

    detail: str


def payload_problem(
    event_type: str,
    schema_version: int,
    payload: dict[str, Any],
    now: dt.datetime | None = None,
    text: str | None = None,
) -> str | None:
    """Why this payload must be rejected, naming the field and the rule; None when acceptable.

    `now` is when the event is received (UTC); dates are judged in a window around it. `text`
    is json.dumps(payload) when the caller has it already (the laptop stores that text too).
    """
    return judged_payload(event_type, schema_version, payload, now, text)[1]


def judged_payload(
    event_type: str,
    schema_version: int,
    payload: dict[str, Any],
    now: dt.datetime | None = None,
    text: str | None = None,
) -> tuple[_Payload | None, str | None]:
    """payload_problem, also giving the parsed payload when it is acceptable (parsed once)."""
    schema = PAYLOAD_SCHEMAS.get((event_type, schema_version))
    if schema is None:
        if event_type not in EVENT_TYPES:
            return None, "type: unknown_type (not one of the dataset's event types)"
        return None, "schema_version: unsupported_schema_version"
    if not isinstance(payload, dict):
        return None, "payload: object_type (must be a JSON object)"
    identifying = _identifier_like(payload, "payload")
    if identifying:
        return None, identifying
    try:
        # JSON + strict: a number sent as a string, or "yes" for a bool, is refused, not guessed.
        model = schema.model_validate_json(
            json.dumps(payload) if text is None else text, strict=True
        )
    except ValidationError as error:
        return None, _describe(error, event_type, "payload")
    except ValueError:
        return None, "payload: json (not valid JSON)"
    problem = _rules_problem(model, now or dt.datetime.now(dt.UTC))
    return (None, problem) if problem else (model, None)


def event_problem(raw: Any, now: dt.datetime) -> tuple[Event | None, str | None]:
    """One event judged on its own: the envelope, its time and its payload.

    Returns the parsed event, or None and a reason made of field paths and rule names only.
    """
    event, _payload, problem = judged_event(raw, now)
    return event, problem


def judged_event(
    raw: Any, now: dt.datetime
) -> tuple[Event | None, _Payload | None, str | None]:
    """event_problem, also giving the parsed payload of an acceptable event (parsed once)."""
    if not isinstance(raw, dict):
        return None, None, "event: object_type (must be a JSON object)"
    try:
        event = Event.model_validate(raw)
    except ValidationError as error:
        return None, None, _describe(error, "event", "")
    limits = rules()
    occurred = event.occurred_at.astimezone(dt.UTC)
    window = _window(now)
    if occurred < window.earliest:
        return None, None, (
            f"occurred_at: date_window (more than {limits.past_days} days before receipt)"
        )
    if occurred > window.latest:
        return None, None, (
            f"occurred_at: date_window (more than {limits.occurred_future_days} day after receipt)"
        )
    payload, problem = judged_payload(event.type, event.schema_version, event.payload, now)
    return (None, None, problem) if payload is None else (event, payload, None)


@dataclass(frozen=True)
class _Window:
    """The dates an event received at one instant may carry (the dataset's windows)."""

    earliest: dt.datetime
    latest: dt.datetime
    today: dt.date
    earliest_day: dt.date


@lru_cache(maxsize=8)
def _window(now: dt.datetime) -> _Window:
    # Worked out once per instant: a batch's events are all judged at its receipt.
    limits = rules()
    today = now.astimezone(dt.UTC).date()
    return _Window(
        earliest=now - dt.timedelta(days=limits.past_days),
        latest=now + dt.timedelta(days=limits.occurred_future_days),
        today=today,
        earliest_day=today - dt.timedelta(days=limits.past_days),
    )


def _rules_problem(model: _Payload, now: dt.datetime) -> str | None:
    """The dataset's rules that a schema cannot state: units, hard limits and date windows."""
    limits = rules()
    window = _window(now)
    today, earliest = window.today, window.earliest_day
    if isinstance(model, MeasurementPayload):
        measure = limits.measures[model.measure]
        if model.unit != measure.unit:
            return f"payload.unit: catalogue_unit (must be {measure.unit} for {model.measure})"
        if not measure.hard_min <= model.value <= measure.hard_max:
            return (
                f"payload.value: hard_limits (must be {measure.hard_min:g} to "
                f"{measure.hard_max:g} {measure.unit} for {model.measure})"
            )
        span = measure.hard_max - measure.hard_min
        if model.change_since_previous is not None and abs(model.change_since_previous) > span:
            return f"payload.change_since_previous: hard_limits (at most {span:g} either way)"
        if not earliest <= model.taken_on <= today + dt.timedelta(
            days=limits.occurred_future_days
        ):
            return "payload.taken_on: date_window (too far before or after receipt)"
    if isinstance(model, AttendancePayloadV2):
        if model.status in CAME_STATUSES and model.channel is None:
            return "payload.channel: channel_when_present (required when attended, late or drop_in)"
        if model.status not in CAME_STATUSES and model.channel is not None:
            return "payload.channel: channel_when_present (null unless attended, late or drop_in)"
    if isinstance(model, SessionPayload) and not (
        earliest <= model.date <= today + dt.timedelta(days=limits.session_future_days)
    ):
        return "payload.date: date_window (too far before or after receipt)"
    return None


def validated_payload(event_type: str, schema_version: int, payload: dict[str, Any]) -> _Payload:
    """The payload parsed by its schema; call payload_problem first."""
    schema = PAYLOAD_SCHEMAS[(event_type, schema_version)]
    return schema.model_validate_json(json.dumps(payload), strict=True)


def safe_location(loc: Any) -> list[str | int]:
    """An error location with every client-chosen key replaced by <key>."""
    return [part if isinstance(part, int) else _field_name(part) for part in loc]


def _field_name(part: Any) -> str:
    """A location part as it may appear in a reason: ours, or <key> for what the client chose."""
    if isinstance(part, int) or part in _KNOWN_FIELDS:
        return str(part)
    return "<key>"


def _identifier_like(value: Any, where: str, field: str = "") -> str | None:
    """Find anything shaped like an NHS number, a date of birth or a name, wherever it is."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in _CLEAN_KEYS and isinstance(key, str) and _MAYBE_IDENTIFYING.search(key):
                found = _text_problem(key, f"{where}.{_field_name(key)}", "")
                if found:
                    return found
            # The common cases are decided here, without building the field's path.
            if item is None or isinstance(item, bool):
                continue
            if isinstance(item, str):
                if not _MAYBE_IDENTIFYING.search(item):
                    continue
                if key in _IDENTIFIER_FIELDS and _is_pseudonymous(item):
                    continue  # a well-formed hash or UUID may contain digit runs by chance
                found = _text_problem(item, f"{where}.{_field_name(key)}", str(key))
            elif type(item) in (int, float) and _plain_number(item):
                continue
            else:
                found = _identifier_like(item, f"{where}.{_field_name(key)}", str(key))
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _identifier_like(item, f"{where}[{index}]", field)
            if found:
                return found
    elif isinstance(value, str):
        return _text_problem(value, where, field)
    elif isinstance(value, bool):
        return None
    elif isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return f"{where}: finite_number (must be a finite number)"
        if 1_000_000_000 <= abs(value) < 10_000_000_000:
            return f"{where}: {_NHS_RULE}"
    return None


def _plain_number(value: float) -> bool:
    """A finite number that cannot be an NHS number (what the number branch below accepts)."""
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return not 1_000_000_000 <= abs(value) < 10_000_000_000


_NHS_RULE = "nhs_number_like (looks like an NHS number; identifiers are never sent)"
# Every pattern above needs a digit (NHS number, date) or a capital and a small letter (name):
# text with neither is cleared with one search instead of three.
_MAYBE_IDENTIFYING = re.compile(r"\d|[A-Z][a-z'’]")
# Our own field names hold neither, so they need no search at all.
_CLEAN_KEYS = frozenset(name for name in _KNOWN_FIELDS if not _MAYBE_IDENTIFYING.search(name))


def _text_problem(text: str, where: str, field: str) -> str | None:
    if not _MAYBE_IDENTIFYING.search(text):
        return None
    if _NHS_NUMBER_LIKE.search(text):
        return f"{where}: {_NHS_RULE}"
    if field not in _DATE_FIELDS and _DATE_LIKE.search(text):
        return f"{where}: date_of_birth_like (looks like a date; dates of birth are never sent)"
    if _NAME_LIKE.search(text):
        return f"{where}: name_like (looks like a name; names are never sent)"
    return None


def _is_pseudonymous(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    # A hash, or a UUID written as UUID() writes it (any case): what str(UUID(value)) ==
    # value.lower() accepted, without parsing it.
    return bool(_SUBJECT.fullmatch(value) or _CANONICAL_UUID.fullmatch(value))


_CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


# Context pydantic gives for a rule that is the service's own (limits, allowed values), never
# the client's input.
_RULE_CONTEXT = ("ge", "gt", "le", "lt", "min_length", "max_length", "expected", "pattern")


def _describe(error: ValidationError, event_type: str, prefix: str) -> str:
    """A short reason: each bad field's path and the rule it broke; never what was sent."""
    parts = []
    for item in error.errors(include_input=False, include_url=False)[:3]:
        path = [_field_name(part) for part in item["loc"]]
        field = ".".join([prefix, *path] if prefix else path) or "event"
        kind = item["type"]
        if kind == "extra_forbidden":
            message = f"extra_forbidden (not part of the {event_type} schema)"
        elif kind == "missing":
            message = "missing (required field)"
        elif kind == "value_error":
            message = str(item["msg"]).removeprefix("Value error, ")
        else:
            context = item.get("ctx") or {}
            shown = [f"{name} {context[name]}" for name in _RULE_CONTEXT if name in context]
            message = f"{kind} ({', '.join(shown)})" if shown else kind
        parts.append(f"{field}: {message}")
    return "; ".join(parts)


def age_band(age: int | None) -> AgeBand:
    """The dataset's age band; under 18s fall in "unknown" because the programmes are adult."""
    if age is None or age < 18:
        return "unknown"
    for upper, band in ((39, "18-39"), (49, "40-49"), (59, "50-59"), (69, "60-69"), (79, "70-79")):
        if age <= upper:
            return band  # type: ignore[return-value]
    return "80+"


def subject_id(nhs_number: str, practice_key: bytes) -> str:
    """The pseudonymous subject: HMAC-SHA256 of the NHS number's ten digits, keyed per practice.

    The key never leaves the laptop, so the ICB cannot reverse the hash by trying every number.
    """
    digits = re.sub(r"[\s-]", "", nhs_number)
    if not re.fullmatch(r"\d{10}", digits):
        raise ValueError("NHS number: must be 10 digits")
    if len(practice_key) < 32:
        raise ValueError("pseudonymisation key: must be at least 32 bytes")
    return hmac.new(practice_key, digits.encode("ascii"), hashlib.sha256).hexdigest()


def content_fingerprint(
    event_type: str, schema_version: int, occurred_at: dt.datetime, payload: dict[str, Any]
) -> str:
    """SHA-256 of an event's content, to tell a retry (same) from a conflict (different).

    seq is left out on purpose: it is transport order, and a client may renumber on resend.
    A naive `occurred_at` is UTC, as the service stores it (never the server's local time).
    """
    if occurred_at.tzinfo is not None:
        occurred_at = occurred_at.astimezone(dt.UTC).replace(tzinfo=None)
    instant = occurred_at.isoformat()
    canonical = json.dumps(
        [event_type, schema_version, instant, payload], sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
