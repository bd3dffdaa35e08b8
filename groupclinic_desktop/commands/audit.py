"""`groupclinic audit verify|export`: check the hash-chained audit trail, or export it."""

import argparse
import csv
import json
from pathlib import Path
from typing import Any

from groupclinic_desktop.commands import open_store


def register(sub: Any) -> None:
    parser = sub.add_parser("audit", help="verify or export the audit trail")
    actions = parser.add_subparsers(dest="audit_action", required=True)
    actions.add_parser(
        "verify", help="detect edited, removed or reordered entries and say where"
    ).set_defaults(handler=verify)
    export = actions.add_parser("export", help="write the audit trail to a CSV file")
    export.add_argument("--out", required=True, type=Path, help="CSV file to write (new)")
    export.set_defaults(handler=export_csv)


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
    out: Path = args.out
    if out.exists():
        print(f"error: {out} exists; choose a new file name.")
        return 1
    with open_store(args) as clinic:
        entries = clinic.audit_entries()
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "at", "user", "action", "entity", "entity_id", "patient_id",
                         "before", "after", "hash"])
        for e in entries:
            writer.writerow([e.id, e.at.isoformat(), e.user_name, e.action, e.entity, e.entity_id,
                             e.patient_id, json.dumps(e.before, ensure_ascii=False),
                             json.dumps(e.after, ensure_ascii=False), e.hash])
    print(f"Wrote {len(entries)} audit entries to {out}")
    return 0
