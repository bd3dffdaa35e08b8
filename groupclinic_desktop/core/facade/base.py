"""The Clinic facade's base: opening the store, who is acting, transactions, shared helpers."""

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from filelock import FileLock
from sqlalchemy import Engine, event
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError
from sqlmodel import Session, SQLModel

from groupclinic_desktop.core import (
    audit,
    auth,
    changes,
    days,
    rows,
    sign_in_guard,
    store,
    text_checks,
    validation,
)
from groupclinic_desktop.core.errors import (
    InvalidInput,
    NotAllowed,
    NotFound,
    SignInRefused,
    StoreError,
)
from groupclinic_desktop.core.roles import Permission, allows
from groupclinic_desktop.core.schema import (
    AgendaItem,
    Attendance,
    AuditEntry,
    ClinicSession,
    Mode,
    Patient,
    Practice,
    Programme,
    Role,
    SessionStatus,
    Setting,
    StaffUser,
    utcnow,
)

log = logging.getLogger(__name__)

BLOOD_PRESSURE = "blood_pressure"
MAX_FAILED_SIGN_INS = sign_in_guard.TRIES_BEFORE_LOCK
LOCKOUT_MINUTES = sign_in_guard.FIRST_LOCK_MINUTES
CONFLICT = "That change conflicts with a record already saved; nothing was changed."
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


def _minutes(span: timedelta) -> str:
    minutes = max(1, int(-(-span.total_seconds() // 60)))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def locked_out(name: str, until: datetime, now: datetime) -> SignInRefused:
    return SignInRefused(
        f"Too many wrong PINs for {name}. Try again in {_minutes(until - now)}, or ask an admin "
        "to unlock it.",
        staff_name=name,
        locked_until=until,
    )


def wrong_pin(name: str, failures: int, now: datetime) -> SignInRefused:
    """The refusal of a wrong PIN, the `failures`-th in a row (its lock-out set, if any)."""
    lock = sign_in_guard.lock_for(failures)
    if lock is not None:
        return SignInRefused(
            f"That PIN is not right for {name}. Too many wrong PINs: {name}'s sign-in is "
            f"locked for {_minutes(lock)}, or until an admin unlocks it.",
            staff_name=name,
            locked_until=now + lock,
        )
    left = sign_in_guard.tries_left(failures)
    message = f"That PIN is not right for {name}."
    if failures % sign_in_guard.TRIES_BEFORE_LOCK >= sign_in_guard.WARN_AFTER:
        message += (
            f" {left} more wrong {'PIN' if left == 1 else 'PINs'} and {name}'s sign-in is "
            "locked for a while."
        )
    return SignInRefused(message, staff_name=name, tries_left=left)


@event.listens_for(Session, "before_flush")
def _refuse_nul_text(session: Session, _context: Any, _instances: Any) -> None:
    """No text field of any row is ever stored with a NUL character in it."""
    for row in (*session.new, *session.dirty):
        for name, value in vars(row).items():
            if not name.startswith("_") and text_checks.has_nul(value):
                text_checks.refuse_nul(value, name.replace("_", " ").capitalize())


class ClinicBase:
    """What every area of the facade stands on: the open store, the actor, transactions."""

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
        # Who hears of committed changes (the UI's bridge); see core/changes.py.
        self.notices = changes.Notices()

    # ----------------------------------------------------------------- opening and closing

    @classmethod
    def open(
        cls,
        data_dir: Path | str | None = None,
        *,
        create: bool = True,
        read_only: bool = False,
        check: bool = True,
    ) -> Self:
        """Open (or, with create=True, create) the practice store in data_dir.

        read_only=True opens an existing store as it is: no migration, no start-up check, and
        SQLite refuses every write (the way to look at a damaged or newer store safely).
        check=False leaves out the start-up quick check of a current store: the caller runs it
        itself (core/glance.py QuickCheck) and lets nothing write before its verdict.
        Raises StoreError (with a `kind`) with a message fit for a person when it cannot be used.
        """
        from groupclinic_desktop.core import allocator

        # Large C blocks (each sign-in's scrypt, the backup's) given back, not kept (allocator.py).
        allocator.give_large_blocks_back()
        location = store.StoreLocation(Path(data_dir) if data_dir else store.default_data_dir())
        is_new = not location.exists()
        if is_new and location.was_set_up():
            # store.json or backups say a store was here: it went missing, it is not new.
            raise store.missing_store_error(location)
        if is_new and (not create or read_only):
            raise StoreError(f"There is no GroupClinic store in {location.data_dir}.", kind="key")
        lock = store.lock_instance(location)
        try:
            if read_only:
                clinic = cls._open_read_only(location)
            else:
                clinic = cls._open_locked(location, is_new, check)
        except BaseException:
            lock.release()
            raise
        clinic._instance_lock = lock
        return clinic

    @classmethod
    def _open_locked(cls, location: store.StoreLocation, is_new: bool, check: bool = True) -> Self:
        if not is_new:
            return cls._open_store(location, False, check)
        try:
            return cls._open_store(location, True, check)
        except BaseException:
            # A store that could not be made (no keyring, a full disk...) leaves nothing behind:
            # a folder with store.json is never set up afresh, so a retry would be refused.
            location.forget_unfinished_store()
            raise

    @classmethod
    def _open_store(cls, location: store.StoreLocation, is_new: bool, check: bool) -> Self:
        if is_new:
            location.store_id(create=True)
        else:
            store.refuse_plain_file(location.db_path)
        key = store.resolve_key(location, create=is_new)
        if not is_new:
            store.probe_file(location.db_path, key)
        else:
            store.private_file(location.db_path)  # SQLCipher fills it; never readable by others
        engine = store.make_engine(location.db_path, key)
        try:
            state = "behind" if is_new else store.migration_state(engine)
            if state == "newer":
                raise StoreError(
                    "This store was written by a newer version of GroupClinic. Install that "
                    "version (or newer) to open it; this version will not change it.",
                    kind="newer",
                )
            # A migration writes, so a store that needs one is checked first whatever `check` says.
            if not is_new and (check or state == "behind") and store.quick_check(engine):
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
            location.keep_private()
            if not cls._remember_practice(location, engine) and not is_new:
                cls._refuse_emptied(location, engine, key)
        except DatabaseError as exc:
            engine.dispose()
            if store.disk_full(location.data_dir, exc):
                raise store.disk_full_error(location.data_dir) from None
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

    @staticmethod
    def _remember_practice(location: store.StoreLocation, engine: Engine) -> bool:
        """store.json names the practice, so a restore or recovery can refuse another's backup.
        False when the store holds no practice."""
        with engine.connect() as conn:
            row = conn.exec_driver_sql("SELECT ods_code FROM practice LIMIT 1").first()
        if row is None:
            return False
        try:
            location.remember_practice(str(row[0]))
        except OSError as exc:
            if store.disk_full(location.data_dir, exc):
                raise store.disk_full_error(location.data_dir) from None
            raise
        return True

    @staticmethod
    def _refuse_emptied(location: store.StoreLocation, engine: Engine, key: str) -> None:
        """A store with no practice where one was known (store.json or a backup names it) was
        emptied: it is damaged, and the first-run screen must not set the folder up afresh."""
        known = location.practice_code() is not None or any(
            store.backup_practice(path, key) for _when, path in store._dated_backups(
                location.backup_dir
            )
        )
        if known:
            engine.dispose()
            raise StoreError(
                f"The store at {location.db_path} holds no practice, but this folder held one. "
                "It is damaged, not new: restore the latest good backup (groupclinic recover); "
                "nothing was changed.",
                kind="damaged",
            )

    def close(self) -> None:
        self._engine.dispose()
        if self._instance_lock is not None:
            self._instance_lock.release()
            self._instance_lock = None

    def __enter__(self) -> Self:
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
        """Check a PIN. Wrong PINs lock the account for longer each time (core/sign_in_guard.py);
        every refusal says whose PIN it was, and from the third on how many tries are left."""
        if self.read_only:
            return self._sign_in_read_only(staff_id, pin)
        kept = sign_in_guard.read_failures(self.location.data_dir)
        refusal: SignInRefused | None = None
        with self._write() as s:
            user = s.get(StaffUser, staff_id)
            if user is None or not user.active:
                raise NotFound("No such staff member.")
            if staff_id in kept:
                # Failures made while the store was open read-only count here too.
                count, until = kept[staff_id]
                user.failed_sign_ins += count
                if until and (_aware(user.locked_until) or until) <= until:
                    user.locked_until = until
            now = utcnow()
            locked_until = _aware(user.locked_until)
            if locked_until and locked_until > now:
                refusal = locked_out(user.name, locked_until, now)
            elif not auth.verify_pin(pin, user.pin_hash):
                user.failed_sign_ins += 1
                refusal = wrong_pin(user.name, user.failed_sign_ins, now)
                user.locked_until = refusal.locked_until
                audit.append(
                    s,
                    user_id=user.id,
                    user_name=user.name,
                    action="sign_in_failed",
                    entity="staff_user",
                    entity_id=user.id,
                    after={"failed_sign_ins": user.failed_sign_ins},
                )
            else:
                user.failed_sign_ins = 0
                user.locked_until = None
                audit.append(
                    s,
                    user_id=user.id,
                    user_name=user.name,
                    action="sign_in",
                    entity="staff_user",
                    entity_id=user.id,
                )
            s.add(user)
            actor = Actor(user.id, user.name, user.role)
        # The failure count is committed even though the sign-in is refused.
        if staff_id in kept:
            kept.pop(staff_id)
            sign_in_guard.write_failures(self.location.data_dir, kept)
        if refusal is not None:
            raise refusal
        self._actor = actor
        return actor

    def sign_out(self) -> None:
        self._actor = None

    @contextmanager
    def acting_as(self, actor: Actor) -> Iterator[Self]:
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
                f"A {actor.role.value.replace('_', '-')} may not do this "
                f"({permission.value.replace('_', ' ')})."
            )
        return actor

    # ----------------------------------------------------------------- transactions

    def _refuse_read_only(self) -> None:
        if self.read_only:
            raise StoreError(
                "The store is open read-only, so nothing can be changed. Restore a backup or "
                "open it normally to make changes.",
                kind="read_only",
            )

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One durable transaction; on any error nothing of it is kept. Once it is committed,
        what it changed is announced once (core/changes.py); a rollback announces nothing."""
        self._refuse_read_only()
        with (
            changes.collecting() as touched,
            self._lock,
            Session(self._writer, expire_on_commit=False) as s,
        ):
            try:
                with s.begin():
                    yield s
            except IntegrityError as exc:
                raise InvalidInput(CONFLICT) from exc
            except (OperationalError, DatabaseError) as exc:
                raise self._store_error(exc) from None
        self.notices.publish(changes.ChangeSet(frozenset(touched)))

    @contextmanager
    def _write_rows(self) -> Iterator[rows.Rows]:
        """The same durable transaction for the busiest single-row writes, without the ORM."""
        self._refuse_read_only()
        with changes.collecting() as touched, self._lock:
            try:
                with rows.write(self._engine) as written:
                    yield written
            except IntegrityError as exc:
                raise InvalidInput(CONFLICT) from exc
            except (OperationalError, DatabaseError) as exc:
                raise self._store_error(exc) from None
        self.notices.publish(changes.ChangeSet(frozenset(touched)))

    def _store_error(self, exc: BaseException) -> StoreError:
        """The app's own store error, with a sentence for the person at the laptop, for a write
        the database refused (locked, read-only, disk full or failing, damaged); the
        transaction is rolled back. Only the error's type is logged: no value, no SQL."""
        error = store.operational_error(self.location, exc)
        log.warning("a write was refused by the store (%s, %s)", type(exc).__name__, error.kind)
        return error

    def _rows_in(self, s: Session) -> rows.Rows:
        """The quick row helpers inside an ORM write transaction, on its own connection.

        The session is flushed first so that the audit chain and head the helpers read are the
        ORM's latest."""
        s.flush()
        return rows.Rows(s.connection().connection.driver_connection, self._engine.dialect)

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self._engine, expire_on_commit=False) as s:
            try:
                yield s
            except (OperationalError, DatabaseError) as exc:
                raise self._store_error(exc) from None

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
            entity=entity or type(row).__tablename__,
            entity_id=getattr(row, "id", None),
            patient_id=patient_id,
            before=before,
            after=None if action == "delete" else snapshot(row),
        )

    def _audit_row(
        self,
        written: rows.Rows,
        actor: Actor,
        action: str,
        row: SQLModel,
        *,
        before: dict[str, Any] | None = None,
        patient_id: int | None = None,
    ) -> None:
        """_audit for a row written through the quick single-row path (core.rows)."""
        audit.append_row(
            written,
            user_id=actor.id,
            user_name=actor.name,
            action=action,
            entity=type(row).__tablename__,
            entity_id=getattr(row, "id", None),
            patient_id=patient_id,
            before=before,
            after=snapshot(row),
        )

    def _put_setting(self, s: Session, actor: Actor, key: str, value: Any) -> Setting:
        """Create or change one setting inside a write transaction, with its audit entry."""
        row = s.get(Setting, key)
        before = snapshot(row) if row else None
        if row is None:
            row = Setting(key=key)
        row.value = audit.plain(value)
        row.updated_at = utcnow()
        s.add(row)
        self._audit(s, actor, "update" if before else "create", row, before=before)
        return row

    def _save_setting(self, actor: Actor, key: str, value: Any) -> None:
        """One setting saved in a transaction of its own (callers check permissions first)."""
        with self._write() as s:
            self._put_setting(s, actor, key, value)

    # ----------------------------------------------------------------- helpers

    def _get(self, model: type[Any], row_id: int, what: str) -> Any:
        with self._read() as s:
            return _get_in(s, model, row_id, what)

    if TYPE_CHECKING:
        # What one area of the facade calls in another. Each is defined in its own area module
        # and Clinic puts them together; named here so that an area may call them and the type
        # checker holds every definition to the one signature.

        def setting(self, key: str, default: Any = None) -> Any: ...  # settings.py

        def set_setting(self, key: str, value: Any) -> None: ...  # settings.py

        def practice(self) -> Practice | None: ...  # staff.py

        def programmes(self) -> list[Programme]: ...  # sessions.py

        def add_programme(self, template_key: str, name: str | None = None) -> Programme: ...

        def session(self, session_id: int) -> ClinicSession: ...  # sessions.py

        def plan_session(  # sessions.py
            self,
            programme_id: int,
            day: date,
            start_time: time,
            place: str,
            *,
            mode: Mode = ...,
            facilitator_id: int | None = None,
            clinician_ids: Sequence[int] = (),
            session_number: int | None = None,
            series_uid: str | None = None,
            joining_link: str | None = None,
            joining_instructions: str | None = None,
            drop_in: bool = False,
        ) -> ClinicSession: ...

        def sessions(
            self,
            *,
            day: date | None = None,
            since: date | None = None,
            status: SessionStatus | None = None,
        ) -> list[ClinicSession]: ...  # sessions.py

        def _roles_present(self, s: Session, row: ClinicSession) -> list[str]: ...  # sessions.py

        def patient(self, patient_id: int) -> Patient: ...  # patients.py

        def roster(self, session_id: int) -> list[RosterEntry]: ...  # checkin.py

        def agenda(
            self, session_id: int, *, include_merged: bool = False
        ) -> list[AgendaItem]: ...  # agenda.py

        def audit_entries(self, *, patient_id: int | None = None) -> list[AuditEntry]: ...

        def backup(self, to: Path | None = None, *, reason: str = "manual") -> Path: ...

        def _sign_in_read_only(self, staff_id: int, pin: str) -> Actor: ...  # store_safety.py

        @classmethod
        def _open_read_only(cls, location: store.StoreLocation) -> Self: ...  # store_safety.py


def _get_in(s: Session, model: type[Any], row_id: int, what: str) -> Any:
    row = s.get(model, row_id)
    if row is None:
        raise NotFound(f"No {what} with id {row_id}.")
    return row


def _refuse_if_closed(session: ClinicSession) -> None:
    _refuse_if_status_closed(session.status)


def _refuse_if_status_closed(status: SessionStatus) -> None:
    if status in (SessionStatus.FINISHED, SessionStatus.EXPORTED, SessionStatus.CANCELLED):
        raise InvalidInput(
            f"This session is {status.value}; its record is closed to everyday edits."
        )


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else days.aware(value)


def _required(text: str | None, field: str) -> str:
    value = (text or "").strip()
    if not value:
        raise InvalidInput(f"{field}: must not be empty.", field=field)
    return value


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
