"""A person's personalised care and support plan: its shape, and how the sessions feed it.

A plan lives across the sessions of one programme. Its stored content (CarePlan's JSON lists) is
merged on every read with what the sessions recorded: the goals set in the goals phase (Goal rows)
and the actions agreed in one-to-one reviews (Review.actions), community connections and carers.
Each such item carries its source's id, so it is brought in once and never doubled; goals and
review actions written before plans existed join the plan the first time it is read (no
migration copies them). What the plan itself decides (a goal achieved, an action done, an item
added in the plan) is kept in the stored content and wins over the source.

Item shapes (plain dicts, so each version is one JSON document):
  goal:    uid, text, status (PlanGoalStatus), confidence, review_date, source_goal_uid,
           session_id, set_on, status_changed_at
  action:  uid, text, owner, due, status (open | done), source, session_id, done_at
  support: uid, kind (community | carer | contact), name, detail, source, active
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from groupclinic_desktop.core.schema import (
    CarePlan,
    CarerVisit,
    ClinicSession,
    CommunityResource,
    Goal,
    GoalOutcome,
    PlanGoalStatus,
    Review,
    SessionStatus,
    Signposting,
    StaffUser,
)

SUPPORT_KINDS = {
    "community": "Community connection",
    "carer": "Carer",
    "contact": "Contact",
}
ACTION_STATUSES = ("open", "done")
# A session goal's outcome, as the plan's goal status (partly / not yet: still active).
FROM_OUTCOME = {
    GoalOutcome.ACHIEVED: PlanGoalStatus.ACHIEVED,
    GoalOutcome.CHANGED: PlanGoalStatus.CHANGED,
    GoalOutcome.PARTLY: PlanGoalStatus.ACTIVE,
    GoalOutcome.NOT_YET: PlanGoalStatus.ACTIVE,
}
_NAMESPACE = uuid.UUID("3b0f6a52-8d7e-4c1b-9f26-5e4d2a7c1b90")


@dataclass(frozen=True)
class PlanGoal:
    uid: str
    text: str
    status: PlanGoalStatus
    confidence: int | None = None
    review_date: date | None = None
    set_on: date | None = None
    from_session: bool = False

    @property
    def active(self) -> bool:
        return self.status == PlanGoalStatus.ACTIVE


@dataclass(frozen=True)
class PlanAction:
    uid: str
    text: str
    owner: str
    due: date | None
    done: bool
    from_review: bool = False


@dataclass(frozen=True)
class PlanSupport:
    uid: str
    kind: str
    name: str
    detail: str

    @property
    def kind_words(self) -> str:
        return SUPPORT_KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class CarePlanView:
    """The plan as everyone sees it: stored content merged with what the sessions recorded."""

    patient_id: int
    programme_id: int
    programme_name: str
    uid: str | None  # None until the first change saves it
    version: int  # 0: never saved (a draft built from the sessions)
    what_matters: str
    goals: tuple[PlanGoal, ...]
    actions: tuple[PlanAction, ...]
    support: tuple[PlanSupport, ...]
    if_worse: str
    next_review: date | None
    updated_at: datetime | None = None
    updated_by: str = ""
    content: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def saved(self) -> bool:
        return self.version > 0

    @property
    def active_goals(self) -> tuple[PlanGoal, ...]:
        return tuple(g for g in self.goals if g.active)

    @property
    def open_actions(self) -> tuple[PlanAction, ...]:
        return tuple(a for a in self.actions if not a.done)

    def goal(self, uid: str) -> PlanGoal | None:
        return next((g for g in self.goals if g.uid == uid), None)


def derived_uid(*parts: object) -> str:
    """A stable id for an item brought in from a session (the same on every read)."""
    return str(uuid.uuid5(_NAMESPACE, ":".join(str(p) for p in parts)))


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _day(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def empty_content() -> dict[str, Any]:
    return {
        "what_matters": "",
        "goals": [],
        "actions": [],
        "support": [],
        "if_worse": "",
        "next_review": None,
    }


def stored_content(row: CarePlan | None) -> dict[str, Any]:
    if row is None:
        return empty_content()
    return {
        "what_matters": row.what_matters,
        "goals": [dict(g) for g in row.goals or []],
        "actions": [dict(a) for a in row.actions or []],
        "support": [dict(x) for x in row.support or []],
        "if_worse": row.if_worse,
        "next_review": _iso(row.next_review),
    }


def programme_sessions(s: Session, programme_id: int) -> list[ClinicSession]:
    return list(
        s.exec(
            select(ClinicSession)
            .where(
                ClinicSession.programme_id == programme_id,
                ClinicSession.status != SessionStatus.CANCELLED,
            )
            .order_by(col(ClinicSession.day), col(ClinicSession.id))
        )
    )


@dataclass
class Sources:
    """What a programme's sessions recorded, by person: read once for one plan or for all."""

    days: dict[int | None, date] = field(default_factory=dict)
    goals: dict[int, list[Goal]] = field(default_factory=dict)
    reviews: dict[int, list[Review]] = field(default_factory=dict)
    signposts: dict[int, list[tuple[Signposting, CommunityResource]]] = field(
        default_factory=dict
    )
    carers: dict[int, list[CarerVisit]] = field(default_factory=dict)


def gather(s: Session, programme_id: int, patient_id: int | None = None) -> Sources:
    """The goals, reviews, community connections and carers of a programme's sessions (of one
    person, or of everyone), in session order."""
    sessions = programme_sessions(s, programme_id)
    ids = [x.id for x in sessions]
    order = {x.id: i for i, x in enumerate(sessions)}
    found = Sources(days={x.id: x.day for x in sessions})
    if not ids:
        return found

    def mine(query: Any, column: Any) -> Any:
        return query if patient_id is None else query.where(column == patient_id)

    goals = s.exec(mine(select(Goal).where(col(Goal.session_id).in_(ids)), Goal.patient_id))
    for goal in sorted(goals, key=lambda g: (order[g.session_id], g.created_at, g.id or 0)):
        found.goals.setdefault(goal.patient_id, []).append(goal)
    reviews = s.exec(
        mine(select(Review).where(col(Review.session_id).in_(ids)), Review.patient_id)
    )
    for review in sorted(reviews, key=lambda r: (order[r.session_id], r.id or 0)):
        found.reviews.setdefault(review.patient_id, []).append(review)
    pairs = s.exec(
        mine(
            select(Signposting, CommunityResource)
            .join(CommunityResource, col(CommunityResource.id) == Signposting.resource_id)
            .where(col(Signposting.session_id).in_(ids))
            .order_by(col(Signposting.at)),
            Signposting.patient_id,
        )
    )
    for signpost, entry in pairs:
        found.signposts.setdefault(signpost.patient_id, []).append((signpost, entry))
    visits = s.exec(
        mine(
            select(CarerVisit)
            .where(col(CarerVisit.session_id).in_(ids))
            .order_by(col(CarerVisit.updated_at)),
            CarerVisit.cares_for_patient_id,
        )
    )
    for visit in visits:
        found.carers.setdefault(visit.cares_for_patient_id, []).append(visit)
    return found


def merged_content(
    s: Session,
    row: CarePlan | None,
    patient_id: int,
    programme_id: int,
    sources: Sources | None = None,
) -> dict[str, Any]:
    """The stored content with every goal, agreed action and support the sessions recorded."""
    content = stored_content(row)
    if sources is None:
        sources = gather(s, programme_id, patient_id)
    goals = sources.goals.get(patient_id, [])
    reviews = sources.reviews.get(patient_id, [])
    _merge_goals(content, goals, sources.days)
    _merge_actions(content, reviews, patient_id, programme_id)
    _merge_support(
        content, patient_id, sources.signposts.get(patient_id, []),
        sources.carers.get(patient_id, []),
    )
    if not content["what_matters"]:
        said = [g.what_matters.strip() for g in goals if g.what_matters.strip()]
        content["what_matters"] = said[-1] if said else ""
    if not content["if_worse"]:
        said = [r.safety_netting.strip() for r in reviews if r.safety_netting.strip()]
        content["if_worse"] = said[-1] if said else ""
    return content


def _merge_goals(
    content: dict[str, Any], goals: list[Goal], days: dict[int | None, date]
) -> None:
    by_source = {g.get("source_goal_uid"): g for g in content["goals"] if g.get("source_goal_uid")}
    for goal in goals:
        outcome_at = _iso(goal.outcome_recorded_at)
        item = by_source.get(goal.uid)
        if item is None:
            item = {
                "uid": goal.uid,
                "status": PlanGoalStatus.ACTIVE.value,
                "source_goal_uid": goal.uid,
                "session_id": goal.session_id,
                "set_on": _iso(days.get(goal.session_id)),
                "status_changed_at": None,
            }
            content["goals"].append(item)
        # The session's own record of the goal is the source of its words.
        item["text"] = goal.text
        item["confidence"] = goal.confidence
        item["review_date"] = _iso(goal.review_date)
        decided = item.get("status_changed_at") or ""
        if goal.outcome is not None and outcome_at and outcome_at > decided:
            item["status"] = FROM_OUTCOME[GoalOutcome(goal.outcome)].value
            item["status_changed_at"] = outcome_at


def _merge_actions(
    content: dict[str, Any], reviews: list[Review], patient_id: int, programme_id: int
) -> None:
    sources: dict[str, dict[str, Any]] = {}
    for review in reviews:
        for index, action in enumerate(review.actions or []):
            sources[f"review:{review.id}:{index}"] = {**action, "session_id": review.session_id}
    kept = []
    seen = set()
    for item in content["actions"]:
        source = item.get("source")
        if source and source.startswith("review:"):
            found = sources.get(source)
            if found is None and item.get("status") == "open":
                continue  # the review no longer has this action: the plan follows it
            if found is not None:
                item["text"] = found.get("text", item.get("text", ""))
                item["owner"] = found.get("owner") or ""
                item["due"] = found.get("due")
            seen.add(source)
        kept.append(item)
    for source, action in sources.items():
        if source in seen:
            continue
        kept.append(
            {
                "uid": derived_uid(patient_id, programme_id, source),
                "text": action.get("text", ""),
                "owner": action.get("owner") or "",
                "due": action.get("due"),
                "status": "open",
                "source": source,
                "session_id": action["session_id"],
                "done_at": None,
            }
        )
    content["actions"] = kept


def _merge_support(
    content: dict[str, Any],
    patient_id: int,
    pairs: list[tuple[Signposting, CommunityResource]],
    visits: list[CarerVisit],
) -> None:
    known = {x.get("source") for x in content["support"] if x.get("source")}
    for _signpost, entry in pairs:
        source = f"community:{entry.id}"
        if source in known:
            continue
        known.add(source)
        detail = ", ".join(p for p in (entry.offers, entry.when_where, entry.contact) if p)
        content["support"].append(
            {
                "uid": derived_uid(patient_id, source),
                "kind": "community",
                "name": entry.name,
                "detail": detail,
                "source": source,
                "active": True,
            }
        )
    for visit in visits:
        source = f"carer:{visit.carer_name.strip().casefold()}"
        if source in known:
            continue
        known.add(source)
        content["support"].append(
            {
                "uid": derived_uid(patient_id, source),
                "kind": "carer",
                "name": visit.carer_name.strip(),
                "detail": "",
                "source": source,
                "active": True,
            }
        )


def view_of(
    content: dict[str, Any],
    *,
    patient_id: int,
    programme_id: int,
    programme_name: str,
    row: CarePlan | None,
    updated_by: StaffUser | None = None,
) -> CarePlanView:
    goals = tuple(
        PlanGoal(
            uid=g["uid"],
            text=g.get("text", ""),
            status=PlanGoalStatus(g.get("status", "active")),
            confidence=g.get("confidence"),
            review_date=_day(g.get("review_date")),
            set_on=_day(g.get("set_on")),
            from_session=bool(g.get("source_goal_uid")),
        )
        for g in content["goals"]
    )
    actions = tuple(
        PlanAction(
            uid=a["uid"],
            text=a.get("text", ""),
            owner=a.get("owner") or "",
            due=_day(a.get("due")),
            done=a.get("status") == "done",
            from_review=bool(a.get("source")),
        )
        for a in content["actions"]
    )
    support = tuple(
        PlanSupport(uid=x["uid"], kind=x.get("kind", "contact"), name=x.get("name", ""),
                    detail=x.get("detail", ""))
        for x in content["support"]
        if x.get("active", True)
    )
    next_review = _day(content.get("next_review"))
    if next_review is None:
        # Until someone sets it, the plan is next reviewed when its first active goal is.
        dates = [g.review_date for g in goals if g.active and g.review_date]
        next_review = min(dates) if dates else None
    return CarePlanView(
        patient_id=patient_id,
        programme_id=programme_id,
        programme_name=programme_name,
        uid=row.uid if row else None,
        version=row.version if row else 0,
        what_matters=content.get("what_matters", ""),
        goals=goals,
        actions=actions,
        support=support,
        if_worse=content.get("if_worse", ""),
        next_review=next_review,
        updated_at=row.updated_at if row else None,
        updated_by=updated_by.name if updated_by else "",
        content=content,
    )
