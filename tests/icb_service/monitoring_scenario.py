"""A known set of events for four practices in three PCNs and two ICBs over three months, for
checking every published figure against numbers worked out by hand (test_monitoring.py).

ICB QAA "North Test ICB"
  PCN U10001 "Riverside PCN": Y10001 Riverside Surgery, Y10002 Mill Lane Practice
  PCN U10002 "Hilltop PCN":   Y10003 Hilltop Health Centre
ICB QBB "South Test ICB"
  PCN U20001 "Coast PCN":     Y20001 Harbour Surgery

Y10001  S1 2025-01-14 face to face, finished, usual minutes 15 (sent), clinic 90 min (actual)
          a1..a10 invited: a1..a8 attended (in room), a9 a10 did not attend
          a1..a8 reviewed, 4 minutes each (review schema 2)
          patient experience: 6 very good, 2 good; staff: 3 answers (below)
        S2 2025-02-11 video, finished, usual minutes not sent (type2_diabetes: 20 in
          appointments.toml), clinic 80 min (planned; actual not sent)
          a1..a9 attended (video), a10 did not attend; new b1..b5 attended (video), b6 did not
          a1..a9 and b1..b5 reviewed (14), minutes not sent
          staff: 3 answers
        S3 2025-03-11 cancelled
        HbA1c: a1..a6 first in January, latest in February: changes -5,-4,-3,-2,-1,0 (mmol/mol);
          latest status on target for a1..a3, off target for a4..a6
Y10002  S 2025-01-20 face to face, finished, usual 20, clinic 90: c1..c6 attended, c7 did not;
          c1..c6 reviewed
Y10003  S 2025-02-05 face to face, finished, usual 20, clinic 90: d1..d6 attended, d7 did not;
          d1..d6 reviewed
Y20001  S 2025-01-10 face to face, finished, usual 20, clinic 90: e1..e10 attended, e11 e12
          did not (e1..e6 and e11, e12 women, e7..e10 men); e1..e10 reviewed; 5 signposted to
          social prescribing
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from sqlalchemy import Engine

from icb_service import accounts
from tests.icb_service.events import subject

REGISTER = {
    "icbs": {"QAA": "North Test ICB", "QBB": "South Test ICB"},
    "pcns": {"U10001": ("Riverside PCN", "QAA"), "U10002": ("Hilltop PCN", "QAA"),
             "U20001": ("Coast PCN", "QBB")},
    "practices": {"Y10001": ("Riverside Surgery", "U10001"),
                  "Y10002": ("Mill Lane Practice", "U10001"),
                  "Y10003": ("Hilltop Health Centre", "U10002"),
                  "Y20001": ("Harbour Surgery", "U20001")},
}
PHASES = {"checkin": 15, "board": 15, "agenda": 10, "one_to_ones": 40, "goals": 10}  # 90
PLANNED_80 = {"checkin": 10, "board": 15, "agenda": 10, "one_to_ones": 35, "goals": 10}

_seq = itertools.count(1)


def register_practices(engine: Engine) -> dict[str, str]:
    """The organisation register as an operator would fill it (add-practice with its PCN and
    ICB); the practices' tokens."""
    tokens = {}
    for code, (name, pcn) in REGISTER["practices"].items():
        pcn_name, icb = REGISTER["pcns"][pcn]
        tokens[code] = accounts.add_practice(engine, code, name, pcn=pcn, pcn_name=pcn_name,
                                             icb=icb, icb_name=REGISTER["icbs"][icb])
    return tokens


def _event(kind: str, payload: dict[str, Any], version: int = 1,
           when: str = "2025-03-20T10:00:00Z") -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "seq": next(_seq), "type": kind, "schema_version": version,
            "occurred_at": when, "payload": payload}


def _session(uid: str, date: str, mode: str = "face_to_face", status: str = "finished",
             usual: int | None = 20, actual: dict[str, int] | None = PHASES,
             planned: dict[str, int] = PHASES) -> dict[str, Any]:
    return _event("session", {
        "session_uid": uid, "programme_key": "type2_diabetes", "programme_version": 1,
        "date": date, "mode": mode, "status": status, "planned_phase_minutes": planned,
        "actual_phase_minutes": actual, "staff_roles_present": ["facilitator", "clinician"],
        "session_number": 1, "drop_in": False, "usual_appointment_minutes": usual,
    }, version=3)


def _attendance(uid: str, who: str, status: str, channel: str | None,
                sex: str = "female") -> dict[str, Any]:
    return _event("attendance", {
        "session_uid": uid, "subject": subject(who), "age_band": "60-69", "sex": sex,
        "status": status, "carer_present": False, "channel": channel,
    }, version=2)


def _review(uid: str, who: str, minutes: int | None = None) -> dict[str, Any]:
    return _event("review", {"session_uid": uid, "subject": subject(who), "reviews": 1,
                             "professions": ["gp"], "minutes_spent": minutes}, version=2)


def _hba1c(who: str, value: float, taken_on: str, uid: str, status: str) -> dict[str, Any]:
    return _event("measurement", {
        "session_uid": uid, "subject": subject(who), "measure": "hba1c", "value": value,
        "unit": "mmol/mol", "taken_on": taken_on, "source": "in_session",
        "change_since_previous": None, "status": status,
    })


def _staff(uid: str, role: str, profession: str, answers: dict[str, int]) -> dict[str, Any]:
    return _event("staff_experience", {"session_uid": uid, "role": role,
                                       "profession": profession, "answers": answers})


def uid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"monitoring-scenario/{name}"))


def batches() -> dict[str, list[dict[str, Any]]]:
    """The events each practice sends."""
    s1, s2, s3 = uid("Y10001/1"), uid("Y10001/2"), uid("Y10001/3")
    y1: list[dict[str, Any]] = [
        _session(s1, "2025-01-14", usual=15),
        _session(s2, "2025-02-11", mode="video", usual=None, actual=None, planned=PLANNED_80),
        _session(s3, "2025-03-11", status="cancelled", actual=None),
    ]
    people_a = [f"a{i}" for i in range(1, 11)]
    for who in people_a:
        came = who not in ("a9", "a10")
        y1.append(_attendance(s1, who, "attended" if came else "did_not_attend",
                              "in_room" if came else None))
    for who in people_a:
        came = who != "a10"
        y1.append(_attendance(s2, who, "attended" if came else "did_not_attend",
                              "video" if came else None))
    for who in [f"b{i}" for i in range(1, 7)]:
        came = who != "b6"
        y1.append(_attendance(s2, who, "attended" if came else "did_not_attend",
                              "video" if came else None))
    y1 += [_review(s1, f"a{i}", minutes=4) for i in range(1, 9)]
    y1 += [_review(s2, f"a{i}") for i in range(1, 10)]
    y1 += [_review(s2, f"b{i}") for i in range(1, 6)]
    y1 += [_event("experience", {"session_uid": s1, "response": "very_good"})
           for _ in range(6)]
    y1 += [_event("experience", {"session_uid": s1, "response": "good"}) for _ in range(2)]
    for session_uid in (s1, s2):
        y1.append(_staff(session_uid, "facilitator", "healthcare_assistant",
                         {"satisfying": 5, "workload": 4}))
        y1.append(_staff(session_uid, "facilitator", "care_coordinator",
                         {"satisfying": 5, "workload": 4}))
        y1.append(_staff(session_uid, "clinician", "gp",
                         {"satisfying": 5, "workload": 2, "time_well_used": 5}))
    for i, change in enumerate((-5, -4, -3, -2, -1, 0), start=1):
        status = "on_target" if i <= 3 else "off_target"
        y1.append(_hba1c(f"a{i}", 60, "2025-01-14", s1, "off_target"))
        y1.append(_hba1c(f"a{i}", 60 + change, "2025-02-11", s2, status))

    m = uid("Y10002/1")
    y2 = [_session(m, "2025-01-20")]
    y2 += [_attendance(m, f"c{i}", "attended", "in_room") for i in range(1, 7)]
    y2 += [_attendance(m, "c7", "did_not_attend", None)]
    y2 += [_review(m, f"c{i}") for i in range(1, 7)]

    h = uid("Y10003/1")
    y3 = [_session(h, "2025-02-05")]
    y3 += [_attendance(h, f"d{i}", "attended", "in_room") for i in range(1, 7)]
    y3 += [_attendance(h, "d7", "did_not_attend", None)]
    y3 += [_review(h, f"d{i}") for i in range(1, 7)]

    c = uid("Y20001/1")
    y4 = [_session(c, "2025-01-10")]
    y4 += [_attendance(c, f"e{i}", "attended", "in_room", sex="male" if i > 6 else "female")
           for i in range(1, 11)]
    y4 += [_attendance(c, who, "did_not_attend", None) for who in ("e11", "e12")]
    y4 += [_review(c, f"e{i}") for i in range(1, 11)]
    y4 += [_event("signposting", {"session_uid": c, "subject": subject(f"e{i}"),
                                  "resource_kind": "social_prescribing"}) for i in range(1, 6)]
    return {"Y10001": y1, "Y10002": y2, "Y10003": y3, "Y20001": y4}
