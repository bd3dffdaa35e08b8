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
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlmodel import Session, SQLModel, col, select

from groupclinic_desktop.core import audit, auth, outbox, store, validation
from groupclinic_desktop.core.catalogue import catalogue
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
    Goal,
    GoalOutcome,
    InvitationStatus,
    Measurement,
    Mode,
    OutboxEvent,
    Patient,
    Practice,
    Programme,
    QuestionnaireResponse,
    Review,
    Role,
    SessionClinician,
    SessionStatus,
    Sex,
    Source,
    StaffUser,
    utcnow,
)

log = logging.getLogger(__name__)

BLOOD_PRESSURE = "blood_pressure"
MAX_FAILED_SIGN_INS = 5
LOCKOUT_MINUTES = 5


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
    return audit.plain(row.model_dump())


class Clinic:
    """One open practice store. Use `Clinic.open(data_dir)`; close it when done."""

    def __init__(self, location: store.StoreLocation, engine: Engine, key: str) -> None:
        self.location = location
        self._engine = engine
        self._writer = engine.execution_options(immediate=True)
        self._key = key
        self._actor: Actor | None = None
        self._lock = threading.RLock()

    # ----------------------------------------------------------------- opening and closing

    @classmethod
    def open(cls, data_dir: Path | str | None = None, *, create: bool = True) -> "Clinic":
        """Open (or, with create=True, create) the practice store in data_dir.

        Raises StoreError with a message fit for a person when the store cannot be used.
        """
        location = store.StoreLocation(Path(data_dir) if data_dir else store.default_data_dir())
        is_new = not location.exists()
        if is_new and not create:
            raise StoreError(f"There is no GroupClinic store in {location.data_dir}.")
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
                    "version (or newer) to open it; this version will not change it."
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
                "latest backup (groupclinic restore FILE); nothing was changed."
            ) from None
        except Exception:
            engine.dispose()
            raise
        log.info("store opened (%s)", "new" if is_new else "existing")
        return cls(location, engine, key)

    def close(self) -> None:
        self._engine.dispose()

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
        with self._write() as s:
            session = _get_in(s, ClinicSession, session_id, "session")
            _refuse_if_closed(session)
            patient = _get_in(s, Patient, patient_id, "patient")
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
        target = Path(to) if to else self.location.backup_dir / store.backup_name(reason)
        with self._lock:
            return store.backup_to(self._engine, target, self._key)

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


def _refuse_if_closed(session: ClinicSession) -> None:
    if session.status in (SessionStatus.FINISHED, SessionStatus.EXPORTED, SessionStatus.CANCELLED):
        raise InvalidInput(
            f"This session is {session.status.value}; its record is closed to everyday edits."
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
