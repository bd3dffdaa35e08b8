"""`groupclinic import-cohort`, `session-pack` and `invitations`: preparing a session.

    groupclinic import-cohort FILE --programme NAME [--mapping FILE] [--valid-rows-only]
    groupclinic session-pack --session ID --out FILE.pdf
    groupclinic invitations --session ID --out FILE.csv [--letters FILE.pdf]

import-cohort prints the validation report and exits 1 when anything was refused (the whole
file, or the rejected rows with --valid-rows-only); nothing is written while any row is invalid
unless --valid-rows-only is given.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from groupclinic_desktop.commands import needs_sign_in, signed_in_store
from groupclinic_desktop.core.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic
    from groupclinic_desktop.core.schema import Programme


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = subparsers.add_parser(
        "import-cohort",
        help="import people and their latest results from a GP system search export (CSV)",
    )
    cmd.add_argument("file", type=Path, help="the CSV exported from EMIS Web or SystmOne")
    cmd.add_argument(
        "--programme", required=True, help="any part of one programme's name, e.g. diabetes"
    )
    cmd.add_argument(
        "--mapping",
        type=Path,
        help='column mapping: CSV lines "column title,target" (or TOML); target "ignore" skips',
    )
    cmd.add_argument(
        "--valid-rows-only",
        action="store_true",
        help="import the valid rows and save the rejected ones to a CSV to fix",
    )
    cmd.add_argument(
        "--rejected", type=Path, help="where to save rejected rows (default: FILE-rejected.csv)"
    )
    cmd.set_defaults(handler=cmd_import_cohort)
    needs_sign_in(cmd)

    pack = subparsers.add_parser(
        "session-pack",
        help="print the session pack: run sheet, register, consent forms, badges, paper board",
    )
    pack.add_argument("--session", type=int, required=True, help="session id")
    pack.add_argument("--out", type=Path, required=True, help="PDF file to write")
    pack.set_defaults(handler=cmd_session_pack)
    needs_sign_in(pack)

    invites = subparsers.add_parser(
        "invitations",
        help="the batch-messaging CSV for a session's invitees (and letters for the rest)",
    )
    invites.add_argument("--session", type=int, required=True, help="session id")
    invites.add_argument("--out", type=Path, required=True, help="CSV file to write")
    invites.add_argument(
        "--letters", type=Path, help="also write letters (PDF) for people without a mobile"
    )
    invites.set_defaults(handler=cmd_invitations)
    needs_sign_in(invites)


def find_programme(clinic: Clinic, name: str) -> Programme:
    """The one programme whose name contains `name`, in any case."""
    wanted = name.strip().casefold()
    every = clinic.programmes()
    found = [p for p in every if wanted and wanted in p.name.casefold()]
    if len(found) == 1:
        return found[0]
    if not found:
        names = ", ".join(p.name for p in every) or "none yet"
        raise NotFound(f"No programme name contains '{name}'. Programmes: {names}.")
    names = "; ".join(p.name for p in found)
    raise InvalidInput(
        f"Programme: '{name}' matches more than one programme ({names}); give more of the name.",
        field="Programme",
    )


def cmd_import_cohort(args: argparse.Namespace) -> int:
    from groupclinic_desktop.core import cohort

    if not args.file.is_file():
        raise NotFound(f"There is no file {args.file}.")
    source = cohort.read_csv(args.file)
    with signed_in_store(args) as clinic:
        programme = find_programme(clinic, args.programme)
        remembered = clinic.cohort_mapping()
        if args.mapping:
            remembered = {**remembered, **cohort.parse_mapping_file(args.mapping)}
        mapping = cohort.recognise(source.headers, remembered)
        assert programme.id is not None
        outcome = clinic.import_cohort_file(
            source,
            programme.id,
            mapping=mapping,
            valid_rows_only=args.valid_rows_only,
            rejected_to=args.rejected,
            progress=_progress_printer() if sys.stderr.isatty() else None,
        )
    print(f"{args.file.name} -> {programme.name}")
    print(outcome.check.report(limit=200))
    if outcome.result is None:
        if not outcome.check.mapping_problems:
            print("Nothing was imported: fix the rows above, or use --valid-rows-only.")
        else:
            print("Nothing was imported: map the columns with --mapping FILE.")
        return 1
    print(outcome.result.summary())
    if outcome.rejected_file:
        print(f"Rejected rows saved to {outcome.rejected_file}")
    return 1 if outcome.refused_anything else 0


def _progress_printer():  # type: ignore[no-untyped-def]
    shown = {"tenth": -1}

    def progress(done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if tenth != shown["tenth"]:
            shown["tenth"] = tenth
            print(f"\rImporting: {done}/{total}", end="", file=sys.stderr, flush=True)
        if done == total:
            print(file=sys.stderr)

    return progress


def cmd_session_pack(args: argparse.Namespace) -> int:
    from groupclinic_desktop.export.session_pack import session_pack

    with signed_in_store(args) as clinic:
        path = session_pack(clinic, args.session, args.out)
    print(f"Session pack written: {path}")
    return 0


def cmd_invitations(args: argparse.Namespace) -> int:
    from groupclinic_desktop.core import invitations

    with signed_in_store(args) as clinic:
        clinic.session(args.session)  # a clear "No session with id ..." first
        written = invitations.write_batch_messaging_csv(clinic, args.session, args.out)
        counts = invitations.status_counts(clinic, args.session)
        no_mobile = invitations.without_mobile(clinic, args.session)
        letters = None
        if args.letters and no_mobile:
            from groupclinic_desktop.export.letters import invitation_letters

            letters, _ = invitation_letters(clinic, args.session, args.letters)
    print(
        "Invitations: "
        + ", ".join(f"{invitations.STATUS_WORDS[s].lower()} {n}" for s, n in counts.items())
    )
    print(f"Batch-messaging list: {written} people with a mobile -> {args.out}")
    if no_mobile:
        where = f" -> {letters}" if letters else " (add --letters FILE.pdf to print them)"
        print(f"Letters needed: {len(no_mobile)} people have no mobile{where}")
    return 0
