"""The Clinic facade: importing a cohort from a GP system search, in one transaction."""

import threading
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from groupclinic_desktop.core import audit, outbox, targets, validation
from groupclinic_desktop.core.cohort import CohortRow, ImportResult, Progress
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.facade.base import (
    Actor,
    ClinicBase,
    _get_in,
    snapshot,
)
from groupclinic_desktop.core.facade.checkin import new_measurement
from groupclinic_desktop.core.facade.organisation import member_or_refuse
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.rows import table_of
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

    def import_cohort(
        self,
        rows: Sequence[CohortRow],
        programme_id: int,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> ImportResult:
        """Write checked cohort rows in ONE transaction: people matched by NHS number (created or
        updated), enrolled in the programme, and their results stored from the GP record unless
        already held (same person, measure, day and value). Each change has its audit entry and
        results their outbox events, as record_measurement writes them.

        `cancel` is checked between rows; when set, everything is rolled back and the result says
        cancelled. `progress(done, total)` is called as rows are processed.
        """
        actor = self._require(Permission.PLAN)
        total = len(rows)
        if total:
            self.backup(reason="before-import")  # an import touches many people at once
        step = max(1, total // 200)
        counts = {"created": 0, "updated": 0, "unchanged": 0, "enrolled": 0, "added": 0, "held": 0}
        patient_ids: list[int] = []
        try:
            with self._write() as s:
                _get_in(s, Programme, programme_id, "programme")
                people = {p.nhs_number: p for p in s.exec(select(Patient))}
                enrolled = set(
                    s.exec(
                        select(Enrolment.patient_id).where(Enrolment.programme_id == programme_id)
                    )
                )
                history = _history(s, [people[r.nhs_number].id for r in rows
                                       if r.nhs_number in people])
                # Each event's status follows the one rule, with the person's own targets.
                active = s.exec(
                    select(PersonalTarget)
                    .where(PersonalTarget.active == True)  # noqa: E712
                    .order_by(col(PersonalTarget.id))
                ).all()
                personal = targets.personal_levels(active)
                bulk = _BulkWriter(s, actor)
                registered: dict[str | None, str] = {}  # checked registered practices
                done = 0
                for start in range(0, total, self.COHORT_CHUNK):
                    chunk = rows[start : start + self.COHORT_CHUNK]
                    changes: list[tuple[Patient, dict[str, Any] | None, bool]] = []
                    for row in chunk:
                        if cancel is not None and cancel.is_set():
                            raise _ImportCancelled
                        validation.parse_nhs_number(row.nhs_number)  # trust, but verify
                        patient = people.get(row.nhs_number)
                        before = snapshot(patient) if patient is not None else None
                        if patient is None:
                            patient = Patient(
                                nhs_number=row.nhs_number,
                                given_name=row.given_name,
                                family_name=row.family_name,
                                date_of_birth=row.date_of_birth,
                            )
                            people[row.nhs_number] = patient
                            s.add(patient)
                        if row.registered_ods is not None or patient.registered_ods is None:
                            code = registered.get(row.registered_ods)
                            if code is None:
                                try:
                                    code = member_or_refuse(s, row.registered_ods)
                                except InvalidInput as exc:
                                    raise InvalidInput(f"Row {row.line}: {exc}") from None
                                registered[row.registered_ods] = code
                            if patient.registered_ods is None:
                                patient.registered_ods = code
                        changed = _apply_cohort_row(patient, row)
                        outcome = "created" if before is None else "updated"
                        counts[outcome if before is None or changed else "unchanged"] += 1
                        changes.append((patient, before, changed))
                        done += 1
                        if progress is not None and (done % step == 0 or done == total):
                            progress(done, total)
                    s.flush()  # the new people's ids, for everything that points at them
                    for (patient, before, changed), row in zip(changes, chunk, strict=True):
                        assert patient.id is not None
                        patient_ids.append(patient.id)
                        if before is None or changed:
                            action = "update" if before else "create"
                            bulk.audit(action, patient, snapshot(patient), patient.id, before)
                        if patient.id not in enrolled:
                            enrolled.add(patient.id)
                            counts["enrolled"] += 1
                            enrolment = {
                                "patient_id": patient.id,
                                "programme_id": programme_id,
                                "enrolled_at": utcnow(),
                                "active": True,
                            }
                            bulk.insert(Enrolment, enrolment, patient.id)
                        counts["added"] += self._import_results(
                            bulk, patient, row, history, personal
                        )
                    counts["held"] += sum(len(r.results) for r in chunk)
                    bulk.write()
                bulk.close()
                if cancel is not None and cancel.is_set():
                    raise _ImportCancelled
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

    def _import_results(
        self,
        bulk: "_BulkWriter",
        patient: Patient,
        row: CohortRow,
        history: dict[tuple[int, str], list["_Held"]],
        personal: dict[int, dict[str, targets.PersonalLevel]],
    ) -> int:
        """Add a person's GP-record results not already held; returns how many were added."""
        assert patient.id is not None
        added = 0
        readings: dict[int, str] = {}
        for result in row.results:
            held = history.setdefault((patient.id, result.key), [])
            if any(
                m.source == Source.GP_RECORD
                and m.taken_at.date() == result.taken_on
                and m.value == result.value
                for m in held
            ):
                continue
            earlier = [m for m in held if m.taken_at.date() < result.taken_on]
            previous = max(earlier, key=lambda m: m.taken_at, default=None)
            reading = None
            if result.reading is not None:
                reading = readings.setdefault(result.reading, str(uuid.uuid4()))
            values = new_measurement(
                patient.id,
                None,
                result.key,
                result.value,
                datetime.combine(result.taken_on, time(12), tzinfo=UTC),
                Source.GP_RECORD,
                reading,
                result.unusual,
                bulk.actor.id,
            )
            measurement = bulk.insert(Measurement, values, patient.id)
            held.append(_Held(measurement.taken_at, measurement.value, Source.GP_RECORD))
            added += 1
            if not outbox.is_sent_measure(measurement.type_key):
                continue  # a measure outside the monitoring dataset stays on the laptop
            bulk.event(
                "measurement",
                outbox.measurement_payload(
                    None,
                    patient.id,
                    targets.Person.on(
                        result.taken_on,
                        born=patient.date_of_birth,
                        sex=patient.sex,
                        hypo_risk=patient.hypo_risk,
                        personal=personal.get(patient.id, {}),
                    ),
                    measurement,
                    None if previous is None else previous.value,
                ),
            )
        return added


class _ImportCancelled(Exception):
    """Raised inside the import's transaction so that cancelling rolls all of it back."""


class _Held(NamedTuple):
    """What the import needs of a result already held: enough to skip it or find the previous."""

    taken_at: datetime
    value: float
    source: Source


def _history(s: Session, patient_ids: list[int | None]) -> dict[tuple[int, str], list[_Held]]:
    """The results already held for the people in the file (not the whole store), by person and
    measure: three plain columns, not ORM objects (a ten-year store holds 200,000)."""
    history: dict[tuple[int, str], list[_Held]] = {}
    table = Measurement.__table__  # type: ignore[attr-defined]
    wanted = sorted({pid for pid in patient_ids if pid is not None})
    for start in range(0, len(wanted), 500):  # SQLite's limit on parameters, with room to spare
        query = sa_select(
            table.c.patient_id, table.c.type_key, table.c.taken_at, table.c.value,
            table.c.source,
        ).where(table.c.patient_id.in_(wanted[start : start + 500]))
        for pid, key, taken, value, source in s.connection().execute(query):
            history.setdefault((pid, key), []).append(_Held(taken, value, source))
    return history


Row = TypeVar("Row", bound=SQLModel)


class _BulkWriter:
    """Rows, their audit entries and outbox events for a bulk write, inserted in batches.

    One ORM flush per object and audit.append's "last hash" query per entry cost milliseconds a
    row; a 20,000-row import cannot afford that. Inside our own write transaction (BEGIN
    IMMEDIATE) nobody else can write, so we hand out ids ourselves and chain hashes in memory.
    """

    TABLES = (Enrolment, Measurement, OutboxEvent, AuditEntry)

    def __init__(self, s: Session, actor: Actor) -> None:
        from sqlalchemy import func

        self.s, self.actor = s, actor
        s.flush()
        self.next_id: dict[type[SQLModel], int] = {
            model: (s.exec(select(func.max(model.id))).one() or 0) + 1
            for model in self.TABLES
        }
        last = s.exec(select(AuditEntry.hash).order_by(col(AuditEntry.id).desc()).limit(1))
        self.last_hash = last.first() or audit.GENESIS
        self.last_audit_id: int | None = None
        self.rows: dict[type[SQLModel], list[dict[str, Any]]] = {m: [] for m in self.TABLES}

    def event(self, event_type: str, payload: dict[str, Any]) -> None:
        """Queue an outbox event."""
        event = {"id": self._take_id(OutboxEvent), **outbox.new_event(event_type, payload)}
        self.rows[OutboxEvent].append(event)

    def _take_id(self, model: type[SQLModel]) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def insert(self, model: type[Row], values: dict[str, Any], patient_id: int | None) -> Row:
        """Queue a new row with every column's value (its id is given here) and its audit
        entry. The row is built with model_construct: the values are checked already, and
        full construction of 60,000 rows is a good part of a large import's time."""
        values = {"id": self._take_id(model), **values}
        row = cast(Row, model.model_construct(**values))
        self.rows[model].append(values)
        self.audit("create", row, values, patient_id)
        return row

    def audit(
        self,
        action: str,
        row: SQLModel,
        after: dict[str, Any],
        patient_id: int | None,
        before: dict[str, Any] | None = None,
    ) -> None:
        values = audit.new_entry(
            self.last_hash,
            user_id=self.actor.id,
            user_name=self.actor.name,
            action=action,
            entity=str(type(row).__tablename__),
            entity_id=getattr(row, "id", None),
            patient_id=patient_id,
            before=before,
            after=after,
        )
        values["id"] = self._take_id(AuditEntry)
        self.last_hash, self.last_audit_id = values["hash"], values["id"]
        self.rows[AuditEntry].append(values)

    def write(self) -> None:
        # Core inserts of the tables, not the ORM's bulk path: these rows have every value.
        connection = self.s.connection()
        for model in self.TABLES:
            if self.rows[model]:
                table = table_of(model)
                connection.execute(table.insert(), self.rows[model])
                self.rows[model].clear()

    def close(self) -> None:
        """Write what is queued and move the audit head anchor to our last entry."""

        self.write()
        if self.last_audit_id is None:
            return
        head = self.s.get(Setting, audit.HEAD_KEY) or Setting(key=audit.HEAD_KEY)
        head.value = {"id": self.last_audit_id, "hash": self.last_hash}
        self.s.add(head)


def _apply_cohort_row(patient: Patient, row: CohortRow) -> bool:
    """Copy what the GP record says onto the person; blanks in the file change nothing."""
    values = {
        "given_name": row.given_name,
        "family_name": row.family_name,
        "date_of_birth": row.date_of_birth,
        "sex": row.sex,
        "mobile": row.mobile,
        "preferred_name": row.preferred_name,
        "ethnic_category": row.ethnic_category,
        "imd_decile": row.imd_decile,
        "imd_quintile": row.imd_quintile,
        "preferred_language": row.preferred_language,
        "interpreter_needed": row.interpreter_needed,
        "is_carer": row.is_carer,
        "registered_ods": row.registered_ods,
    }
    changed = False
    for name, value in values.items():
        if value is not None and getattr(patient, name) != value:
            setattr(patient, name, value)
            changed = True
    return changed
