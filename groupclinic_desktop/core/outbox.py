"""The transactional outbox: monitoring events written in the same transaction as their change.

Payloads follow the monitoring dataset (resources/monitoring/). They name the person only by the
local `patient_id`; the sync layer swaps that for the keyed pseudonym just before sending, so the
pseudonymisation secret never has to be in the core. No names, NHS numbers, dates of birth or free
text are ever put in a payload.
"""

import functools
import tomllib
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from groupclinic_desktop.core import appointments, targets
from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.rows import Rows
from groupclinic_desktop.core.schema import (
    Attendance,
    ClinicSession,
    Consent,
    ConsentKind,
    Goal,
    Measurement,
    OutboxEvent,
    Patient,
    Practice,
    Programme,
    QuestionnaireResponse,
    utcnow,
)
from groupclinic_desktop.resources import resource

if TYPE_CHECKING:
    from groupclinic_desktop.core.targets import Person

SCHEMA_VERSION = 1
# Protocol version 2 (hybrid sessions): these event types are written at a later schema version;
# every other type stays at SCHEMA_VERSION. Events already in the outbox keep the version they
# were written with, and the ICB service accepts both.
SCHEMA_VERSIONS = {"session": 2, "attendance": 2}
# Protocol version 3: a session says how long the appointment its reviews replace usually is, a
# review how many minutes the clinicians spent, and staff answer the end-of-session questions.
SCHEMA_VERSIONS.update({"session": 3, "review": 2, "staff_experience": 1})
# The experience question's option values (resources/questionnaires/experience.toml) as the
# monitoring dataset's response codes.
EXPERIENCE_CODES = {
    1: "very_good",
    2: "good",
    3: "neither",
    4: "poor",
    5: "very_poor",
    6: "dont_know",
}
AGE_BANDS = ((18, 39), (40, 49), (50, 59), (60, 69), (70, 79))


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band(born: date | None, day: date) -> str:
    if born is None:
        return "unknown"
    age = age_on(born, day)
    if age >= 80:
        return "80+"
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return "unknown"  # under 18: group clinics here are for adults; never report a child's band


def opted_out(s: Session, session_id: int | None, patient_id: int | None) -> bool:
    """A person who declined monitoring consent for this session is left out of the dataset."""
    if session_id is None or patient_id is None:
        return False
    row = s.exec(
        select(Consent).where(
            Consent.session_id == session_id,
            Consent.patient_id == patient_id,
            Consent.kind == ConsentKind.MONITORING,
        )
    ).first()
    return row is not None and not row.given


def _emit(
    s: Session, event_type: str, payload: dict[str, Any], occurred_at: datetime | None = None
) -> OutboxEvent:
    event = OutboxEvent(
        uid=str(uuid.uuid4()),
        type=event_type,
        schema_version=schema_version_of(event_type),
        occurred_at=occurred_at or utcnow(),
        payload=payload,
    )
    s.add(event)
    return event


def schema_version_of(event_type: str) -> int:
    return SCHEMA_VERSIONS.get(event_type, SCHEMA_VERSION)


def session_event(s: Session, row: ClinicSession, *, staff_roles: list[str]) -> OutboxEvent:
    snapshot = row.programme_snapshot or {}
    planned = snapshot.get("phase_minutes") or {}
    finished = row.status.value == "finished"
    return _emit(
        s,
        "session",
        {
            "session_uid": row.uid,
            "programme_key": snapshot.get("key", ""),
            "programme_version": row.programme_version,
            "date": row.day.isoformat(),
            "mode": row.mode.value,
            "status": row.status.value,
            "planned_phase_minutes": {k: int(v) for k, v in planned.items()},
            "actual_phase_minutes": (
                {k: round(v) for k, v in (row.phase_minutes or {}).items()} if finished else None
            ),
            "staff_roles_present": staff_roles,
            "session_number": row.session_number,
            **_pcn(s),
            # schema 2: hybrid is a mode, and a drop-in clinic is told apart from a series.
            "drop_in": row.drop_in,
            # schema 3: the programme's figure as it is now (a series planned before the admin
            # set it still uses it), else the default for its kind of programme.
            "usual_appointment_minutes": _usual_minutes(s, row),
        },
    )


def _usual_minutes(s: Session, row: ClinicSession) -> int:
    programme = s.get(Programme, row.programme_id)
    definition = dict(row.programme_snapshot or {})
    if programme is not None and programme.definition:
        definition = {**definition, **programme.definition}
    return appointments.in_use(definition)


def _pcn(s: Session) -> dict[str, str]:
    """The PCN of the organisation running the clinic, when it is known (an ODS code)."""

    organisation = s.exec(select(Practice)).first()
    code = organisation.pcn_ods_code if organisation else None
    return {"pcn": code} if code else {}


def attendance_event(
    s: Session, session: ClinicSession, patient: Patient, row: Attendance
) -> OutboxEvent | None:
    if opted_out(s, session.id, patient.id):
        return None
    return _emit(
        s,
        "attendance",
        {
            "session_uid": session.uid,
            "patient_id": patient.id,
            "age_band": age_band(patient.date_of_birth, session.day),
            "sex": patient.sex.value,
            "status": row.status.value,
            "carer_present": row.carer_present,
            **({"registered_practice": patient.registered_ods} if patient.registered_ods else {}),
            # schema 2: how the person joined, once they are there (null before and if absent).
            "channel": row.channel.value if row.status.present else None,
        },
    )


def measurement_payload(
    session_uid: str | None,
    patient_id: int,
    person: "Person",
    row: Measurement,
    previous_value: float | None,
    programme: Mapping[str, Any] | None = None,
    status: "targets.Status | None" = None,
) -> dict[str, Any]:
    """The monitoring event of one value; its status is the board's (core.targets), or
    `status` when the caller worked it out by the same rule (a bulk import, once per level)."""
    # Imported here, as before: the catalogue is read only when the first value is saved.

    mtype = catalogue().get(row.type_key)
    day = row.taken_at.date()
    if status is None:
        status = targets.status_of(mtype, row.value, person, programme)
    change = None if previous_value is None else round(row.value - previous_value, mtype.decimals)
    return {
        "session_uid": session_uid,
        "patient_id": patient_id,
        "measure": row.type_key,
        "value": row.value,
        "unit": row.unit,
        "taken_on": day.isoformat(),
        "source": row.source.value,
        "change_since_previous": change,
        "status": status.name.lower(),
    }


def opted_out_row(rows: Rows, session_id: int | None, patient_id: int) -> bool:
    """opted_out, read through the quick single-row path (core.rows)."""
    if session_id is None:
        return False
    found = rows.first(
        Consent,
        ("given",),
        {"session_id": session_id, "patient_id": patient_id, "kind": ConsentKind.MONITORING},
    )
    return found is not None and not found["given"]


def new_event(
    event_type: str, payload: dict[str, Any], uid: str | None = None
) -> dict[str, Any]:
    """A new outbox event's column values (id aside), for the writers that skip the ORM.
    `uid`: a fresh one made by the caller (a bulk import makes them in batches)."""
    return {
        "uid": uid or str(uuid.uuid4()),
        "type": event_type,
        "schema_version": schema_version_of(event_type),
        "occurred_at": utcnow(),
        "payload": payload,
        "attempts": 0,
        "last_error": None,
        "needs_attention": False,
    }


def emit_row(rows: Rows, event_type: str, payload: dict[str, Any]) -> None:
    """_emit, written through the quick single-row path (core.rows)."""
    rows.insert(OutboxEvent, new_event(event_type, payload))


@functools.cache
def _dataset() -> dict[str, Any]:
    with resource("monitoring", "dataset.toml").open("rb") as handle:
        return tomllib.load(handle)


def is_sent_measure(key: str) -> bool:
    """Whether a measure is in the monitoring dataset (resources/monitoring/dataset.toml).

    Measures of the wider library (peak flow, pain, PHQ-9 item 9...) stay on the laptop: the ICB
    service would refuse them, and the dataset is agreed with the ICB before it grows.
    """
    return key in _dataset()["measure_units"]


def is_sent_instrument(key: str) -> bool:
    """Whether a questionnaire's score is in the monitoring dataset (PHQ-9 and GAD-7 are not)."""
    fields = _dataset()["events"]["questionnaire"]["fields"]
    allowed = next(f["allowed"] for f in fields if f["name"] == "instrument")
    return key in allowed


def questionnaire_event(
    s: Session, session: ClinicSession, patient: Patient, row: QuestionnaireResponse
) -> OutboxEvent | None:
    if not row.complete or opted_out(s, session.id, patient.id):
        return None
    if row.questionnaire_key != "experience" and not is_sent_instrument(row.questionnaire_key):
        return None
    if row.questionnaire_key == "experience":
        # The experience question is anonymous: no subject, just the answer's code.
        response = EXPERIENCE_CODES.get(int(row.raw or 0))
        if response is None:
            return None
        return _emit(s, "experience", {"session_uid": session.uid, "response": response})
    if row.score is None:
        return None
    return _emit(
        s,
        "questionnaire",
        {
            "session_uid": session.uid,
            "patient_id": patient.id,
            "instrument": row.questionnaire_key,
            "score": row.score,
            "raw": row.raw,
        },
    )


def goal_event(
    s: Session, session: ClinicSession, patient: Patient, row: Goal
) -> OutboxEvent | None:
    if opted_out(s, session.id, patient.id):
        return None
    return _emit(
        s,
        "goal",
        {
            "session_uid": session.uid,
            "patient_id": patient.id,
            "goal_uid": row.uid,
            "confidence": row.confidence,
            "outcome": row.outcome.value if row.outcome else None,
        },
    )


def signposting_event(
    s: Session, session: ClinicSession, patient: Patient, resource_kind: str
) -> OutboxEvent | None:
    """Someone was pointed to a kind of support. The directory's own kind key is stored; the sync
    layer turns it into the protocol's resource_kind. Which organisation is never sent."""
    if opted_out(s, session.id, patient.id):
        return None
    return _emit(
        s,
        "signposting",
        {"session_uid": session.uid, "patient_id": patient.id, "resource_kind": resource_kind},
    )


def review_event(
    s: Session,
    session: ClinicSession,
    patient: Patient,
    *,
    reviews: int,
    professions: list[str],
    minutes_spent: int | None = None,
) -> OutboxEvent | None:
    """How many professionals reviewed the person in this session, their professions, and the
    minutes their reviews' timers ran all together (None when nobody timed one). Counts and
    profession keys only: no review text, no staff names. The latest event wins."""
    if opted_out(s, session.id, patient.id):
        return None
    return _emit(
        s,
        "review",
        {
            "session_uid": session.uid,
            "patient_id": patient.id,
            "reviews": reviews,
            "professions": professions,
            "minutes_spent": minutes_spent,
        },
    )


def staff_experience_event(
    s: Session, session: ClinicSession, *, role: str, profession: str, answers: dict[str, int]
) -> OutboxEvent:
    """One member of staff's answers: role, profession and 1-5 answers only (no id, no name).
    Dated when the session finished, not when the person answered, so the time of answering
    cannot be matched to who was signed in then."""
    return _emit(
        s,
        "staff_experience",
        {"session_uid": session.uid, "role": role, "profession": profession, "answers": answers},
        occurred_at=session.finished_at,
    )


def measurement_void_payload(
    session_uid: str | None, patient_id: int, row: Measurement
) -> dict[str, Any]:
    """A voided measurement: the ICB drops the reading it superseded (same person, measure,
    day and session). No value is sent."""
    return {
        "session_uid": session_uid,
        "patient_id": patient_id,
        "measure": row.type_key,
        "taken_on": row.taken_at.date().isoformat(),
    }


def follow_up_event(
    s: Session, *, item: str, step: str, method: str | None, outcome: str | None
) -> OutboxEvent:
    """Something done from the list of what is due: one count of its kind. Deliberately no
    person, no session and no words (the note stays on the laptop)."""
    return _emit(
        s,
        "follow_up",
        {
            "date": utcnow().date().isoformat(),
            "item": item,
            "step": step,
            "method": method,
            "outcome": outcome,
        },
    )
