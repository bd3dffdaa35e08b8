"""The Clinic facade: one-to-one reviews, one per professional, and their sign-off."""

from typing import Any

from sqlmodel import Session, col, select

from groupclinic_desktop.core import outbox
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed
from groupclinic_desktop.core.facade.base import (
    SYSTEM,
    Actor,
    ClinicBase,
    _action,
    _finding,
    _get_in,
    _medication_change,
    _refuse_if_closed,
    snapshot,
)
from groupclinic_desktop.core.roles import Permission, allows
from groupclinic_desktop.core.schema import (
    ClinicSession,
    Patient,
    Review,
    Role,
    StaffUser,
    utcnow,
)


class ReviewsArea(ClinicBase):
    """One-to-one reviews: each professional writes their own; on-behalf notes wait for sign-off."""

    def _may_read_reviews(self) -> None:
        # Co-facilitators (volunteers, VCFSE partners) never see review text.
        actor = self._actor
        if actor is not None and actor is not SYSTEM and not allows(
            actor.role, Permission.READ_REVIEWS
        ):
            raise NotAllowed(f"A {actor.role.value.replace('_', '-')} may not read reviews.")

    def review(
        self, session_id: int, patient_id: int, author_id: int | None = None
    ) -> Review | None:
        """One author's review of a person in a session. Without an author: the signed-in
        clinician's own, or for anyone else the person's first review."""
        self._may_read_reviews()
        actor = self._actor
        if author_id is None and actor is not None and actor.role == Role.CLINICIAN:
            author_id = actor.id
        with self._read() as s:
            query = select(Review).where(
                Review.session_id == session_id, Review.patient_id == patient_id
            )
            if author_id is not None:
                query = query.where(Review.author_id == author_id)
            return s.exec(query.order_by(col(Review.id))).first()

    def reviews(self, session_id: int, patient_id: int | None = None) -> list[Review]:
        """Every review of a session (or of one person in it), oldest first."""
        self._may_read_reviews()
        return self._reviews(session_id, patient_id)

    def reviewed(self, session_id: int) -> set[int]:
        """Who had a one-to-one review with something in it at this session (ids only).

        Anyone running the session may know who has been seen, not what was said, so this needs
        no review permission (the wrap-up summary and its gaps use it)."""
        return {r.patient_id for r in self._reviews(session_id) if has_content(r)}

    def _reviews(self, session_id: int, patient_id: int | None = None) -> list[Review]:
        with self._read() as s:
            query = select(Review).where(Review.session_id == session_id)
            if patient_id is not None:
                query = query.where(Review.patient_id == patient_id)
            return list(s.exec(query.order_by(col(Review.started_at), col(Review.id))))

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
        """Save (create or update) the author's own review of a person; only given fields change.

        A clinician documents in their own name; a facilitator only on behalf of a named
        clinician, and that review then waits for the clinician's sign-off. Each professional
        has their own review, so nobody's save touches another author's.
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
            patient = _get_in(s, Patient, patient_id, "patient")
            author_id = on_behalf_of_id if on_behalf_of_id is not None else actor.id
            author = s.get(StaffUser, author_id) if author_id is not None else None
            if on_behalf_of_id is not None and (
                author is None or author.role != Role.CLINICIAN
            ):
                raise InvalidInput("On behalf of: choose a clinician.", field="On behalf of")
            row, before = review_row(s, session_id, patient_id, author_id)
            had_content = has_content(row) if before is not None else False
            seconds_before = row.seconds_spent if before is not None else 0
            if before is not None and on_behalf_of_id is not None and row.on_behalf_of_id is None:
                # The clinician wrote this review themselves: it is theirs alone to change.
                raise NotAllowed(
                    f"{author.name if author else 'The clinician'} wrote this review "
                    "themselves; only they can change it."
                )
            if before is None:
                row.profession = author.profession if author else None
                row.started_at = utcnow()
                row.documented_by_id = actor.id
                row.on_behalf_of_id = on_behalf_of_id
            elif on_behalf_of_id is not None:
                row.documented_by_id = actor.id
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
            if on_behalf_of_id is not None and _content_changed(before, row):
                # New words written for the clinician need their sign-off again.
                row.signed_off_at = None
                row.signed_off_by_id = None
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
            # One read of the person's reviews serves the whole monitoring decision: a save is
            # made every pause in typing, so it stays as cheap as it was.
            person = _person_reviews(s, session_id, patient_id)
            others = sum(r.seconds_spent or 0 for r in person if r is not row)
            counted = has_content(row) != had_content
            timed = _minutes(others + row.seconds_spent) != _minutes(others + seconds_before)
            if counted or (timed and any(has_content(r) for r in person)):
                # Monitoring counts reviews and their minutes: it hears when one starts or
                # stops counting, or when the person's whole minutes change (not every tick).
                review_count_event(s, session, patient, person)
        return row

    def sign_review(self, review_id: int) -> Review:
        """The clinician a review was written for signs it; nobody can sign for them."""
        actor = self._actor
        if actor is None:
            raise NotAllowed("Sign in first.")
        with self._write() as s:
            row = _get_in(s, Review, review_id, "review")
            if row.on_behalf_of_id is None:
                raise InvalidInput("This review was written by its author; it needs no sign-off.")
            if actor.id != row.on_behalf_of_id:
                clinician = s.get(StaffUser, row.on_behalf_of_id)
                who = clinician.name if clinician else "the clinician"
                raise NotAllowed(
                    f"Only {who} can sign this review; ask them to sign it (nobody can sign "
                    "for them)."
                )
            if row.signed_off_at is not None:
                return row
            before = snapshot(row)
            row.signed_off_at = utcnow()
            row.signed_off_by_id = actor.id
            s.add(row)
            self._audit(s, actor, "sign_off", row, before=before, patient_id=row.patient_id)
        return row

    def awaiting_sign_off(
        self, *, clinician_id: int | None = None, session_id: int | None = None
    ) -> list[Review]:
        """Reviews written on a clinician's behalf that they have not signed yet."""
        with self._read() as s:
            query = select(Review).where(
                col(Review.on_behalf_of_id).is_not(None), col(Review.signed_off_at).is_(None)
            )
            if clinician_id is not None:
                query = query.where(Review.on_behalf_of_id == clinician_id)
            if session_id is not None:
                query = query.where(Review.session_id == session_id)
            return list(s.exec(query.order_by(col(Review.session_id), col(Review.id))))

    def may_correct_review(self, review: Review) -> bool:
        """Whether the signed-in person may correct this review's clinical content."""
        return _correction_refusal(self._actor, review) is None


def _content_changed(before: dict[str, Any] | None, row: Review) -> bool:
    if before is None:
        return True
    fields = ("notes", "findings", "medication_changes", "actions", "safety_netting")
    after = snapshot(row)
    return any(before.get(f) != after.get(f) for f in fields)


def _correction_refusal(actor: Actor | None, review: Review | None) -> str | None:
    """Why this actor may not correct this review's clinical content (None: they may)."""
    if actor is None:
        return "Sign in first."
    if actor is SYSTEM:
        return None
    if actor.role != Role.CLINICIAN:
        return (
            f"A {actor.role.value.replace('_', '-')} may not change a review's clinical "
            "content; ask its author or another clinician."
        )
    return None


def review_row(
    s: Session, session_id: int, patient_id: int, author_id: int | None
) -> tuple[Review, dict[str, Any] | None]:
    """This author's review of the person in this session (a new, empty one if there is none
    yet), and a snapshot of it as it was, for the audit entry."""
    row = s.exec(
        select(Review).where(
            Review.session_id == session_id,
            Review.patient_id == patient_id,
            Review.author_id == author_id,
        )
    ).first()
    if row is None:
        return Review(
            session_id=session_id,
            patient_id=patient_id,
            author_id=author_id,
            findings=[],
            medication_changes=[],
            actions=[],
        ), None
    return row, snapshot(row)


def find_review(
    s: Session, session_id: int, patient_id: int, author_id: int | None
) -> Review | None:
    """The author's review, or the person's only review when no author is named."""
    query = select(Review).where(Review.session_id == session_id, Review.patient_id == patient_id)
    if author_id is not None:
        return s.exec(query.where(Review.author_id == author_id)).first()
    found = list(s.exec(query))
    if len(found) > 1:
        raise InvalidInput(
            "Review: this person has reviews by more than one professional; say whose review "
            "to correct.",
            field="Review",
        )
    return found[0] if found else None


def has_content(review: Review) -> bool:
    # A review row can exist with only the timer saved; that is not a review done.
    return bool(
        review.notes.strip()
        or review.findings
        or review.medication_changes
        or review.actions
        or review.safety_netting.strip()
    )


def review_count_event(
    s: Session, session: ClinicSession, patient: Patient, reviews: list[Review] | None = None
) -> None:
    """Monitoring: how many professionals reviewed the person, which professions, and their
    review minutes all together (no text). `reviews` is the person's reviews in the session
    when the caller has just read them."""
    if reviews is None:
        s.flush()
        reviews = _person_reviews(s, session.id, patient.id)  # type: ignore[arg-type]
    rows = [r for r in reviews if has_content(r)]
    outbox.review_event(
        s,
        session,
        patient,
        reviews=len(rows),
        professions=sorted({r.profession or "not_recorded" for r in rows}),
        minutes_spent=_minutes(sum(r.seconds_spent or 0 for r in reviews)),
    )


def _person_reviews(s: Session, session_id: int, patient_id: int) -> list[Review]:
    return list(
        s.exec(
            select(Review).where(Review.session_id == session_id, Review.patient_id == patient_id)
        )
    )


def _minutes(seconds: int) -> int | None:
    """Every clinician's review timer for one person in one session, added up and rounded to
    whole minutes; None when nobody timed a review (protocol 3, review schema 2)."""
    return round(seconds / 60) if seconds > 0 else None


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
