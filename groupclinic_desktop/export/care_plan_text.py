"""A care and support plan in words: shared by the notes PDF, the FHIR narrative and the
person's own copy, so every document says the plan the same way."""

from __future__ import annotations

from groupclinic_desktop.core.care_plan import CarePlanView, PlanAction, PlanSupport
from groupclinic_desktop.core.schema import PlanGoalStatus

STATUS_WORDS = {
    PlanGoalStatus.ACTIVE: "active",
    PlanGoalStatus.ACHIEVED: "achieved",
    PlanGoalStatus.CHANGED: "changed",
    PlanGoalStatus.STOPPED: "stopped",
}
# FHIR R4 Goal.lifecycleStatus and achievementStatus (hl7.org/fhir/R4/goal.html): an achieved
# goal is completed; a goal changed for another, or stopped, is cancelled.
LIFECYCLE = {
    PlanGoalStatus.ACTIVE: "active",
    PlanGoalStatus.ACHIEVED: "completed",
    PlanGoalStatus.CHANGED: "cancelled",
    PlanGoalStatus.STOPPED: "cancelled",
}
ACHIEVEMENT = {PlanGoalStatus.ACHIEVED: "achieved", PlanGoalStatus.ACTIVE: "in-progress"}


def goal_line(goal_text: str, status: PlanGoalStatus, review: str = "") -> str:
    line = f"{goal_text} ({STATUS_WORDS[status]}"
    return line + (f"; review by {review})" if review else ")")


def action_line(action: PlanAction) -> str:
    owner = action.owner or "not set"
    due = f"{action.due:%d/%m/%Y}" if action.due else "not set"
    done = "; done" if action.done else ""
    return f"{action.text} (who: {owner}; by: {due}{done})"


def support_line(item: PlanSupport) -> str:
    detail = f": {item.detail}" if item.detail else ""
    return f"{item.kind_words} - {item.name}{detail}"


def plan_lines(plan: CarePlanView) -> list[tuple[str, list[str]]]:
    """The plan as headed lists of lines, in the order every document shows them."""
    goals = [
        goal_line(g.text, g.status, f"{g.review_date:%d/%m/%Y}" if g.review_date else "")
        for g in plan.goals
    ]
    return [
        ("What matters to me", [plan.what_matters] if plan.what_matters else []),
        ("My goals", goals),
        ("Agreed actions", [action_line(a) for a in plan.actions]),
        ("Support and contacts", [support_line(x) for x in plan.support]),
        ("If things get worse", [plan.if_worse] if plan.if_worse else []),
        (
            "Next review",
            [f"{plan.next_review:%d/%m/%Y}"] if plan.next_review else [],
        ),
    ]


def plan_footer(plan: CarePlanView) -> str:
    if not plan.saved:
        return "Plan built from the sessions; not yet changed by hand."
    when = f" on {plan.updated_at:%d/%m/%Y}" if plan.updated_at else ""
    by = f" by {plan.updated_by}" if plan.updated_by else ""
    return f"Plan version {plan.version}, last changed{when}{by}."
