"""The Clinic facade: the one door to a practice's data.

The UI, the CLI, the sync worker and the tests all go through it, so every rule lives here once:
who may do what, validation against the catalogue, and one transaction per write that also holds
its audit entry and, where the change belongs to the monitoring dataset, an outbox event.
"""

import logging
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

from filelock import FileLock
from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlmodel import Session, SQLModel, col, select

from groupclinic_desktop.core import audit, auth, outbox, store, validation
from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.cohort import CohortRow, ImportResult, Progress
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed, NotFound, StoreError
from groupclinic_desktop.core.roles import Permission, allows
from groupclinic_desktop.core.schema import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    AuditEntry,
    ClinicSession,
    Consent,
    ConsentKind,
    Enrolment,
    ExportRecord,
    Goal,
    GoalOutcome,
    InvitationStatus,
    Measurement,
    Mode,
    OutboxEvent,
    Patient,
    PersonalTarget,
    Practice,
    Programme,
    QuestionnaireResponse,
    Review,
    Role,
    SessionClinician,
    SessionStatus,
    Setting,
    Sex,
    Source,
    StaffUser,
    utcnow,
)
from groupclinic_desktop.core.wrapup import SessionSummary

log = logging.getLogger(__name__)

BLOOD_PRESSURE = "blood_pressure"
MAX_FAILED_SIGN_INS = 5
LOCKOUT_MINUTES = 5
# GP-record export formats, in the order they are listed in the export log.
EXPORT_FORMATS = ("pdf", "fhir", "csv")


@dataclass(frozen=True)
class Actor:
    """Who is doing something: a signed-in staff user, or the app itself (demo, migrations)."""

    id: int | None
    name: str
    role: Role


SYSTEM = Actor(None, "GroupClinic (system)", Role.ADMIN)


@dataclass(frozen=True)
class RosterEntry:
    attendance: Attendance
    patient: Patient


def snapshot(row: SQLModel) -> dict[str, Any]:
    # A PIN's hash is a secret too: the audit trail (and its CSV export) records only a change.
    values = row.model_dump()
    if "pin_hash" in values:
        values["pin_hash"] = "(hidden)"
    return audit.plain(values)


class Clinic:
    """One open practice store. Use `Clinic.open(data_dir)`; close it when done."""

    def __init__(
        self, location: store.StoreLocation, engine: Engine, key: str, *, read_only: bool = False
    ) -> None:
        self.location = location
        self.read_only = read_only
        self._read_only_failures: dict[int, int] = {}
        self._engine = engine
        self._writer = engine.execution_options(immediate=True)
        self._key = key
        self._actor: Actor | None = None
        self._lock = threading.RLock()
        self._instance_lock: FileLock | None = None

    # ----------------------------------------------------------------- opening and closing

    @classmethod
    def open(
        cls, data_dir: Path | str | None = None, *, create: bool = True, read_only: bool = False
    ) -> "Clinic":
        """Open (or, with create=True, create) the practice store in data_dir.

        read_only=True opens an existing store as it is: no migration, no start-up check, and
        SQLite refuses every write (the way to look at a damaged or newer store safely).
        Raises StoreError (with a `kind`) with a message fit for a person when it cannot be used.
        """
        location = store.StoreLocation(Path(data_dir) if data_dir else store.default_data_dir())
        is_new = not location.exists()
        if is_new and (not create or read_only):
            raise StoreError(f"There is no GroupClinic store in {location.data_dir}.", kind="key")
        lock = store.lock_instance(location)
        try:
            if read_only:
                clinic = cls._open_read_only(location)
            else:
                clinic = cls._open_locked(location, is_new)
        except BaseException:
            lock.release()
            raise
        clinic._instance_lock = lock
        return clinic

    @classmethod
    def _open_locked(cls, location: store.StoreLocation, is_new: bool) -> "Clinic":
        if is_new:
            location.store_id(create=True)
        else:
            store.refuse_plain_file(location.db_path)
        key = store.resolve_key(location, create=is_new)
        if not is_new:
            store.probe_file(location.db_path, key)
        engine = store.make_engine(location.db_path, key)
        try:
            state = "behind" if is_new else store.migration_state(engine)
            if state == "newer":
                raise StoreError(
                    "This store was written by a newer version of GroupClinic. Install that "
                    "version (or newer) to open it; this version will not change it.",
                    kind="newer",
                )
            if not is_new and store.quick_check(engine):
                raise StoreError(
                    f"The store at {location.db_path} is damaged (its start-up check failed). "
                    "Restore the latest good backup (groupclinic recover); nothing was changed.",
                    kind="damaged",
                )
            if state == "behind":
                if not is_new:
                    store.backup_to(
                        engine,
                        location.backup_dir / store.backup_name("before-migration"),
                        key,
                    )
                store.upgrade(engine)
        except DatabaseError:
            engine.dispose()
            raise StoreError(
                f"The store at {location.db_path} is damaged and cannot be read. Restore the "
                "latest good backup (groupclinic recover); nothing was changed.",
                kind="damaged",
            ) from None
        except Exception:
            engine.dispose()
            raise
        log.info("store opened (%s)", "new" if is_new else "existing")
        return cls(location, engine, key)

    def close(self) -> None:
        self._engine.dispose()
        if self._instance_lock is not None:
            self._instance_lock.release()
            self._instance_lock = None

    def __enter__(self) -> "Clinic":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        return self._engine

    # ----------------------------------------------------------------- who is acting

    @property
    def actor(self) -> Actor | None:
        return self._actor

    def sign_in(self, staff_id: int, pin: str) -> Actor:
        """Check a PIN; repeated failures lock the account for a cool-down."""
        if self.read_only:
            return self._sign_in_read_only(staff_id, pin)
        with self._write() as s:
            user = s.get(StaffUser, staff_id)
            if user is None or not user.active:
                raise NotFound("No such staff member.")
            now = utcnow()
            locked_until = _aware(user.locked_until)
            if locked_until and locked_until > now:
                wait = int((locked_until - now).total_seconds() // 60) + 1
                raise NotAllowed(
                    f"Too many wrong PINs for {user.name}. Try again in {wait} minute(s)."
                )
            if not auth.verify_pin(pin, user.pin_hash):
                user.failed_sign_ins += 1
                if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
                    from datetime import timedelta

                    user.locked_until = now + timedelta(minutes=LOCKOUT_MINUTES)
                    user.failed_sign_ins = 0
                s.add(user)
                audit.append(
                    s,
                    user_id=user.id,
                    user_name=user.name,
                    action="sign_in_failed",
                    entity="staff_user",
                    entity_id=user.id,
                )
                # Commit the failure count even though we refuse: raise after the block.
                failed = True
            else:
                user.failed_sign_ins = 0
                user.locked_until = None
                s.add(user)
                audit.append(
                    s,
                    user_id=user.id,
                    user_name=user.name,
                    action="sign_in",
                    entity="staff_user",
                    entity_id=user.id,
                )
                failed = False
            actor = Actor(user.id, user.name, user.role)
        if failed:
            raise NotAllowed("That PIN is not right.")
        self._actor = actor
        return actor

    def sign_out(self) -> None:
        self._actor = None

    @contextmanager
    def acting_as(self, actor: Actor) -> Iterator["Clinic"]:
        """Run writes as a given actor (the system for the demo, a chosen user in tests)."""
        previous = self._actor
        self._actor = actor
        try:
            yield self
        finally:
            self._actor = previous

    def _require(self, permission: Permission) -> Actor:
        actor = self._actor
        if actor is None:
            raise NotAllowed("Sign in first.")
        if actor is not SYSTEM and not allows(actor.role, permission):
            raise NotAllowed(
                f"A {actor.role.value} may not do this ({permission.value.replace('_', ' ')})."
            )
        return actor

    # ----------------------------------------------------------------- transactions

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One durable transaction; on any error nothing of it is kept."""
        if self.read_only:
            raise StoreError(
                "The store is open read-only, so nothing can be changed. Restore a backup or "
                "open it normally to make changes.",
                kind="read_only",
            )
        with self._lock, Session(self._writer, expire_on_commit=False) as s:
            try:
                with s.begin():
                    yield s
            except IntegrityError as exc:
                raise InvalidInput(
                    "That change conflicts with a record already saved; nothing was changed."
                ) from exc

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self._engine, expire_on_commit=False) as s:
            yield s

    def _audit(
        self,
        s: Session,
        actor: Actor,
        action: str,
        row: SQLModel,
        *,
        before: dict[str, Any] | None = None,
        patient_id: int | None = None,
        entity: str | None = None,
    ) -> None:
        s.flush()
        audit.append(
            s,
            user_id=actor.id,
            user_name=actor.name,
            action=action,
            entity=entity or type(row).__tablename__,  # type: ignore[attr-defined]
            entity_id=getattr(row, "id", None),
            patient_id=patient_id,
            before=before,
            after=None if action == "delete" else snapshot(row),
        )

    # ----------------------------------------------------------------- practice and staff

    def practice(self) -> Practice | None:
        with self._read() as s:
            return s.exec(select(Practice)).first()

    def create_practice(self, ods_code: str, name: str, *, is_demo: bool = False) -> Practice:
        actor = self._require(Permission.MANAGE_USERS)
        ods_code = ods_code.strip().upper()
        if not ods_code.isalnum() or not 3 <= len(ods_code) <= 10:
            raise InvalidInput(f"ODS code: '{ods_code}' is not an ODS code.", field="ODS code")
        with self._write() as s:
            if s.exec(select(Practice)).first() is not None:
                raise InvalidInput("This store already holds a practice.")
            practice = Practice(
                ods_code=ods_code, name=_required(name, "Practice name"), is_demo=is_demo
            )
            s.add(practice)
            self._audit(s, actor, "create", practice)
        return practice

    def staff(self, *, active_only: bool = True) -> list[StaffUser]:
        with self._read() as s:
            query = select(StaffUser).order_by(StaffUser.name)
            if active_only:
                query = query.where(StaffUser.active == True)  # noqa: E712
            return list(s.exec(query))

    def add_staff(self, name: str, role: Role, pin: str) -> StaffUser:
        actor = self._require(Permission.MANAGE_USERS)
        with self._write() as s:
            user = StaffUser(
                name=_required(name, "Name"), role=Role(role), pin_hash=auth.hash_pin(pin)
            )
            s.add(user)
            self._audit(s, actor, "create", user)
        return user

    def set_staff_active(self, staff_id: int, active: bool) -> StaffUser:
        """Allow or stop someone signing in (admin). Nobody can stop themselves."""
        actor = self._require(Permission.MANAGE_USERS)
        if actor.id == staff_id and not active:
            raise InvalidInput("You cannot stop yourself signing in; ask another admin.")
        with self._write() as s:
            user = _get_in(s, StaffUser, staff_id, "staff member")
            before = snapshot(user)
            user.active = active
            s.add(user)
            self._audit(s, actor, "update", user, before=before)
        return user

    # ----------------------------------------------------------------- programmes and sessions

    def programmes(self) -> list[Programme]:
        with self._read() as s:
            return list(s.exec(select(Programme).order_by(Programme.name)))

    def programme(self, programme_id: int) -> Programme:
        return self._get(Programme, programme_id, "programme")

    def add_programme(self, template_key: str, name: str | None = None) -> Programme:
        from groupclinic_desktop.core import programmes

        actor = self._require(Permission.PLAN)
        template = programmes.template(template_key)
        with self._write() as s:
            programme = Programme(
                template_key=template_key,
                name=_required(name or template.name, "Programme name"),
                version=1,
                definition=programmes.template_as_dict(template),
            )
            s.add(programme)
            self._audit(s, actor, "create", programme)
        return programme

    def sessions(
        self,
        *,
        day: date | None = None,
        since: date | None = None,
        status: SessionStatus | None = None,
    ) -> list[ClinicSession]:
        with self._read() as s:
            query = select(ClinicSession)
            if day is not None:
                query = query.where(ClinicSession.day == day)
            if since is not None:
                query = query.where(ClinicSession.day >= since)
            if status is not None:
                query = query.where(ClinicSession.status == status)
            query = query.order_by(col(ClinicSession.day), col(ClinicSession.start_time))
            return list(s.exec(query))

    def session(self, session_id: int) -> ClinicSession:
        return self._get(ClinicSession, session_id, "session")

    def session_clinicians(self, session_id: int) -> list[StaffUser]:
        with self._read() as s:
            query = (
                select(StaffUser)
                .join(SessionClinician, col(SessionClinician.staff_id) == StaffUser.id)
                .where(SessionClinician.session_id == session_id)
                .order_by(StaffUser.name)
            )
            return list(s.exec(query))

    def plan_session(
        self,
        programme_id: int,
        day: date,
        start_time: time,
        place: str,
        *,
        mode: Mode = Mode.FACE_TO_FACE,
        facilitator_id: int | None = None,
        clinician_ids: Sequence[int] = (),
        session_number: int | None = None,
        series_uid: str | None = None,
    ) -> ClinicSession:
        actor = self._require(Permission.PLAN)
        with self._write() as s:
            programme = _get_in(s, Programme, programme_id, "programme")
            if session_number is None:
                held = s.exec(
                    select(ClinicSession).where(ClinicSession.programme_id == programme_id)
                ).all()
                session_number = len(held) + 1
            row = ClinicSession(
                uid=str(uuid.uuid4()),
                programme_id=programme_id,
                programme_version=programme.version,
                programme_snapshot=programme.definition,
                day=day,
                start_time=start_time,
                place=_required(place, "Place"),
                mode=Mode(mode),
                facilitator_id=facilitator_id,
                session_number=session_number,
                series_uid=series_uid,
            )
            s.add(row)
            s.flush()
            for staff_id in clinician_ids:
                s.add(SessionClinician(session_id=row.id, staff_id=staff_id))  # type: ignore[arg-type]
            self._audit(s, actor, "create", row)
            outbox.session_event(s, row, staff_roles=self._roles_present(s, row))
        return row

    def start_session(self, session_id: int, phase: str = "checkin") -> ClinicSession:
        actor = self._require(Permission.RUN_SESSION)
        with self._write() as s:
            row = _get_in(s, ClinicSession, session_id, "session")
            before = snapshot(row)
            if row.status not in (SessionStatus.PLANNED, SessionStatus.RUNNING):
                raise InvalidInput(f"This session is {row.status.value}; it cannot be started.")
            now = utcnow()
            if row.status == SessionStatus.PLANNED:
                row.status = SessionStatus.RUNNING
                row.started_at = now
                row.phase = phase
                row.phase_entered_at = now
                row.phase_minutes = {}
            s.add(row)
            self._audit(s, actor, "update", row, before=before)
            outbox.session_event(s, row, staff_roles=self._roles_present(s, row))
        return row

    def set_phase(self, session_id: int, phase: str) -> ClinicSession:
        """Move to a phase (any order); the time spent in the one we leave is added up."""
        from groupclinic_desktop.core.programmes import PHASES

        actor = self._require(Permission.RUN_SESSION)
        if phase not in PHASES:
            raise InvalidInput(f"Phase: '{phase}' is not one of {', '.join(PHASES)}.")
        with self._write() as s:
            row = _get_in(s, ClinicSession, session_id, "session")
            if row.status != SessionStatus.RUNNING:
                raise InvalidInput("Start the session before moving between phases.")
            before = snapshot(row)
            _close_phase(row)
            row.phase = phase
            s.add(row)
            self._audit(s, actor, "update", row, before=before)
        return row

    def finish_session(self, session_id: int) -> ClinicSession:
        actor = self._require(Permission.RUN_SESSION)
        with self._write() as s:
            row = _get_in(s, ClinicSession, session_id, "session")
            if row.status != SessionStatus.RUNNING:
                raise InvalidInput(
                    f"This session is {row.status.value}; only a running one can be finished."
                )
            before = snapshot(row)
            _close_phase(row)
            row.phase_entered_at = None
            row.status = SessionStatus.FINISHED
            row.finished_at = utcnow()
            s.add(row)
            self._audit(s, actor, "update", row, before=before)
            outbox.session_event(s, row, staff_roles=self._roles_present(s, row))
        self.backup(reason="session-finished")
        return row

    def _roles_present(self, s: Session, row: ClinicSession) -> list[str]:
        roles = ["facilitator"] if row.facilitator_id else []
        has_clinician = s.exec(
            select(SessionClinician).where(SessionClinician.session_id == row.id)
        ).first()
        if has_clinician:
            roles.append("clinician")
        return roles

    # ----------------------------------------------------------------- patients

    def patients(self) -> list[Patient]:
        with self._read() as s:
            return list(s.exec(select(Patient).order_by(Patient.family_name, Patient.given_name)))

    def patient(self, patient_id: int) -> Patient:
        return self._get(Patient, patient_id, "patient")

    def patient_by_nhs_number(self, text: str) -> Patient | None:
        nhs = validation.parse_nhs_number(text)
        with self._read() as s:
            return s.exec(select(Patient).where(Patient.nhs_number == nhs)).first()

    def add_patient(
        self,
        nhs_number: str,
        given_name: str,
        family_name: str,
        date_of_birth: date | str,
        *,
        sex: Sex | str = Sex.UNKNOWN,
        preferred_name: str | None = None,
        mobile: str | None = None,
        hypo_risk: bool = False,
    ) -> Patient:
        actor = self._require(Permission.PLAN)
        row = Patient(
            nhs_number=validation.parse_nhs_number(nhs_number),
            given_name=_required(given_name, "First name"),
            family_name=_required(family_name, "Surname"),
            preferred_name=(preferred_name or "").strip() or None,
            date_of_birth=validation.parse_date_of_birth(date_of_birth),
            sex=_sex(sex),
            mobile=(mobile or "").strip() or None,
            hypo_risk=hypo_risk,
        )
        with self._write() as s:
            clash = s.exec(select(Patient).where(Patient.nhs_number == row.nhs_number)).first()
            if clash is not None:
                raise InvalidInput(
                    "NHS number: a patient with this NHS number is already recorded.",
                    field="NHS number",
                )
            s.add(row)
            s.flush()
            self._audit(s, actor, "create", row, patient_id=row.id)
        return row

    def enrol(self, patient_id: int, programme_id: int) -> Enrolment:
        actor = self._require(Permission.PLAN)
        with self._write() as s:
            _get_in(s, Patient, patient_id, "patient")
            _get_in(s, Programme, programme_id, "programme")
            existing = s.exec(
                select(Enrolment).where(
                    Enrolment.patient_id == patient_id, Enrolment.programme_id == programme_id
                )
            ).first()
            if existing is not None:
                return existing
            row = Enrolment(patient_id=patient_id, programme_id=programme_id)
            s.add(row)
            self._audit(s, actor, "create", row, patient_id=patient_id)
        return row

    def enrolled(self, programme_id: int) -> list[Patient]:
        with self._read() as s:
            query = (
                select(Patient)
                .join(Enrolment, col(Enrolment.patient_id) == Patient.id)
                .where(Enrolment.programme_id == programme_id, Enrolment.active == True)  # noqa: E712
                .order_by(Patient.family_name, Patient.given_name)
            )
            return list(s.exec(query))

    # ----------------------------------------------------------------- roster and consent

    def roster(self, session_id: int) -> list[RosterEntry]:
        with self._read() as s:
            query = (
                select(Attendance, Patient)
                .join(Patient, col(Patient.id) == Attendance.patient_id)
                .where(Attendance.session_id == session_id)
                .order_by(Patient.family_name, Patient.given_name)
            )
            return [RosterEntry(a, p) for a, p in s.exec(query)]

    def invite(self, session_id: int, patient_id: int) -> Attendance:
        actor = self._require(Permission.PLAN)
        with self._write() as s:
            return self._set_attendance(
                s,
                actor,
                session_id,
                patient_id,
                status=AttendanceStatus.INVITED,
                only_if_new=True,
            )

    def set_invitation(
        self, session_id: int, patient_id: int, invitation: InvitationStatus | str
    ) -> Attendance:
        actor = self._require(Permission.PLAN)
        with self._write() as s:
            return self._set_attendance(
                s, actor, session_id, patient_id, invitation=InvitationStatus(invitation)
            )

    def set_attendance(
        self,
        session_id: int,
        patient_id: int,
        status: AttendanceStatus | str | None = None,
        *,
        carer_present: bool | None = None,
        identity_confirmed: bool | None = None,
        private_place: bool | None = None,
    ) -> Attendance:
        """Mark attended, late, did not attend, cancelled or drop-in (adds a drop-in too)."""
        actor = self._require(Permission.CHECK_IN)
        with self._write() as s:
            return self._set_attendance(
                s,
                actor,
                session_id,
                patient_id,
                status=None if status is None else AttendanceStatus(status),
                carer_present=carer_present,
                identity_confirmed=identity_confirmed,
                private_place=private_place,
            )

    def _set_attendance(
        self,
        s: Session,
        actor: Actor,
        session_id: int,
        patient_id: int,
        *,
        status: AttendanceStatus | None = None,
        invitation: InvitationStatus | None = None,
        carer_present: bool | None = None,
        identity_confirmed: bool | None = None,
        private_place: bool | None = None,
        only_if_new: bool = False,
    ) -> Attendance:
        session = _get_in(s, ClinicSession, session_id, "session")
        _refuse_if_closed(session)
        patient = _get_in(s, Patient, patient_id, "patient")
        row = s.exec(
            select(Attendance).where(
                Attendance.session_id == session_id, Attendance.patient_id == patient_id
            )
        ).first()
        if row is not None and only_if_new:
            return row
        before = snapshot(row) if row is not None else None
        if row is None:
            row = Attendance(session_id=session_id, patient_id=patient_id)
        changes = {
            "status": status,
            "invitation": invitation,
            "carer_present": carer_present,
            "identity_confirmed": identity_confirmed,
            "private_place": private_place,
        }
        for name, value in changes.items():
            if value is not None:
                setattr(row, name, value)
        row.updated_at = utcnow()
        s.add(row)
        self._audit(
            s, actor, "update" if before else "create", row, before=before, patient_id=patient_id
        )
        if status is not None or before is None:
            outbox.attendance_event(s, session, patient, row)
        return row

    def set_consent(
        self, session_id: int, patient_id: int, kind: ConsentKind | str, given: bool
    ) -> Consent:
        actor = self._require(Permission.CHECK_IN)
        kind = ConsentKind(kind)
        with self._write() as s:
            session = _get_in(s, ClinicSession, session_id, "session")
            _refuse_if_closed(session)
            _get_in(s, Patient, patient_id, "patient")
            row = s.exec(
                select(Consent).where(
                    Consent.session_id == session_id,
                    Consent.patient_id == patient_id,
                    Consent.kind == kind,
                )
            ).first()
            before = snapshot(row) if row else None
            if row is None:
                row = Consent(session_id=session_id, patient_id=patient_id, kind=kind, given=given)
            row.given = given
            row.recorded_at = utcnow()
            row.recorded_by_id = actor.id
            s.add(row)
            self._audit(s, actor, "consent", row, before=before, patient_id=patient_id)
        return row

    def consents(self, session_id: int) -> dict[tuple[int, ConsentKind], bool]:
        with self._read() as s:
            rows = s.exec(select(Consent).where(Consent.session_id == session_id))
            return {(c.patient_id, c.kind): c.given for c in rows}

    # ----------------------------------------------------------------- measurements

    def record_measurement(
        self,
        patient_id: int,
        type_key: str,
        text: str | float,
        *,
        session_id: int | None = None,
        taken_at: datetime | None = None,
        source: Source | str = Source.IN_SESSION,
        confirmed: bool = False,
    ) -> list[Measurement]:
        """Validate and save one measurement (blood pressure as its two halves).

        Refuses values outside hard limits (InvalidInput) and asks for confirmation of unusual
        ones (NeedsConfirmation); a weight with a known height also saves the derived BMI.
        """
        actor = self._require(Permission.CHECK_IN)
        source = Source(source)
        taken = validation.check_taken_at(taken_at or utcnow())
        if type_key == BLOOD_PRESSURE:
            systolic, diastolic = validation.parse_blood_pressure(str(text), confirmed=confirmed)
            values = [("systolic_bp", systolic), ("diastolic_bp", diastolic)]
        else:
            mtype = catalogue().get(type_key)
            if mtype.derived:
                raise InvalidInput(
                    f"{mtype.label} is worked out by the app, not typed in.", field=mtype.label
                )
            values = [(type_key, validation.parse_measurement(type_key, text, confirmed=confirmed))]
        reading_uid = str(uuid.uuid4()) if len(values) > 1 else None
        saved: list[Measurement] = []
        with self._write() as s:
            patient = _get_in(s, Patient, patient_id, "patient")
            session = None
            if session_id is not None:
                session = _get_in(s, ClinicSession, session_id, "session")
                _refuse_if_closed(session)
            for key, value in values:
                saved.append(
                    self._add_measurement(
                        s,
                        actor,
                        patient,
                        session,
                        key,
                        value,
                        taken,
                        source,
                        reading_uid,
                        confirmed,
                    )
                )
            if type_key in ("weight", "height"):
                bmi = self._derived_bmi(s, patient_id, saved[0])
                if bmi is not None:
                    saved.append(
                        self._add_measurement(
                            s, actor, patient, session, "bmi", bmi, taken, source, None, True
                        )
                    )
        return saved

    def _add_measurement(
        self,
        s: Session,
        actor: Actor,
        patient: Patient,
        session: ClinicSession | None,
        key: str,
        value: float,
        taken: datetime,
        source: Source,
        reading_uid: str | None,
        confirmed: bool,
    ) -> Measurement:
        mtype = catalogue().get(key)
        previous = _latest(s, patient.id, key)  # type: ignore[arg-type]
        row = Measurement(
            uid=str(uuid.uuid4()),
            patient_id=patient.id,  # type: ignore[arg-type]
            session_id=session.id if session else None,
            type_key=key,
            value=value,
            unit=mtype.unit,
            taken_at=taken,
            source=source,
            reading_uid=reading_uid,
            confirmed_unusual=confirmed,
            entered_by_id=actor.id,
        )
        s.add(row)
        self._audit(s, actor, "create", row, patient_id=patient.id)
        outbox.measurement_event(s, session, patient, row, previous)
        return row

    def _derived_bmi(self, s: Session, patient_id: int, new: Measurement) -> float | None:
        weight = new if new.type_key == "weight" else _latest(s, patient_id, "weight")
        height = new if new.type_key == "height" else _latest(s, patient_id, "height")
        if weight is None or height is None:
            return None
        try:
            return validation.bmi(weight.value, height.value)
        except InvalidInput:
            return None  # an implausible BMI from old data is not worth blocking a new weight

    def measurements(
        self,
        *,
        patient_id: int | None = None,
        session_id: int | None = None,
        type_key: str | None = None,
    ) -> list[Measurement]:
        with self._read() as s:
            query = select(Measurement)
            if patient_id is not None:
                query = query.where(Measurement.patient_id == patient_id)
            if session_id is not None:
                query = query.where(Measurement.session_id == session_id)
            if type_key is not None:
                query = query.where(Measurement.type_key == type_key)
            query = query.order_by(col(Measurement.taken_at), col(Measurement.id))
            return list(s.exec(query))

    def latest_measurement(
        self, patient_id: int, type_key: str, *, before: datetime | None = None
    ) -> Measurement | None:
        with self._read() as s:
            return _latest(s, patient_id, type_key, before=before)

    # ----------------------------------------------------------------- questionnaires

    def record_questionnaire(
        self, session_id: int, patient_id: int, key: str, answers: dict[str, Any]
    ) -> QuestionnaireResponse:
        """Score and save a questionnaire; an incomplete one is kept, with no score."""
        from groupclinic_desktop.core import questionnaires

        actor = self._require(Permission.CHECK_IN)
        result = questionnaires.score(key, answers)
        feeds = questionnaires.get(key).measurement
        # An answer that is also a measurement (activity minutes) is checked as one first.
        measured = (
            validation.parse_measurement(feeds, result.value, confirmed=True)
            if feeds and result.value is not None
            else None
        )
        with self._write() as s:
            session = _get_in(s, ClinicSession, session_id, "session")
            _refuse_if_closed(session)
            patient = _get_in(s, Patient, patient_id, "patient")
            if feeds and measured is not None:
                self._add_measurement(s, actor, patient, session, feeds, measured, utcnow(),
                                      Source.SELF_REPORTED, None, True)
            row = s.exec(
                select(QuestionnaireResponse).where(
                    QuestionnaireResponse.session_id == session_id,
                    QuestionnaireResponse.patient_id == patient_id,
                    QuestionnaireResponse.questionnaire_key == key,
                )
            ).first()
            before = snapshot(row) if row else None
            if row is None:
                row = QuestionnaireResponse(
                    uid=str(uuid.uuid4()),
                    session_id=session_id,
                    patient_id=patient_id,
                    questionnaire_key=key,
                )
            row.answers = audit.plain(dict(answers))
            row.score = result.value
            row.raw = result.raw
            row.complete = result.complete
            row.entered_by_id = actor.id
            row.entered_at = utcnow()
            s.add(row)
            self._audit(
                s,
                actor,
                "update" if before else "create",
                row,
                before=before,
                patient_id=patient_id,
            )
            outbox.questionnaire_event(s, session, patient, row)
        return row

    def responses(
        self, *, session_id: int | None = None, patient_id: int | None = None
    ) -> list[QuestionnaireResponse]:
        with self._read() as s:
            query = select(QuestionnaireResponse)
            if session_id is not None:
                query = query.where(QuestionnaireResponse.session_id == session_id)
            if patient_id is not None:
                query = query.where(QuestionnaireResponse.patient_id == patient_id)
            return list(s.exec(query.order_by(col(QuestionnaireResponse.entered_at))))

    # ----------------------------------------------------------------- agenda

    def agenda(self, session_id: int, *, include_merged: bool = False) -> list[AgendaItem]:
        with self._read() as s:
            query = select(AgendaItem).where(AgendaItem.session_id == session_id)
            if not include_merged:
                query = query.where(col(AgendaItem.merged_into_id).is_(None))
            query = query.order_by(col(AgendaItem.position), col(AgendaItem.id))
            return list(s.exec(query))

    def add_agenda_item(
        self,
        session_id: int,
        text: str,
        *,
        topic: str | None = None,
        raised_by: str | None = None,
    ) -> AgendaItem:
        actor = self._require(Permission.CHECK_IN)
        with self._write() as s:
            session = _get_in(s, ClinicSession, session_id, "session")
            _refuse_if_closed(session)
            count = len(
                s.exec(select(AgendaItem.id).where(AgendaItem.session_id == session_id)).all()
            )
            row = AgendaItem(
                session_id=session_id,
                text=_required(text, "Agenda item"),
                topic=topic,
                raised_by=(raised_by or None),
                position=count,
            )
            s.add(row)
            self._audit(s, actor, "create", row)
        return row

    def update_agenda_item(self, item_id: int, **changes: Any) -> AgendaItem:
        """Change text, topic, raised_by, votes, position or covered."""
        allowed = {"text", "topic", "raised_by", "votes", "position", "covered"}
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidInput(f"Agenda item: cannot change {', '.join(sorted(unknown))}.")
        if "text" in changes:
            changes["text"] = _required(changes["text"], "Agenda item")
        actor = self._require(Permission.CHECK_IN)
        with self._write() as s:
            row = _get_in(s, AgendaItem, item_id, "agenda item")
            _refuse_if_closed(_get_in(s, ClinicSession, row.session_id, "session"))
            before = snapshot(row)
            for name, value in changes.items():
                setattr(row, name, value)
            s.add(row)
            self._audit(s, actor, "update", row, before=before)
        return row

    def merge_agenda_items(self, keep_id: int, merge_id: int) -> AgendaItem:
        """Fold a duplicate into another item: its votes carry over, it leaves the list."""
        actor = self._require(Permission.CHECK_IN)
        if keep_id == merge_id:
            raise InvalidInput("Agenda: an item cannot be merged into itself.")
        with self._write() as s:
            keep = _get_in(s, AgendaItem, keep_id, "agenda item")
            dup = _get_in(s, AgendaItem, merge_id, "agenda item")
            if keep.session_id != dup.session_id:
                raise InvalidInput("Agenda: items from different sessions cannot be merged.")
            _refuse_if_closed(_get_in(s, ClinicSession, keep.session_id, "session"))
            before_keep, before_dup = snapshot(keep), snapshot(dup)
            keep.votes += dup.votes
            dup.merged_into_id = keep.id
            s.add(keep)
            s.add(dup)
            self._audit(s, actor, "update", keep, before=before_keep)
            self._audit(s, actor, "update", dup, before=before_dup)
        return keep

    # ----------------------------------------------------------------- one-to-one reviews

    def review(self, session_id: int, patient_id: int) -> Review | None:
        with self._read() as s:
            return s.exec(
                select(Review).where(
                    Review.session_id == session_id, Review.patient_id == patient_id
                )
            ).first()

    def reviews(self, session_id: int) -> list[Review]:
        with self._read() as s:
            return list(s.exec(select(Review).where(Review.session_id == session_id)))

    def save_review(
        self,
        session_id: int,
        patient_id: int,
        *,
        notes: str | None = None,
        findings: list[dict[str, Any]] | None = None,
        medication_changes: list[dict[str, Any]] | None = None,
        actions: list[dict[str, Any]] | None = None,
        safety_netting: str | None = None,
        on_behalf_of_id: int | None = None,
        seconds_spent: int | None = None,
    ) -> Review:
        """Save (create or update) a person's one-to-one review; only given fields change.

        A clinician documents in their own name; a facilitator only on behalf of a named
        clinician of this session, and the review records both.
        """
        actor = self._actor
        if actor is None:
            raise NotAllowed("Sign in first.")
        if on_behalf_of_id is None or on_behalf_of_id == actor.id:
            self._require(Permission.REVIEW)
            on_behalf_of_id = None
        else:
            self._require(Permission.REVIEW_ON_BEHALF)
        with self._write() as s:
            session = _get_in(s, ClinicSession, session_id, "session")
            _refuse_if_closed(session)
            _get_in(s, Patient, patient_id, "patient")
            if on_behalf_of_id is not None:
                clinician = s.get(StaffUser, on_behalf_of_id)
                if clinician is None or clinician.role != Role.CLINICIAN:
                    raise InvalidInput("On behalf of: choose a clinician.", field="On behalf of")
            row = s.exec(
                select(Review).where(
                    Review.session_id == session_id, Review.patient_id == patient_id
                )
            ).first()
            before = snapshot(row) if row else None
            if row is None:
                row = Review(
                    session_id=session_id,
                    patient_id=patient_id,
                    findings=[],
                    medication_changes=[],
                    actions=[],
                )
            if notes is not None:
                row.notes = notes
            if findings is not None:
                row.findings = [_finding(f) for f in findings]
            if medication_changes is not None:
                row.medication_changes = [_medication_change(m) for m in medication_changes]
            if actions is not None:
                row.actions = [_action(a) for a in actions]
            if safety_netting is not None:
                row.safety_netting = safety_netting
            if seconds_spent is not None:
                row.seconds_spent = max(0, int(seconds_spent))
            row.documented_by_id = actor.id
            row.on_behalf_of_id = on_behalf_of_id
            row.updated_at = utcnow()
            s.add(row)
            self._audit(
                s,
                actor,
                "update" if before else "create",
                row,
                before=before,
                patient_id=patient_id,
            )
        return row

    # ----------------------------------------------------------------- goals

    def goals(self, *, session_id: int | None = None, patient_id: int | None = None) -> list[Goal]:
        with self._read() as s:
            query = select(Goal)
            if session_id is not None:
                query = query.where(Goal.session_id == session_id)
            if patient_id is not None:
                query = query.where(Goal.patient_id == patient_id)
            return list(s.exec(query.order_by(col(Goal.created_at), col(Goal.id))))

    def set_goal(
        self,
        session_id: int,
        patient_id: int,
        text: str,
        *,
        confidence: int,
        what_matters: str = "",
        review_date: date | None = None,
    ) -> Goal:
        """Set (or change) the person's goal for this session."""
        actor = self._require(Permission.CHECK_IN)
        if (
            isinstance(confidence, bool)
            or not isinstance(confidence, int)
            or not (0 <= confidence <= 10)
        ):
            raise InvalidInput(
                f"Confidence: {confidence!r} is not a whole number from 0 to 10.",
                field="Confidence",
            )
        with self._write() as s:
            session = _get_in(s, ClinicSession, session_id, "session")
            _refuse_if_closed(session)
            patient = _get_in(s, Patient, patient_id, "patient")
            if review_date is not None and review_date < session.day:
                raise InvalidInput(
                    "Review date: must not be before the session.", field="Review date"
                )
            row = s.exec(
                select(Goal).where(Goal.session_id == session_id, Goal.patient_id == patient_id)
            ).first()
            before = snapshot(row) if row else None
            if row is None:
                row = Goal(
                    uid=str(uuid.uuid4()),
                    session_id=session_id,
                    patient_id=patient_id,
                    text="",
                    confidence=confidence,
                )
            row.text = _required(text, "Goal")
            row.what_matters = what_matters.strip()
            row.confidence = confidence
            row.review_date = review_date
            row.set_by_id = actor.id
            s.add(row)
            self._audit(
                s,
                actor,
                "update" if before else "create",
                row,
                before=before,
                patient_id=patient_id,
            )
            outbox.goal_event(s, session, patient, row)
        return row

    def record_goal_outcome(self, goal_id: int, outcome: GoalOutcome | str) -> Goal:
        actor = self._require(Permission.CHECK_IN)
        with self._write() as s:
            row = _get_in(s, Goal, goal_id, "goal")
            session = _get_in(s, ClinicSession, row.session_id, "session")
            patient = _get_in(s, Patient, row.patient_id, "patient")
            before = snapshot(row)
            row.outcome = GoalOutcome(outcome)
            row.outcome_recorded_at = utcnow()
            s.add(row)
            self._audit(s, actor, "update", row, before=before, patient_id=row.patient_id)
            outbox.goal_event(s, session, patient, row)
        return row

    # ----------------------------------------------------------------- audit, outbox, store

    def audit_entries(self, *, patient_id: int | None = None) -> list[AuditEntry]:
        with self._read() as s:
            query = select(AuditEntry)
            if patient_id is not None:
                query = query.where(AuditEntry.patient_id == patient_id)
            return list(s.exec(query.order_by(col(AuditEntry.id))))

    def export_audit_trail(self, out: Path) -> int:
        """Write the whole trail to a new CSV file (admin); the export is itself audited."""
        import csv
        import json

        actor = self._require(Permission.EXPORT)
        out = Path(out)
        if out.exists():
            raise InvalidInput(f"{out} exists already; choose a new file name.")
        entries = self.audit_entries()
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "at", "user", "action", "entity", "entity_id", "patient_id",
                             "before", "after", "prev_hash", "hash"])
            for e in entries:
                writer.writerow([
                    e.id, e.at.isoformat(), e.user_name, e.action, e.entity, e.entity_id,
                    e.patient_id, json.dumps(e.before, ensure_ascii=False),
                    json.dumps(e.after, ensure_ascii=False), e.prev_hash, e.hash,
                ])
        with self._write() as s:
            audit.append(s, user_id=actor.id, user_name=actor.name, action="export",
                         entity="audit_trail", after={"entries": len(entries)})
        return len(entries)

    def verify_audit(self) -> list[audit.ChainProblem]:
        with self._read() as s:
            return audit.verify(s)

    def outbox_events(self) -> list[OutboxEvent]:
        with self._read() as s:
            return list(s.exec(select(OutboxEvent).order_by(col(OutboxEvent.id))))

    def check(self) -> list[str]:
        """Problems with the store: integrity, migrations, audit chain. Empty means sound."""
        try:
            problems = store.integrity_check(self._engine)
            state = store.migration_state(self._engine)
            if state != "current":
                problems.append(f"the schema is {state} (expected the current version)")
            problems += [str(p) for p in self.verify_audit()]
        except DatabaseError:
            problems = ["the store is damaged: SQLite cannot read all of it"]
        return problems

    def backup(self, to: Path | None = None, *, reason: str = "manual") -> Path:
        """A checked, encrypted copy: to `to`, or into the backups folder (then rotated)."""
        target = Path(to) if to else self.location.backup_dir / store.backup_name(reason)
        with self._lock:
            written = store.backup_to(self._engine, target, self._key)
            if to is None:
                store.rotate_backups(self.location.backup_dir, **self.backup_rotation())
        log.info("backup written (%s)", reason)
        return written

    def backup_rotation(self) -> dict[str, int]:
        """How many daily, weekly and monthly backups to keep (Setting "backup_rotation")."""
        counts = dict(store.DEFAULT_ROTATION)
        with self._read() as s:
            row = s.get(Setting, "backup_rotation")
        if row is not None and isinstance(row.value, dict):
            counts.update({k: int(v) for k, v in row.value.items() if k in counts})
        return counts

    def ensure_daily_backup(self) -> Path | None:
        """Make today's backup if there is none yet; the app calls this on start and hourly."""
        if store.has_backup_on(self.location.backup_dir, date.today()):
            return None
        return self.backup(reason="daily")

    def restore(self, backup_file: Path) -> Path:
        """Replace the store with a checked backup, keeping a backup of the current one first.

        The Clinic is closed afterwards; open it again to use the restored store.
        """
        self._require(Permission.RESTORE)
        store.verify_backup(Path(backup_file), self._key)
        kept = self.backup(reason="before-restore")
        self._engine.dispose()
        store.replace_store(self.location, Path(backup_file))
        return kept

    # ----------------------------------------------------------------- helpers

    def _get(self, model: type[Any], row_id: int, what: str) -> Any:
        with self._read() as s:
            return _get_in(s, model, row_id, what)

    # ---- sign-in and session UI

    # Display preferences are not clinical data, so anyone at the laptop may change them (even on
    # the sign-in screen); every other setting (e.g. the idle lock) is for an admin.
    DISPLAY_SETTING_PREFIX = "display."
    IDLE_LOCK_DEFAULT_MINUTES = 5

    def setting(self, key: str, default: Any = None) -> Any:
        """A practice setting's value (JSON), or default when it was never set."""
        from groupclinic_desktop.core.schema import Setting

        with self._read() as s:
            row = s.get(Setting, key)
            return default if row is None else row.value

    def set_setting(self, key: str, value: Any) -> None:
        """Save a setting, audited. display.* keys need no sign-in; others need an admin."""
        from groupclinic_desktop.core.schema import Setting

        if key.startswith(self.DISPLAY_SETTING_PREFIX):
            actor = self._actor or SYSTEM
        else:
            actor = self._require(Permission.MANAGE_USERS)
        if key == "idle_lock_minutes" and (
            isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 60
        ):
            raise InvalidInput(
                f"Idle lock: {value!r} is not a whole number of minutes from 1 to 60.",
                field="Idle lock",
            )
        with self._write() as s:
            row = s.get(Setting, key)
            before = snapshot(row) if row else None
            if row is None:
                row = Setting(key=key)
            row.value = audit.plain(value)
            row.updated_at = utcnow()
            s.add(row)
            self._audit(s, actor, "update" if before else "create", row, before=before)

    def idle_lock_minutes(self) -> int:
        """Minutes without input before the screen locks (Setting "idle_lock_minutes")."""
        value = self.setting("idle_lock_minutes", self.IDLE_LOCK_DEFAULT_MINUTES)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 1:
            return self.IDLE_LOCK_DEFAULT_MINUTES
        return int(min(value, 60))

    def running_session(self, day: date | None = None) -> ClinicSession | None:
        """The session left running on a day (today by default), to resume straight into."""
        running = self.sessions(day=day or date.today(), status=SessionStatus.RUNNING)
        return running[-1] if running else None

    # ---- board

    BOARD_DISPLAYS = ("second_screen", "png", "room_pdf", "handout")

    def set_personal_target(
        self,
        patient_id: int,
        type_key: str,
        *,
        below: float | None = None,
        above: float | None = None,
        reason: str,
    ) -> PersonalTarget:
        """A clinician's own target for one person (e.g. a relaxed HbA1c for frailty).

        It replaces the person's earlier personal target for that measurement; the board uses it
        instead of the guideline's. Clinicians only, with a reason, audited.
        """
        actor = self._require(Permission.REVIEW)
        mtype = catalogue().get(type_key)
        why = _required(reason, f"{mtype.label} personal target: reason")
        for level in (below, above):
            if level is None:
                continue
            if isinstance(level, bool) or not isinstance(level, int | float):
                raise InvalidInput(
                    f"{mtype.label} personal target: '{level}' is not a number.", field=mtype.label
                )
            if not mtype.hard_min <= level <= mtype.hard_max:
                raise InvalidInput(
                    f"{mtype.label} personal target: {level:g} {mtype.unit} is outside the "
                    f"plausible range ({mtype.hard_min:g}-{mtype.hard_max:g} {mtype.unit}).",
                    field=mtype.label,
                )
        if below is None and above is None:
            raise InvalidInput(
                f"{mtype.label} personal target: give a level to stay below or above.",
                field=mtype.label,
            )
        if below is not None and above is not None and above > below:
            raise InvalidInput(
                f"{mtype.label} personal target: the lower level ({above:g}) is above the upper "
                f"level ({below:g}).",
                field=mtype.label,
            )
        with self._write() as s:
            _get_in(s, Patient, patient_id, "patient")
            current = s.exec(
                select(PersonalTarget).where(
                    PersonalTarget.patient_id == patient_id,
                    PersonalTarget.type_key == type_key,
                    PersonalTarget.active == True,  # noqa: E712
                )
            ).all()
            for old in current:
                before = snapshot(old)
                old.active = False
                s.add(old)
                self._audit(s, actor, "update", old, before=before, patient_id=patient_id)
            row = PersonalTarget(
                patient_id=patient_id,
                type_key=type_key,
                below=None if below is None else float(below),
                above=None if above is None else float(above),
                reason=why,
                set_by_id=actor.id,
            )
            s.add(row)
            self._audit(s, actor, "create", row, patient_id=patient_id)
        return row

    def personal_targets(self, patient_id: int | None = None) -> list[PersonalTarget]:
        """Active personal targets of one person (or of everyone, for the board in one read)."""
        with self._read() as s:
            query = select(PersonalTarget).where(PersonalTarget.active == True)  # noqa: E712
            if patient_id is not None:
                query = query.where(PersonalTarget.patient_id == patient_id)
            return list(s.exec(query.order_by(col(PersonalTarget.id))))

    def board_measurements(
        self,
        patient_ids: Sequence[int],
        type_keys: Sequence[str],
        *,
        until: datetime | None = None,
    ) -> list[Measurement]:
        """Everyone's values for the board's columns in one read, oldest first."""
        if not patient_ids or not type_keys:
            return []
        with self._read() as s:
            query = select(Measurement).where(
                col(Measurement.patient_id).in_(list(patient_ids)),
                col(Measurement.type_key).in_(list(type_keys)),
            )
            if until is not None:
                query = query.where(Measurement.taken_at < until)
            query = query.order_by(col(Measurement.taken_at), col(Measurement.id))
            return list(s.exec(query))

    def record_board_display(self, session_id: int, how: str, shown: dict[str, Any]) -> None:
        """Audit that the board left the laptop's own screen (second screen, PNG, PDFs).

        `shown` says who appeared and how (patient ids by name or by code); never names.
        """
        if how not in self.BOARD_DISPLAYS:
            raise InvalidInput(
                f"Board display: '{how}' is not one of {', '.join(self.BOARD_DISPLAYS)}."
            )
        actor = self._require(Permission.CHECK_IN)
        with self._write() as s:
            _get_in(s, ClinicSession, session_id, "session")
            audit.append(
                s,
                user_id=actor.id,
                user_name=actor.name,
                action="board_display",
                entity="clinic_session",
                entity_id=session_id,
                after={"how": how, **shown},
            )


    # ---- sync
    # The sync worker is the app itself, not the person signed in: its outbox housekeeping runs
    # as SYNC_ACTOR without touching self._actor (the worker runs on its own thread).

    SYNC_ACTOR = Actor(None, "GroupClinic sync", Role.ADMIN)
    SYNC_SETTINGS_KEY = "sync.settings"
    SYNC_STATE_KEY = "sync.state"

    def pending_events(self, limit: int = 100) -> list[OutboxEvent]:
        """The oldest events still to send (not those waiting for attention), in sequence order."""
        with self._read() as s:
            query = (
                select(OutboxEvent)
                .where(OutboxEvent.needs_attention == False)  # noqa: E712
                .order_by(col(OutboxEvent.id))
                .limit(max(1, int(limit)))
            )
            return list(s.exec(query))

    def outbox_summary(self) -> tuple[int, datetime | None, int]:
        """(pending count, when the oldest pending event happened, needs-attention count)."""
        from sqlalchemy import func

        with self._read() as s:
            pending, oldest = s.exec(
                select(func.count(), func.min(OutboxEvent.occurred_at)).where(
                    OutboxEvent.needs_attention == False  # noqa: E712
                )
            ).one()
            attention = s.exec(
                select(func.count()).where(OutboxEvent.needs_attention == True)  # noqa: E712
            ).one()
        return int(pending), _aware(oldest), int(attention)

    def needs_attention_events(self) -> list[OutboxEvent]:
        with self._read() as s:
            query = (
                select(OutboxEvent)
                .where(OutboxEvent.needs_attention == True)  # noqa: E712
                .order_by(col(OutboxEvent.id))
            )
            return list(s.exec(query))

    def seal_events(self, payloads: dict[str, dict[str, Any]]) -> None:
        """Keep the pseudonymised payload an event is first sent with, so every retry is identical.

        Not audited: the event's content is unchanged, only its person reference is swapped for
        the keyed pseudonym the service will hold.
        """
        if not payloads:
            return
        with self._write() as s:
            rows = s.exec(select(OutboxEvent).where(col(OutboxEvent.uid).in_(list(payloads))))
            for row in rows:
                row.payload = payloads[row.uid]
                s.add(row)

    def acknowledge_events(self, uids: Sequence[str]) -> int:
        """Delete events the service acknowledged (stored or duplicate); how many were deleted.

        One audit entry per acknowledged batch, not per event: each event's change was already
        audited when it was made, and this entry records that the dataset left the laptop.
        """
        if not uids:
            return 0
        with self._write() as s:
            rows = list(s.exec(select(OutboxEvent).where(col(OutboxEvent.uid).in_(list(uids)))))
            if not rows:
                return 0
            seqs = sorted(row.id for row in rows if row.id is not None)
            for row in rows:
                s.delete(row)
            s.flush()
            audit.append(
                s,
                user_id=None,
                user_name=self.SYNC_ACTOR.name,
                action="sync_acknowledged",
                entity="outbox_event",
                entity_id=None,
                after={"events": len(rows), "first_seq": seqs[0], "last_seq": seqs[-1]},
            )
        return len(rows)

    def mark_needs_attention(self, uid: str, reason: str) -> None:
        """The service refused this event for good: keep it, visible, with the reason."""
        with self._write() as s:
            row = s.exec(select(OutboxEvent).where(OutboxEvent.uid == uid)).first()
            if row is None:
                raise NotFound(f"No outbox event {uid}.")
            before = snapshot(row)
            row.needs_attention = True
            row.last_error = (reason or "refused without a reason")[:500]
            row.attempts += 1
            s.add(row)
            self._audit(s, self.SYNC_ACTOR, "sync_needs_attention", row, before=before)

    def retry_needs_attention(self, uids: Sequence[str] | None = None) -> int:
        """An admin sends events from the needs-attention list again (all when uids is None)."""
        actor = self._require(Permission.SYNC)
        with self._write() as s:
            query = select(OutboxEvent).where(OutboxEvent.needs_attention == True)  # noqa: E712
            if uids is not None:
                query = query.where(col(OutboxEvent.uid).in_(list(uids)))
            rows = list(s.exec(query))
            for row in rows:
                before = snapshot(row)
                row.needs_attention = False
                s.add(row)
                self._audit(s, actor, "sync_retry", row, before=before)
        return len(rows)

    def sync_settings(self) -> dict[str, Any]:
        """{"url": the ICB service's address or None}. The token lives in the keyring."""
        value = self.setting(self.SYNC_SETTINGS_KEY, None)
        settings = dict(value) if isinstance(value, dict) else {}
        settings.setdefault("url", None)
        return settings

    def set_sync_settings(self, url: str | None, *, token_changed: bool = False) -> dict[str, Any]:
        """Set the service address (admin only, audited; the audit notes a new token, never it)."""
        from urllib.parse import urlsplit

        from groupclinic_desktop.core.schema import Setting

        actor = self._require(Permission.SYNC)
        clean = (url or "").strip().rstrip("/") or None
        if clean is not None:
            parts = urlsplit(clean)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise InvalidInput(
                    f"Service address: '{clean}' is not an http:// or https:// address.",
                    field="Service address",
                )
        with self._write() as s:
            row = s.get(Setting, self.SYNC_SETTINGS_KEY)
            before = snapshot(row) if row else None
            if row is None:
                row = Setting(key=self.SYNC_SETTINGS_KEY)
            value = {"url": clean}
            if token_changed:
                value["token_set_at"] = utcnow().isoformat()
            elif isinstance(row.value, dict) and row.value.get("token_set_at"):
                value["token_set_at"] = row.value["token_set_at"]
            row.value = value
            row.updated_at = utcnow()
            s.add(row)
            self._audit(s, actor, "update" if before else "create", row, before=before)
        return value

    def sync_state(self) -> dict[str, Any]:
        """The worker's own bookkeeping (backoff, last success, last error); {} at first."""
        value = self.setting(self.SYNC_STATE_KEY, None)
        return dict(value) if isinstance(value, dict) else {}

    def save_sync_state(self, state: dict[str, Any]) -> None:
        """Not audited: machine bookkeeping that holds no patient data and changes no record."""
        from groupclinic_desktop.core.schema import Setting

        with self._write() as s:
            row = s.get(Setting, self.SYNC_STATE_KEY) or Setting(key=self.SYNC_STATE_KEY)
            row.value = audit.plain(state)
            row.updated_at = utcnow()
            s.add(row)

    # ---- agenda, reviews, goals, wrap-up

    def reorder_agenda(self, session_id: int, item_ids: Sequence[int]) -> list[AgendaItem]:
        """Put the agenda in this order (positions 0, 1, 2 ...); items not named follow after."""
        actor = self._require(Permission.CHECK_IN)
        wanted = [int(i) for i in item_ids]
        if len(set(wanted)) != len(wanted):
            raise InvalidInput("Agenda: an item is named twice in the new order.", field="Agenda")
        with self._write() as s:
            _refuse_if_closed(_get_in(s, ClinicSession, session_id, "session"))
            rows = list(
                s.exec(
                    select(AgendaItem)
                    .where(AgendaItem.session_id == session_id)
                    .order_by(col(AgendaItem.position), col(AgendaItem.id))
                )
            )
            by_id = {r.id: r for r in rows}
            strangers = [i for i in wanted if i not in by_id]
            if strangers:
                raise InvalidInput(
                    f"Agenda: item {strangers[0]} is not on this session's agenda.", field="Agenda"
                )
            ordered = [by_id[i] for i in wanted] + [r for r in rows if r.id not in set(wanted)]
            for position, row in enumerate(ordered):
                if row.position != position:
                    before = snapshot(row)
                    row.position = position
                    s.add(row)
                    self._audit(s, actor, "update", row, before=before)
        return self.agenda(session_id)

    def next_session(self, session_id: int) -> ClinicSession | None:
        """The next planned session of the same programme after this one (for review dates)."""
        with self._read() as s:
            current = _get_in(s, ClinicSession, session_id, "session")
            query = (
                select(ClinicSession)
                .where(
                    ClinicSession.programme_id == current.programme_id,
                    ClinicSession.day > current.day,
                    ClinicSession.status == SessionStatus.PLANNED,
                )
                .order_by(col(ClinicSession.day), col(ClinicSession.start_time))
            )
            return s.exec(query.limit(1)).first()

    def previous_goal(self, session_id: int, patient_id: int) -> Goal | None:
        """The person's goal from the last earlier session where they set one."""
        with self._read() as s:
            current = _get_in(s, ClinicSession, session_id, "session")
            query = (
                select(Goal)
                .join(ClinicSession, col(ClinicSession.id) == Goal.session_id)
                .where(
                    Goal.patient_id == patient_id,
                    Goal.session_id != session_id,
                    ClinicSession.day <= current.day,
                )
                .order_by(
                    col(ClinicSession.day).desc(),
                    col(Goal.created_at).desc(),
                    col(Goal.id).desc(),
                )
            )
            return s.exec(query.limit(1)).first()

    def review_queue(self, session_id: int) -> dict[str, list[int]]:
        """The one-to-one queue as the clinician left it: {"order": [...], "done": [...]}."""
        from groupclinic_desktop.core.schema import Setting

        with self._read() as s:
            row = s.get(Setting, f"review_queue.{session_id}")
        value = row.value if row is not None and isinstance(row.value, dict) else {}
        return {
            "order": [int(i) for i in value.get("order", [])],
            "done": [int(i) for i in value.get("done", [])],
        }

    def save_review_queue(
        self, session_id: int, order: Sequence[int], done: Sequence[int]
    ) -> None:
        """Keep the queue's order and who is done, so a restart comes back to the same queue."""
        from groupclinic_desktop.core.schema import Setting

        actor = self._require(Permission.CHECK_IN)
        key = f"review_queue.{session_id}"
        with self._write() as s:
            _refuse_if_closed(_get_in(s, ClinicSession, session_id, "session"))
            row = s.get(Setting, key)
            before = snapshot(row) if row else None
            if row is None:
                row = Setting(key=key)
            row.value = {"order": [int(i) for i in order], "done": [int(i) for i in done]}
            row.updated_at = utcnow()
            s.add(row)
            self._audit(s, actor, "update" if before else "create", row, before=before)

    def session_summary(self, session_id: int) -> SessionSummary:
        """Who came, what was measured, topics, reviews and goals, and the gaps to look at."""
        from groupclinic_desktop.core import wrapup

        session = self.session(session_id)
        roster = [(e.attendance, e.patient) for e in self.roster(session_id)]
        return wrapup.summarise(
            session,
            roster,
            self.measurements(session_id=session_id),
            self.consents(session_id),
            self.agenda(session_id),
            self.reviews(session_id),
            self.goals(session_id=session_id),
        )

    def correct_review(
        self,
        session_id: int,
        patient_id: int,
        reason: str,
        *,
        notes: str | None = None,
        findings: list[dict[str, Any]] | None = None,
        medication_changes: list[dict[str, Any]] | None = None,
        actions: list[dict[str, Any]] | None = None,
        safety_netting: str | None = None,
    ) -> Review:
        """Correct a finished session's review: only given fields change; the reason is audited."""
        actor = self._actor
        if actor is None:
            raise NotAllowed("Sign in first.")
        if actor is not SYSTEM and not allows(actor.role, Permission.REVIEW):
            self._require(Permission.REVIEW_ON_BEHALF)
        why = _required(reason, "Reason for the correction")
        with self._write() as s:
            _refuse_unless_closed(_get_in(s, ClinicSession, session_id, "session"))
            row = s.exec(
                select(Review).where(
                    Review.session_id == session_id, Review.patient_id == patient_id
                )
            ).first()
            before = snapshot(row) if row else None
            if row is None:
                row = Review(
                    session_id=session_id,
                    patient_id=patient_id,
                    findings=[],
                    medication_changes=[],
                    actions=[],
                    documented_by_id=actor.id,
                )
            if notes is not None:
                row.notes = notes
            if findings is not None:
                row.findings = [_finding(f) for f in findings]
            if medication_changes is not None:
                row.medication_changes = [_medication_change(m) for m in medication_changes]
            if actions is not None:
                row.actions = [_action(a) for a in actions]
            if safety_netting is not None:
                row.safety_netting = safety_netting
            row.updated_at = utcnow()
            s.add(row)
            self._correction(s, actor, row, before, why, patient_id)
        return row

    def correct_goal(
        self,
        goal_id: int,
        reason: str,
        *,
        text: str | None = None,
        what_matters: str | None = None,
        confidence: int | None = None,
        review_date: date | None = None,
    ) -> Goal:
        """Correct a goal of a finished session: only given fields change; the reason is audited."""
        actor = self._require(Permission.CHECK_IN)
        why = _required(reason, "Reason for the correction")
        if confidence is not None and (
            isinstance(confidence, bool)
            or not isinstance(confidence, int)
            or not 0 <= confidence <= 10
        ):
            raise InvalidInput(
                f"Confidence: {confidence!r} is not a whole number from 0 to 10.",
                field="Confidence",
            )
        with self._write() as s:
            row = _get_in(s, Goal, goal_id, "goal")
            session = _get_in(s, ClinicSession, row.session_id, "session")
            _refuse_unless_closed(session)
            patient = _get_in(s, Patient, row.patient_id, "patient")
            before = snapshot(row)
            if text is not None:
                row.text = _required(text, "Goal")
            if what_matters is not None:
                row.what_matters = what_matters.strip()
            if confidence is not None:
                row.confidence = confidence
            if review_date is not None:
                row.review_date = review_date
            s.add(row)
            self._correction(s, actor, row, before, why, row.patient_id)
            outbox.goal_event(s, session, patient, row)
        return row

    def _correction(
        self,
        s: Session,
        actor: Actor,
        row: SQLModel,
        before: dict[str, Any] | None,
        reason: str,
        patient_id: int | None,
    ) -> None:
        s.flush()
        audit.append(
            s,
            user_id=actor.id,
            user_name=actor.name,
            action="correction",
            entity=type(row).__tablename__,  # type: ignore[attr-defined]
            entity_id=getattr(row, "id", None),
            patient_id=patient_id,
            before=before,
            after={**snapshot(row), "correction_reason": reason},
        )

    # ---- export log

    def session_record(self, session_id: int) -> "SessionRecord":  # noqa: F821
        """Everything about each person who attended, gathered for the GP-record exports."""
        from groupclinic_desktop.core.session_record import build_session_record

        return build_session_record(self, session_id)

    def record_export(
        self,
        session_id: int,
        patient_id: int,
        formats: Sequence[str],
        files: Sequence[str],
    ) -> ExportRecord:
        """Log one person's export; a second export of the same session is a correction.

        When everyone who attended has been exported, the session becomes "exported".
        """
        actor = self._require(Permission.EXPORT)
        wanted = [f.strip().lower() for f in formats if f.strip()]
        unknown = sorted(set(wanted) - set(EXPORT_FORMATS))
        if unknown or not wanted:
            raise InvalidInput(
                f"Formats: choose from {', '.join(EXPORT_FORMATS)} (got {', '.join(unknown)}).",
                field="Formats",
            )
        with self._write() as s:
            session = _get_in(s, ClinicSession, session_id, "session")
            if session.status not in (SessionStatus.FINISHED, SessionStatus.EXPORTED):
                raise InvalidInput(
                    f"This session is {session.status.value}; only finished sessions are exported."
                )
            _get_in(s, Patient, patient_id, "patient")
            previous = s.exec(
                select(ExportRecord)
                .where(ExportRecord.session_id == session_id, ExportRecord.patient_id == patient_id)
                .order_by(col(ExportRecord.version).desc())
            ).first()
            version = previous.version + 1 if previous else 1
            row = ExportRecord(
                session_id=session_id,
                patient_id=patient_id,
                formats=",".join(f for f in EXPORT_FORMATS if f in wanted),
                files=[Path(f).name for f in files],
                version=version,
                is_correction=version > 1,
                exported_by_id=actor.id,
            )
            s.add(row)
            self._audit(s, actor, "export", row, patient_id=patient_id)
            if session.status == SessionStatus.FINISHED:
                present = {
                    a.patient_id
                    for a in s.exec(select(Attendance).where(Attendance.session_id == session_id))
                    if a.status.present
                }
                done = set(
                    s.exec(
                        select(ExportRecord.patient_id).where(
                            ExportRecord.session_id == session_id
                        )
                    )
                )
                if present <= done:
                    before = snapshot(session)
                    session.status = SessionStatus.EXPORTED
                    s.add(session)
                    self._audit(s, actor, "update", session, before=before)
        return row

    def export_log(self, session_id: int | None = None) -> list[ExportRecord]:
        """What was exported, for whom, when and by whom; oldest first."""
        with self._read() as s:
            query = select(ExportRecord)
            if session_id is not None:
                query = query.where(ExportRecord.session_id == session_id)
            return list(s.exec(query.order_by(col(ExportRecord.exported_at), col(ExportRecord.id))))

    def mark_filed(self, export_id: int) -> ExportRecord:
        """An admin confirms this export is filed in the GP record."""
        actor = self._require(Permission.EXPORT)
        with self._write() as s:
            row = _get_in(s, ExportRecord, export_id, "export")
            if row.filed_at is not None:
                return row
            before = snapshot(row)
            row.filed_at = utcnow()
            row.filed_by_id = actor.id
            s.add(row)
            self._audit(s, actor, "filed", row, before=before, patient_id=row.patient_id)
        return row

    def outstanding_filing(self, session_id: int) -> list[Patient]:
        """People who attended whose latest notes are not yet filed in the GP record."""
        latest: dict[int, ExportRecord] = {}
        for row in self.export_log(session_id):
            if row.patient_id not in latest or row.version > latest[row.patient_id].version:
                latest[row.patient_id] = row
        return [
            entry.patient
            for entry in self.roster(session_id)
            if entry.attendance.status.present
            and (
                entry.patient.id not in latest
                or latest[entry.patient.id].filed_at is None  # type: ignore[index]
            )
        ]

    def corrections_since_export(self, session_id: int) -> dict[int, list[str]]:
        """Per person, the reasons for corrections made after their latest export."""
        last: dict[int, datetime] = {}
        for row in self.export_log(session_id):
            last[row.patient_id] = _aware(row.exported_at)  # type: ignore[assignment]
        found: dict[int, list[str]] = {}
        for entry in self.audit_entries():
            if entry.action != "correction" or entry.patient_id not in last:
                continue
            after = entry.after or {}
            if after.get("session_id") != session_id:
                continue
            if _aware(entry.at) > last[entry.patient_id]:  # type: ignore[operator]
                found.setdefault(entry.patient_id, []).append(
                    str(after.get("correction_reason") or "")
                )
        return found


    # ---- cohort import

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
        self._put_plan_setting(actor, self.COHORT_MAPPING_KEY, merged)

    def consent_wording(self) -> dict[str, Any] | None:
        """The practice's own confidentiality and consent wording, or None for the default."""
        value = self.setting(self.CONSENT_WORDING_KEY)
        return value if isinstance(value, dict) else None

    def set_consent_wording(self, wording: dict[str, Any] | None) -> None:
        """Save the practice's wording (same fields as resources/consent_wording.toml); None
        goes back to the default."""
        from groupclinic_desktop.core.invitations import check_wording

        actor = self._require(Permission.PLAN)
        self._put_plan_setting(
            actor, self.CONSENT_WORDING_KEY, None if wording is None else check_wording(wording)
        )

    def _put_plan_setting(self, actor: Actor, key: str, value: Any) -> None:
        from groupclinic_desktop.core.schema import Setting

        with self._write() as s:
            row = s.get(Setting, key)
            before = snapshot(row) if row else None
            if row is None:
                row = Setting(key=key)
            row.value = audit.plain(value)
            row.updated_at = utcnow()
            s.add(row)
            self._audit(s, actor, "update" if before else "create", row, before=before)

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
                history: dict[tuple[int, str], list[Measurement]] = {}
                for m in s.exec(select(Measurement)):
                    history.setdefault((m.patient_id, m.type_key), []).append(m)
                bulk = _BulkWriter(s, actor)
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
                        counts["added"] += self._import_results(bulk, patient, row, history)
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
        history: dict[tuple[int, str], list[Measurement]],
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
            values = {
                "uid": str(uuid.uuid4()),
                "patient_id": patient.id,
                "session_id": None,
                "type_key": result.key,
                "value": result.value,
                "unit": catalogue().get(result.key).unit,
                "taken_at": datetime.combine(result.taken_on, time(12), tzinfo=UTC),
                "source": Source.GP_RECORD,
                "reading_uid": reading,
                "confirmed_unusual": result.unusual,
                "entered_by_id": bulk.actor.id,
                "entered_at": utcnow(),
            }
            measurement = bulk.insert(Measurement, values, patient.id)
            held.append(measurement)
            added += 1
            outbox.measurement_event(bulk.outbox, None, patient, measurement, previous)
        return added


    # ---- programmes and outcomes

    SERIES_STEPS = ("week", "month")
    MAX_SERIES = 52
    PROGRAMME_FIELDS = ("measurements", "targets", "topics", "phase_minutes", "questionnaires")

    def _require_admin(self) -> Actor:
        """Programme definitions are the practice's policy: an admin changes them."""
        actor = self._require(Permission.PLAN)
        if actor is not SYSTEM and actor.role != Role.ADMIN:
            raise NotAllowed(f"A {actor.role.value} may not change programmes; ask an admin.")
        return actor

    def create_programme_from_template(self, template_key: str, name: str) -> Programme:
        """A new programme (version 1) from a template in resources/programmes. Admin only."""
        self._require_admin()
        wanted = _required(name, "Programme name")
        if any(p.name == wanted for p in self.programmes()):
            raise InvalidInput(
                f"Programme name: '{wanted}' is already used by another programme.",
                field="Programme name",
            )
        return self.add_programme(template_key, wanted)

    def update_programme(
        self,
        programme_id: int,
        *,
        name: str | None = None,
        measurements: Sequence[str] | None = None,
        targets: dict[str, dict[str, Any]] | None = None,
        topics: Sequence[str] | None = None,
        phase_minutes: dict[str, int] | None = None,
        questionnaires: dict[str, str] | None = None,
    ) -> Programme:
        """Change a programme; only given fields change. Admin only, audited.

        The edited definition is checked against the catalogue and questionnaires, and the
        version goes up by one. Sessions keep the snapshot they were planned with, so past
        sessions (and sessions already planned) are not changed by the edit.
        Removing a measurement also drops its target and stale-window overrides.
        """
        from groupclinic_desktop.core import programmes

        actor = self._require_admin()
        with self._write() as s:
            row = _get_in(s, Programme, programme_id, "programme")
            before = snapshot(row)
            new = dict(row.definition or {})
            if name is not None:
                wanted = _required(name, "Programme name")
                clash = s.exec(
                    select(Programme).where(Programme.name == wanted, Programme.id != row.id)
                ).first()
                if clash is not None:
                    raise InvalidInput(
                        f"Programme name: '{wanted}' is already used by another programme.",
                        field="Programme name",
                    )
                new["name"] = wanted
            if measurements is not None:
                keys = [str(k) for k in measurements]
                new["measurements"] = keys
                for table in ("targets", "stale_after_days"):
                    new[table] = {k: v for k, v in (new.get(table) or {}).items() if k in keys}
                new["domains"] = [
                    {**d, "measurements": [k for k in d.get("measurements", []) if k in keys]}
                    for d in new.get("domains") or []
                ]
            if targets is not None:
                new["targets"] = {k: _target_fields(k, v) for k, v in targets.items()}
            if topics is not None:
                new["topics"] = [str(t).strip() for t in topics if str(t).strip()]
            if phase_minutes is not None:
                new["phase_minutes"] = {**(new.get("phase_minutes") or {}), **phase_minutes}
            if questionnaires is not None:
                asked = {str(k): str(v) for k, v in questionnaires.items()}
                new["questionnaires"] = asked
                new["domains"] = [
                    {**d, "questionnaires": [k for k in d.get("questionnaires", []) if k in asked]}
                    for d in new.get("domains") or []
                ]
            changed = new != (row.definition or {}) or (name is not None and name != row.name)
            if not changed:
                return row
            new["version"] = row.version + 1
            programmes.checked_definition(new)  # raises InvalidInput naming the field
            row.definition = audit.plain(new)
            row.version += 1
            if name is not None:
                row.name = new["name"]
            s.add(row)
            self._audit(s, actor, "update", row, before=before)
        return row

    def plan_series(
        self,
        programme_id: int,
        first_day: date,
        start_time: time,
        place: str,
        *,
        every: str = "month",
        count: int,
        mode: Mode = Mode.FACE_TO_FACE,
        facilitator_id: int | None = None,
        clinician_ids: Sequence[int] = (),
    ) -> list[ClinicSession]:
        """Plan `count` sessions a week or a month apart in ONE transaction.

        They share a series id and are numbered on from the programme's existing sessions. A
        monthly series keeps the day of the month (the 31st becomes the month's last day).
        """
        actor = self._require(Permission.PLAN)
        if every not in self.SERIES_STEPS:
            raise InvalidInput(
                f"Repeat: '{every}' is not one of {', '.join(self.SERIES_STEPS)}.", field="Repeat"
            )
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 52:
            raise InvalidInput(
                f"Number of sessions: {count!r} is not a whole number from 1 to {self.MAX_SERIES}.",
                field="Number of sessions",
            )
        if first_day < date.today():
            raise InvalidInput(
                f"First session: {first_day:%d %b %Y} is in the past.", field="First session"
            )
        where = _required(place, "Place")
        series_uid = str(uuid.uuid4())
        planned: list[ClinicSession] = []
        with self._write() as s:
            programme = _get_in(s, Programme, programme_id, "programme")
            _check_session_staff(s, facilitator_id, clinician_ids)
            numbers = s.exec(
                select(ClinicSession.session_number).where(
                    ClinicSession.programme_id == programme_id
                )
            ).all()
            first_number = max(numbers, default=0) + 1
            for index in range(count):
                row = ClinicSession(
                    uid=str(uuid.uuid4()),
                    programme_id=programme_id,
                    programme_version=programme.version,
                    programme_snapshot=programme.definition,
                    day=_series_day(first_day, every, index),
                    start_time=start_time,
                    place=where,
                    mode=Mode(mode),
                    facilitator_id=facilitator_id,
                    session_number=first_number + index,
                    series_uid=series_uid,
                )
                s.add(row)
                s.flush()
                for staff_id in clinician_ids:
                    s.add(SessionClinician(session_id=row.id, staff_id=staff_id))  # type: ignore[arg-type]
                self._audit(s, actor, "create", row)
                outbox.session_event(s, row, staff_roles=self._roles_present(s, row))
                planned.append(row)
        return planned

    def series(self, series_uid: str) -> list[ClinicSession]:
        """The sessions of one series, in date order."""
        with self._read() as s:
            query = (
                select(ClinicSession)
                .where(ClinicSession.series_uid == series_uid)
                .order_by(col(ClinicSession.day), col(ClinicSession.start_time))
            )
            return list(s.exec(query))

    def move_session(
        self,
        session_id: int,
        day: date,
        start_time: time | None = None,
        place: str | None = None,
    ) -> ClinicSession:
        """Move one planned session to another day (and time or place). Audited."""
        actor = self._require(Permission.PLAN)
        if day < date.today():
            raise InvalidInput(f"New date: {day:%d %b %Y} is in the past.", field="New date")
        with self._write() as s:
            row = _get_in(s, ClinicSession, session_id, "session")
            _refuse_unless_planned(row, "moved")
            before = snapshot(row)
            row.day = day
            if start_time is not None:
                row.start_time = start_time
            if place is not None:
                row.place = _required(place, "Place")
            s.add(row)
            self._audit(s, actor, "update", row, before=before)
            outbox.session_event(s, row, staff_roles=self._roles_present(s, row))
        return row

    def cancel_session(self, session_id: int, reason: str) -> ClinicSession:
        """Cancel one planned session; the reason goes in the audit trail (not the dataset)."""
        actor = self._require(Permission.PLAN)
        why = _required(reason, "Reason for cancelling")
        with self._write() as s:
            row = _get_in(s, ClinicSession, session_id, "session")
            _refuse_unless_planned(row, "cancelled")
            before = snapshot(row)
            row.status = SessionStatus.CANCELLED
            s.add(row)
            s.flush()
            audit.append(
                s,
                user_id=actor.id,
                user_name=actor.name,
                action="cancel",
                entity="clinic_session",
                entity_id=row.id,
                before=before,
                after={**snapshot(row), "cancel_reason": why},
            )
            outbox.session_event(s, row, staff_roles=self._roles_present(s, row))
        return row

    def outcomes_suppress_below(self) -> int:
        """Figures about fewer people than this are not shown (Setting, default 5)."""
        value = self.setting("outcomes_suppress_below", 5)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return 5
        return value

    def progress(self, patient_id: int, programme_id: int) -> "PersonProgress":  # noqa: F821
        """One person's measurements, scores and goals across the programme's sessions."""
        from groupclinic_desktop.core.progress import person_progress

        return person_progress(self, patient_id, programme_id)

    def outcomes(self, programme_id: int, *, today: date | None = None) -> "Outcomes":  # noqa: F821
        """The programme's outcome figures, small numbers suppressed."""
        from groupclinic_desktop.core.outcomes import programme_outcomes

        return programme_outcomes(self, programme_id, today=today)

    # ---- store safety

    @classmethod
    def _open_read_only(cls, location: store.StoreLocation) -> "Clinic":
        store.refuse_plain_file(location.db_path)
        key = store.resolve_key(location, create=False)
        store.probe_file(location.db_path, key)
        engine = store.make_engine(location.db_path, key, read_only=True)
        log.info("store opened read-only")
        return cls(location, engine, key, read_only=True)

    def _sign_in_read_only(self, staff_id: int, pin: str) -> Actor:
        # Nothing can be written, so failures are counted in memory for this window's life.
        user = self._get(StaffUser, staff_id, "staff member")
        if not user.active:
            raise NotFound("No such staff member.")
        locked_until = _aware(user.locked_until)
        failures = self._read_only_failures.get(staff_id, 0)
        if (locked_until and locked_until > utcnow()) or failures >= MAX_FAILED_SIGN_INS:
            raise NotAllowed(f"Too many wrong PINs for {user.name}. Try again later.")
        if not auth.verify_pin(pin, user.pin_hash):
            self._read_only_failures[staff_id] = failures + 1
            raise NotAllowed("That PIN is not right.")
        self._actor = Actor(user.id, user.name, user.role)
        return self._actor

    @classmethod
    def latest_good_backup(cls, data_dir: Path | str | None = None) -> Path | None:
        """The newest backup of the store in data_dir that is sound under the store's key."""
        location = store.StoreLocation(Path(data_dir) if data_dir else store.default_data_dir())
        key = store.resolve_key(location, create=False)
        return store.latest_good_backup(location.data_dir, key)

    @classmethod
    def recover_from_backup(
        cls, data_dir: Path | str | None = None, backup_file: Path | None = None
    ) -> tuple[Path, Path]:
        """Put a good backup in place of a store that will not open; returns (used, kept).

        For a store too damaged to open, so no sign-in: whoever holds the key (keyring or
        GROUPCLINIC_DB_KEY) can do it. The store file as found is copied into the backups
        folder first, and the recovery is written to the restored store's audit trail.
        """
        location = store.StoreLocation(Path(data_dir) if data_dir else store.default_data_dir())
        lock = store.lock_instance(location)
        try:
            key = store.resolve_key(location, create=False)
            chosen = (
                Path(backup_file)
                if backup_file
                else store.latest_good_backup(location.data_dir, key)
            )
            if chosen is None:
                raise StoreError(
                    f"There is no good backup in {location.backup_dir} to restore.",
                    kind="damaged",
                )
            store.verify_backup(chosen, key)
            kept = store.keep_damaged_copy(location)
            store.replace_store(location, chosen)
        finally:
            lock.release()
        with cls.open(location.data_dir, create=False) as clinic, clinic._write() as s:
            audit.append(
                s,
                user_id=None,
                user_name=SYSTEM.name,
                action="restore",
                entity="store",
                entity_id=None,
                after={"from": chosen.name, "kept": kept.name},
            )
        log.info("store recovered from a backup")
        return chosen, kept

    def create_first_admin(self, name: str, pin: str) -> StaffUser:
        """The first admin of a new practice, chosen on first run: there is no default password.

        Allowed only while the store has no staff at all, so it can never add a second admin.
        Nobody can be signed in yet, so the audit trail names the system.
        """
        name = _required(name, "Admin's name")
        pin_hash = auth.hash_pin(pin)  # a too-short PIN is refused before anything is written
        with self._write() as s:
            return self._first_admin(s, name, pin_hash)

    def set_up_practice(self, ods_code: str, name: str, admin_name: str, pin: str) -> Practice:
        """First run of a real practice: the practice and its first admin, in one transaction."""
        ods_code = ods_code.strip().upper()
        if not ods_code.isalnum() or not 3 <= len(ods_code) <= 10:
            raise InvalidInput(f"ODS code: '{ods_code}' is not an ODS code.", field="ODS code")
        practice_name = _required(name, "Practice name")
        admin_name = _required(admin_name, "Admin's name")
        pin_hash = auth.hash_pin(pin)
        with self._write() as s:
            if s.exec(select(Practice)).first() is not None:
                raise InvalidInput("This store already holds a practice; nothing was changed.")
            practice = Practice(ods_code=ods_code, name=practice_name, is_demo=False)
            s.add(practice)
            self._audit(s, SYSTEM, "create", practice)
            self._first_admin(s, admin_name, pin_hash)
        return practice

    def _first_admin(self, s: Session, name: str, pin_hash: str) -> StaffUser:
        if s.exec(select(StaffUser)).first() is not None:
            raise NotAllowed("This practice already has staff; an admin adds new users.")
        user = StaffUser(name=name, role=Role.ADMIN, pin_hash=pin_hash)
        s.add(user)
        self._audit(s, SYSTEM, "create", user)
        return user

    # ---- patient details

    def update_patient_details(self, patient_id: int, **fields: Any) -> Patient:
        """Change a person's details and equity fields (admin, facilitator or clinician).

        Every equity field is optional: None or "" records "not stated". Values are checked by
        core.equity.clean_details; the change is one audited transaction.
        """
        from groupclinic_desktop.core.equity import clean_details

        actor = self._require(Permission.PLAN)
        clean = clean_details(fields)
        with self._write() as s:
            row = _get_in(s, Patient, patient_id, "patient")
            before = snapshot(row)
            changed = False
            for name, value in clean.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)
                    changed = True
            # A decile says the quintile too; a stale quintile beside a new decile would mislead.
            if "imd_decile" in clean and clean["imd_decile"] is not None:
                quintile = (clean["imd_decile"] + 1) // 2
                if row.imd_quintile != quintile:
                    row.imd_quintile, changed = quintile, True
            if changed:
                s.add(row)
                self._audit(s, actor, "update", row, before=before, patient_id=patient_id)
        return row

    # ---- community connections

    def _require_directory(self) -> Actor:
        actor = self._require(Permission.PLAN)
        if actor is not SYSTEM and actor.role not in (Role.ADMIN, Role.FACILITATOR):
            raise NotAllowed(
                f"A {actor.role.value} may not change the community directory; ask an admin "
                "or a facilitator."
            )
        return actor

    def community_resources(self, *, active_only: bool = False) -> list["CommunityResource"]:  # noqa: F821
        from groupclinic_desktop.core.schema import CommunityResource

        with self._read() as s:
            query = select(CommunityResource)
            if active_only:
                query = query.where(CommunityResource.active == True)  # noqa: E712
            rows = s.exec(query)
            return sorted(rows, key=lambda r: (r.name.lower(), r.organisation.lower(), r.id or 0))

    def community_resource(self, resource_id: int) -> "CommunityResource":  # noqa: F821
        from groupclinic_desktop.core.schema import CommunityResource

        return self._get(CommunityResource, resource_id, "directory entry")

    def add_resource(self, name: str, **fields: Any) -> "CommunityResource":  # noqa: F821
        """Add a directory entry: name, offers, when_where, contact, organisation, kind."""
        from groupclinic_desktop.core.community import clean_resource
        from groupclinic_desktop.core.schema import CommunityResource

        actor = self._require_directory()
        row = CommunityResource(**clean_resource({"name": name, **fields}))
        with self._write() as s:
            s.add(row)
            self._audit(s, actor, "create", row)
        return row

    def update_resource(self, resource_id: int, **fields: Any) -> "CommunityResource":  # noqa: F821
        from groupclinic_desktop.core.community import clean_resource
        from groupclinic_desktop.core.schema import CommunityResource

        actor = self._require_directory()
        clean = clean_resource(fields, partial=True)
        with self._write() as s:
            row = _get_in(s, CommunityResource, resource_id, "directory entry")
            before = snapshot(row)
            for name, value in clean.items():
                setattr(row, name, value)
            row.updated_at = utcnow()
            s.add(row)
            self._audit(s, actor, "update", row, before=before)
        return row

    def deactivate_resource(self, resource_id: int) -> "CommunityResource":  # noqa: F821
        """Take an entry out of the pickers; past signposting to it stays on record."""
        return self.update_resource(resource_id, active=False)

    def import_resources_csv(self, path: Path | str) -> dict[str, int]:
        """Import a directory CSV, all or nothing. Entries match by name and organisation
        (ignoring case): a match is updated, anything else added. Raises InvalidInput listing
        every refused value by row and column. Returns counts: created, updated, unchanged."""
        from groupclinic_desktop.core.community import read_resources_csv
        from groupclinic_desktop.core.schema import CommunityResource

        actor = self._require_directory()
        checked = read_resources_csv(path)
        seen: dict[tuple[str, str], int] = {}
        for line, values in checked.rows:
            if "name" not in values:
                continue
            key = (values["name"].lower(), str(values.get("organisation", "")).lower())
            if key in seen:
                from groupclinic_desktop.core.community import Problem

                checked.problems.append(
                    Problem(line, "Name", values["name"], f"the same entry as row {seen[key]}")
                )
            seen[key] = line
        if not checked.ok:
            raise InvalidInput(
                "Directory file: nothing was imported.\n" + checked.report(), field="Directory"
            )
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        with self._write() as s:
            held = s.exec(select(CommunityResource))
            existing = {(r.name.lower(), r.organisation.lower()): r for r in held}
            for _, values in checked.rows:
                key = (values["name"].lower(), str(values.get("organisation", "")).lower())
                row = existing.get(key)
                if row is None:
                    row = CommunityResource(**values)
                    s.add(row)
                    self._audit(s, actor, "create", row)
                    counts["created"] += 1
                    continue
                before = snapshot(row)
                changes = {k: v for k, v in values.items() if getattr(row, k) != v}
                if not changes:
                    counts["unchanged"] += 1
                    continue
                for name, value in changes.items():
                    setattr(row, name, value)
                row.updated_at = utcnow()
                s.add(row)
                self._audit(s, actor, "update", row, before=before)
                counts["updated"] += 1
        return counts

    def export_resources_csv(self, path: Path | str) -> Path:
        """Write the whole directory (inactive entries too) as CSV the import reads back."""
        from groupclinic_desktop.core.community import resources_csv_text

        self._require(Permission.PLAN)
        out = Path(path)
        out.write_text(resources_csv_text(self.community_resources()), encoding="utf-8-sig")
        return out

    def signpost(
        self,
        session_id: int,
        patient_id: int,
        resource_id: int,
        kind: str = "signposted",
        note: str = "",
    ) -> "Signposting":  # noqa: F821
        """Record that a person was signposted or referred to a directory entry in a session."""
        from groupclinic_desktop.core.community import clean_signpost_kind
        from groupclinic_desktop.core.schema import CommunityResource, Signposting

        actor = self._require(Permission.CHECK_IN)
        kind = clean_signpost_kind(kind)
        with self._write() as s:
            session = _get_in(s, ClinicSession, session_id, "session")
            _refuse_if_closed(session)
            patient = _get_in(s, Patient, patient_id, "patient")
            entry = _get_in(s, CommunityResource, resource_id, "directory entry")
            if not entry.active:
                raise InvalidInput(
                    f"Directory entry: '{entry.name}' is no longer active.", field="Directory"
                )
            row = Signposting(
                uid=str(uuid.uuid4()),
                patient_id=patient_id,
                session_id=session_id,
                resource_id=resource_id,
                kind=kind,
                note=(note or "").strip(),
                by_id=actor.id,
            )
            s.add(row)
            self._audit(s, actor, "create", row, patient_id=patient_id)
            outbox.signposting_event(s, session, patient, entry.kind)
        return row

    def signposts(
        self, *, session_id: int | None = None, patient_id: int | None = None
    ) -> list["Signposting"]:  # noqa: F821
        from groupclinic_desktop.core.schema import Signposting

        with self._read() as s:
            query = select(Signposting)
            if session_id is not None:
                query = query.where(Signposting.session_id == session_id)
            if patient_id is not None:
                query = query.where(Signposting.patient_id == patient_id)
            return list(s.exec(query.order_by(col(Signposting.at), col(Signposting.id))))

    def signposting_counts(self, programme_id: int) -> dict[str, dict[str, int]]:
        """Signposting in the programme's sessions, by directory entry:
        {entry name: {"signposted": n, "referred": n}}."""
        from groupclinic_desktop.core.community import counts_by_resource
        from groupclinic_desktop.core.schema import Signposting

        with self._read() as s:
            rows = s.exec(
                select(Signposting)
                .join(ClinicSession, col(ClinicSession.id) == Signposting.session_id)
                .where(ClinicSession.programme_id == programme_id)
            ).all()
        names = {r.id: r.name for r in self.community_resources() if r.id is not None}
        return counts_by_resource(rows, names)

    # ---- carers

    def add_carer_visit(
        self,
        session_id: int,
        cares_for_patient_id: int,
        carer_name: str,
        *,
        confidentiality_agreed: bool,
        carer_nhs_number: str | None = None,
    ) -> "CarerVisit":  # noqa: F821
        """Record a carer who came with someone, with their own confidentiality agreement.

        A carer registered at the practice is named by NHS number: their record (which must
        already be held) is linked and marked as a carer, and only that record ever receives the
        carer's goal and wellbeing score. Without one, the visit stays local to this session.
        """
        from groupclinic_desktop.core.schema import CarerVisit

        actor = self._require(Permission.CHECK_IN)
        name = _required(carer_name, "Carer's name")
        if not confidentiality_agreed:
            raise InvalidInput(
                "Confidentiality: a carer joins the group only after agreeing to keep what is "
                "said in the room private.",
                field="Confidentiality",
            )
        nhs = validation.parse_nhs_number(carer_nhs_number) if carer_nhs_number else None
        with self._write() as s:
            session = _get_in(s, ClinicSession, session_id, "session")
            _refuse_if_closed(session)
            _get_in(s, Patient, cares_for_patient_id, "patient")
            carer_id: int | None = None
            if nhs is not None:
                carer = s.exec(select(Patient).where(Patient.nhs_number == nhs)).first()
                if carer is None:
                    raise InvalidInput(
                        "Carer's NHS number: nobody with this NHS number is on the practice's "
                        "record; leave it empty for a carer registered elsewhere.",
                        field="Carer's NHS number",
                    )
                if carer.id == cares_for_patient_id:
                    raise InvalidInput(
                        "Carer's NHS number: that is the person being cared for.",
                        field="Carer's NHS number",
                    )
                carer_id = carer.id
                if carer.is_carer is not True:
                    before = snapshot(carer)
                    carer.is_carer = True
                    s.add(carer)
                    self._audit(s, actor, "update", carer, before=before, patient_id=carer.id)
            row = CarerVisit(
                uid=str(uuid.uuid4()),
                session_id=session_id,
                cares_for_patient_id=cares_for_patient_id,
                carer_patient_id=carer_id,
                carer_name=name,
                confidentiality_agreed=True,
                recorded_by_id=actor.id,
            )
            s.add(row)
            # Filed under the carer's own record (when registered), never the cared-for person's.
            self._audit(s, actor, "create", row, patient_id=carer_id)
            attendance = s.exec(
                select(Attendance).where(
                    Attendance.session_id == session_id,
                    Attendance.patient_id == cares_for_patient_id,
                )
            ).first()
            if attendance is not None and not attendance.carer_present:
                before = snapshot(attendance)
                attendance.carer_present = True
                attendance.updated_at = utcnow()
                s.add(attendance)
                self._audit(
                    s, actor, "update", attendance, before=before, patient_id=cares_for_patient_id
                )
        return row

    def set_carer_wellbeing(
        self,
        visit_id: int,
        *,
        goal: str | None = None,
        goal_confidence: int | None = None,
        swemwbs_score: int | None = None,
    ) -> "CarerVisit":  # noqa: F821
        """The carer's own goal (with confidence 0-10) and SWEMWBS raw total (7-35), if they
        wish. None leaves a value as it is; an empty goal removes the goal."""
        from groupclinic_desktop.core.schema import CarerVisit

        actor = self._require(Permission.CHECK_IN)
        for value, label, low, high in (
            (goal_confidence, "Carer's confidence", 0, 10),
            (swemwbs_score, "Carer's wellbeing (SWEMWBS total)", 7, 35),
        ):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
            ):
                raise InvalidInput(
                    f"{label}: {value!r} is not a whole number from {low} to {high}.", field=label
                )
        with self._write() as s:
            row = _get_in(s, CarerVisit, visit_id, "carer visit")
            _refuse_if_closed(_get_in(s, ClinicSession, row.session_id, "session"))
            before = snapshot(row)
            if goal is not None:
                row.goal = goal.strip()
            if goal_confidence is not None:
                row.goal_confidence = goal_confidence
            if swemwbs_score is not None:
                row.swemwbs_score = swemwbs_score
            if row.goal and row.goal_confidence is None:
                raise InvalidInput(
                    "Carer's confidence: a goal needs a confidence from 0 to 10.",
                    field="Carer's confidence",
                )
            row.updated_at = utcnow()
            s.add(row)
            self._audit(s, actor, "update", row, before=before, patient_id=row.carer_patient_id)
        return row

    def carer_visits(
        self,
        *,
        session_id: int | None = None,
        cares_for_patient_id: int | None = None,
        carer_patient_id: int | None = None,
    ) -> list["CarerVisit"]:  # noqa: F821
        from groupclinic_desktop.core.schema import CarerVisit

        with self._read() as s:
            query = select(CarerVisit)
            if session_id is not None:
                query = query.where(CarerVisit.session_id == session_id)
            if cares_for_patient_id is not None:
                query = query.where(CarerVisit.cares_for_patient_id == cares_for_patient_id)
            if carer_patient_id is not None:
                query = query.where(CarerVisit.carer_patient_id == carer_patient_id)
            return list(s.exec(query.order_by(col(CarerVisit.id))))

    # ---- languages
    # The group's language for a session's patient-facing views (presenter, room PDF) and
    # whether the practice has had a translation checked by a native speaker.
    SESSION_LANGUAGE_PREFIX = "session_language."
    LANGUAGE_CONFIRMED_PREFIX = "i18n.confirmed."

    def session_language(self, session_id: int) -> str:
        """The language code the room sees for this session ("en" unless one was chosen)."""
        from groupclinic_desktop import i18n

        chosen = self.setting(f"{self.SESSION_LANGUAGE_PREFIX}{session_id}")
        return i18n.normalise(chosen) or i18n.SOURCE_LANGUAGE

    def set_session_language(self, session_id: int, code: str) -> str:
        """Choose the room's language for a session; whoever runs the session may."""
        from groupclinic_desktop import i18n

        actor = self._require(Permission.RUN_SESSION)
        chosen = i18n.language(code).code
        self.session(session_id)  # NotFound for a session that does not exist
        self._save_language_setting(f"{self.SESSION_LANGUAGE_PREFIX}{session_id}", chosen, actor)
        return chosen

    def language_confirmed(self, code: str) -> bool:
        """True once the practice confirmed a native speaker checked this translation."""
        from groupclinic_desktop import i18n

        chosen = i18n.language(code).code
        if chosen == i18n.SOURCE_LANGUAGE:
            return True
        return bool(self.setting(f"{self.LANGUAGE_CONFIRMED_PREFIX}{chosen}", False))

    def confirm_language(self, code: str, confirmed: bool = True) -> None:
        """Record (admin only) that a native speaker has checked a translation, or undo it."""
        from groupclinic_desktop import i18n

        chosen = i18n.language(code).code
        self.set_setting(f"{self.LANGUAGE_CONFIRMED_PREFIX}{chosen}", bool(confirmed))

    def _save_language_setting(self, key: str, value: Any, actor: Actor) -> None:
        from groupclinic_desktop.core.schema import Setting

        with self._write() as s:
            row = s.get(Setting, key)
            before = snapshot(row) if row else None
            if row is None:
                row = Setting(key=key)
            row.value = audit.plain(value)
            row.updated_at = utcnow()
            s.add(row)
            self._audit(s, actor, "update" if before else "create", row, before=before)


class _ImportCancelled(Exception):
    """Raised inside the import's transaction so that cancelling rolls all of it back."""


class _Collector:
    """Stands in for the Session when outbox helpers build events, so they go in one batch."""

    def __init__(self) -> None:
        self.events: list[OutboxEvent] = []

    def add(self, event: OutboxEvent) -> None:
        self.events.append(event)


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
        self.next_id = {
            model: (s.exec(select(func.max(model.id))).one() or 0) + 1  # type: ignore[arg-type]
            for model in self.TABLES
        }
        last = s.exec(select(AuditEntry.hash).order_by(col(AuditEntry.id).desc()).limit(1))
        self.last_hash = last.first() or audit.GENESIS
        self.last_audit_id: int | None = None
        self.rows: dict[type[SQLModel], list[dict[str, Any]]] = {m: [] for m in self.TABLES}
        self.collector = _Collector()

    @property
    def outbox(self) -> Session:
        return self.collector  # type: ignore[return-value]

    def _take_id(self, model: type[SQLModel]) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def insert(self, model: type[Row], values: dict[str, Any], patient_id: int | None) -> Row:
        """Queue a new row with every column's value (its id is given here) and its audit
        entry. The row is built with model_construct: the values are checked already, and
        full construction of 60,000 rows is a good part of a large import's time."""
        values = {"id": self._take_id(model), **values}
        row = model.model_construct(**values)
        self.rows[model].append(values)
        self.audit("create", row, audit.plain(values), patient_id)
        return row

    def audit(
        self,
        action: str,
        row: SQLModel,
        after: dict[str, Any],
        patient_id: int | None,
        before: dict[str, Any] | None = None,
    ) -> None:
        entry = AuditEntry.model_construct(
            id=self._take_id(AuditEntry),
            at=utcnow(),
            user_id=self.actor.id,
            user_name=self.actor.name,
            action=action,
            entity=type(row).__tablename__,  # type: ignore[attr-defined]
            entity_id=str(getattr(row, "id", None)),
            patient_id=patient_id,
            before=audit.plain(before),
            after=after,
            prev_hash=self.last_hash,
            hash="",
        )
        values = entry.model_dump()
        values["hash"] = audit._digest(entry)  # hash="" while it is worked out, as in append
        self.last_hash, self.last_audit_id = values["hash"], values["id"]
        self.rows[AuditEntry].append(values)

    def write(self) -> None:
        from sqlalchemy import insert

        for event in self.collector.events:
            values = event.model_dump()
            values["id"] = self._take_id(OutboxEvent)
            self.rows[OutboxEvent].append(values)
        self.collector.events.clear()
        for model in self.TABLES:
            if self.rows[model]:
                self.s.execute(insert(model), self.rows[model])
                self.rows[model].clear()

    def close(self) -> None:
        """Write what is queued and move the audit head anchor to our last entry."""
        from groupclinic_desktop.core.schema import Setting

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
    }
    changed = False
    for name, value in values.items():
        if value is not None and getattr(patient, name) != value:
            setattr(patient, name, value)
            changed = True
    return changed


def _get_in(s: Session, model: type[Any], row_id: int, what: str) -> Any:
    row = s.get(model, row_id)
    if row is None:
        raise NotFound(f"No {what} with id {row_id}.")
    return row


def _latest(
    s: Session, patient_id: int, type_key: str, *, before: datetime | None = None
) -> Measurement | None:
    query = select(Measurement).where(
        Measurement.patient_id == patient_id, Measurement.type_key == type_key
    )
    if before is not None:
        query = query.where(Measurement.taken_at < before)
    query = query.order_by(col(Measurement.taken_at).desc(), col(Measurement.id).desc())
    return s.exec(query.limit(1)).first()


def _series_day(first: date, every: str, index: int) -> date:
    from calendar import monthrange
    from datetime import timedelta

    if every == "week":
        return first + timedelta(weeks=index)
    month = first.month - 1 + index
    year, month = first.year + month // 12, month % 12 + 1
    return date(year, month, min(first.day, monthrange(year, month)[1]))


def _refuse_unless_planned(session: ClinicSession, what: str) -> None:
    if session.status != SessionStatus.PLANNED:
        raise InvalidInput(
            f"This session is {session.status.value}; only a planned session can be {what}."
        )


def _check_session_staff(
    s: Session, facilitator_id: int | None, clinician_ids: Sequence[int]
) -> None:
    if facilitator_id is not None and s.get(StaffUser, facilitator_id) is None:
        raise InvalidInput("Facilitator: choose a member of staff.", field="Facilitator")
    for staff_id in clinician_ids:
        user = s.get(StaffUser, staff_id)
        if user is None or user.role != Role.CLINICIAN:
            raise InvalidInput("Clinicians: choose clinicians only.", field="Clinicians")


def _target_fields(key: str, fields: dict[str, Any]) -> dict[str, Any]:
    """An admin's target for a programme: numbers inside the catalogue's plausible range."""
    mtype = catalogue().get(key)
    clean = {k: v for k, v in fields.items() if v is not None and v != ""}
    for name in ("below", "above", "below_if_hypo_risk", "below_if_older", "above_if_female"):
        if name not in clean:
            continue
        level = clean[name]
        if isinstance(level, bool) or not isinstance(level, int | float):
            raise InvalidInput(
                f"{mtype.label} target: '{level}' is not a number.", field=mtype.label
            )
        if not mtype.hard_min <= level <= mtype.hard_max:
            raise InvalidInput(
                f"{mtype.label} target: {level:g} {mtype.unit} is outside the plausible range "
                f"({mtype.hard_min:g}-{mtype.hard_max:g} {mtype.unit}).",
                field=mtype.label,
            )
    return clean

def _refuse_if_closed(session: ClinicSession) -> None:
    if session.status in (SessionStatus.FINISHED, SessionStatus.EXPORTED, SessionStatus.CANCELLED):
        raise InvalidInput(
            f"This session is {session.status.value}; its record is closed to everyday edits."
        )


def _refuse_unless_closed(session: ClinicSession) -> None:
    # Corrections are for a closed record; while running, the page edits it directly.
    if session.status not in (SessionStatus.FINISHED, SessionStatus.EXPORTED):
        raise InvalidInput(
            f"This session is {session.status.value}; corrections are for finished sessions. "
            "Change it directly instead."
        )

def _close_phase(row: ClinicSession) -> None:
    if row.phase and row.phase_entered_at:
        spent = (utcnow() - _aware(row.phase_entered_at)).total_seconds() / 60  # type: ignore[operator]
        minutes = dict(row.phase_minutes or {})
        minutes[row.phase] = round(minutes.get(row.phase, 0.0) + spent, 2)
        row.phase_minutes = minutes
    row.phase_entered_at = utcnow()


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _required(text: str | None, field: str) -> str:
    value = (text or "").strip()
    if not value:
        raise InvalidInput(f"{field}: must not be empty.", field=field)
    return value


def _sex(value: Sex | str) -> Sex:
    try:
        return Sex(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(s.value for s in Sex)
        raise InvalidInput(f"Sex: '{value}' is not one of {allowed}.", field="Sex") from None


def _finding(item: dict[str, Any]) -> dict[str, Any]:
    term = _required(str(item.get("term", "")), "Coded finding")
    return {"code": str(item.get("code") or ""), "term": term}


MEDICATION_ACTIONS = ("start", "stop", "change_dose")


def _medication_change(item: dict[str, Any]) -> dict[str, Any]:
    action = str(item.get("action", ""))
    if action not in MEDICATION_ACTIONS:
        raise InvalidInput(
            f"Medication change: '{action}' is not one of start, stop, change dose.",
            field="Medication change",
        )
    drug = _required(str(item.get("drug", "")), "Medication change: drug")
    return {"action": action, "drug": drug, "dose": str(item.get("dose") or "").strip()}


def _action(item: dict[str, Any]) -> dict[str, Any]:
    text = _required(str(item.get("text", "")), "Follow-up action")
    due = item.get("due")
    if due:
        due = validation.parse_date(str(due), "Follow-up action: due date").isoformat()
    return {"text": text, "owner": str(item.get("owner") or "").strip(), "due": due or None}
