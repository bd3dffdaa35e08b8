"""Building well-formed protocol events for the tests."""

from __future__ import annotations

import hashlib
import itertools
import uuid
from typing import Any

_seq = itertools.count(1)


def subject(name: str) -> str:
    """A stand-in for the laptop's keyed hash: 64 lowercase hex characters."""
    return hashlib.sha256(f"test-subject-{name}".encode()).hexdigest()


def event(
    event_type: str,
    payload: dict[str, Any],
    occurred_at: str = "2025-01-10T10:00:00Z",
    seq: int | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    return {
        "id": event_id or str(uuid.uuid4()),
        "seq": seq if seq is not None else next(_seq),
        "type": event_type,
        "schema_version": 1,
        "occurred_at": occurred_at,
        "payload": payload,
    }


def session(uid: str, date: str, status: str = "finished", number: int = 1,
            programme: str = "type2_diabetes") -> dict[str, Any]:
    return {
        "session_uid": uid, "programme_key": programme, "programme_version": 1, "date": date,
        "mode": "face_to_face", "status": status,
        "planned_phase_minutes": {"checkin": 15, "board": 15, "agenda": 10,
                                  "one_to_ones": 40, "goals": 10},
        "actual_phase_minutes": None, "staff_roles_present": ["facilitator", "clinician"],
        "session_number": number,
    }


def attendance(session_uid: str, who: str, status: str = "attended", sex: str = "female",
               **extra: Any) -> dict[str, Any]:
    return {
        "session_uid": session_uid, "subject": subject(who), "age_band": "60-69", "sex": sex,
        "status": status, "carer_present": False, **extra,
    }


def measurement(who: str, measure: str, value: float, taken_on: str, status: str,
                session_uid: str | None = None, unit: str = "mmol/mol") -> dict[str, Any]:
    return {
        "session_uid": session_uid, "subject": subject(who), "measure": measure, "value": value,
        "unit": unit, "taken_on": taken_on, "source": "in_session",
        "change_since_previous": None, "status": status,
    }


def questionnaire(session_uid: str, who: str, instrument: str, score: float) -> dict[str, Any]:
    return {"session_uid": session_uid, "subject": subject(who), "instrument": instrument,
            "score": score, "raw": None}


def goal(session_uid: str, who: str, goal_uid: str, outcome: str | None) -> dict[str, Any]:
    return {"session_uid": session_uid, "subject": subject(who), "goal_uid": goal_uid,
            "confidence": 7, "outcome": outcome}


def experience(session_uid: str, response: str) -> dict[str, Any]:
    return {"session_uid": session_uid, "response": response}
