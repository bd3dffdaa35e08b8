"""`groupclinic programme ...`: a programme's settings from the terminal (admins).

    groupclinic programme usual-minutes --programme NAME [--minutes N | --default]

The usual one-to-one appointment a review replaces (1-120 minutes), which the sessions' monitoring
events carry for the ICB's "clinician time released". Without --minutes or --default it shows the
figure in use, the default and its source. Bad input is one line naming the field; nothing is
changed.
"""

from __future__ import annotations

import argparse
from typing import Any

from groupclinic_desktop.commands import needs_sign_in, signed_in_store


def register(sub: Any) -> None:
    parser = sub.add_parser("programme", help="a programme's settings (usual appointment minutes)")
    actions = parser.add_subparsers(dest="programme_action", required=True)
    usual = actions.add_parser(
        "usual-minutes", help="the usual one-to-one appointment a review replaces, in minutes"
    )
    usual.add_argument("--programme", required=True, help="any part of one programme's name")
    which = usual.add_mutually_exclusive_group()
    which.add_argument("--minutes", help="the practice's own figure, 1-120")
    which.add_argument("--default", action="store_true", help="go back to the default")
    usual.set_defaults(handler=cmd_usual_minutes)
    needs_sign_in(usual)


def cmd_usual_minutes(args: argparse.Namespace) -> int:
    from groupclinic_desktop.commands.import_cohort import find_programme
    from groupclinic_desktop.core import appointments

    with signed_in_store(args) as clinic:
        programme = find_programme(clinic, args.programme)
        assert programme.id is not None
        if args.minutes is not None or args.default:
            programme = clinic.update_programme(
                programme.id, usual_appointment_minutes=None if args.default else args.minutes
            )
    definition = programme.definition or {}
    default = appointments.default_for(definition.get("key") or programme.template_key)
    own = definition.get(appointments.KEY)
    where = "the practice's own figure" if own is not None else "the default"
    print(f"{programme.name}: {appointments.in_use(definition)} minutes ({where}).")
    print(f"Default: {default.words()}.")
    return 0
