"""`groupclinic practices`: who runs the clinics, and the member practices they serve.

  groupclinic practices                                   list the organisation and its members
  groupclinic practices --kind practice|pcn|hub [--pcn ODS]   what the organisation is
  groupclinic practices add ODS --name NAME [--mailbox ID]    add a member practice

Needs a staff sign-in (an admin): `groupclinic --user NAME [--pin-stdin] ...`.
"""

import argparse
from typing import Any

from groupclinic_desktop.commands import signed_in_store


def register(sub: Any) -> None:
    parser = sub.add_parser("practices", help="the hub or practice and its member practices")
    parser.add_argument("--kind", choices=["practice", "pcn", "hub"], help="the organisation")
    parser.add_argument("--pcn", help="the PCN's ODS code (for monitoring)")
    parser.set_defaults(handler=run_practices, needs_sign_in=True, practices_action=None)
    actions = parser.add_subparsers(dest="practices_action")
    add = actions.add_parser("add", help="add a member practice")
    add.add_argument("ods", help="its ODS code")
    add.add_argument("--name", required=True, help="its name")
    add.add_argument("--mailbox", help="an explicit MESH mailbox (default: automated routing)")
    add.set_defaults(handler=run_practices, needs_sign_in=True)


def run_practices(args: argparse.Namespace) -> int:
    with signed_in_store(args) as clinic:
        if args.kind:
            clinic.set_organisation(args.kind, pcn_ods_code=args.pcn)
        if args.practices_action == "add":
            clinic.add_member_practice(args.ods, args.name, mesh_mailbox=args.mailbox)
        organisation = clinic.organisation()
        members = clinic.member_practices()
    if organisation is None:
        print("This store holds no practice yet (groupclinic setup).")
        return 1
    pcn = f", PCN {organisation.pcn_ods_code}" if organisation.pcn_ods_code else ""
    print(f"{organisation.name} ({organisation.ods_code}): {organisation.kind.value}{pcn}")
    for member in members:
        print(f"  member {member.ods_code} {member.name}")
    return 0
