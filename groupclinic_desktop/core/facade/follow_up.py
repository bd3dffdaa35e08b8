"""The Clinic facade: the care coordinator's list of what is due, and what is done about it.

The list is worked out on each read from the plans, the sessions and the red flags; only what
staff do about an item is stored (FollowUp), with its audit entry and a counts-only monitoring
event (no person, no words) in the same transaction.
"""

import uuid
from datetime import date, timedelta

from sqlmodel import Session, col, select

from groupclinic_desktop.core import due, outbox
from groupclinic_desktop.core.care_plan import gather, merged_content, view_of
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed, NotFound
from groupclinic_desktop.core.facade.base import SYSTEM, Actor, ClinicBase
from groupclinic_desktop.core.facade.care_plans import _set_action_status
from groupclinic_desktop.core.facade.red_flags import flags_in
from groupclinic_desktop.core.roles import Permission, allows
from groupclinic_desktop.core.schema import (
    Attendance,
    AttendanceStatus,
    CarePlan,
    ClinicSession,
    Enrolment,
    FollowUp,
    InvitationStatus,
    Patient,
    Programme,
    SessionStatus,
    StaffUser,
)


class FollowUpArea(ClinicBase):
    """What is due between sessions, for care coordinators, facilitators and admins."""

    def _may_follow_up(self) -> Actor:
        actor = self._actor
        if actor is None:
            raise NotAllowed("Sign in first.")
        if actor is SYSTEM or allows(actor.role, Permission.FOLLOW_UP):
            return actor
        with self._read() as s:
            user = s.get(StaffUser, actor.id) if actor.id is not None else None
        if user is not None and user.profession == "care_coordinator":
            return actor  # the list is a care coordinator's job, whatever their role
        raise NotAllowed(
            f"A {actor.role.value.replace('_', '-')} may not use the list of what is due "
            "(care coordinators, facilitators and admins may)."
        )

    def may_follow_up(self) -> bool:
        try:
            self._may_follow_up()
        except NotAllowed:
            return False
        return True

    def due_list(
        self, *, today: date | None = None, patient_id: int | None = None
    ) -> list[due.DueItem]:
        """Everything due or overdue (within HORIZON_DAYS), red flags first, then by date."""
        self._may_follow_up()
        today = today or date.today()
        with self._read() as s:
            return _due_items(s, today, patient_id)

    def follow_ups(self, *, patient_id: int | None = None) -> list[FollowUp]:
        self._may_follow_up()
        with self._read() as s:
            query = select(FollowUp)
            if patient_id is not None:
                query = query.where(FollowUp.patient_id == patient_id)
            return list(s.exec(query.order_by(col(FollowUp.at), col(FollowUp.id))))

    def record_contact(
        self,
        patient_id: int,
        item: str,
        method: str,
        outcome: str,
        note: str = "",
        *,
        today: date | None = None,
    ) -> FollowUp:
        """A call, text, letter or visit about a due item, with its outcome and a short note."""
        actor = self._may_follow_up()
        if method not in due.METHODS:
            raise InvalidInput(
                f"Contact method: '{method}' is not one of " + ", ".join(due.METHODS) + ".",
                field="Contact method",
            )
        if outcome not in due.OUTCOMES:
            raise InvalidInput(
                f"Contact outcome: '{outcome}' is not one of " + ", ".join(due.OUTCOMES) + ".",
                field="Contact outcome",
            )
        note = _note(note)
        with self._write() as s:
            found = _find_item(s, patient_id, item, today or date.today())
            return self._follow_up(s, actor, found, "contact", method, outcome, note)

    def reinvite(self, patient_id: int, item: str, *, today: date | None = None) -> Attendance:
        """Invite the person to the next planned session of their programme."""
        actor = self._may_follow_up()
        today = today or date.today()
        with self._write() as s:
            found = _find_item(s, patient_id, item, today)
            if not found.can_reinvite:
                raise InvalidInput(
                    "Re-invite: only someone who did not attend or did not reply can be "
                    "re-invited from the list.",
                    field="Re-invite",
                )
            session = _next_session(s, found, today)
            programme = s.get(Programme, found.programme_id) if found.programme_id else None
            if session is None:
                raise InvalidInput(
                    f"Re-invite: no session of {programme.name if programme else 'the programme'}"
                    " is planned ahead; plan one first.",
                    field="Re-invite",
                )
            attendance = self._set_attendance(  # type: ignore[attr-defined]
                s,
                actor,
                session.id,
                patient_id,
                status=AttendanceStatus.INVITED,
                invitation=InvitationStatus.INVITED,
            )
            self._follow_up(
                s, actor, found, "reinvite", None, None, f"session {session.id}"
            )
            return attendance

    def mark_done(
        self, patient_id: int, item: str, note: str = "", *, today: date | None = None
    ) -> FollowUp:
        """The item needs nothing more; an action is done in the person's plan too."""
        actor = self._may_follow_up()
        note = _note(note)
        with self._write() as s:
            found = _find_item(s, patient_id, item, today or date.today())
            if found.kind == "action":
                action_uid = found.key.split(":", 1)[1]

                def change(content: dict[str, object]) -> str:
                    _set_action_status(content, action_uid, "done")
                    return "action done (from the list of what is due)"

                self._change_plan_in(  # type: ignore[attr-defined]
                    s, actor, patient_id, found.programme_id, None, change
                )
            return self._follow_up(s, actor, found, "done", None, None, note)

    def _follow_up(
        self,
        s: Session,
        actor: Actor,
        found: due.DueItem,
        kind: str,
        method: str | None,
        outcome: str | None,
        note: str,
    ) -> FollowUp:
        row = FollowUp(
            uid=str(uuid.uuid4()),
            patient_id=found.patient_id,
            item=found.key,
            kind=kind,
            method=method,
            outcome=outcome,
            note=note,
            by_id=actor.id,
        )
        s.add(row)
        self._audit(s, actor, "create", row, patient_id=found.patient_id)
        outbox.follow_up_event(s, item=found.kind, step=kind, method=method, outcome=outcome)
        return row


def _note(note: str | None) -> str:
    text = (note or "").strip()
    if len(text) > due.MAX_NOTE:
        raise InvalidInput(
            f"Note: {len(text)} characters is too long for a short note (at most "
            f"{due.MAX_NOTE}).",
            field="Note",
        )
    return text


def _find_item(s: Session, patient_id: int, key: str, today: date) -> due.DueItem:
    if s.get(Patient, patient_id) is None:
        raise NotFound(f"No patient with id {patient_id}.")
    for found in _due_items(s, today, patient_id):
        if found.key == key:
            return found
    raise NotFound(f"Nothing due with the key {key!r} for this person (already dealt with?).")


def _next_session(s: Session, found: due.DueItem, today: date) -> ClinicSession | None:
    return s.exec(
        select(ClinicSession)
        .where(
            ClinicSession.programme_id == found.programme_id,
            ClinicSession.status == SessionStatus.PLANNED,
            ClinicSession.day >= today,
            ClinicSession.id != found.session_id,
        )
        .order_by(col(ClinicSession.day), col(ClinicSession.start_time))
    ).first()


def _due_items(s: Session, today: date, only: int | None) -> list[due.DueItem]:
    horizon = today + timedelta(days=due.HORIZON_DAYS)
    people = {p.id: p for p in s.exec(select(Patient)) if only is None or p.id == only}
    done: set[str] = set()
    contacts: dict[str, str] = {}
    followed: set[str] = set()
    query = select(FollowUp).order_by(col(FollowUp.at))
    if only is not None:
        query = query.where(FollowUp.patient_id == only)
    for row in s.exec(query):
        followed.add(row.item)
        if row.kind == "done":
            done.add(row.item)
        elif row.kind == "contact":
            contacts[row.item] = (
                f"{row.method} {row.at:%d/%m/%Y}: {due.OUTCOMES.get(row.outcome or '', '')}"
            )
    items: list[due.DueItem] = []

    def add(kind: str, key: str, pid: int, programme_id: int | None, what: str,
            when: date | None, session_id: int | None = None) -> None:
        if key in done or pid not in people:
            return
        items.append(
            due.DueItem(
                key=key,
                kind=kind,
                patient_id=pid,
                person=people[pid].full_name,
                programme_id=programme_id,
                what=what,
                due=when,
                overdue=when is not None and when < today,
                session_id=session_id,
                last_contact=contacts.get(key, ""),
            )
        )

    programmes = {p.id: p for p in s.exec(select(Programme))}
    pairs = {(e.patient_id, e.programme_id) for e in s.exec(select(Enrolment)) if e.active}
    pairs |= {(p.patient_id, p.programme_id) for p in s.exec(select(CarePlan))}
    # Each programme's sessions are read once for everyone in it, not once per person.
    sources = {prog: gather(s, prog, only) for prog in {p for _, p in pairs} if prog in programmes}
    rows = {(r.patient_id, r.programme_id): r for r in s.exec(select(CarePlan))}
    for pid, programme_id in sorted(pairs):
        if pid not in people or programme_id not in programmes:
            continue
        plan_row = rows.get((pid, programme_id))
        plan = view_of(
            merged_content(s, plan_row, pid, programme_id, sources[programme_id]),
            patient_id=pid,
            programme_id=programme_id,
            programme_name=programmes[programme_id].name,
            row=plan_row,
        )
        for action in plan.open_actions:
            if action.due is not None and action.due <= horizon:
                owner = f" ({action.owner})" if action.owner else ""
                add("action", f"action:{action.uid}", pid, programme_id,
                    action.text + owner, action.due)
        for goal in plan.active_goals:
            if goal.review_date is not None and goal.review_date <= horizon:
                add("goal_review", f"goal:{goal.uid}:{goal.review_date.isoformat()}", pid,
                    programme_id, goal.text, goal.review_date)
        # Only a review date someone set: until then the goals' own review dates stand for it.
        if plan.content.get("next_review") and plan.next_review is not None and (
            plan.next_review <= horizon
        ):
            add("plan_review", f"plan:{pid}:{programme_id}:{plan.next_review.isoformat()}", pid,
                programme_id, f"{plan.programme_name} plan", plan.next_review)

    sessions = {x.id: x for x in s.exec(select(ClinicSession))}
    attendance_query = select(Attendance)
    if only is not None:
        attendance_query = attendance_query.where(Attendance.patient_id == only)
    attendances = list(s.exec(attendance_query))
    for a in attendances:
        session = sessions[a.session_id]
        if session.status == SessionStatus.CANCELLED:
            continue
        name = programmes[session.programme_id].name if session.programme_id in programmes else ""
        if a.status == AttendanceStatus.DID_NOT_ATTEND:
            later = any(
                b.patient_id == a.patient_id
                and sessions[b.session_id].programme_id == session.programme_id
                and sessions[b.session_id].status != SessionStatus.CANCELLED
                and (sessions[b.session_id].day, b.session_id) > (session.day, session.id)
                for b in attendances
            )
            if not later:
                add("dna", f"dna:{a.id}", a.patient_id, session.programme_id,
                    f"{name}, {session.day:%d/%m/%Y}", session.day, session.id)
        elif (
            session.status == SessionStatus.PLANNED
            and session.day >= today
            and a.status == AttendanceStatus.INVITED
            and a.invitation in (InvitationStatus.INVITED, InvitationStatus.NO_REPLY)
        ):
            add("no_reply", f"no_reply:{a.id}", a.patient_id, session.programme_id,
                f"{name}, {session.day:%d/%m/%Y}", session.day, session.id)

    for session in sessions.values():
        if session.status in (SessionStatus.PLANNED, SessionStatus.CANCELLED):
            continue
        for flag in flags_in(s, session.id, only):  # type: ignore[arg-type]
            key = f"red_flag:{session.id}:{flag.measurement_id}:{flag.rule_key}"
            if key in followed:
                continue  # any contact recorded is the follow-up the list asks for
            add("red_flag", key, flag.patient_id, session.programme_id,
                f"{flag.flag.rule.title}: {flag.text}", session.day, session.id)

    order = list(due.KINDS)
    items.sort(key=lambda i: (order.index(i.kind), i.due or today, i.person))
    return items
