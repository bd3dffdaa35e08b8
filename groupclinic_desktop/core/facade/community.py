"""The Clinic facade: the community directory and signposting."""

import uuid
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from groupclinic_desktop.core import outbox
from groupclinic_desktop.core.community import (
    Problem,
    clean_resource,
    clean_signpost_kind,
    counts_by_resource,
    read_resources_csv,
    resources_csv_text,
)
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed
from groupclinic_desktop.core.facade.base import (
    SYSTEM,
    Actor,
    ClinicBase,
    _get_in,
    _refuse_if_closed,
    snapshot,
)
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    ClinicSession,
    CommunityResource,
    Patient,
    Role,
    Signposting,
    utcnow,
)


class CommunityArea(ClinicBase):
    """The community directory and signposting."""

    def _require_directory(self) -> Actor:
        actor = self._require(Permission.PLAN)
        if actor is not SYSTEM and actor.role not in (Role.ADMIN, Role.FACILITATOR):
            raise NotAllowed(
                f"A {actor.role.value} may not change the community directory; ask an admin "
                "or a facilitator."
            )
        return actor

    def community_resources(self, *, active_only: bool = False) -> list[CommunityResource]:
        with self._read() as s:
            query = select(CommunityResource)
            if active_only:
                query = query.where(CommunityResource.active == True)  # noqa: E712
            rows = s.exec(query)
            return sorted(rows, key=lambda r: (r.name.lower(), r.organisation.lower(), r.id or 0))

    def community_resource(self, resource_id: int) -> CommunityResource:
        return self._get(CommunityResource, resource_id, "directory entry")

    def add_resource(self, name: str, **fields: Any) -> CommunityResource:
        """Add a directory entry: name, offers, when_where, contact, organisation, kind."""

        actor = self._require_directory()
        row = CommunityResource(**clean_resource({"name": name, **fields}))
        with self._write() as s:
            s.add(row)
            self._audit(s, actor, "create", row)
        return row

    def update_resource(self, resource_id: int, **fields: Any) -> CommunityResource:
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

    def deactivate_resource(self, resource_id: int) -> CommunityResource:
        """Take an entry out of the pickers; past signposting to it stays on record."""
        return self.update_resource(resource_id, active=False)

    def import_resources_csv(self, path: Path | str) -> dict[str, int]:
        """Import a directory CSV, all or nothing. Entries match by name and organisation
        (ignoring case): a match is updated, anything else added. Raises InvalidInput listing
        every refused value by row and column. Returns counts: created, updated, unchanged."""

        actor = self._require_directory()
        checked = read_resources_csv(path)
        seen: dict[tuple[str, str], int] = {}
        for line, values in checked.rows:
            if "name" not in values:
                continue
            key = (values["name"].lower(), str(values.get("organisation", "")).lower())
            if key in seen:

                checked.problems.append(
                    Problem(line, "Name", values["name"], f"the same entry as row {seen[key]}")
                )
            seen[key] = line
        if not checked.ok:
            raise InvalidInput(
                "Directory file: nothing was imported.\n" + checked.report(), field="Directory"
            )
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        self.backup(reason="before-import")
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
    ) -> Signposting:
        """Record that a person was signposted or referred to a directory entry in a session."""

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
    ) -> list[Signposting]:
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

        with self._read() as s:
            rows = s.exec(
                select(Signposting)
                .join(ClinicSession, col(ClinicSession.id) == Signposting.session_id)
                .where(ClinicSession.programme_id == programme_id)
            ).all()
        names = {r.id: r.name for r in self.community_resources() if r.id is not None}
        return counts_by_resource(rows, names)
