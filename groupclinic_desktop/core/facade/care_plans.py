"""The Clinic facade: each person's care and support plan, versioned and audited."""

import copy
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from groupclinic_desktop.core import validation
from groupclinic_desktop.core.care_plan import (
    ACTION_STATUSES,
    SUPPORT_KINDS,
    CarePlanView,
    PlanAction,
    PlanGoal,
    PlanSupport,
    merged_content,
    view_of,
)
from groupclinic_desktop.core.errors import InvalidInput, NotFound
from groupclinic_desktop.core.facade.base import (
    Actor,
    ClinicBase,
    _get_in,
    _required,
    snapshot,
)
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    Attendance,
    CarePlan,
    CarePlanVersion,
    ClinicSession,
    Enrolment,
    Patient,
    PlanGoalStatus,
    Programme,
    StaffUser,
    utcnow,
)

MAX_TEXT = 2000  # a plan is read aloud and printed large: anything longer is not a plan item

Change = Callable[[dict[str, Any]], str]


class CarePlansArea(ClinicBase):
    """One living plan per person and programme; every change is a new version, audited."""

    # ------------------------------------------------------------------ reading

    def care_plan(self, patient_id: int, programme_id: int | None = None) -> CarePlanView:
        """The person's plan (a draft from the sessions until the first change saves it)."""
        with self._read() as s:
            return self._plan_view(s, patient_id, programme_id)

    def care_plans(self) -> list[CarePlanView]:
        """Every person's plan in every programme they are enrolled in (or have a plan in)."""
        with self._read() as s:
            pairs = {(e.patient_id, e.programme_id) for e in s.exec(select(Enrolment)) if e.active}
            pairs |= {(p.patient_id, p.programme_id) for p in s.exec(select(CarePlan))}
            return [self._plan_view(s, pid, prog) for pid, prog in sorted(pairs)]

    def care_plan_versions(
        self, patient_id: int, programme_id: int | None = None
    ) -> list[CarePlanVersion]:
        """Every saved version of the plan, oldest first."""
        with self._read() as s:
            programme = _plan_programme(s, patient_id, programme_id)
            row = _plan_row(s, patient_id, programme.id)  # type: ignore[arg-type]
            if row is None:
                return []
            return list(
                s.exec(
                    select(CarePlanVersion)
                    .where(CarePlanVersion.plan_id == row.id)
                    .order_by(col(CarePlanVersion.version))
                )
            )

    def _plan_view(self, s: Session, patient_id: int, programme_id: int | None) -> CarePlanView:
        _get_in(s, Patient, patient_id, "patient")
        programme = _plan_programme(s, patient_id, programme_id)
        assert programme.id is not None
        row = _plan_row(s, patient_id, programme.id)
        content = merged_content(s, row, patient_id, programme.id)
        by = s.get(StaffUser, row.updated_by_id) if row and row.updated_by_id else None
        return view_of(
            content,
            patient_id=patient_id,
            programme_id=programme.id,
            programme_name=programme.name,
            row=row,
            updated_by=by,
        )

    # ------------------------------------------------------------------ changing

    def update_care_plan(
        self,
        patient_id: int,
        programme_id: int | None = None,
        *,
        what_matters: str | None = None,
        if_worse: str | None = None,
        next_review: date | str | None = None,
        session_id: int | None = None,
    ) -> CarePlanView:
        """Change what matters, what to do if things get worse, or the next review date
        (an empty text clears the date)."""

        def change(content: dict[str, Any]) -> str:
            changed = []
            if what_matters is not None:
                content["what_matters"] = _text(what_matters, "What matters to me", blank=True)
                changed.append("what matters")
            if if_worse is not None:
                content["if_worse"] = _text(if_worse, "If things get worse", blank=True)
                changed.append("if things get worse")
            if next_review is not None:
                content["next_review"] = _date_or_none(next_review, "Next review")
                changed.append("next review")
            if not changed:
                raise InvalidInput("Care plan: nothing to change was given.", field="Care plan")
            return ", ".join(changed) + " changed"

        return self._change_plan(patient_id, programme_id, session_id, change)

    def add_plan_goal(
        self,
        patient_id: int,
        text: str,
        *,
        programme_id: int | None = None,
        review_date: date | str | None = None,
        confidence: int | None = None,
        session_id: int | None = None,
    ) -> PlanGoal:
        """A new goal in the plan (the goals phase's goal joins the plan by itself)."""
        new_uid = str(uuid.uuid4())
        if confidence is not None and (
            isinstance(confidence, bool) or not isinstance(confidence, int)
            or not 0 <= confidence <= 10
        ):
            raise InvalidInput(
                f"Confidence: {confidence!r} is not a whole number from 0 to 10.",
                field="Confidence",
            )

        def change(content: dict[str, Any]) -> str:
            content["goals"].append(
                {
                    "uid": new_uid,
                    "text": _text(text, "Goal"),
                    "status": PlanGoalStatus.ACTIVE.value,
                    "confidence": confidence,
                    "review_date": _date_or_none(review_date, "Goal review date"),
                    "source_goal_uid": None,
                    "session_id": session_id,
                    "set_on": date.today().isoformat(),
                    "status_changed_at": None,
                }
            )
            return "goal added"

        view = self._change_plan(patient_id, programme_id, session_id, change)
        found = view.goal(new_uid)
        assert found is not None
        return found

    def set_plan_goal_status(
        self,
        patient_id: int,
        goal_uid: str,
        status: PlanGoalStatus | str,
        *,
        programme_id: int | None = None,
        session_id: int | None = None,
    ) -> PlanGoal:
        """A goal is achieved, changed, stopped or active again."""
        try:
            wanted = PlanGoalStatus(status)
        except ValueError:
            raise InvalidInput(
                f"Goal status: '{status}' is not one of "
                + ", ".join(s.value for s in PlanGoalStatus) + ".",
                field="Goal status",
            ) from None

        def change(content: dict[str, Any]) -> str:
            item = _item(content["goals"], goal_uid, "goal")
            item["status"] = wanted.value
            item["status_changed_at"] = utcnow().isoformat()
            return f"goal {wanted.value}"

        view = self._change_plan(patient_id, programme_id, session_id, change)
        found = view.goal(goal_uid)
        assert found is not None
        return found

    def add_plan_action(
        self,
        patient_id: int,
        text: str,
        *,
        owner: str = "",
        due: date | str | None = None,
        programme_id: int | None = None,
        session_id: int | None = None,
    ) -> PlanAction:
        """An agreed action, with who does it and by when."""
        new_uid = str(uuid.uuid4())

        def change(content: dict[str, Any]) -> str:
            content["actions"].append(
                {
                    "uid": new_uid,
                    "text": _text(text, "Action"),
                    "owner": _text(owner, "Action owner", blank=True),
                    "due": _date_or_none(due, "Action due date"),
                    "status": "open",
                    "source": None,
                    "session_id": session_id,
                    "done_at": None,
                }
            )
            return "action added"

        view = self._change_plan(patient_id, programme_id, session_id, change)
        return next(a for a in view.actions if a.uid == new_uid)

    def set_plan_action_status(
        self,
        patient_id: int,
        action_uid: str,
        status: str,
        *,
        programme_id: int | None = None,
        session_id: int | None = None,
    ) -> PlanAction:
        """An action is done (or open again)."""
        if status not in ACTION_STATUSES:
            raise InvalidInput(
                f"Action status: '{status}' is not one of open, done.", field="Action status"
            )

        def change(content: dict[str, Any]) -> str:
            _set_action_status(content, action_uid, status)
            return f"action {status}"

        view = self._change_plan(patient_id, programme_id, session_id, change)
        return next(a for a in view.actions if a.uid == action_uid)

    def add_plan_support(
        self,
        patient_id: int,
        kind: str,
        name: str,
        *,
        detail: str = "",
        programme_id: int | None = None,
        session_id: int | None = None,
    ) -> PlanSupport:
        """Support and contacts: a community connection, a carer, or another contact."""
        if kind not in SUPPORT_KINDS:
            raise InvalidInput(
                f"Support kind: '{kind}' is not one of " + ", ".join(SUPPORT_KINDS) + ".",
                field="Support kind",
            )
        new_uid = str(uuid.uuid4())

        def change(content: dict[str, Any]) -> str:
            content["support"].append(
                {
                    "uid": new_uid,
                    "kind": kind,
                    "name": _text(name, "Support name"),
                    "detail": _text(detail, "Support detail", blank=True),
                    "source": None,
                    "active": True,
                }
            )
            return "support added"

        view = self._change_plan(patient_id, programme_id, session_id, change)
        return next(x for x in view.support if x.uid == new_uid)

    def remove_plan_support(
        self,
        patient_id: int,
        support_uid: str,
        *,
        programme_id: int | None = None,
        session_id: int | None = None,
    ) -> CarePlanView:
        """Support that no longer applies leaves the plan (earlier versions keep it)."""

        def change(content: dict[str, Any]) -> str:
            item = _item(content["support"], support_uid, "support")
            item["active"] = False
            return "support removed"

        return self._change_plan(patient_id, programme_id, session_id, change)

    def _change_plan(
        self,
        patient_id: int,
        programme_id: int | None,
        session_id: int | None,
        change: Change,
    ) -> CarePlanView:
        actor = self._require(Permission.CARE_PLAN)
        with self._write() as s:
            self._change_plan_in(s, actor, patient_id, programme_id, session_id, change)
        with self._read() as s:
            return self._plan_view(s, patient_id, programme_id)

    def _change_plan_in(
        self,
        s: Session,
        actor: Actor,
        patient_id: int,
        programme_id: int | None,
        session_id: int | None,
        change: Change,
    ) -> CarePlan:
        """Inside a write: apply one change, save the new version and its audit entry."""
        _get_in(s, Patient, patient_id, "patient")
        programme = _plan_programme(s, patient_id, programme_id)
        assert programme.id is not None
        if session_id is not None:
            session = _get_in(s, ClinicSession, session_id, "session")
            if session.programme_id != programme.id:
                raise InvalidInput(
                    "Session: it belongs to another programme than this plan.", field="Session"
                )
        row = _plan_row(s, patient_id, programme.id)
        content = merged_content(s, row, patient_id, programme.id)
        words = change(content)
        before = snapshot(row) if row else None
        if row is None:
            row = CarePlan(
                uid=str(uuid.uuid4()), patient_id=patient_id, programme_id=programme.id, version=0
            )
        row.version += 1
        row.what_matters = content["what_matters"]
        row.goals = copy.deepcopy(content["goals"])
        row.actions = copy.deepcopy(content["actions"])
        row.support = copy.deepcopy(content["support"])
        row.if_worse = content["if_worse"]
        row.next_review = (
            date.fromisoformat(content["next_review"]) if content["next_review"] else None
        )
        row.updated_at = utcnow()
        row.updated_by_id = actor.id
        s.add(row)
        s.flush()
        assert row.id is not None
        s.add(
            CarePlanVersion(
                plan_id=row.id,
                version=row.version,
                content=copy.deepcopy(content),
                change=words,
                session_id=session_id,
                changed_by_id=actor.id,
            )
        )
        self._audit(
            s, actor, "update" if before else "create", row, before=before, patient_id=patient_id
        )
        return row


def _plan_row(s: Session, patient_id: int, programme_id: int) -> CarePlan | None:
    return s.exec(
        select(CarePlan).where(
            CarePlan.patient_id == patient_id, CarePlan.programme_id == programme_id
        )
    ).first()


def _plan_programme(s: Session, patient_id: int, programme_id: int | None) -> Programme:
    """The plan's programme: the one named, else the person's only programme, else the one of
    their latest session."""
    if programme_id is not None:
        return _get_in(s, Programme, programme_id, "programme")
    enrolled = [
        e.programme_id
        for e in s.exec(select(Enrolment).where(Enrolment.patient_id == patient_id))
        if e.active
    ]
    if len(set(enrolled)) == 1:
        return _get_in(s, Programme, enrolled[0], "programme")
    latest = s.exec(
        select(ClinicSession)
        .join(Attendance, col(Attendance.session_id) == ClinicSession.id)
        .where(Attendance.patient_id == patient_id)
        .order_by(col(ClinicSession.day).desc(), col(ClinicSession.id).desc())
    ).first()
    if latest is not None and (not enrolled or latest.programme_id in enrolled):
        return _get_in(s, Programme, latest.programme_id, "programme")
    if enrolled:
        raise InvalidInput(
            "Programme: this person is in more than one programme; say which plan.",
            field="Programme",
        )
    raise NotFound("This person is in no programme yet, so they have no care plan.")


def _item(items: list[dict[str, Any]], uid: str, what: str) -> dict[str, Any]:
    for item in items:
        if item.get("uid") == uid and item.get("active", True):
            return item
    raise NotFound(f"No {what} {uid} in this plan.")


def _set_action_status(content: dict[str, Any], action_uid: str, status: str) -> None:
    item = _item(content["actions"], action_uid, "action")
    item["status"] = status
    item["done_at"] = utcnow().isoformat() if status == "done" else None


def _text(value: str | None, field: str, *, blank: bool = False) -> str:
    text = (value or "").strip()
    if not blank:
        text = _required(text, field)
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            f"{field}: {len(text)} characters is too long (at most {MAX_TEXT}).", field=field
        )
    return text


def _date_or_none(value: date | str | None, field: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return validation.parse_date(value, field).isoformat()
