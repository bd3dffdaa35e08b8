"""The Clinic facade: the export log: what went to the GP record, and what is filed."""

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlmodel import col, select

from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.facade.base import (
    EXPORT_FORMATS,
    ClinicBase,
    _aware,
    _get_in,
    snapshot,
)
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    Attendance,
    ClinicSession,
    ExportRecord,
    Patient,
    SessionStatus,
    utcnow,
)


class ExportLogArea(ClinicBase):
    """The export log: what went to the GP record, and what is filed."""

    def record_export(
        self,
        session_id: int,
        patient_id: int,
        formats: Sequence[str],
        files: Sequence[str],
        *,
        destination: str | None = None,
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
                destination=destination,
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
                        select(ExportRecord.patient_id).where(ExportRecord.session_id == session_id)
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
                entry.patient.id not in latest or latest[entry.patient.id].filed_at is None
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
