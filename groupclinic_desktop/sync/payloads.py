"""Outbox rows as protocol events: the person's local id swapped for the keyed pseudonym.

The core's outbox names a person by local patient_id so the secret never has to be in the core.
Here, just before sending, that id becomes `subject` = HMAC-SHA256(practice key, NHS number) and
patient_id is dropped. Each event is checked against the same pydantic models the service uses,
so a payload the service would refuse is never sent at all.
"""

import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any, Protocol

from groupclinic_desktop.core.community import monitoring_kind
from groupclinic_desktop.core.schema import Patient
from groupclinic_desktop.resources import resource
from icb_service import protocol

PERSON_TYPES = frozenset(
    {
        "attendance",
        "measurement",
        "questionnaire",
        "goal",
        "signposting",
        "review",
        "measurement_void",
    }
)
# A session the GP record has received is, for the ICB, simply a held session.
SESSION_STATUS = {"exported": "finished"}
STAFF_ROLES = ("facilitator", "clinician")


class LocalProblem(ValueError):
    """This event cannot be sent as it stands; the reason goes on the needs-attention list."""


class OutboxRow(Protocol):
    """An outbox event as read for sending (an OutboxEvent, or the facade's lighter row)."""

    @property
    def id(self) -> int | None: ...
    @property
    def uid(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def schema_version(self) -> int: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def payload(self) -> dict[str, Any] | None: ...


class People:
    """The people a sync pass names, each read from the store and pseudonymised once a pass."""

    def __init__(self, patient_for: Callable[[int], Patient], key: bytes) -> None:
        self._patient_for = patient_for
        self._key = key
        self._patients: dict[int, Patient] = {}
        self._subjects: dict[int, str] = {}

    def patient(self, patient_id: int) -> Patient:
        if patient_id not in self._patients:
            self._patients[patient_id] = self._patient_for(patient_id)
        return self._patients[patient_id]

    def subject(self, patient_id: int) -> str:
        """The keyed pseudonym; raises ValueError when the NHS number is not 10 digits."""
        if patient_id not in self._subjects:
            self._subjects[patient_id] = protocol.subject_id(
                self.patient(patient_id).nhs_number, self._key
            )
        return self._subjects[patient_id]


@cache
def _mapping() -> dict[str, dict[str, str]]:
    with resource("monitoring", "upload_mapping.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {name: {str(k): str(v) for k, v in table.items()} for name, table in data.items()}


def ethnic_group(category: str | None) -> str:
    if not category:
        return "not_stated"
    return _mapping()["ethnic_group"].get(category.strip().upper(), "not_stated")


def imd_quintile(decile: int | None, quintile: int | None = None) -> str:
    if decile is None or not 1 <= decile <= 10:
        # Some searches give only the quintile (kept on the record when there is no decile).
        return str(quintile) if quintile is not None and 1 <= quintile <= 5 else "not_stated"
    return str((decile + 1) // 2)  # deciles 1-2 are quintile 1 (most deprived), and so on


def yes_no(value: bool | None) -> str:
    return "not_stated" if value is None else ("yes" if value else "no")


def ascii_unit(unit: str) -> str:
    for symbol, plain in _mapping()["unit_spelling"].items():
        unit = unit.replace(symbol, plain)
    return unit


def needs_person(row: OutboxRow) -> bool:
    """True while the payload still names the person by local id (not yet pseudonymised)."""
    return "patient_id" in (row.payload or {})


def wire_payload(
    row: OutboxRow,
    patient_for: Callable[[int], Patient] | People,
    key: bytes | None = None,
) -> dict[str, Any]:
    """The payload as the service will store it. Raises LocalProblem when it cannot be made.

    `patient_for` is a pass's People, or a look-up of a person by id together with `key`."""
    payload = dict(row.payload or {})
    if "patient_id" in payload:
        people = patient_for if isinstance(patient_for, People) else None
        if people is None:
            assert key is not None, "a pseudonymisation key is needed with a plain look-up"
            people = People(patient_for, key)  # type: ignore[arg-type]
        patient_id = payload.pop("patient_id")
        try:
            patient = people.patient(int(patient_id))
        except Exception as exc:  # NotFound, or a damaged payload
            raise LocalProblem("checked on this laptop: the person is no longer on record") from exc
        try:
            payload["subject"] = people.subject(int(patient_id))
        except ValueError:
            raise LocalProblem(
                "checked on this laptop: the person's NHS number is not 10 digits"
            ) from None
        if row.type == "attendance":
            payload.setdefault("ethnic_group", ethnic_group(patient.ethnic_category))
            payload.setdefault(
                "imd_quintile", imd_quintile(patient.imd_decile, patient.imd_quintile)
            )
            payload.setdefault("interpreter_needed", yes_no(patient.interpreter_needed))
            payload.setdefault("is_carer", yes_no(patient.is_carer))
            if patient.registered_ods:  # events written before registered practices existed
                payload.setdefault("registered_practice", patient.registered_ods)
    if row.type == "session":
        status = payload.get("status")
        payload["status"] = SESSION_STATUS.get(str(status), status)
        roles = payload.get("staff_roles_present") or []
        payload["staff_roles_present"] = [r for r in STAFF_ROLES if r in roles]
    if row.type == "signposting":

        # The outbox holds the directory's own kind; the protocol has its own, shorter list.
        payload["resource_kind"] = monitoring_kind(payload.get("resource_kind"))
    if row.type == "measurement" and isinstance(payload.get("unit"), str):
        payload["unit"] = ascii_unit(payload["unit"])
    return payload


def occurred_at(row: OutboxRow) -> datetime:
    when = row.occurred_at
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def wire_event(
    row: OutboxRow,
    payload: dict[str, Any],
    now: datetime | None = None,
    text: str | None = None,
) -> dict[str, Any]:
    """The event as sent, a JSON object; raises LocalProblem when the service's own rules would
    refuse its payload. The envelope comes from the outbox row, so a resend is identical.

    `now` is when the batch is made (dates are judged around it; by default, this instant);
    `text` is json.dumps(payload) when the caller has made it already."""
    problem = protocol.payload_problem(row.type, row.schema_version, payload, now, text)
    if problem:
        raise LocalProblem(f"checked on this laptop: {problem}")
    assert row.id is not None
    return {
        "id": row.uid,
        "seq": row.id,
        "type": row.type,
        "schema_version": row.schema_version,
        # As pydantic writes an instant in UTC, so the envelope reads as before.
        "occurred_at": occurred_at(row).isoformat().replace("+00:00", "Z"),
        "payload": payload,
    }


def to_event(row: OutboxRow, payload: dict[str, Any]) -> protocol.Event:
    """The protocol event, envelope checked too; raises LocalProblem like wire_event."""
    return protocol.Event.model_validate(wire_event(row, payload))


def batch_body(ods_code: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    """The body of one POST: wire_event's objects as they are, no second copy."""
    return {"protocol_version": protocol.PROTOCOL_VERSION, "practice": ods_code, "events": events}
