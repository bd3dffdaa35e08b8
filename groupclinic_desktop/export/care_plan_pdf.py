"""The person's own copy of their care and support plan: large print, in their language.

Made with the hand-outs' machinery (the print kit's large print in export/print_kit.py,
export/pdf_text for right-to-left scripts, i18n for the words), so it reads like the other
sheets people take home. What the person and staff wrote (goals, actions, names) is printed as
they wrote it; only the headings and fixed words are translated.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from groupclinic_desktop.core.private_files import private_file
from groupclinic_desktop.core.schema import PlanGoalStatus

if TYPE_CHECKING:
    from groupclinic_desktop.core.care_plan import CarePlanView
    from groupclinic_desktop.core.clinic import Clinic

# The fixed words on the sheet (each also in i18n.MESSAGES and every .ts catalogue).
GOAL_STATUS = {
    PlanGoalStatus.ACTIVE: "working on it",
    PlanGoalStatus.ACHIEVED: "achieved",
    PlanGoalStatus.CHANGED: "changed",
    PlanGoalStatus.STOPPED: "stopped",
}
SUPPORT_KIND = {"community": "Community connection", "carer": "Carer", "contact": "Contact"}


def plan_pdf(
    clinic: Clinic,
    patient_id: int,
    path: Path | str,
    *,
    programme_id: int | None = None,
    language: str | None = None,
    today: date | None = None,
) -> Path:
    """Write the person's own copy; their preferred language unless `language` is given."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer

    from groupclinic_desktop.export.pdf_text import PdfText
    from groupclinic_desktop.export.print_kit import large_print

    plan = clinic.care_plan(patient_id, programme_id)
    patient = clinic.patient(patient_id)
    words = clinic.words(language or clinic.patient_language(patient_id))
    text = PdfText(words)
    styles = large_print(20)  # large print: the body at 20 pt, headings bigger
    target = Path(path)
    doc = SimpleDocTemplate(
        str(private_file(target)),
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,  # the footer sits in the same band as on the hand-outs
        title=words("My care and support plan: {name}", name=patient.board_name),
    )
    story: list[Any] = [
        text.para(words("My care and support plan: {name}", name=patient.board_name),
                  styles["title"]),
        text.para(words("{programme}. This plan is yours: keep it with you.",
                        programme=plan.programme_name), styles["body"]),
        Spacer(1, 10),
    ]
    for heading, lines in _sections(plan, words):
        if not lines:
            continue
        block = [text.para(words(heading), styles["bold"])]
        block += [text.para(line, styles["body"]) for line in lines]
        story += [KeepTogether(block), Spacer(1, 10)]
    when = plan.updated_at.date() if plan.updated_at else (today or date.today())
    story.append(text.para(words("Plan updated {day}.", day=words.day(when)), styles["body"]))
    footer = text.footer()
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return target


def _sections(plan: CarePlanView, words: Any) -> list[tuple[str, list[str]]]:
    goals = []
    for goal in plan.goals:
        line = f"• {goal.text} — {words(GOAL_STATUS[goal.status])}"
        goals.append(line)
    actions = []
    for action in plan.actions:
        line = f"• {action.text}"
        if action.done:
            line += f" — {words('done')}"
        else:
            who = action.owner or "–"
            when = words.day(action.due) if action.due else "–"
            line += "\n  " + words("Who: {owner}. By: {day}.", owner=who, day=when)
        actions.append(line)
    support = [
        f"• {words(SUPPORT_KIND.get(x.kind, 'Contact'))}: {x.name}"
        + (f"\n  {x.detail}" if x.detail else "")
        for x in plan.support
    ]
    return [
        ("What matters to me", [plan.what_matters] if plan.what_matters else []),
        ("My goals", goals),
        ("Things we agreed to do", actions),
        ("Support and people I can contact", support),
        ("If things get worse", [plan.if_worse] if plan.if_worse else []),
        (
            "My next review",
            [words.day(plan.next_review)] if plan.next_review else [],
        ),
    ]
