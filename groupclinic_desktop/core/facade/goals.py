"""The Clinic facade: goals and their outcomes."""

import uuid
from datetime import date

from sqlmodel import col, select

from groupclinic_desktop.core import outbox
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
    ClinicSession,
    Goal,
    GoalOutcome,
    Patient,
    utcnow,
)


class GoalsArea(ClinicBase):
    """Goals and their outcomes."""

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
