"""The Clinic facade: one-to-one reviews."""

from typing import Any

from sqlmodel import Session, select

from groupclinic_desktop.core.errors import InvalidInput, NotAllowed
from groupclinic_desktop.core.facade.base import (
    ClinicBase,
    _action,
    _finding,
    _get_in,
    _medication_change,
    _refuse_if_closed,
    snapshot,
)
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    ClinicSession,
    Patient,
    Review,
    Role,
    StaffUser,
    utcnow,
)


class ReviewsArea(ClinicBase):
    """One-to-one reviews."""

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
            row, before = review_row(s, session_id, patient_id)
            apply_review_fields(
                row,
                notes=notes,
                findings=findings,
                medication_changes=medication_changes,
                actions=actions,
                safety_netting=safety_netting,
            )
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


def review_row(
    s: Session, session_id: int, patient_id: int
) -> tuple[Review, dict[str, Any] | None]:
    """The person's review in this session (a new, empty one if there is none yet), and a
    snapshot of it as it was, for the audit entry."""
    row = s.exec(
        select(Review).where(Review.session_id == session_id, Review.patient_id == patient_id)
    ).first()
    if row is None:
        return Review(
            session_id=session_id,
            patient_id=patient_id,
            findings=[],
            medication_changes=[],
            actions=[],
        ), None
    return row, snapshot(row)


def apply_review_fields(
    row: Review,
    *,
    notes: str | None,
    findings: list[dict[str, Any]] | None,
    medication_changes: list[dict[str, Any]] | None,
    actions: list[dict[str, Any]] | None,
    safety_netting: str | None,
) -> None:
    """Change only the fields given, each checked (coded findings, medicines, actions)."""
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
