"""The Clinic facade: importing a cohort from a GP system search, in one transaction."""

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple, cast

from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from groupclinic_desktop.core import audit, changes, cohort, outbox, targets, validation
from groupclinic_desktop.core.cohort import (
    CohortFile,
    CohortRow,
    ImportOutcome,
    ImportResult,
    Progress,
    Result,
    Stage,
    Stages,
)
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.facade.base import (
    Actor,
    ClinicBase,
    _get_in,
)
from groupclinic_desktop.core.facade.checkin import new_measurement
from groupclinic_desktop.core.facade.organisation import member_or_refuse
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.rows import Rows, table_of
from groupclinic_desktop.core.schema import (
    AuditEntry,
    ConsentKind,
    Enrolment,
    Measurement,
    OutboxEvent,
    Patient,
    PersonalTarget,
    Programme,
    Setting,
    Source,
    utcnow,
)


class CohortImportArea(ClinicBase):
    """Importing a cohort from a GP system search, in one transaction."""

    COHORT_MAPPING_KEY = "cohort_import.mapping"
    CONSENT_WORDING_KEY = "session_pack.consent_wording"
    COHORT_CHUNK = 500  # rows per flush: few round trips, bounded memory

    def cohort_mapping(self) -> dict[str, str]:
        """The practice's remembered column choices for GP search exports: title -> target."""
        value = self.setting(self.COHORT_MAPPING_KEY, {})
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}

    def remember_cohort_mapping(self, choices: dict[str, str]) -> None:
        """Add the mapping screen's choices (column title -> target, "" = ignore) to the store."""
        actor = self._require(Permission.PLAN)
        merged = {**self.cohort_mapping(), **{k.strip(): v for k, v in choices.items()}}
        self._save_setting(actor, self.COHORT_MAPPING_KEY, merged)

    def consent_wording(self) -> dict[str, Any] | None:
        """The practice's own confidentiality and consent wording, or None for the default."""
        value = self.setting(self.CONSENT_WORDING_KEY)
        return value if isinstance(value, dict) else None

    def set_consent_wording(self, wording: dict[str, Any] | None) -> None:
        """Save the practice's wording (same fields as resources/consent_wording.toml); None
        goes back to the default."""
        actor = self._require(Permission.PLAN)
        kinds = [k.value for k in ConsentKind]
        checked = None if wording is None else validation.check_wording(wording, kinds)
        self._save_setting(actor, self.CONSENT_WORDING_KEY, checked)

    def import_cohort_file(
        self,
        source: Path | CohortFile,
        programme_id: int,
        *,
        mapping: Sequence[str] | None = None,
        valid_rows_only: bool = False,
        rejected_to: Path | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        stage: Stages | None = None,
    ) -> ImportOutcome:
        """Check a GP search export and, when it passes (or only valid rows are wanted), import
        it in one transaction (import_cohort). A file with any bad row is refused whole, its
        report naming each row, column, value and reason, and nothing is written.

        Without a mapping the practice's remembered choices and the known spellings are used.
        """
        found = source if isinstance(source, CohortFile) else cohort.read_csv(source)
        if mapping is None:
            mapping = cohort.recognise(found.headers, self.cohort_mapping())
        members = {m.ods_code for m in self.member_practices()}  # type: ignore[attr-defined]
        if stage is not None:
            stage(Stage.CHECKING)
        result = cohort.check(found, mapping, members=members)
        if result.mapping_problems or (result.problems and not valid_rows_only):
            return ImportOutcome(result, None)
        if cancel is not None and cancel.is_set():  # nothing written yet
            return ImportOutcome(result, ImportResult(cancelled=True))
        rejected_file = None
        if result.problems:
            target_file = rejected_to or cohort.rejected_path(found.path or Path("cohort.csv"))
            rejected_file = cohort.write_rejected(result, target_file)
        written = self.import_cohort(
            result.rows, programme_id, progress=progress, cancel=cancel, stage=stage,
            file_name=found.path.name if found.path is not None else None,
        )
        return ImportOutcome(result, written, rejected_file)

    def import_cohort(
        self,
        rows: Sequence[CohortRow],
        programme_id: int,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        file_name: str | None = None,
        stage: Stages | None = None,
    ) -> ImportResult:
        """Write checked cohort rows in ONE transaction: people matched by NHS number (created or
        updated), enrolled in the programme, and their results stored from the GP record unless
        already held (same person, measure, day and value). Results have their outbox events,
        as record_measurement writes them.

        The audit trail has one entry per row that changed anything: who imported it and when,
        the file's name and the row's number, and what the row wrote (the person as created,
        or before and after an update; the enrolment; each result with its id and value), so
        every imported value stays attributable. One more entry records the import as a whole.

        `cancel` is checked between rows; when set, everything is rolled back and the result says
        cancelled. `progress(done, total)` is called as rows are processed, and `stage` as the
        import moves from the safety copy to writing to saving (cohort.Stage).
        """
        def say(now: Stage) -> None:
            if stage is not None:
                stage(now)

        actor = self._require(Permission.PLAN)
        total = len(rows)
        if total:
            # An import touches many people at once: a copy of the store as it was, first.
            say(Stage.COPYING)
            self.safety_copy("before-import")  # type: ignore[attr-defined]
        step = max(1, total // 200)
        counts = {"created": 0, "updated": 0, "unchanged": 0, "enrolled": 0, "added": 0, "held": 0}
        patient_ids: list[int] = []
        try:
            with self._write() as s, _roomy_cache(s):
                _get_in(s, Programme, programme_id, "programme")
                # Everyone is plain column values: the people of the file the store holds
                # already (read as the ORM reads them) and the new, written in bulk.
                people = _held_people(s, [r.nhs_number for r in rows])
                fresh: set[str] = set()  # the new people's NHS numbers
                enrolled = set(
                    s.exec(
                        select(Enrolment.patient_id).where(Enrolment.programme_id == programme_id)
                    )
                )
                gp_record = self._rows_in(s).bound(Measurement, "source", Source.GP_RECORD)
                history = _history(s, [p["id"] for p in people.values()], gp_record)
                # Each event's status follows the one rule, with the person's own targets.
                active = s.exec(
                    select(PersonalTarget)
                    .where(PersonalTarget.active == True)  # noqa: E712
                    .order_by(col(PersonalTarget.id))
                ).all()
                personal = targets.personal_levels(active)
                bulk = _BulkWriter(s, actor, self._rows_in(s))
                say(Stage.WRITING)
                registered: dict[str | None, str] = {}  # checked registered practices
                done = 0
                for start in range(0, total, self.COHORT_CHUNK):
                    chunk = rows[start : start + self.COHORT_CHUNK]
                    for row in chunk:
                        if cancel is not None and cancel.is_set():
                            raise _ImportCancelled
                        validation.parse_nhs_number(row.nhs_number)  # trust, but verify
                        known = people.get(row.nhs_number)
                        code: str | None = None
                        held_ods = None if known is None else known["registered_ods"]
                        if row.registered_ods is not None or held_ods is None:
                            code = registered.get(row.registered_ods)
                            if code is None:
                                try:
                                    code = member_or_refuse(s, row.registered_ods)
                                except InvalidInput as exc:
                                    raise InvalidInput(f"Row {row.line}: {exc}") from None
                                registered[row.registered_ods] = code
                        if row.nhs_number in fresh:  # check() refuses this too
                            raise InvalidInput(
                                f"Row {row.line}: NHS number: this person is already on an "
                                "earlier row",
                                field="NHS number",
                            )
                        # What this row wrote, for its one audit entry.
                        written: dict[str, Any] = {"file": file_name, "row": row.line}
                        before: dict[str, Any] | None = None
                        if known is None:
                            person = bulk.new_patient(row, code)
                            people[row.nhs_number] = person
                            fresh.add(row.nhs_number)
                            counts["created"] += 1
                            pid = person["id"]
                            who = (person["date_of_birth"], person["sex"], person["hypo_risk"])
                            # Blank columns are left out: a new person's blanks say nothing.
                            written["patient"] = {
                                k: v for k, v in audit.plain(person).items() if v is not None
                            }
                        else:
                            was = audit.plain(known)  # a copy, JSON-ready
                            filled = known["registered_ods"] is None and code is not None
                            if filled:
                                known["registered_ods"] = code
                            changed = _apply_cohort_row(known, row) or filled
                            counts["updated" if changed else "unchanged"] += 1
                            pid = int(known["id"])
                            if changed:
                                after = audit.plain(known)
                                bulk.driver.update(Patient, {"id": pid}, {
                                    name: known[name] for name in after
                                    if after[name] != was[name]
                                })
                                before = {"patient": was}
                                written["patient"] = after
                            who = (known["date_of_birth"], known["sex"], known["hypo_risk"])
                        patient_ids.append(pid)
                        if pid not in enrolled:
                            enrolled.add(pid)
                            counts["enrolled"] += 1
                            enrolment = {
                                "patient_id": pid,
                                "programme_id": programme_id,
                                "enrolled_at": bulk.now,
                                "active": True,
                            }
                            written["enrolment"] = {
                                "id": bulk.insert(Enrolment, enrolment),
                                "programme_id": programme_id,
                                "active": True,
                            }
                        results = _import_results(bulk, pid, who, row, history, personal)
                        if results:
                            written["measurements"] = results
                            counts["added"] += len(results)
                        if len(written) > 2:  # the row changed something
                            bulk.row_entry(pid, written, before)
                        done += 1
                        if progress is not None and (done % step == 0 or done == total):
                            progress(done, total)
                    counts["held"] += sum(len(r.results) for r in chunk)
                    bulk.write()
                if cancel is not None and cancel.is_set():
                    raise _ImportCancelled
                bulk.close({
                    "file": file_name,
                    "programme_id": programme_id,
                    "source": Source.GP_RECORD.value,
                    "rows": total,
                    **{k: v for k, v in counts.items() if k != "held"},
                })
                say(Stage.SAVING)  # the commit, as the block ends
        except _ImportCancelled:
            return ImportResult(cancelled=True)
        return ImportResult(
            created=counts["created"],
            updated=counts["updated"],
            unchanged=counts["unchanged"],
            enrolled=counts["enrolled"],
            measurements_added=counts["added"],
            measurements_already_held=counts["held"] - counts["added"],
            patient_ids=tuple(dict.fromkeys(patient_ids)),
        )


IMPORT_CACHE_KIB = 64 * 1024


@contextmanager
def _roomy_cache(s: Session) -> Iterator[None]:
    """A bigger page cache for the import's connection while it writes: 260,000 new rows go
    into a dozen indexes, and with SQLite's default 2 MB their pages were read, decrypted,
    spilled and encrypted again many times over. Set back afterwards."""
    connection = s.connection()
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")


def _held_people(s: Session, numbers: list[str]) -> dict[str, dict[str, Any]]:
    """The people of the file the store holds already, by NHS number: every column, converted
    as the ORM converts them, as plain values (not ORM objects: a bulk write updates them with
    the quick row helpers)."""
    table = table_of(Patient)
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(numbers), 500):  # SQLite's limit on parameters, with room
        query = sa_select(table).where(table.c.nhs_number.in_(numbers[start : start + 500]))
        for row in s.connection().execute(query):
            found[row.nhs_number] = dict(row._mapping)
    return found


class _NewResult(NamedTuple):
    """The parts of a new measurement its outbox payload reads (instead of building the row)."""

    type_key: str
    value: float
    unit: str
    taken_at: datetime
    source: Source


def _import_results(
    bulk: "_BulkWriter",
    patient_id: int,
    who: tuple[date, Any, bool],
    row: CohortRow,
    history: dict[tuple[int, str], list["_Held"]],
    personal: dict[int, dict[str, targets.PersonalLevel]],
) -> list[dict[str, Any]]:
    """Add a person's GP-record results not already held; returns what was added, as the row's
    audit entry records each. `who`: their date of birth, sex and hypoglycaemia risk, for each
    event's status."""
    added: list[dict[str, Any]] = []
    readings: dict[int, str] = {}
    born, sex, hypo_risk = who
    for result in row.results:
        held = history.setdefault((patient_id, result.key), [])
        taken_at, taken_text, stored, day = bulk.noon_of(result.taken_on)
        if any(m.from_gp and m.day == day and m.value == result.value for m in held):
            continue
        earlier = [m for m in held if m.day < day]
        previous = max(earlier, key=lambda m: m.taken, default=None)
        reading = None
        if result.reading is not None:
            reading = readings.get(result.reading)
            if reading is None:
                reading = readings[result.reading] = bulk.uids.next()
        values = new_measurement(
            patient_id,
            None,
            result.key,
            result.value,
            taken_at,
            Source.GP_RECORD,
            reading,
            result.unusual,
            bulk.actor.id,
            uid=bulk.uids.next(),
        )
        values["entered_at"] = bulk.now
        measurement_id = bulk.insert(Measurement, values)
        held.append(_Held(day, stored, values["value"], True))
        # The value as stored, by id; its unit is its measure's, its source the GP record.
        entry = {"id": measurement_id, "type_key": result.key, "value": values["value"],
                 "taken_at": taken_text}
        if result.unusual:
            entry["confirmed_unusual"] = True
        added.append(entry)
        if not outbox.is_sent_measure(result.key):
            continue  # a measure outside the monitoring dataset stays on the laptop
        measurement = _NewResult(
            result.key, values["value"], values["unit"], taken_at, Source.GP_RECORD
        )
        own = personal.get(patient_id, {})
        person = targets.Person.on(
            result.taken_on, born=born, sex=sex, hypo_risk=hypo_risk, personal=own
        ) if result.key in own else None
        bulk.event(
            "measurement",
            outbox.measurement_payload(
                None,
                patient_id,
                person or targets.ANYONE,
                cast(Measurement, measurement),
                None if previous is None else previous.value,
                status=None if person else bulk.status(result, values["value"], who),
            ),
        )
    if added:
        changes.note("measurement", patient_id)
    return added


class _ImportCancelled(Exception):
    """Raised inside the import's transaction so that cancelling rolls all of it back."""


class _Held(NamedTuple):
    """What the import needs of a result already held: enough to skip it or find the previous.
    Times are the stored text (UTC, fixed width, so they sort as the times do)."""

    day: str  # YYYY-MM-DD (UTC), as a result's date in the file is compared with it
    taken: str
    value: float
    from_gp: bool


def _history(
    s: Session, patient_ids: list[int | None], gp_record: str
) -> dict[tuple[int, str], list[_Held]]:
    """The results already held for the people in the file (not the whole store), by person and
    measure: plain columns as stored, not ORM objects or converted values (a ten-year store
    holds 200,000). `gp_record`: the GP-record source as stored."""
    history: dict[tuple[int, str], list[_Held]] = {}
    wanted = sorted({pid for pid in patient_ids if pid is not None})
    connection = s.connection()
    for start in range(0, len(wanted), 500):  # SQLite's limit on parameters, with room to spare
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        found = connection.exec_driver_sql(
            "SELECT patient_id, type_key, taken_at, value, source FROM measurement"
            f" WHERE patient_id IN ({marks})",
            tuple(chunk),
        )
        for pid, key, taken, value, source in found:
            history.setdefault((pid, key), []).append(
                _Held(taken[:10], taken, value, source == gp_record)
            )
    return history


class _BulkWriter:
    """Rows, their audit entries and outbox events for a bulk write, inserted in batches.

    One ORM flush per object and audit.append's "last hash" query per entry cost milliseconds a
    row; a 20,000-row import cannot afford that. Inside our own write transaction (BEGIN
    IMMEDIATE) nobody else can write, so we hand out ids ourselves and chain hashes in memory.
    The rows go to the driver in one executemany per table and batch, each value through its
    column's own bind processor (core.rows), so they are stored exactly as the ORM stores them.
    Everything the import writes carries one time, `now`: it is one transaction, all or nothing.
    """

    TABLES = (Patient, Enrolment, Measurement, OutboxEvent, AuditEntry)

    def __init__(self, s: Session, actor: Actor, rows: Rows) -> None:
        from sqlalchemy import func

        self.s, self.actor, self.driver = s, actor, rows
        self.now = utcnow()
        self.next_id: dict[type[SQLModel], int] = {
            model: (s.exec(select(func.max(model.id))).one() or 0) + 1
            for model in self.TABLES
        }
        last = s.exec(select(AuditEntry.hash).order_by(col(AuditEntry.id).desc()).limit(1))
        self.chain = audit.BulkChain(
            last.first() or audit.GENESIS, at=self.now, user_id=actor.id, user_name=actor.name
        )
        self.last_audit_id: int | None = None
        self.rows: dict[type[SQLModel], list[dict[str, Any]]] = {m: [] for m in self.TABLES}
        self.noons: dict[date, tuple[datetime, str, str, str]] = {}
        self.thresholds: dict[tuple[str, int | None, Any, bool], targets.Threshold | None] = {}
        self.statuses: dict[tuple[tuple[str, int | None, Any, bool], float], targets.Status] = {}
        self.uids = _Uids()
        fields = Patient.model_fields.items()
        self.patient_defaults = {
            name: field.default for name, field in fields
            if field.default_factory is None and not field.is_required()
        }
        self.patient_factories = {
            name: field.default_factory for name, field in fields if field.default_factory
        }

    def status(self, result: Result, value: float, who: tuple[date, Any, bool]) -> targets.Status:
        """A value's status for someone with no personal level for its measure: the
        catalogue's level for their age on the day, sex and hypoglycaemia risk, looked up
        once per such group (targets.threshold_for, the board's rule) instead of per value."""
        born, sex, hypo_risk = who
        age = targets.age_on(born, result.taken_on) if born is not None else None
        level = (result.key, age, sex, bool(hypo_risk))
        found = self.statuses.get((level, value))  # GP values repeat too
        if found is None:
            if level not in self.thresholds:
                person = targets.Person.on(
                    result.taken_on, born=born, sex=sex, hypo_risk=hypo_risk
                )
                self.thresholds[level] = targets.threshold_for(result.key, person)
            threshold = self.thresholds[level]
            found = targets.Status.NO_TARGET if threshold is None else threshold.status(value)
            self.statuses[(level, value)] = found
        return found

    def noon_of(self, day: date) -> tuple[datetime, str, str, str]:
        """A GP result's time (noon UTC on its day: the record gives the day only), its text
        for the audit entry, its stored text and its day's, worked out once per day: a search
        dates most results alike."""
        found = self.noons.get(day)
        if found is None:
            at = datetime.combine(day, time(12), tzinfo=UTC)
            stored = str(self.driver.bound(Measurement, "taken_at", at))
            found = self.noons[day] = (at, at.isoformat(), stored, stored[:10])
        return found

    def new_patient(self, row: CohortRow, registered: str | None) -> dict[str, Any]:
        """A new person's column values from a checked row (every column, as the model's
        defaults fill them), queued."""
        values: dict[str, Any] = dict(self.patient_defaults)
        for name, make in self.patient_factories.items():
            values[name] = self.now if make is utcnow else make()  # type: ignore[call-arg]
        values.update(
            id=self._take_id(Patient),
            nhs_number=row.nhs_number,
            given_name=row.given_name,
            family_name=row.family_name,
            date_of_birth=row.date_of_birth,
        )
        if values.get("registered_ods") is None:
            values["registered_ods"] = registered
        _apply_cohort_row(values, row)
        self.rows[Patient].append(values)
        changes.note("patient", values["id"])
        return values

    def event(self, event_type: str, payload: dict[str, Any]) -> None:
        """Queue an outbox event."""
        event = outbox.new_event(event_type, payload, uid=self.uids.next())
        event["id"], event["occurred_at"] = self._take_id(OutboxEvent), self.now
        self.rows[OutboxEvent].append(event)

    def _take_id(self, model: type[SQLModel]) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def insert(self, model: type[SQLModel], values: dict[str, Any]) -> int:
        """Queue a new row with every column's value (its id is given here, in `values`);
        returns the new id. Its audit is the row's entry (row_entry)."""
        values["id"] = self._take_id(model)
        self.rows[model].append(values)
        if model is Enrolment:
            changes.note("enrolment", values["patient_id"])
        return int(values["id"])

    def row_entry(
        self, patient_id: int, written: dict[str, Any], before: dict[str, Any] | None
    ) -> None:
        """The audit entry of one row of the file: what it wrote for this person."""
        if before is not None:
            changes.note("patient", patient_id)  # an update (a new person is noted already)
        self.audit("import", "patient", patient_id, written, patient_id, before)

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: int | None,
        after: dict[str, Any],
        patient_id: int | None,
        before: dict[str, Any] | None = None,
    ) -> None:
        values = self.chain.entry(action, entity, entity_id, patient_id, before, after)
        values["id"] = self.last_audit_id = self._take_id(AuditEntry)
        self.rows[AuditEntry].append(values)

    def write(self) -> None:
        # People first: everything else points at them (foreign keys are checked as rows go in).
        for model in self.TABLES:
            queued = self.rows[model]
            if queued:
                names = tuple(queued[0])
                in_order = itemgetter(*names)
                # An audit entry's `after` is its JSON text already (audit.new_bulk_entry).
                ready = ("after",) if model is AuditEntry else ()
                self.driver.insert_many(
                    model, names, [in_order(v) for v in queued], ready=ready
                )
                queued.clear()

    def close(self, summary: dict[str, Any]) -> None:
        """Write what is queued, with one entry for the import as a whole when it wrote
        anything, and move the audit head anchor to our last entry."""
        if self.last_audit_id is not None:
            changes.note("cohort_file")
            self.audit("import", "cohort_file", None, summary, None)
        self.write()
        if self.last_audit_id is None:
            return
        head = self.s.get(Setting, audit.HEAD_KEY) or Setting(key=audit.HEAD_KEY)
        head.value = {"id": self.last_audit_id, "hash": self.chain.last_hash}
        self.s.add(head)


class _Uids:
    """Fresh random (version 4) UUIDs, as uuid.uuid4() makes them, from one read of the OS's
    random source per batch: an import makes one for each result, reading and event."""

    BATCH = 4096

    def __init__(self) -> None:
        self._ready: list[str] = []

    def next(self) -> str:
        if not self._ready:
            raw = bytearray(os.urandom(16 * self.BATCH))
            raw[6::16] = bytes((b & 0x0F) | 0x40 for b in raw[6::16])  # version 4
            raw[8::16] = bytes((b & 0x3F) | 0x80 for b in raw[8::16])  # RFC 4122 variant
            text = raw.hex()
            self._ready = [
                f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
                for h in (text[i : i + 32] for i in range(0, len(text), 32))
            ]
        return self._ready.pop()


_COHORT_FIELDS = (
    "given_name", "family_name", "date_of_birth", "sex", "mobile", "preferred_name",
    "ethnic_category", "imd_decile", "imd_quintile", "preferred_language",
    "interpreter_needed", "is_carer", "registered_ods",
)


def _apply_cohort_row(patient: dict[str, Any], row: CohortRow) -> bool:
    """Copy what the GP record says onto the person's column values; blanks in the file change
    nothing."""
    changed = False
    for name in _COHORT_FIELDS:
        value = getattr(row, name)
        if value is not None and patient.get(name) != value:
            patient[name] = value
            changed = True
    return changed
