"""`groupclinic session ...`: plan sessions and run attendance from the terminal.

    groupclinic session plan --programme NAME --date YYYY-MM-DD --time HH:MM --place TEXT
        [--mode face_to_face|video|hybrid] [--joining-link URL] [--joining-instructions TEXT]
        [--every week|fortnight|month|quarter --count N | --drop-in]
    groupclinic session list [--programme NAME]
    groupclinic session joining --session ID [--mode M] [--joining-link URL]
        [--joining-instructions TEXT]
    groupclinic session invite --session ID (--enrolled | --nhs-number N [N ...])
    groupclinic session start --session ID
    groupclinic session attend --session ID --nhs-number N [--status STATUS]
        [--channel in_room|video|phone] [--identity-confirmed] [--private-place]
    groupclinic session finish --session ID
    groupclinic session staff-questions --session ID [--satisfying N] [--workload N]
        [--time-well-used N] [--skip]

The staff questions are answered by the person signed in, for themselves: their role and
profession go with the answers (1-5; a question left out is skipped), never their name.

Every action is the same facade call the app makes, under the signed-in person's role, audited
as "NAME (command line)"; bad input is one line naming the field, and nothing is changed.
"""

from __future__ import annotations

import argparse
from datetime import date, time
from typing import Any

from groupclinic_desktop.commands import needs_sign_in, signed_in_store
from groupclinic_desktop.core.errors import InvalidInput, NotFound

MODES = ("face_to_face", "video", "hybrid")
CHANNELS = ("in_room", "video", "phone")
STATUSES = ("attended", "late", "did_not_attend", "cancelled", "drop_in")
EVERY = ("week", "fortnight", "month", "quarter")
STAFF_FLAGS = {
    "satisfying": "--satisfying",
    "workload": "--workload",
    "time_well_used": "--time-well-used",
}


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "session", help="plan sessions (series, drop-in clinics, hybrid) and record attendance"
    )
    actions = parser.add_subparsers(dest="session_action", required=True)

    plan = actions.add_parser("plan", help="plan one session, a series, or a drop-in clinic")
    plan.add_argument("--programme", required=True, help="any part of one programme's name")
    plan.add_argument("--date", required=True, help="first (or only) session, YYYY-MM-DD")
    plan.add_argument("--time", required=True, help="start time, HH:MM")
    plan.add_argument("--place", required=True, help="where the room is (or 'Online')")
    _joining_options(plan, mode_default="face_to_face")
    cadence = plan.add_mutually_exclusive_group()
    cadence.add_argument("--every", choices=EVERY, help="a series: how often it comes round")
    cadence.add_argument(
        "--drop-in", action="store_true", help="a single drop-in clinic open to anyone enrolled"
    )
    plan.add_argument("--count", type=int, default=None, help="how many sessions in the series")
    plan.set_defaults(handler=cmd_plan)

    listing = actions.add_parser("list", help="the sessions, with mode and status")
    listing.add_argument("--programme", help="only this programme's sessions")
    listing.set_defaults(handler=cmd_list)

    edit = actions.add_parser("joining", help="change a session's mode, joining link or words")
    edit.add_argument("--session", type=int, required=True, help="session id")
    _joining_options(edit, mode_default=None)
    edit.set_defaults(handler=cmd_joining)

    invite = actions.add_parser("invite", help="enrol and invite people to a session")
    invite.add_argument("--session", type=int, required=True, help="session id")
    who = invite.add_mutually_exclusive_group(required=True)
    who.add_argument("--enrolled", action="store_true", help="everyone enrolled in its programme")
    who.add_argument("--nhs-number", nargs="+", help="these people (10-digit NHS numbers)")
    invite.set_defaults(handler=cmd_invite)

    for name, text in (("start", "start the session (check-in)"),
                       ("finish", "finish the session (a backup is made)")):
        step = actions.add_parser(name, help=text)
        step.add_argument("--session", type=int, required=True, help="session id")
        step.set_defaults(handler=cmd_start if name == "start" else cmd_finish)

    staff = actions.add_parser(
        "staff-questions",
        help="after a session: your own answers to the three staff questions (anonymous)",
    )
    staff.add_argument("--session", type=int, required=True, help="session id")
    for key, flag in STAFF_FLAGS.items():
        staff.add_argument(flag, dest=key, type=int, choices=range(1, 6), metavar="1-5",
                           help=f"{_question(key)} (leave out to skip)")
    staff.add_argument("--skip", action="store_true", help="skip all three questions")
    staff.set_defaults(handler=cmd_staff_questions)

    attend = actions.add_parser("attend", help="record one person's attendance and channel")
    attend.add_argument("--session", type=int, required=True, help="session id")
    attend.add_argument("--nhs-number", required=True, help="the person's NHS number")
    attend.add_argument("--status", choices=STATUSES, default="attended")
    attend.add_argument("--channel", choices=CHANNELS, help="how they joined")
    attend.add_argument("--identity-confirmed", action="store_true",
                        help="video or phone: identity checked (e.g. last 4 digits of phone)")
    attend.add_argument("--private-place", action="store_true",
                        help="video or phone: they are somewhere private")
    attend.set_defaults(handler=cmd_attend)

    for action in actions.choices.values():
        needs_sign_in(action)


def _joining_options(parser: argparse.ArgumentParser, mode_default: str | None) -> None:
    parser.add_argument("--mode", choices=MODES, default=mode_default, help="how it is held")
    parser.add_argument("--joining-link", help="video and hybrid: the https link to join by")
    parser.add_argument("--joining-instructions", help="video and hybrid: how to join, in words")


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{field}: '{text}' is not a date written YYYY-MM-DD.",
                           field=field) from None


def _time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"Start time: '{text}' is not a time written HH:MM.",
                           field="Start time") from None


def _session_line(s: Any) -> str:
    from groupclinic_desktop.core.joining import MODE_WORDS

    kind = "drop-in clinic" if s.drop_in else f"session {s.session_number}"
    link = f" · joins at {s.joining_link}" if s.joining_link else ""
    return (f"{s.id}: {s.day:%a %d %b %Y} {s.start_time:%H:%M}, {s.place} · {kind} · "
            f"{MODE_WORDS[s.mode]} · {s.status.value}{link}")


def cmd_plan(args: argparse.Namespace) -> int:
    from groupclinic_desktop.commands.import_cohort import find_programme

    first = _day(args.date, "Date")
    start = _time(args.time)
    if args.count is not None and not args.every:
        raise InvalidInput("Number of sessions: give --every with --count.",
                           field="Number of sessions")
    joining = {"mode": args.mode, "joining_link": args.joining_link,
               "joining_instructions": args.joining_instructions}
    with signed_in_store(args) as clinic:
        programme = find_programme(clinic, args.programme)
        assert programme.id is not None
        if args.drop_in:
            planned = [clinic.plan_drop_in_clinic(programme.id, first, start, args.place,
                                                  **joining)]
        elif args.every:
            planned = clinic.plan_series(programme.id, first, start, args.place,
                                         every=args.every, count=args.count or 1, **joining)
        else:
            if first < date.today():
                raise InvalidInput(f"Date: {first:%d %b %Y} is in the past.", field="Date")
            planned = [clinic.plan_session(programme.id, first, start, args.place, **joining)]
    print(f"Planned {len(planned)} for {programme.name}:")
    for s in planned:
        print("  " + _session_line(s))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from groupclinic_desktop.commands.import_cohort import find_programme

    with signed_in_store(args) as clinic:
        sessions = clinic.sessions()
        if args.programme:
            programme = find_programme(clinic, args.programme)
            sessions = [s for s in sessions if s.programme_id == programme.id]
    for s in sessions:
        print(_session_line(s))
    if not sessions:
        print("No sessions.")
    return 0


def cmd_joining(args: argparse.Namespace) -> int:
    with signed_in_store(args) as clinic:
        current = clinic.session(args.session)
        row = clinic.set_session_joining(
            args.session,
            mode=args.mode,
            joining_link=current.joining_link if args.joining_link is None else args.joining_link,
            joining_instructions=(current.joining_instructions
                                  if args.joining_instructions is None
                                  else args.joining_instructions),
        )
    print("Changed: " + _session_line(row))
    return 0


def _person(clinic: Any, nhs_number: str) -> Any:
    found = clinic.patient_by_nhs_number(nhs_number)
    if found is None:
        raise NotFound(f"NHS number: nobody with {nhs_number} is recorded here.")
    return found


def cmd_invite(args: argparse.Namespace) -> int:
    from groupclinic_desktop.core import invitations

    with signed_in_store(args) as clinic:
        session = clinic.session(args.session)
        if args.enrolled:
            people = [p.id for p in clinic.enrolled(session.programme_id)]
        else:
            people = [_person(clinic, n).id for n in args.nhs_number]
        summary = invitations.enrol_and_invite(clinic, people, session.programme_id, session.id)
    print(f"Invited {summary.invitations} new ({summary.enrolled} newly enrolled) to session "
          f"{args.session}.")
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    with signed_in_store(args) as clinic:
        row = clinic.start_session(args.session)
    print("Started: " + _session_line(row))
    return 0


def cmd_finish(args: argparse.Namespace) -> int:
    with signed_in_store(args) as clinic:
        row = clinic.finish_session(args.session)
    print("Finished: " + _session_line(row))
    return 0


def _question(key: str) -> str:
    from groupclinic_desktop.core.staff_experience import question_set

    return next(q.text for q in question_set().questions if q.key == key)


def cmd_staff_questions(args: argparse.Namespace) -> int:
    from groupclinic_desktop.core.staff_experience import ROLE_FOR, question_set

    answers = {key: getattr(args, key) for key in STAFF_FLAGS if getattr(args, key) is not None}
    if not answers and not args.skip:
        scale = ", ".join(f"{n} {w}" for n, w in enumerate(question_set().labels, start=1))
        lines = [f"  {STAFF_FLAGS[q.key]} N   {q.text}" for q in question_set().questions]
        raise InvalidInput(
            "Staff questions: give at least one answer, or --skip. Answers are " + scale
            + ":\n" + "\n".join(lines),
            field="Staff questions",
        )
    if answers and args.skip:
        raise InvalidInput("Staff questions: give answers or --skip, not both.",
                           field="Staff questions")
    with signed_in_store(args) as clinic:
        actor = clinic.actor
        assert actor is not None
        me = next(u for u in clinic.staff(active_only=False) if u.id == actor.id)
        role = ROLE_FOR.get(me.role)
        if role is None:
            raise InvalidInput(
                f"Staff questions: they are for the staff who ran the session, not an "
                f"{me.role.value}.", field="Staff questions")
        clinic.record_staff_experience(args.session, role=role, profession=me.profession,
                                       answers=answers)
    if args.skip:
        print(f"Session {args.session}: skipped. Nothing is sent.")
    else:
        print(f"Session {args.session}: {len(answers)} answer(s) saved, kept with your role and "
              "profession only (not your name).")
    return 0


def cmd_attend(args: argparse.Namespace) -> int:
    from groupclinic_desktop.core.joining import CHANNEL_WORDS

    with signed_in_store(args) as clinic:
        person = _person(clinic, args.nhs_number)
        row = clinic.set_attendance(
            args.session,
            person.id,
            args.status,
            channel=args.channel,
            identity_confirmed=True if args.identity_confirmed else None,
            private_place=True if args.private_place else None,
        )
    checks = ""
    if row.channel.remote:
        checks = (f" · identity {'confirmed' if row.identity_confirmed else 'NOT confirmed'}"
                  f" · private place {'confirmed' if row.private_place else 'NOT confirmed'}")
    print(f"Session {args.session}: NHS number {person.nhs_number} "
          f"{row.status.value.replace('_', ' ')} · {CHANNEL_WORDS[row.channel].lower()}{checks}")
    return 0
