"""The organisation register from a CSV file: practice -> PCN -> ICB, with their names.

Columns (a header row, in any order; extra columns are refused so a misspelt one is noticed):

    practice_code, practice_name, pcn_code, pcn_name, icb_code, icb_name

practice_code, practice_name, icb_code and icb_name are required on every row; pcn_code and
pcn_name may both be empty (a practice in no PCN). A hub that sends for several practices is
listed as a practice too. The whole file is checked first and nothing is loaded unless every row
is good: one refusal names the row (as a spreadsheet numbers it, the header being row 1), the
field and the reason. Loading again updates names and memberships; it never removes anyone.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlmodel import Session

from icb_service.accounts import ods_code
from icb_service.models import Icb, Pcn, Practice, StoredEvent, utc_now

COLUMNS = ("practice_code", "practice_name", "pcn_code", "pcn_name", "icb_code", "icb_name")
REQUIRED = ("practice_code", "practice_name", "icb_code", "icb_name")
MAX_NAME = 200


@dataclass(frozen=True)
class OrganisationRow:
    practice: str
    practice_name: str
    pcn: str | None
    pcn_name: str
    icb: str
    icb_name: str


@dataclass(frozen=True)
class Loaded:
    practices: int
    pcns: int
    icbs: int
    # Practices that already had events and moved PCN or ICB: the summaries hold them under
    # the old codes until `groupclinic-icb rebuild-summaries`.
    moved_with_events: tuple[str, ...]


class RegisterError(ValueError):
    """A refused file: the message names the row, the field and the reason."""


def read_rows(path: Path) -> list[OrganisationRow]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise RegisterError(f"{path.name}: not UTF-8 text ({error.reason})") from None
    reader = csv.DictReader(text.splitlines())
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in COLUMNS if name not in header]
    extra = [name for name in header if name not in COLUMNS]
    if missing or extra:
        problems = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s) {', '.join(extra)}"] if extra else [])
        raise RegisterError(f"row 1 (header): {'; '.join(problems)}; expected "
                            f"{', '.join(COLUMNS)}")
    rows: list[OrganisationRow] = []
    seen: dict[str, int] = {}
    pcn_of: dict[str, tuple[int, str, str]] = {}  # pcn -> (row, icb, name)
    icb_names: dict[str, tuple[int, str]] = {}
    for number, raw in enumerate(reader, start=2):
        if raw.get(None):  # more cells than the header has
            raise RegisterError(f"row {number}: more cells than the header's {len(header)}")
        cells = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(cells.values()):
            continue  # a blank line
        row = _row(number, cells)
        if row.practice in seen:
            raise RegisterError(f"row {number}, practice_code: {row.practice} is already on "
                                f"row {seen[row.practice]}")
        seen[row.practice] = number
        if row.pcn:
            earlier = pcn_of.setdefault(row.pcn, (number, row.icb, row.pcn_name))
            if earlier[1] != row.icb:
                raise RegisterError(f"row {number}, icb_code: PCN {row.pcn} is in ICB "
                                    f"{earlier[1]} on row {earlier[0]}, not {row.icb}")
            if earlier[2] != row.pcn_name:
                raise RegisterError(f"row {number}, pcn_name: PCN {row.pcn} is named "
                                    f"{earlier[2]!r} on row {earlier[0]}")
        named = icb_names.setdefault(row.icb, (number, row.icb_name))
        if named[1] != row.icb_name:
            raise RegisterError(f"row {number}, icb_name: ICB {row.icb} is named {named[1]!r} "
                                f"on row {named[0]}")
        rows.append(row)
    if not rows:
        raise RegisterError(f"{path.name}: no organisations (only a header)")
    return rows


def _row(number: int, cells: dict[str, str]) -> OrganisationRow:
    for name in REQUIRED:
        if not cells.get(name):
            raise RegisterError(f"row {number}, {name}: must not be empty")
    if bool(cells["pcn_code"]) != bool(cells["pcn_name"]):
        empty = "pcn_name" if cells["pcn_code"] else "pcn_code"
        raise RegisterError(f"row {number}, {empty}: give both pcn_code and pcn_name, or neither")
    for name in ("practice_name", "pcn_name", "icb_name"):
        if len(cells[name]) > MAX_NAME:
            raise RegisterError(f"row {number}, {name}: longer than {MAX_NAME} characters")
    codes = {}
    for name in ("practice_code", "pcn_code", "icb_code"):
        if cells[name]:
            try:
                codes[name] = ods_code(cells[name], name)
            except ValueError as error:
                raise RegisterError(f"row {number}, {error}") from None
    return OrganisationRow(
        practice=codes["practice_code"], practice_name=cells["practice_name"],
        pcn=codes.get("pcn_code"), pcn_name=cells["pcn_name"],
        icb=codes["icb_code"], icb_name=cells["icb_name"],
    )


def load_organisations(engine: Engine, path: Path) -> Loaded:
    """Check the whole file, then load it in one transaction (all or nothing)."""
    rows = read_rows(path)
    moved: list[str] = []
    with Session(engine) as session:
        for icb, name in {row.icb: row.icb_name for row in rows}.items():
            found = session.get(Icb, icb)
            if found is None:
                session.add(Icb(code=icb, name=name))
            else:
                found.name = name
        session.flush()
        for row in rows:
            if row.pcn is None:
                continue
            found_pcn = session.get(Pcn, row.pcn)
            if found_pcn is None:
                session.add(Pcn(code=row.pcn, name=row.pcn_name, icb_code=row.icb))
            else:
                found_pcn.name, found_pcn.icb_code = row.pcn_name, row.icb
        session.flush()
        for row in rows:
            practice = session.get(Practice, row.practice)
            if practice is None:
                session.add(Practice(code=row.practice, name=row.practice_name,
                                     created_at=utc_now(), pcn_code=row.pcn, icb_code=row.icb))
                continue
            if (practice.pcn_code, practice.icb_code) != (row.pcn, row.icb) and session.exec(
                select(StoredEvent.practice_code)  # type: ignore[call-overload]
                .where(StoredEvent.practice_code == row.practice).limit(1)
            ).first():
                moved.append(row.practice)
            practice.name, practice.pcn_code, practice.icb_code = (
                row.practice_name, row.pcn, row.icb)
        session.commit()
    return Loaded(
        practices=len(rows), pcns=len({row.pcn for row in rows if row.pcn}),
        icbs=len({row.icb for row in rows}), moved_with_events=tuple(moved),
    )
