"""Six months of group clinics at six fictional practices of one PCN, as protocol 3 events.

Deterministic (a seeded generator), so the browser tests and the screenshots see the same page.
Enough people that most figures can be shown, and one small practice whose figures are hidden.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any

from tests.icb_service import events as ev

ICB = ("QRV", "NHS Riverside Integrated Care Board")
PCN = ("U99990", "Riverside Primary Care Network")


@dataclass(frozen=True)
class Practice:
    code: str
    name: str
    people: int  # invited per series
    came: float  # chance an invited person takes up the offer at all
    series: int = 2  # cohorts per programme (one a quarter)
    programmes: tuple[str, ...] = ("type2_diabetes", "hypertension")


PRACTICES = (
    Practice("Y99901", "Brookside Surgery", 12, 0.85),
    Practice("Y99902", "Hillside Practice", 11, 0.55),
    Practice("Y99903", "Meadow View Medical Centre", 10, 0.75),
    Practice("Y99905", "Castle Street Health Centre", 15, 0.9),
    Practice("Y99906", "Riverbank Medical Practice", 13, 0.45),
    # Three people in one series: every figure of theirs is too small to show.
    Practice("Y99904", "Orchard Lane Surgery", 3, 0.7, series=1, programmes=("hypertension",)),
)
MONTHS = ("2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12")
AGE_BANDS = ("40-49", "50-59", "60-69", "70-79", "80+")
ETHNIC = ("white", "white", "white", "asian", "black", "mixed", "not_stated")


def _event(kind: str, payload: dict[str, Any], schema: int, when: str, seq: int) -> dict:
    made = ev.event(kind, payload, occurred_at=f"{when}T12:00:00Z", seq=seq)
    made["schema_version"] = schema
    return made


def practice_events(practice: Practice, seed: int = 22) -> list[dict[str, Any]]:
    """Every event one practice's laptop sends for the six months."""
    rng = random.Random(f"{seed}-{practice.code}")
    out: list[dict[str, Any]] = []
    seq = 0

    def add(kind: str, payload: dict[str, Any], schema: int, when: str) -> None:
        nonlocal seq
        seq += 1
        out.append(_event(kind, payload, schema, when, seq))

    for programme in practice.programmes:
        # A new cohort each quarter; each cohort meets monthly for three months.
        for start in (0, 3)[: practice.series]:
            cohort = [f"{practice.code}-{programme}-{start}-{n}" for n in range(practice.people)]
            profile = {who: (rng.choice(AGE_BANDS), rng.choice(("female", "male")),
                             rng.choice(ETHNIC), str(rng.randint(1, 5))) for who in cohort}
            # Some never take up the offer; the others miss a session now and then.
            engaged = {who: rng.random() < practice.came for who in cohort}
            goals: dict[str, str] = {}
            for number, month in enumerate(MONTHS[start:start + 3], start=1):
                day = f"{month}-{10 + number:02d}"
                uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                mode = "hybrid" if number == 2 else "face_to_face"
                one_to_ones = rng.choice((35, 40, 45))
                add("session", {
                    "session_uid": uid, "programme_key": programme, "programme_version": 1,
                    "date": day, "mode": mode, "status": "finished",
                    "planned_phase_minutes": {"checkin": 15, "board": 15, "agenda": 10,
                                              "one_to_ones": 40, "goals": 10},
                    "actual_phase_minutes": {"checkin": 15, "board": 15, "agenda": 10,
                                             "one_to_ones": one_to_ones, "goals": 10},
                    "staff_roles_present": ["facilitator", "clinician"],
                    "session_number": number, "pcn": PCN[0], "drop_in": False,
                    "usual_appointment_minutes": 20 if programme == "type2_diabetes" else 15,
                }, 3, day)
                for who in cohort:
                    age, sex, ethnic, imd = profile[who]
                    came = engaged[who] and rng.random() < 0.85
                    status = "attended" if came else "did_not_attend"
                    channel = ("video" if mode == "hybrid" and rng.random() < 0.3
                               else "in_room") if came else None
                    add("attendance", ev.attendance(
                        uid, who, status=status, sex=sex, age_band=age, ethnic_group=ethnic,
                        imd_quintile=imd, registered_practice=practice.code, channel=channel,
                    ), 2, day)
                    if not came:
                        continue
                    add("review", {"session_uid": uid, "subject": ev.subject(who),
                                   "reviews": 1, "professions": ["practice_nurse"],
                                   "minutes_spent": rng.choice((4, 5, 6, 7))}, 2, day)
                    measure, unit, base = (("hba1c", "mmol/mol", 62.0)
                                           if programme == "type2_diabetes"
                                           else ("systolic_bp", "mmHg", 148.0))
                    value = base - number * rng.uniform(0, 4) + rng.uniform(-3, 3)
                    status_words = "on_target" if value < base - 6 else "off_target"
                    add("measurement", ev.measurement(who, measure, round(value, 1), day,
                                                      status_words, session_uid=uid,
                                                      unit=unit), 1, day)
                    if who not in goals:  # set at the first session they came to
                        goals[who] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                        add("goal", ev.goal(uid, who, goals[who], None), 1, day)
                    elif number == 3:  # reviewed at the last
                        add("goal", ev.goal(uid, who, goals[who], rng.choice(
                            ("achieved", "achieved", "partly", "not_yet"))), 1, day)
                    if rng.random() < 0.6:
                        add("experience", ev.experience(uid, rng.choice(
                            ("very_good", "very_good", "good", "good", "neither", "dont_know"))),
                            1, day)
                    if rng.random() < 0.25:
                        add("signposting", {"session_uid": uid, "subject": ev.subject(who),
                                            "resource_kind": rng.choice(
                                                ("social_prescribing", "physical_activity",
                                                 "money_advice"))}, 1, day)
                for role, profession in (("facilitator", "care_coordinator"),
                                         ("clinician", "practice_nurse")):
                    add("staff_experience", {
                        "session_uid": uid, "role": role, "profession": profession,
                        "answers": {"satisfying": rng.choice((3, 4, 5, 5)),
                                    "workload": rng.choice((2, 3, 4, 4, 5)),
                                    "time_well_used": rng.choice((3, 4, 4, 5))},
                    }, 1, day)
    # The care coordinator's follow-up between sessions: counts only.
    for month in MONTHS:
        for _ in range(rng.randint(3, 9)):
            item = rng.choice(("dna", "dna", "no_reply", "goal_review", "action"))
            step = rng.choice(("contact", "contact", "reinvite", "done"))
            contact = step == "contact"
            day = f"{month}-{rng.randint(1, 28):02d}"
            add("follow_up", {"date": day, "item": item, "step": step,
                              "method": rng.choice(("call", "text")) if contact else None,
                              "outcome": rng.choice(("spoke", "no_answer", "booked"))
                              if contact else None}, 1, day)
    return out


def batches(practice: Practice, size: int = 400) -> list[dict[str, Any]]:
    """The practice's events as protocol 3 batches of at most `size`."""
    found = practice_events(practice)
    return [{"protocol_version": 3, "practice": practice.code, "events": found[i:i + size]}
            for i in range(0, len(found), size)]
