"""`groupclinic outcomes --programme NAME [--csv FILE] [--pdf FILE]`: a programme's outcomes."""

import argparse
from pathlib import Path
from typing import Any

from groupclinic_desktop.commands import needs_sign_in, signed_in_store
from groupclinic_desktop.core.errors import NotFound
from groupclinic_desktop.core.views.outcomes import programme_outcomes
from groupclinic_desktop.export.outcomes_report import figure_rows, write_csv, write_pdf


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "outcomes", help="a programme's outcomes (attendance, targets, change, goals, equity)"
    )
    parser.add_argument("--programme", required=True, help="the programme's name (or its id)")
    parser.add_argument("--csv", type=Path, help="also write the figures to this CSV file")
    parser.add_argument("--pdf", type=Path, help="also write the report to this PDF file")
    parser.set_defaults(handler=run)
    needs_sign_in(parser)


def run(args: argparse.Namespace) -> int:
    with signed_in_store(args) as clinic:
        wanted = str(args.programme).strip()
        match = [
            p
            for p in clinic.programmes()
            if p.name.lower() == wanted.lower() or str(p.id) == wanted
        ]
        if not match:
            known = "; ".join(p.name for p in clinic.programmes()) or "none"
            raise NotFound(f"No programme called '{wanted}' (programmes: {known}).")
        outcomes = programme_outcomes(clinic, match[0].id)  # type: ignore[arg-type]
        practice = clinic.practice()
        practice_name = practice.name if practice else ""
    print(f"{outcomes.programme_name} - outcomes as of {outcomes.as_of:%d %b %Y}")
    print(f"(figures about fewer than {outcomes.threshold} people are suppressed)")
    section = ""
    for part, item, group, name, kind, figure in figure_rows(outcomes):
        if part != section:
            section = part
            print(f"\n{part.upper()}")
        plain = name in ("count", "proportion")
        label = f"{group} - {item}" if group else item if plain else f"{item}, {name}"
        flag = ""
        if part == "equity" and item == "attendance rate":
            dimension, _, group_name = group.partition(": ")
            if any(r.dimension == dimension and r.group == group_name for r in outcomes.flagged()):
                flag = "  <- attending much less than the rest"
        print(f"  {label}: {figure.text(kind)}{flag}")
    if args.csv:
        print(f"\nWrote {write_csv(outcomes, args.csv)}")
    if args.pdf:
        print(f"Wrote {write_pdf(outcomes, args.pdf, practice=practice_name)}")
    return 0
