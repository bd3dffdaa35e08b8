"""The Clinic facade: wrap-up: the review queue, the session summary and corrections."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from groupclinic_desktop.core import audit, outbox
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed, NotFound
from groupclinic_desktop.core.facade.base import (
    SYSTEM,
    Actor,
    ClinicBase,
    _get_in,
    _refuse_if_closed,
    _required,
    snapshot,
)
from groupclinic_desktop.core.facade.reviews import (
    _correction_refusal,
    apply_review_fields,
    find_review,
    has_content,
    review_count_event,
    review_row,
)
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    AgendaItem,
    ClinicSession,
    Goal,
    Patient,
    Review,
    Role,
    SessionStatus,
    Setting,
    StaffUser,
    utcnow,
)


class WrapupArea(ClinicBase):
    """Wrap-up: the review queue, the session summary and corrections."""

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

        with self._read() as s:
            row = s.get(Setting, f"review_queue.{session_id}")
        value = row.value if row is not None and isinstance(row.value, dict) else {}
        return {
            "order": [int(i) for i in value.get("order", [])],
            "done": [int(i) for i in value.get("done", [])],
        }

    def save_review_queue(self, session_id: int, order: Sequence[int], done: Sequence[int]) -> None:
        """Keep the queue's order and who is done, so a restart comes back to the same queue."""

        actor = self._require(Permission.CHECK_IN)
        key = f"review_queue.{session_id}"
        with self._write() as s:
            _refuse_if_closed(_get_in(s, ClinicSession, session_id, "session"))
            queue = {"order": [int(i) for i in order], "done": [int(i) for i in done]}
            self._put_setting(s, actor, key, queue)

    def correct_review(
        self,
        session_id: int,
        patient_id: int,
        reason: str,
        *,
        author_id: int | None = None,
        notes: str | None = None,
        findings: list[dict[str, Any]] | None = None,
        medication_changes: list[dict[str, Any]] | None = None,
        actions: list[dict[str, Any]] | None = None,
        safety_netting: str | None = None,
    ) -> Review:
        """Correct a finished session's review: only given fields change; the reason is audited.

        Only a clinician may: the review's author, or another clinician of the practice, whose
        correction is recorded as theirs. Facilitators, co-facilitators and admins never change
        clinical content. Without `author_id`, the clinician's own review (or the person's only
        one) is corrected.
        """
        actor = self._actor
        refusal = _correction_refusal(actor, None)
        if refusal is not None or actor is None:
            raise NotAllowed(refusal or "Sign in first.")
        why = _required(reason, "Reason for the correction")
        with self._write() as s:
            session = _get_in(s, ClinicSession, session_id, "session")
            _refuse_unless_closed(session)
            patient = _get_in(s, Patient, patient_id, "patient")
            if author_id is None and actor.role == Role.CLINICIAN:
                mine = find_review(s, session_id, patient_id, actor.id)
                row = mine or find_review(s, session_id, patient_id, None)
            else:
                row = find_review(s, session_id, patient_id, author_id)
            before = snapshot(row) if row is not None else None
            had_content = row is not None and has_content(row)
            if row is None:
                if author_id is not None and author_id != actor.id:
                    raise NotFound("Review: that clinician wrote no review of this person here.")
                row, _ = review_row(s, session_id, patient_id, actor.id)
                author = s.get(StaffUser, actor.id) if actor.id is not None else None
                row.profession = author.profession if author else None
                row.documented_by_id = actor.id
            apply_review_fields(
                row,
                notes=notes,
                findings=findings,
                medication_changes=medication_changes,
                actions=actions,
                safety_netting=safety_netting,
            )
            row.corrected_at = utcnow()
            row.corrected_by_id = actor.id
            s.add(row)
            self._correction(s, actor, row, before, why, patient_id)
            if has_content(row) != had_content:
                review_count_event(s, session, patient)
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
        if actor is not SYSTEM and actor.role not in (Role.FACILITATOR, Role.CLINICIAN):
            raise NotAllowed(f"A {actor.role.value.replace('_', '-')} may not correct goals.")
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
            entity=type(row).__tablename__,
            entity_id=getattr(row, "id", None),
            patient_id=patient_id,
            before=before,
            after={**snapshot(row), "correction_reason": reason},
        )


def _refuse_unless_closed(session: ClinicSession) -> None:
    # Corrections are for a closed record; while running, the page edits it directly.
    if session.status not in (SessionStatus.FINISHED, SessionStatus.EXPORTED):
        raise InvalidInput(
            f"This session is {session.status.value}; corrections are for finished sessions. "
            "Change it directly instead."
        )
