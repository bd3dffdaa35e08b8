"""The Clinic facade: the audit trail, the outbox, integrity checks, backups and restore."""

from datetime import date
from pathlib import Path

from sqlalchemy.exc import DatabaseError
from sqlmodel import col, select

from groupclinic_desktop.core import audit, store
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.facade.base import (
    ClinicBase,
    log,
)
from groupclinic_desktop.core.private_files import private_file
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    AuditEntry,
    OutboxEvent,
    Setting,
)


class RecordsArea(ClinicBase):
    """The audit trail, the outbox, integrity checks, backups and restore."""

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
        with private_file(out).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(
                [
                    "id",
                    "at",
                    "user",
                    "action",
                    "entity",
                    "entity_id",
                    "patient_id",
                    "before",
                    "after",
                    "prev_hash",
                    "hash",
                ]
            )
            for e in entries:
                writer.writerow(
                    [
                        e.id,
                        e.at.isoformat(),
                        e.user_name,
                        e.action,
                        e.entity,
                        e.entity_id,
                        e.patient_id,
                        json.dumps(e.before, ensure_ascii=False),
                        json.dumps(e.after, ensure_ascii=False),
                        e.prev_hash,
                        e.hash,
                    ]
                )
        with self._write() as s:
            audit.append(
                s,
                user_id=actor.id,
                user_name=actor.name,
                action="export",
                entity="audit_trail",
                after={"entries": len(entries)},
            )
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
        # A store with no practice is never a good backup: its copy must not rotate one out.
        has_practice = self.practice() is not None
        with self._lock:
            written = store.backup_to(self._engine, target, self._key)
            if to is None and has_practice:
                store.rotate_backups(self.location.backup_dir, **self.backup_rotation())
        log.info("backup written (%s)", reason)
        return written

    def safety_copy(self, reason: str) -> Path:
        """The store copied as it is into the backups folder (then rotated), just before a large
        write such as a cohort import: seconds faster than a checked backup on a big store, and
        checked in full when it is restored (store.copy_as_is)."""
        target = self.location.backup_dir / store.backup_name(reason)
        has_practice = self.practice() is not None
        with self._lock:
            written = store.copy_as_is(self._engine, self.location.db_path, target, self._key)
            if has_practice:
                store.rotate_backups(self.location.backup_dir, **self.backup_rotation())
        log.info("safety copy written (%s)", reason)
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
        """Make today's backup if there is none yet; the app calls this on start and hourly.

        Not for a store opened read-only (one being looked at because it is damaged or newer):
        its copy would fail the backup's check, and rotation must not push out good backups."""
        if self.read_only or self.practice() is None:
            return None
        if store.has_backup_on(self.location.backup_dir, date.today()):
            return None
        return self.backup(reason="daily")

    def restore(self, backup_file: Path) -> Path:
        """Replace the store with a checked backup, keeping a backup of the current one first.

        The Clinic is closed afterwards; open it again to use the restored store.
        """
        self._require(Permission.RESTORE)
        practice = self.practice()
        store.verify_backup(
            Path(backup_file), self._key, ods_code=practice.ods_code if practice else None
        )
        kept = self.backup(reason="before-restore")
        self._engine.dispose()
        store.replace_store(self.location, Path(backup_file))
        return kept
