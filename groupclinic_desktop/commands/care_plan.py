"""`groupclinic plan show|update|print` and `groupclinic due [contact|reinvite|done]`.

A person's care and support plan, and the care coordinator's list of what is due, from the
terminal: the same facade, roles and audit as the app.
"""

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from groupclinic_desktop.commands import needs_sign_in, signed_in_store

if TYPE_CHECKING:
    from groupclinic_desktop.core.care_plan import CarePlanView
    from groupclinic_desktop.core.clinic import Clinic


def register(sub: Any) -> None:
    plan = sub.add_parser("plan", help="a person's care and support plan: show, update, print")
    actions = plan.add_subparsers(dest="plan_action", required=True)

    show = actions.add_parser("show", help="print the plan, with its goals' and actions' ids")
    _person(show)
    show.set_defaults(handler=show_plan)
    needs_sign_in(show)

    update = actions.add_parser("update", help="change the plan (each change a new version)")
    _person(update)
    update.add_argument("--session", type=int, help="the session the change is made in")
    update.add_argument("--what-matters", help="what matters to the person")
    update.add_argument("--if-worse", help="what to do if things get worse")
    update.add_argument("--next-review", help="next review date (empty text clears it)")
    update.add_argument("--add-goal", metavar="TEXT", help="a new goal")
    update.add_argument("--goal-review", metavar="DATE", help="the new goal's review date")
    update.add_argument("--goal", metavar="ID", help="a goal's id (from plan show)")
    update.add_argument(
        "--status", choices=("active", "achieved", "changed", "stopped"), help="with --goal"
    )
    update.add_argument("--add-action", metavar="TEXT", help="a new agreed action")
    update.add_argument("--owner", default="", help="who does the new action")
    update.add_argument("--due", help="when the new action is due")
    update.add_argument("--action", metavar="ID", help="an action's id (from plan show)")
    update.add_argument("--action-status", choices=("open", "done"), help="with --action")
    update.add_argument(
        "--add-support", nargs=2, metavar=("KIND", "NAME"),
        help="support or a contact: KIND is community, carer or contact",
    )
    update.add_argument("--detail", default="", help="with --add-support: how to reach them")
    update.set_defaults(handler=update_plan)
    needs_sign_in(update)

    printed = actions.add_parser("print", help="the person's own large-print copy (PDF)")
    _person(printed)
    printed.add_argument("--out", required=True, type=Path, help="PDF file to write")
    printed.add_argument("--language", help="a language code (default: the person's own)")
    printed.set_defaults(handler=print_plan)
    needs_sign_in(printed)

    due = sub.add_parser("due", help="the care coordinator's list of what is due")
    due.add_argument("--today", help="list as of this date (default: today)")
    due.set_defaults(handler=show_due, due_action=None)
    needs_sign_in(due)
    steps = due.add_subparsers(dest="due_action")
    contact = steps.add_parser("contact", help="record a contact about an item")
    _item(contact)
    contact.add_argument("--method", required=True, choices=("call", "text", "letter", "visit"))
    contact.add_argument(
        "--outcome", required=True,
        choices=("spoke", "no_answer", "message_left", "booked", "declined", "other"),
    )
    contact.add_argument("--note", default="", help="a short note (stays on this laptop)")
    contact.set_defaults(handler=record_contact)
    needs_sign_in(contact)
    reinvite = steps.add_parser("reinvite", help="invite to the next planned session")
    _item(reinvite)
    reinvite.set_defaults(handler=reinvite_person)
    needs_sign_in(reinvite)
    done = steps.add_parser("done", help="mark an item done")
    _item(done)
    done.add_argument("--note", default="", help="a short note (stays on this laptop)")
    done.set_defaults(handler=mark_done)
    needs_sign_in(done)


def _person(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--patient", required=True, help="NHS number (or the person's id)")
    parser.add_argument("--programme", help="the programme's name or id (if more than one)")


def _item(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--patient", required=True, help="NHS number (or the person's id)")
    parser.add_argument("--item", required=True, help="the item's key, as `groupclinic due` lists")
    parser.add_argument("--today", help=argparse.SUPPRESS)


def _patient_id(clinic: "Clinic", text: str) -> int:
    from groupclinic_desktop.core.errors import NotFound

    plain = text.strip()
    if plain.isdigit() and len(plain) < 10:  # a person's id, as `groupclinic due` lists it
        found = clinic.patient(int(plain))
    else:
        found = clinic.patient_by_nhs_number(plain)
    if found is None or found.id is None:
        raise NotFound(f"Patient: no one with the NHS number {text!r}.")
    return found.id


def _programme_id(clinic: "Clinic", text: str | None) -> int | None:
    from groupclinic_desktop.core.errors import NotFound

    if not text:
        return None
    wanted = text.strip()
    for p in clinic.programmes():
        if p.name.lower() == wanted.lower() or str(p.id) == wanted:
            return p.id
    raise NotFound(f"Programme: no programme called '{wanted}'.")


def _today(args: argparse.Namespace) -> Any:
    from groupclinic_desktop.core.validation import parse_date

    return parse_date(args.today, "Today") if getattr(args, "today", None) else None


def _print_plan(plan: "CarePlanView", name: str) -> None:
    from groupclinic_desktop.export.care_plan_text import (
        STATUS_WORDS,
        action_line,
        plan_footer,
        support_line,
    )

    print(f"Care and support plan: {name} - {plan.programme_name}")
    print(plan_footer(plan))
    print(f"What matters: {plan.what_matters or '(not yet said)'}")
    print("Goals:")
    for g in plan.goals:
        review = f"; review by {g.review_date:%d/%m/%Y}" if g.review_date else ""
        print(f"  [{g.uid}] {g.text} ({STATUS_WORDS[g.status]}{review})")
    print("Actions:")
    for a in plan.actions:
        print(f"  [{a.uid}] {action_line(a)}")
    print("Support and contacts:")
    for x in plan.support:
        print(f"  [{x.uid}] {support_line(x)}")
    print(f"If things get worse: {plan.if_worse or '(not yet said)'}")
    review = f"{plan.next_review:%d/%m/%Y}" if plan.next_review else "not set"
    print(f"Next review: {review}")


def show_plan(args: argparse.Namespace) -> int:
    with signed_in_store(args) as clinic:
        pid = _patient_id(clinic, args.patient)
        plan = clinic.care_plan(pid, _programme_id(clinic, args.programme))
        _print_plan(plan, clinic.patient(pid).full_name)
    return 0


def update_plan(args: argparse.Namespace) -> int:
    from groupclinic_desktop.core.errors import InvalidInput

    with signed_in_store(args) as clinic:
        pid = _patient_id(clinic, args.patient)
        where = {"programme_id": _programme_id(clinic, args.programme), "session_id": args.session}
        changes = 0
        if args.what_matters is not None or args.if_worse is not None or (
            args.next_review is not None
        ):
            clinic.update_care_plan(
                pid, what_matters=args.what_matters, if_worse=args.if_worse,
                next_review=args.next_review, **where,
            )
            changes += 1
        if args.goal or args.status:
            if not (args.goal and args.status):
                raise InvalidInput("Goal: give both --goal ID and --status.", field="Goal")
            clinic.set_plan_goal_status(pid, args.goal, args.status, **where)
            changes += 1
        if args.add_goal:
            goal = clinic.add_plan_goal(pid, args.add_goal, review_date=args.goal_review, **where)
            print(f"Goal added: [{goal.uid}] {goal.text}")
            changes += 1
        if args.action or args.action_status:
            if not (args.action and args.action_status):
                raise InvalidInput(
                    "Action: give both --action ID and --action-status.", field="Action"
                )
            clinic.set_plan_action_status(pid, args.action, args.action_status, **where)
            changes += 1
        if args.add_action:
            action = clinic.add_plan_action(
                pid, args.add_action, owner=args.owner, due=args.due, **where
            )
            print(f"Action added: [{action.uid}] {action.text}")
            changes += 1
        if args.add_support:
            kind, name = args.add_support
            clinic.add_plan_support(pid, kind, name, detail=args.detail, **where)
            changes += 1
        if not changes:
            raise InvalidInput("Care plan: nothing to change was given.", field="Care plan")
        plan = clinic.care_plan(pid, where["programme_id"])
        print(f"Saved: plan version {plan.version} ({changes} change(s)).")
    return 0


def print_plan(args: argparse.Namespace) -> int:
    from groupclinic_desktop.export.care_plan_pdf import plan_pdf

    with signed_in_store(args) as clinic:
        pid = _patient_id(clinic, args.patient)
        path = plan_pdf(
            clinic, pid, args.out, programme_id=_programme_id(clinic, args.programme),
            language=args.language,
        )
    print(f"Wrote {path}")
    return 0


def show_due(args: argparse.Namespace) -> int:
    with signed_in_store(args) as clinic:
        items = clinic.due_list(today=_today(args))
    if not items:
        print("Nothing is due.")
        return 0
    print(f"{len(items)} item(s) due:")
    for item in items:
        when = f"{item.due:%d/%m/%Y}" if item.due else ""
        late = " OVERDUE" if item.overdue else ""
        contact = f" [last contact: {item.last_contact}]" if item.last_contact else ""
        print(
            f"  {item.kind_words}: {item.person} (patient {item.patient_id}) - {item.what} "
            f"{when}{late}{contact}\n    key: {item.key}"
        )
    return 0


def record_contact(args: argparse.Namespace) -> int:
    with signed_in_store(args) as clinic:
        pid = _patient_id(clinic, args.patient)
        clinic.record_contact(pid, args.item, args.method, args.outcome, args.note,
                              today=_today(args))
    print("Contact recorded.")
    return 0


def reinvite_person(args: argparse.Namespace) -> int:
    with signed_in_store(args) as clinic:
        pid = _patient_id(clinic, args.patient)
        attendance = clinic.reinvite(pid, args.item, today=_today(args))
        session = clinic.session(attendance.session_id)
    print(f"Re-invited to the session on {session.day:%d/%m/%Y} (session {session.id}).")
    return 0


def mark_done(args: argparse.Namespace) -> int:
    with signed_in_store(args) as clinic:
        pid = _patient_id(clinic, args.patient)
        clinic.mark_done(pid, args.item, args.note, today=_today(args))
    print("Marked done.")
    return 0
