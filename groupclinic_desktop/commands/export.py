"""`groupclinic export --session ID|latest|unexported --format pdf,fhir,csv --out DIR`.

The same export as the app's admin screen, for IT staff and scripts. `latest` is the most recent
finished session; `unexported` is every finished session with notes still to export.
"""

import argparse
from pathlib import Path
from typing import Any

from groupclinic_desktop.commands import needs_sign_in, signed_in_store
from groupclinic_desktop.core.errors import InvalidInput


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "export",
        help="export session notes for the GP record (PDF, FHIR R4, CSV)",
        description="Write each attendee's notes to a folder you choose. Files are never "
        "overwritten; a correction gets a new version (-v2).",
    )
    parser.add_argument(
        "--session",
        required=True,
        help="a session id, 'latest' (the most recent finished session) or 'unexported'",
    )
    parser.add_argument(
        "--format",
        default="pdf,fhir,csv",
        help="comma-separated formats: pdf, fhir, csv (default: all three)",
    )
    parser.add_argument("--out", required=True, type=Path, help="folder to write into")
    parser.add_argument(
        "--correction",
        action="store_true",
        help="export corrected notes for people whose record was corrected since export",
    )
    parser.set_defaults(handler=run_export)
    needs_sign_in(parser)


def run_export(args: argparse.Namespace) -> int:
    from groupclinic_desktop.core.schema import SessionStatus
    from groupclinic_desktop.export.batch import export_session, export_unexported, parse_formats

    formats = parse_formats(args.format)
    with signed_in_store(args) as clinic:
        choice = str(args.session).strip().lower()
        if choice == "unexported":
            results = export_unexported(clinic, args.out, formats)
            if not results:
                print("Nothing to export: every finished session is already exported.")
                return 0
        else:
            if choice == "latest":
                done = [
                    s
                    for s in clinic.sessions()
                    if s.status in (SessionStatus.FINISHED, SessionStatus.EXPORTED)
                ]
                if not done:
                    raise InvalidInput("Session: no session has been finished yet.")
                session_id = done[-1].id
            elif choice.isdigit():
                session_id = int(choice)
            else:
                raise InvalidInput(
                    f"Session: '{args.session}' is not a session id, 'latest' or 'unexported'.",
                    field="Session",
                )
            assert session_id is not None
            results = [
                export_session(clinic, session_id, args.out, formats, correction=args.correction)
            ]
    held = 0
    for result in results:
        for path in result.files:
            print(f"wrote {path}")
        extra = f", {result.corrections} of them corrections" if result.corrections else ""
        print(
            f"Session {result.session_id}: exported notes for {result.people} people{extra} "
            f"({', '.join(formats)})."
        )
        for reason in result.held_back:
            print(f"Held back: {reason}.")
        held += len(result.held_back)
    if held:
        print(f"{held} people's notes were held back until their clinician signs; export again "
              "once signed.")
        return 1
    return 0
