"""The Clinic facade: opening a damaged store read-only, recovering it, and first set-up."""

from pathlib import Path
from typing import Self

from sqlmodel import Session, select

from groupclinic_desktop.core import audit, auth, sign_in_guard, store, text_checks
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed, NotFound, StoreError
from groupclinic_desktop.core.facade.base import (
    SYSTEM,
    Actor,
    ClinicBase,
    _aware,
    _required,
    locked_out,
    log,
    wrong_pin,
)
from groupclinic_desktop.core.facade.organisation import add_own_member
from groupclinic_desktop.core.roles import Permission, allows
from groupclinic_desktop.core.schema import (
    Practice,
    Role,
    StaffUser,
    utcnow,
)


class StoreSafetyArea(ClinicBase):
    """Opening a damaged store read-only, recovering it, and first set-up."""

    @classmethod
    def _open_read_only(cls, location: store.StoreLocation) -> Self:
        store.refuse_plain_file(location.db_path)
        key = store.resolve_key(location, create=False)
        store.probe_file(location.db_path, key)
        engine = store.make_engine(location.db_path, key, read_only=True)
        log.info("store opened read-only")
        return cls(location, engine, key, read_only=True)

    def _sign_in_read_only(self, staff_id: int, pin: str) -> Actor:
        user = self._get(StaffUser, staff_id, "staff member")
        if not user.active:
            raise NotFound("No such staff member.")
        _check_pin_without_writing(self.location, user, pin)
        self._actor = Actor(user.id, user.name, user.role)
        return self._actor

    @classmethod
    def latest_good_backup(cls, data_dir: Path | str | None = None) -> Path | None:
        """The newest backup of the store in data_dir that is sound under the store's key."""
        location = store.StoreLocation(Path(data_dir) if data_dir else store.default_data_dir())
        key = store.resolve_key(location, create=False)
        return store.latest_good_backup(location.data_dir, key)

    @classmethod
    def sign_in_on_backup(
        cls, data_dir: Path | str | None, backup_file: Path, staff_name: str, pin: str
    ) -> Actor:
        """Check a staff member's PIN against the backup about to be restored (the damaged
        store cannot be read). Only someone allowed to restore (an admin) passes."""
        from sqlmodel import Session as DbSession


        location = store.StoreLocation(Path(data_dir) if data_dir else store.default_data_dir())
        key = store.resolve_key(location, create=False)
        store.verify_backup(Path(backup_file), key)
        engine = store.make_engine(Path(backup_file), key, read_only=True)
        try:
            with DbSession(engine) as s:
                every = list(s.exec(select(StaffUser).where(StaffUser.active == True)))  # noqa: E712
        finally:
            engine.dispose()
        wanted = staff_name.strip().casefold()
        found = [u for u in every if u.name.casefold() == wanted] or [
            u for u in every if wanted and wanted in u.name.casefold()
        ]
        if len(found) != 1:
            raise NotFound(f"User: no single staff member's name contains '{staff_name}'.")
        user = found[0]
        _check_pin_without_writing(location, user, pin)
        if not allows(user.role, Permission.RESTORE):
            raise NotAllowed(f"A {user.role.value.replace('_', '-')} may not restore backups.")
        return Actor(user.id, user.name, user.role)

    @classmethod
    def recover_from_backup(
        cls,
        data_dir: Path | str | None = None,
        backup_file: Path | None = None,
        *,
        actor: Actor | None = None,
    ) -> tuple[Path, Path | None]:
        """Put a good backup in place of a store that will not open; returns (used, kept).

        kept is None when there was no store file to keep (it had gone missing).
        A backup of another practice than this folder's (store.json names it), one made by a
        newer version or one holding no practice is refused, and nothing is changed.

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
            ods_code = location.practice_code()
            if ods_code is None:
                # A store.json written before it named the practice: the folder's own latest
                # good backup says which practice this is.
                own = store.latest_good_backup(location.data_dir, key)
                ods_code = store.backup_practice(own, key) if own else None
            store.verify_backup(chosen, key, ods_code=ods_code)
            kept = store.keep_damaged_copy(location)
            store.replace_store(location, chosen)
        finally:
            lock.release()
        with cls.open(location.data_dir, create=False) as clinic, clinic._write() as s:
            audit.append(
                s,
                user_id=actor.id if actor else None,
                user_name=actor.name if actor else SYSTEM.name,
                action="restore",
                entity="store",
                entity_id=None,
                after={"from": chosen.name, "kept": kept.name if kept else None},
            )
        log.info("store recovered from a backup")
        return chosen, kept

    def create_first_admin(self, name: str, pin: str) -> StaffUser:
        """The first admin of a new practice, chosen on first run: there is no default password.

        Allowed only while the store has no staff at all, so it can never add a second admin.
        Nobody can be signed in yet, so the audit trail names the system.
        """
        name = str(text_checks.parse_name(name, "Admin's name"))
        pin_hash = auth.hash_pin(pin)  # a too-short PIN is refused before anything is written
        with self._write() as s:
            return self._first_admin(s, name, pin_hash)

    def set_up_practice(self, ods_code: str, name: str, admin_name: str, pin: str) -> Practice:
        """First run of a real practice: the practice and its first admin, in one transaction."""
        ods_code = ods_code.strip().upper()
        if not ods_code.isalnum() or not 3 <= len(ods_code) <= 10:
            raise InvalidInput(f"ODS code: '{ods_code}' is not an ODS code.", field="ODS code")
        practice_name = _required(name, "Practice name")
        admin_name = str(text_checks.parse_name(admin_name, "Admin's name"))
        pin_hash = auth.hash_pin(pin)
        with self._write() as s:
            if s.exec(select(Practice)).first() is not None:
                raise InvalidInput("This store already holds a practice; nothing was changed.")
            practice = Practice(ods_code=ods_code, name=practice_name, is_demo=False)
            s.add(practice)
            self._audit(s, SYSTEM, "create", practice)
            add_own_member(s, practice)
            self._first_admin(s, admin_name, pin_hash)
        self.location.remember_practice(practice.ods_code)
        return practice

    def _first_admin(self, s: Session, name: str, pin_hash: str) -> StaffUser:
        if s.exec(select(StaffUser)).first() is not None:
            raise NotAllowed("This practice already has staff; an admin adds new users.")
        user = StaffUser(name=name, role=Role.ADMIN, pin_hash=pin_hash)
        s.add(user)
        self._audit(s, SYSTEM, "create", user)
        return user


def _check_pin_without_writing(location: store.StoreLocation, user: StaffUser, pin: str) -> None:
    """A PIN checked where the store cannot be written (read-only, or a backup about to be
    restored): failures are kept in a file beside the store (core/sign_in_guard.py), so closing
    and opening again forgets none of them, and the lock-outs escalate as usual."""
    assert user.id is not None
    kept = sign_in_guard.read_failures(location.data_dir)
    extra, extra_until = kept.get(user.id, (0, None))
    now = utcnow()
    untils = [u for u in (_aware(user.locked_until), extra_until) if u is not None]
    locked_until = max(untils) if untils else None
    if locked_until and locked_until > now:
        raise locked_out(user.name, locked_until, now)
    if not auth.verify_pin(pin, user.pin_hash):
        refusal = wrong_pin(user.name, user.failed_sign_ins + extra + 1, now)
        kept[user.id] = (extra + 1, refusal.locked_until or extra_until)
        sign_in_guard.write_failures(location.data_dir, kept)
        raise refusal
