"""A practice ten years on: the demo practice plus ten years of group clinics behind it.

About 500 finished sessions (series of five, fifteen people invited to each), 5,000 people
enrolled from GP searches, 200,000 measurements (in session and from the GP record), the
questionnaires of everyone who came, and an audit entry for every row, chained with
`core.audit`'s own digest so `groupclinic check` passes on the result.

It is written fast: the demo comes first through the facade, then the history goes in with
SQLAlchemy core bulk inserts in one transaction, ids and the hash chain worked out here. The
store is cached in bench/.cache/ under the generator's version and size; change GENERATOR_VERSION
whenever the rows written here change.

Questionnaire responses: a response is unique per (session, person, questionnaire) and there are
five questionnaires, so 500 sessions of at most 15 people cap them near 37,500; the generator
writes every questionnaire for everyone who came, which is as close to 50,000 as the schema
allows without inventing sessions.
"""

from __future__ import annotations

import json
import random
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench import CACHE, bench_key, make_demo_store, nhs_numbers

GENERATOR_VERSION = 2
YEARS = 10
SERIES_LENGTH = 5
INVITED = 15
GIVEN = ("Amir", "Bethan", "Chen", "Deborah", "Emeka", "Fiona", "Gurpreet", "Hannah", "Imran",
         "Joan", "Kwame", "Lucy", "Mohammed", "Niamh", "Olu", "Pauline", "Rajesh", "Sandra",
         "Tomasz", "Una", "Vikram", "Wendy", "Yusuf", "Zofia")
FAMILY = ("Adams", "Bibi", "Clarke", "Davies", "Edwards", "Fernandes", "Green", "Hall", "Iqbal",
          "Jones", "Khan", "Lewis", "Murphy", "Nowak", "Owen", "Patel", "Quinn", "Roberts",
          "Singh", "Thomas", "Walker", "Williams", "Young")
QUESTIONNAIRES = ("swemwbs", "confidence", "activity", "pam", "experience")
SYSTEM_NAME = "GroupClinic (system)"


@dataclass(frozen=True)
class Size:
    sessions: int
    patients: int
    measurements: int

    @classmethod
    def scaled(cls, scale: float) -> Size:
        return cls(
            sessions=max(10, round(500 * scale)),
            patients=max(150, round(5000 * scale)),
            measurements=max(2000, round(200_000 * scale)),
        )


def cached_store(scale: float = 1.0, say: Any = print) -> Path:
    """The ten-year store at this scale, generated once and then reused from bench/.cache/."""
    from groupclinic_desktop.core.store import head_revision

    tag = "full" if scale == 1.0 else f"s{scale:g}"
    # Keyed by the schema too: a store made before a migration would be migrated (and backed
    # up) on every open of every copy, which is not what a practice sees day to day.
    folder = CACHE / f"tenyears-v{GENERATOR_VERSION}-m{head_revision()}-{tag}"
    done = folder / "generated.json"
    if done.exists() and (folder / "groupclinic.db").exists():
        return folder
    for stale in CACHE.glob("tenyears-*"):
        # Stores of an older generator or schema are never used again; they are large.
        if not stale.name.startswith(f"tenyears-v{GENERATOR_VERSION}-m{head_revision()}-"):
            shutil.rmtree(stale, ignore_errors=True)
    building = folder.with_name(folder.name + ".building")
    say(f"generating the ten-year store ({tag}) in {folder} ...")
    started = time.perf_counter()
    counts = generate(building, Size.scaled(scale))
    counts["seconds"] = round(time.perf_counter() - started, 1)
    (building / "generated.json").write_text(json.dumps(counts, indent=2), "utf-8")
    if folder.exists():
        shutil.rmtree(folder)
    building.rename(folder)
    say(f"  done in {counts['seconds']} s: {counts}")
    return folder


def regulars(folder: Path) -> list[int]:
    """The fifteen people of the newest series: long histories, invited to the bench session."""
    return list(json.loads((folder / "generated.json").read_text("utf-8"))["regulars"])


# ---------------------------------------------------------------------------- the generator


class _Trail:
    """Audit entries for the bulk rows, chained in memory after the demo's last entry."""

    def __init__(self, next_id: int, last_hash: str) -> None:
        self.next_id = next_id
        self.last_hash = last_hash
        self.rows: list[dict[str, Any]] = []

    def add(self, at: datetime, who: tuple[int | None, str], entity: str, values: dict[str, Any],
            patient_id: int | None) -> None:
        from groupclinic_desktop.core import audit

        entry = SimpleNamespace(
            id=self.next_id, at=at, user_id=who[0], user_name=who[1], action="create",
            entity=entity, entity_id=str(values["id"]), patient_id=patient_id, before=None,
            after=audit.plain(values), prev_hash=self.last_hash, hash="",
        )
        entry.hash = audit._digest(entry)  # type: ignore[arg-type]  # the app's own digest
        self.rows.append(vars(entry))
        self.last_hash = entry.hash
        self.next_id += 1


class _Writer:
    """Rows per table with their ids handed out here, each audited as a 'create'."""

    def __init__(self, conn: Any, trail: _Trail) -> None:
        from sqlalchemy import text

        self.conn, self.trail = conn, trail
        self.rows: dict[Any, list[dict[str, Any]]] = {}
        self.next_ids: dict[Any, int] = {}
        self.created: dict[Any, int] = {}
        self._text = text

    def add(self, model: Any, values: dict[str, Any], at: datetime, who: tuple[int | None, str],
            patient_id: int | None = None, *, audited: bool = True) -> dict[str, Any]:
        table = model.__tablename__
        if "id" in model.model_fields:
            if model not in self.next_ids:
                found = self.conn.execute(self._text(f"SELECT max(id) FROM {table}")).scalar()
                self.next_ids[model] = (found or 0) + 1
            values = {"id": self.next_ids[model], **values}
            self.next_ids[model] += 1
        self.rows.setdefault(model, []).append(values)
        self.created[model] = self.created.get(model, 0) + 1
        if audited:
            self.trail.add(at, who, table, values, patient_id)
        return values

    def flush(self) -> None:
        from sqlalchemy import insert

        from groupclinic_desktop.core.schema import AuditEntry

        for model, rows in self.rows.items():
            for start in range(0, len(rows), 5000):
                self.conn.execute(insert(model), rows[start:start + 5000])
        self.rows.clear()
        trail = self.trail.rows
        for start in range(0, len(trail), 5000):
            self.conn.execute(insert(AuditEntry), trail[start:start + 5000])
        trail.clear()


def generate(target: Path, size: Size) -> dict[str, Any]:
    from sqlalchemy import text

    from groupclinic_desktop.core import audit, store

    make_demo_store(target)
    engine = store.make_engine(target / store.STORE_FILE, bench_key())
    try:
        with engine.begin() as conn:
            last = conn.execute(
                text("SELECT id, hash FROM audit_entry ORDER BY id DESC LIMIT 1")
            ).one()
            trail = _Trail(last[0] + 1, last[1])
            writer = _Writer(conn, trail)
            counts = _history(conn, writer, size)
            writer.flush()
            head = json.dumps({"id": trail.next_id - 1, "hash": trail.last_hash})
            conn.execute(
                text("UPDATE setting SET value = :v WHERE key = :k"),
                {"v": head, "k": audit.HEAD_KEY},
            )
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            for table in ("patient", "clinic_session", "measurement", "questionnaire_response",
                          "audit_entry"):
                counts[table] = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    finally:
        engine.dispose()
    return counts


def _history(conn: Any, w: _Writer, size: Size) -> dict[str, Any]:
    from sqlalchemy import text

    from groupclinic_desktop.core import questionnaires, validation
    from groupclinic_desktop.core.catalogue import catalogue
    from groupclinic_desktop.core.schema import (
        Attendance,
        AttendanceStatus,
        ClinicSession,
        Consent,
        ConsentKind,
        Enrolment,
        Goal,
        InvitationStatus,
        Measurement,
        Mode,
        Patient,
        QuestionnaireResponse,
        Review,
        SessionClinician,
        SessionStatus,
        Sex,
        Source,
    )

    rng = random.Random(20161123)
    already = conn.execute(text("SELECT count(*) FROM measurement")).scalar() or 0
    system: tuple[int | None, str] = (None, SYSTEM_NAME)
    rows = conn.execute(text("SELECT id, name, role FROM staff_user"))
    staff = {r[2]: (r[0], r[1]) for r in rows}
    facilitator, clinician = staff["FACILITATOR"], staff["CLINICIAN"]
    programme_id, snapshot_text = conn.execute(
        text("SELECT programme_id, programme_snapshot FROM clinic_session ORDER BY id LIMIT 1")
    ).one()
    snapshot = json.loads(snapshot_text)
    first_demo_day = conn.execute(text("SELECT min(day) FROM clinic_session")).scalar()
    end = date.fromisoformat(str(first_demo_day)) - timedelta(days=35)
    start = end - timedelta(days=365 * YEARS)
    units = {k: catalogue().get(k).unit for k in
             ("hba1c", "systolic_bp", "diastolic_bp", "weight", "bmi", "total_cholesterol",
              "egfr", "pulse")}

    def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
        return datetime.combine(day, clock(hour, minute), tzinfo=UTC)

    # ---- people, enrolled from GP searches over the years
    people: list[dict[str, Any]] = []
    heights: dict[int, float] = {}
    for index, nhs in enumerate(nhs_numbers(100_000, size.patients)):
        joined = start + timedelta(days=rng.randrange(365 * YEARS - 200))
        when = at(joined, 9, rng.randrange(60))
        row = w.add(Patient, {
            "nhs_number": nhs, "given_name": rng.choice(GIVEN), "family_name": rng.choice(FAMILY),
            "preferred_name": None,
            "date_of_birth": date(1935 + rng.randrange(50), 1 + rng.randrange(12),
                                  1 + rng.randrange(28)),
            "sex": rng.choice((Sex.FEMALE, Sex.MALE)), "mobile": None,
            "hypo_risk": index % 7 == 0, "ethnic_category": rng.choice("AAAABHJKMNR"),
            "imd_decile": 1 + rng.randrange(10), "preferred_language": "en",
            "interpreter_needed": False, "is_carer": index % 11 == 0, "created_at": when,
        }, when, system)
        row["joined"] = joined
        people.append(row)
        heights[row["id"]] = rng.uniform(1.52, 1.90)
        w.add(Enrolment, {"patient_id": row["id"], "programme_id": programme_id,
                          "enrolled_at": when, "active": True}, when, system, row["id"])
    # The Patient rows carry a helper key; drop it before they are inserted.
    joined_on = {p["id"]: p.pop("joined") for p in people}

    def measurement(pid: int, key: str, value: float, taken: datetime, source: Any,
                    who: tuple[int | None, str], session_id: int | None = None,
                    reading: str | None = None) -> None:
        w.add(Measurement, {
            "uid": str(uuid.uuid4()), "patient_id": pid, "session_id": session_id,
            "type_key": key, "value": value, "unit": units[key], "taken_at": taken,
            "source": source, "reading_uid": reading, "confirmed_unusual": False,
            "entered_by_id": who[0], "entered_at": taken + timedelta(minutes=2),
        }, taken + timedelta(minutes=2), who, pid)

    # ---- sessions: series of five, each with its own fifteen people
    made = 0
    gap = (end - start).days / size.sessions
    series_count = -(-size.sessions // SERIES_LENGTH)
    attenders = people[: series_count * INVITED]
    answers_done = 0
    newest_group: list[int] = []
    for series in range(series_count):
        group = [attenders[(series * INVITED + i) % len(attenders)]["id"] for i in range(INVITED)]
        newest_group = group
        series_uid = str(uuid.uuid4())
        for number in range(1, SERIES_LENGTH + 1):
            if made >= size.sessions:
                break
            day = start + timedelta(days=round(made * gap))
            made += 1
            began, ended = at(day, 10), at(day, 11, 30)
            session = w.add(ClinicSession, {
                "uid": str(uuid.uuid4()), "programme_id": programme_id, "programme_version": 1,
                "programme_snapshot": snapshot, "day": day, "start_time": clock(10),
                "place": "Community Room", "mode": Mode.FACE_TO_FACE,
                "facilitator_id": facilitator[0], "status": SessionStatus.FINISHED,
                "phase": "wrapup", "phase_minutes": {"checkin": 15.0, "board": 14.0,
                                                     "agenda": 10.0, "one_to_ones": 41.0,
                                                     "goals": 10.0},
                "phase_entered_at": ended, "session_number": number, "series_uid": series_uid,
                "started_at": began, "finished_at": ended,
            }, at(day - timedelta(days=30), 14), facilitator)
            sid = session["id"]
            # plan_session audits the session with its clinicians, not this link row
            w.add(SessionClinician, {"session_id": sid, "staff_id": clinician[0]},
                  at(day - timedelta(days=30), 14), facilitator, audited=False)
            for seat, pid in enumerate(group):
                came = rng.random() > 0.1
                status = AttendanceStatus.ATTENDED if came else AttendanceStatus.DID_NOT_ATTEND
                w.add(Attendance, {
                    "session_id": sid, "patient_id": pid, "status": status,
                    "invitation": InvitationStatus.ACCEPTED, "carer_present": False,
                    "identity_confirmed": False, "private_place": False,
                    "updated_at": at(day, 10, seat),
                }, at(day, 10, seat), facilitator, pid)
                if not came:
                    continue
                for kind in ConsentKind:
                    w.add(Consent, {
                        "session_id": sid, "patient_id": pid, "kind": kind, "given": True,
                        "recorded_at": at(day, 10, seat), "recorded_by_id": facilitator[0],
                    }, at(day, 10, seat), facilitator, pid)
                taken = at(day, 10, 5 + seat)
                reading = str(uuid.uuid4())
                weight = round(rng.uniform(62, 118), 1)
                for key, value, uid in (
                    ("systolic_bp", rng.randint(112, 168), reading),
                    ("diastolic_bp", rng.randint(66, 98), reading),
                    ("pulse", rng.randint(58, 96), None),
                    ("weight", weight, None),
                    ("bmi", validation.bmi(weight, heights[pid] * 100), None),
                ):
                    measurement(pid, key, float(value), taken, Source.IN_SESSION, facilitator,
                                sid, uid)
                for key in QUESTIONNAIRES:
                    answers = _answers(key, rng)
                    scored = questionnaires.score(key, answers)
                    w.add(QuestionnaireResponse, {
                        "uid": str(uuid.uuid4()), "session_id": sid, "patient_id": pid,
                        "questionnaire_key": key, "answers": answers, "score": scored.value,
                        "raw": scored.raw, "complete": scored.complete,
                        "entered_by_id": facilitator[0], "entered_at": taken,
                    }, taken, facilitator, pid)
                    answers_done += 1
                w.add(Review, {
                    "session_id": sid, "patient_id": pid,
                    "notes": "Reviewed results with the group.",
                    "findings": [{"code": "", "term": "Diabetic review done in group"}],
                    "medication_changes": [], "actions": [], "safety_netting": "Usual advice.",
                    "documented_by_id": clinician[0], "on_behalf_of_id": None,
                    "seconds_spent": 240, "updated_at": at(day, 11, seat),
                }, at(day, 11, seat), clinician, pid)
                w.add(Goal, {
                    "uid": str(uuid.uuid4()), "session_id": sid, "patient_id": pid,
                    "text": "Walk a little further each week", "what_matters": "",
                    "confidence": rng.randint(4, 10), "review_date": day + timedelta(days=91),
                    "outcome": None, "outcome_recorded_at": None, "set_by_id": facilitator[0],
                    "created_at": at(day, 11, 20),
                }, at(day, 11, 20), facilitator, pid)
        if len(w.trail.rows) > 50_000:
            w.flush()

    # ---- results from the GP record, spread over each person's years in the programme
    left = max(0, size.measurements - already - w.created.get(Measurement, 0))
    per_person = left / max(1, len(people))
    owed = 0.0
    for person in people:
        pid = person["id"]
        owed += per_person
        count = int(owed)
        owed -= count
        first = joined_on[pid]
        span = max(30, (end - first).days)
        step = span / max(1, count)
        made_here = 0
        slot = 0
        while made_here < count:
            day = first + timedelta(days=round(slot * step))
            slot += 1
            taken = at(day, 9)
            kind = slot % 4
            if kind == 0 and made_here + 2 <= count:
                reading = str(uuid.uuid4())
                measurement(pid, "systolic_bp", float(rng.randint(112, 170)), taken,
                            Source.GP_RECORD, system, None, reading)
                measurement(pid, "diastolic_bp", float(rng.randint(64, 100)), taken,
                            Source.GP_RECORD, system, None, reading)
                made_here += 2
                continue
            key, value = (
                ("hba1c", float(rng.randint(42, 92))),
                ("total_cholesterol", round(rng.uniform(3.2, 6.8), 1)),
                ("egfr", float(rng.randint(45, 95))),
                ("hba1c", float(rng.randint(42, 92))),
            )[kind]
            measurement(pid, key, value, taken, Source.GP_RECORD, system)
            made_here += 1
        if len(w.trail.rows) > 50_000:
            w.flush()
    return {"generator_version": GENERATOR_VERSION, "sessions_generated": made,
            "responses_generated": answers_done, "regulars": newest_group}


def _answers(key: str, rng: random.Random) -> dict[str, Any]:
    if key == "swemwbs":
        return {f"item{i}": rng.randint(1, 5) for i in range(1, 8)}
    if key == "confidence":
        return {"confidence": rng.randint(2, 10)}
    if key == "activity":
        return {"minutes": rng.choice((0, 30, 60, 90, 150, 210))}
    if key == "pam":
        return {"score": round(rng.uniform(40, 80), 1), "level": rng.randint(1, 4)}
    return {"overall": rng.choice((1, 1, 1, 2, 2, 3))}
