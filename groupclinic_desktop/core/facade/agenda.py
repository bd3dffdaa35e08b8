"""The Clinic facade: the group's agenda."""

from typing import Any

from sqlmodel import col, select

from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.facade.base import (
    ClinicBase,
    _get_in,
    _refuse_if_closed,
    _required,
    snapshot,
)
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    AgendaItem,
    ClinicSession,
)


class AgendaArea(ClinicBase):
    """The group's agenda."""

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
