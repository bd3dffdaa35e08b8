"""`groupclinic audit verify|export`: check the hash-chained audit trail, or export it."""

import argparse
from pathlib import Path
from typing import Any

from groupclinic_desktop.commands import needs_sign_in, open_store, signed_in_store


def register(sub: Any) -> None:
    parser = sub.add_parser("audit", help="verify or export the audit trail")
    actions = parser.add_subparsers(dest="audit_action", required=True)
    actions.add_parser(
        "verify", help="detect edited, removed or reordered entries and say where"
    ).set_defaults(handler=verify)
    export = actions.add_parser("export", help="write the audit trail to a CSV file")
    export.add_argument("--out", required=True, type=Path, help="CSV file to write (new)")
    export.set_defaults(handler=export_csv)
    needs_sign_in(export)


def verify(args: argparse.Namespace) -> int:
    with open_store(args) as clinic:
        problems = clinic.verify_audit()
        count = len(clinic.audit_entries())
    if problems:
        for problem in problems:
            print(f"BROKEN: {problem}")
        return 1
    print(f"OK: {count} audit entries, chain intact.")
    return 0


def export_csv(args: argparse.Namespace) -> int:
    with signed_in_store(args) as clinic:
        count = clinic.export_audit_trail(args.out)
    print(f"Wrote {count} audit entries to {args.out}")
    return 0
