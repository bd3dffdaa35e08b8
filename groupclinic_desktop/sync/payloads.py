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
from typing import Any

from groupclinic_desktop.core.community import monitoring_kind
from groupclinic_desktop.core.schema import OutboxEvent, Patient
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


def needs_person(row: OutboxEvent) -> bool:
    """True while the payload still names the person by local id (not yet pseudonymised)."""
    return "patient_id" in (row.payload or {})


def wire_payload(
    row: OutboxEvent, patient_for: Callable[[int], Patient], key: bytes
) -> dict[str, Any]:
    """The payload as the service will store it. Raises LocalProblem when it cannot be made."""
    payload = dict(row.payload or {})
    if "patient_id" in payload:
        patient_id = payload.pop("patient_id")
        try:
            patient = patient_for(int(patient_id))
        except Exception as exc:  # NotFound, or a damaged payload
            raise LocalProblem("checked on this laptop: the person is no longer on record") from exc
        try:
            payload["subject"] = protocol.subject_id(patient.nhs_number, key)
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
        payload["status"] = SESSION_STATUS.get(status, status)
        roles = payload.get("staff_roles_present") or []
        payload["staff_roles_present"] = [r for r in STAFF_ROLES if r in roles]
    if row.type == "signposting":

        # The outbox holds the directory's own kind; the protocol has its own, shorter list.
        payload["resource_kind"] = monitoring_kind(payload.get("resource_kind"))
    if row.type == "measurement" and isinstance(payload.get("unit"), str):
        payload["unit"] = ascii_unit(payload["unit"])
    return payload


def occurred_at(row: OutboxEvent) -> datetime:
    when = row.occurred_at
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def to_event(row: OutboxEvent, payload: dict[str, Any]) -> protocol.Event:
    """The protocol event; raises LocalProblem when the service's own rules would refuse it."""
    problem = protocol.payload_problem(row.type, row.schema_version, payload)
    if problem:
        raise LocalProblem(f"checked on this laptop: {problem}")
    assert row.id is not None
    return protocol.Event(
        id=row.uid,  # type: ignore[arg-type]
        seq=row.id,
        type=row.type,
        schema_version=row.schema_version,
        occurred_at=occurred_at(row),
        payload=payload,
    )


def batch_body(ods_code: str, events: list[protocol.Event]) -> dict[str, Any]:
    batch = protocol.EventBatch(
        protocol_version=protocol.PROTOCOL_VERSION, practice=ods_code, events=events
    )
    return batch.model_dump(mode="json")
