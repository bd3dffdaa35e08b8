"""Fictional monitoring data for the ICB service bench: practices in PCNs in ICBs, and years of
group clinics, as the events their laptops would have sent.

Everything is made from a seed, so the same size always gives the same events (the cache relies
on it). Every event is valid under icb_service.protocol at today's schema versions; the smoke
test judges a whole small run with the service's own `judged_event`.

Shape of a practice's year: three series of five fortnightly sessions (a programme each), 15
people invited to each, about 90% coming; each session sends its plan and its outcome, every
invitation and attendance, in-session measurements (and a blood result from the GP record),
questionnaires at the first and last session, a goal and a review for everyone who came,
the staff's answers, some signposting, follow-ups, and patient experience at the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Bump when the events made for a size change: the cached database is keyed by it.
GENERATOR_VERSION = 2
SERIES_A_YEAR = 3
SESSIONS_A_SERIES = 5
INVITED = 15
PRACTICES_A_PCN = 5
MOST_ICBS = 10

# What each programme measures in the room (in-session) and asks of the GP record.
PROGRAMME_MEASURES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "type2_diabetes": (("systolic_bp", "diastolic_bp", "weight", "bmi"), "hba1c"),
    "hypertension": (("systolic_bp", "diastolic_bp", "pulse", "weight"), "total_cholesterol"),
    "heart_failure": (("systolic_bp", "diastolic_bp", "pulse", "weight"), "egfr"),
    "multiple_ltc": (("systolic_bp", "diastolic_bp", "weight", "bmi"), "hba1c"),
    "weight_medicines": (("weight", "bmi", "waist", "systolic_bp"), "hba1c"),
    "frailty": (("systolic_bp", "diastolic_bp", "grip_strength", "weight"), None),
    "respiratory": (("spo2", "pulse", "weight", "activity_minutes"), None),
    "long_covid": (("spo2", "pulse", "activity_minutes", "weight"), None),
    "menopause": (("systolic_bp", "diastolic_bp", "weight", "bmi"), None),
}
PROGRAMMES = tuple(PROGRAMME_MEASURES)
# Typical value and spread of each measure, and the unit it is sent in (dataset.toml).
MEASURE_SHAPE: dict[str, tuple[float, float, str, int]] = {
    "systolic_bp": (138, 14, "mmHg", 0), "diastolic_bp": (82, 9, "mmHg", 0),
    "pulse": (74, 10, "beats/min", 0), "weight": (88, 16, "kg", 1),
    "bmi": (31, 5, "kg/m2", 1), "waist": (104, 12, "cm", 0),
    "hba1c": (58, 12, "mmol/mol", 0), "total_cholesterol": (4.9, 1.0, "mmol/L", 1),
    "egfr": (62, 18, "mL/min/1.73m2", 0), "grip_strength": (24, 7, "kg", 1),
    "spo2": (96, 2, "%", 0), "activity_minutes": (120, 80, "min/week", 0),
}
PHASES = {"checkin": 15, "board": 10, "agenda": 20, "one_to_ones": 40, "goals": 15,
          "wrapup": 10}
USUAL_MINUTES = {"type2_diabetes": 15, "hypertension": 10, "heart_failure": 20,
                 "multiple_ltc": 20, "weight_medicines": 15, "frailty": 30, "respiratory": 15,
                 "long_covid": 20, "menopause": 15}
AGE_BANDS = ("18-39", "40-49", "50-59", "60-69", "70-79", "80+")
AGE_WEIGHTS = (5, 10, 20, 30, 25, 10)
ETHNIC = ("white", "mixed", "asian", "black", "other", "not_stated")
ETHNIC_WEIGHTS = (70, 3, 12, 5, 2, 8)
RESOURCE_KINDS = ("social_prescribing", "physical_activity", "weight_management",
                  "education_programme", "mental_health", "smoking_cessation", "carer_support",
                  "money_advice", "other")
EXPERIENCE = ("very_good", "good", "neither", "poor", "very_poor", "dont_know")
EXPERIENCE_WEIGHTS = (60, 28, 6, 2, 1, 3)
FACILITATORS = ("health_wellbeing_coach", "care_coordinator", "social_prescribing_link_worker")
CLINICIANS = ("gp", "practice_nurse", "clinical_pharmacist", "nurse")
# Words for fictional place names (no real practice is named).
PLACES = ("Alder", "Beck", "Bram", "Calder", "Dun", "Elm", "Fern", "Glen", "Hazel", "Ivy",
          "Kirk", "Lark", "Marsh", "Nether", "Oak", "Pen", "Quarry", "Rye", "Stone", "Thorn",
          "Upper", "Vale", "Willow", "Yew")
ENDS = ("brook", "field", "ford", "gate", "ham", "ley", "moor", "side", "ton", "well")


@dataclass(frozen=True)
class Practice:
    code: str
    name: str
    pcn: str
    pcn_name: str
    icb: str
    icb_name: str


@dataclass(frozen=True)
class Size:
    """How much to make: practices (spread over up to ten ICBs) and years ending yesterday."""

    practices: int
    years: int

    @property
    def label(self) -> str:
        return f"{self.practices}p{self.years}y"

    def expected_events(self) -> int:
        # About 131 events a session (measured on the generator); for progress lines only.
        return self.practices * self.years * SERIES_A_YEAR * SESSIONS_A_SERIES * 131


def register(practices: int, first: int = 0) -> list[Practice]:
    """Practices `first`..`first+practices-1` of the bench's fictional register.

    Practice n is in ICB n % 10 (fewer ICBs for small sizes), PCNs of five practices each."""
    icbs = max(1, min(MOST_ICBS, practices // 2))
    found = []
    for n in range(first, first + practices):
        icb = n % icbs
        within = n // icbs  # the practice's place among its ICB's practices
        pcn = within // PRACTICES_A_PCN
        place = f"{PLACES[n % len(PLACES)]}{ENDS[(n // len(PLACES)) % len(ENDS)]}"
        found.append(Practice(
            code=f"Y{10000 + n:05d}", name=f"{place} Surgery {n}",
            pcn=f"U{icb:02d}{pcn:03d}", pcn_name=f"{PLACES[(icb * 7 + pcn) % len(PLACES)]} "
                                               f"and District PCN {icb}-{pcn}",
            icb=f"QX{icb}", icb_name=f"Bench ICB {icb}",
        ))
    return found


@dataclass(frozen=True)
class Event:
    """One event as a laptop sends it (occurred_at naive UTC)."""

    id: str
    practice: str
    seq: int
    type: str
    schema_version: int
    occurred_at: dt.datetime
    payload: dict[str, Any]

    def as_sent(self) -> dict[str, Any]:
        return {"id": self.id, "seq": self.seq, "type": self.type,
                "schema_version": self.schema_version,
                "occurred_at": self.occurred_at.isoformat() + "Z", "payload": self.payload}


SCHEMAS = {"session": 3, "attendance": 2, "measurement": 1, "questionnaire": 1, "goal": 1,
           "experience": 1, "signposting": 1, "review": 2, "staff_experience": 1,
           "follow_up": 1}


def practice_events(practice: Practice, years: int, end: dt.date, seed: int = 0
                    ) -> Iterator[Event]:
    """Every event of one practice over `years` years ending the day before `end`, in the
    order its laptop would have sent them (by time)."""
    rng = random.Random(f"{seed}:{practice.code}")
    maker = _Practice(practice, rng)
    start = end - dt.timedelta(days=365 * years)
    for year in range(years):
        year_start = start + dt.timedelta(days=365 * year)
        for series in range(SERIES_A_YEAR):
            # Series start a third of a year apart, a few weeks either way; ten weeks long.
            offset = series * 120 + rng.randrange(0, 40)
            first_day = year_start + dt.timedelta(days=offset)
            if first_day + dt.timedelta(days=14 * SESSIONS_A_SERIES) >= end:
                first_day = end - dt.timedelta(days=14 * SESSIONS_A_SERIES + 1)
            yield from maker.series(first_day)
    yield from ()


class _Practice:
    """One practice's laptop: its people, its outbox numbering and its series."""

    def __init__(self, practice: Practice, rng: random.Random) -> None:
        self.practice = practice
        self.rng = rng
        self.seq = 0
        self.person = 0

    def _id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _event(self, kind: str, at: dt.datetime, payload: dict[str, Any]) -> Event:
        self.seq += 1
        return Event(self._id(), self.practice.code, self.seq, kind, SCHEMAS[kind], at, payload)

    def _subject(self) -> str:
        self.person += 1
        # The first hex digit is 0: the bench's SQL copies of a practice put their own there.
        return "0" + hashlib.sha256(f"{self.practice.code}:{self.person}".encode()).hexdigest()[1:]

    def series(self, first_day: dt.date) -> Iterator[Event]:
        rng = self.rng
        programme = rng.choice(PROGRAMMES)
        in_room, from_record = PROGRAMME_MEASURES[programme]
        people = [(self._subject(), rng.choices(AGE_BANDS, AGE_WEIGHTS)[0],
                   rng.choice(("female", "male")), rng.choices(ETHNIC, ETHNIC_WEIGHTS)[0],
                   rng.choice("12345"), _uid(rng))
                  for _ in range(INVITED)]
        baseline = {subject: {m: rng.gauss(MEASURE_SHAPE[m][0], MEASURE_SHAPE[m][1])
                              for m in (*in_room, *((from_record,) if from_record else ()))}
                    for subject, *_ in people}
        mode = rng.choices(("face_to_face", "video", "hybrid"), (80, 10, 10))[0]
        drop_in = rng.random() < 0.05
        for number in range(1, SESSIONS_A_SERIES + 1):
            day = first_day + dt.timedelta(days=14 * (number - 1))
            session_uid = _uid(rng)
            planned_at = dt.datetime.combine(day - dt.timedelta(days=14), dt.time(9, 0))
            at = dt.datetime.combine(day, dt.time(10, 0))
            session = {
                "session_uid": session_uid, "programme_key": programme, "programme_version": 1,
                "date": day.isoformat(), "mode": mode, "status": "planned",
                "planned_phase_minutes": PHASES, "actual_phase_minutes": None,
                "staff_roles_present": [], "session_number": number, "pcn": self.practice.pcn,
                "drop_in": drop_in, "usual_appointment_minutes": USUAL_MINUTES[programme],
            }
            yield self._event("session", planned_at, session)
            for subject, age, sex, ethnic, imd, _goal in people:
                yield self._event("attendance", planned_at, self._attendance(
                    session_uid, subject, age, sex, ethnic, imd, "invited", None))
            came = []
            for subject, age, sex, ethnic, imd, goal in people:
                status = rng.choices(("attended", "late", "did_not_attend", "cancelled"),
                                     (84, 6, 7, 3))[0]
                channel = None
                if status in ("attended", "late"):
                    channel = ("in_room" if mode == "face_to_face" else "video" if mode == "video"
                               else rng.choice(("in_room", "video")))
                    came.append((subject, goal))
                yield self._event("attendance", at, self._attendance(
                    session_uid, subject, age, sex, ethnic, imd, status, channel))
            finished_at = at + dt.timedelta(hours=2)
            for subject, goal in came:
                values = baseline[subject]
                for measure in in_room:
                    yield self._event("measurement", finished_at, self._measurement(
                        session_uid, subject, measure, values, day, "in_session", number))
                if from_record and number in (1, SESSIONS_A_SERIES):
                    yield self._event("measurement", finished_at, self._measurement(
                        None, subject, from_record, values, day - dt.timedelta(days=10),
                        "gp_record", number))
                if number in (1, SESSIONS_A_SERIES):
                    swemwbs = max(7, min(35, round(rng.gauss(22 + number / 2, 4))))
                    yield self._event("questionnaire", finished_at, {
                        "session_uid": session_uid, "subject": subject, "instrument": "swemwbs",
                        "score": float(swemwbs + 7), "raw": float(swemwbs)})
                    yield self._event("questionnaire", finished_at, {
                        "session_uid": session_uid, "subject": subject,
                        "instrument": "confidence", "score": float(rng.randint(3, 10)),
                        "raw": None})
                yield self._event("goal", finished_at, {
                    "session_uid": session_uid, "subject": subject, "goal_uid": goal,
                    "confidence": rng.randint(4, 10),
                    "outcome": None if number == 1 else rng.choice(
                        ("achieved", "partly", "not_yet", "changed"))})
                yield self._event("review", finished_at, {
                    "session_uid": session_uid, "subject": subject,
                    "reviews": 1 if rng.random() < 0.9 else 2,
                    "professions": [rng.choice(CLINICIANS)],
                    "minutes_spent": rng.randint(2, 8)})
                if number == 3 and rng.random() < 0.2:
                    yield self._event("signposting", finished_at, {
                        "session_uid": session_uid, "subject": subject,
                        "resource_kind": rng.choice(RESOURCE_KINDS)})
            actual = {phase: max(0, minutes + rng.randint(-5, 8))
                      for phase, minutes in PHASES.items()}
            yield self._event("session", finished_at, {
                **session, "status": "finished", "actual_phase_minutes": actual,
                "staff_roles_present": ["facilitator", "clinician"]})
            for role, profession in (("facilitator", rng.choice(FACILITATORS)),
                                     ("clinician", rng.choice(CLINICIANS))):
                yield self._event("staff_experience", finished_at, {
                    "session_uid": session_uid, "role": role, "profession": profession,
                    "answers": {"satisfying": rng.choices((1, 2, 3, 4, 5), (1, 2, 8, 40, 49))[0],
                                "workload": rng.choices((1, 2, 3, 4, 5), (2, 6, 20, 42, 30))[0],
                                "time_well_used": rng.choices((1, 2, 3, 4, 5),
                                                              (1, 3, 12, 44, 40))[0]}})
            if number == SESSIONS_A_SERIES:
                for _ in came:
                    if rng.random() < 0.7:
                        yield self._event("experience", finished_at, {
                            "session_uid": session_uid,
                            "response": rng.choices(EXPERIENCE, EXPERIENCE_WEIGHTS)[0]})
            # The care coordinator's follow-ups in the days after: those who did not come, and
            # a few actions.
            follow_day = day + dt.timedelta(days=2)
            follow_at = dt.datetime.combine(follow_day, dt.time(14, 0))
            for _ in range(INVITED - len(came) + rng.randint(0, 2)):
                yield self._event("follow_up", follow_at, {
                    "date": follow_day.isoformat(), "item": rng.choice(("dna", "action")),
                    "step": "contact", "method": rng.choice(("call", "text")),
                    "outcome": rng.choice(("spoke", "no_answer", "message_left", "booked"))})

    def _attendance(self, session_uid: str, subject: str, age: str, sex: str, ethnic: str,
                    imd: str, status: str, channel: str | None) -> dict[str, Any]:
        return {"session_uid": session_uid, "subject": subject, "age_band": age, "sex": sex,
                "status": status, "carer_present": False, "ethnic_group": ethnic,
                "imd_quintile": imd, "interpreter_needed": "no", "is_carer": "not_stated",
                "registered_practice": self.practice.code, "channel": channel}

    def _measurement(self, session_uid: str | None, subject: str, measure: str,
                     values: dict[str, float], day: dt.date, source: str, number: int
                     ) -> dict[str, Any]:
        typical, spread, unit, places = MEASURE_SHAPE[measure]
        # A little better each session, as a group clinic hopes; within the catalogue's limits.
        better_higher = measure in ("spo2", "egfr", "activity_minutes")
        drift = -0.01 * (number - 1) * (-typical if better_higher else typical)
        value = round(min(max(values[measure] + drift + self.rng.gauss(0, spread / 10),
                              _LIMITS[measure][0]), _LIMITS[measure][1]), places)
        change = None if number == 1 else round(drift / max(1, number - 1), places)
        status = "no_target" if measure in ("pulse", "spo2", "grip_strength", "height",
                                            "activity_minutes") else self.rng.choice(
            ("on_target", "close", "off_target"))
        return {"session_uid": session_uid, "subject": subject, "measure": measure,
                "value": float(value), "unit": unit, "taken_on": day.isoformat(),
                "source": source, "change_since_previous": None if change is None
                else float(change), "status": status}


def _uid(rng: random.Random) -> str:
    """A UUID4 whose first hex digit is 0 (see _Practice._subject)."""
    return str(uuid.UUID(int=rng.getrandbits(128) & ~(0xF << 124), version=4))


def _limits() -> dict[str, tuple[float, float]]:
    from icb_service.dataset import rules

    return {key: (rule.hard_min, rule.hard_max) for key, rule in rules().measures.items()}


_LIMITS = _limits()


def payload_text(payload: dict[str, Any]) -> str:
    """As the service stores it (intake serialises with json.dumps' defaults)."""
    return json.dumps(payload)
