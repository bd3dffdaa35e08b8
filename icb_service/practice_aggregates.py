"""Attendance per registered practice, per hub and per PCN, with the same small-number suppression.

Complementary suppression as in the per-programme report (disclosure.py): within each row a
reader assumes invited = attended + did not attend, and across levels a hub's or a PCN's figure
is the sum of its member practices' rows (and a PCN's the sum of its hubs'), so every such line
is protected together, and no hidden count can be worked out by subtraction.

A neighbourhood or PCN hub runs clinics for people registered at several member practices, so
the sending organisation (the hub) is not always the practice that holds the person's record.
Attendance events carry the registered practice; session events may carry the PCN. Each person
is counted once per (session, subject) with their latest attendance event, as in aggregates.py.
A person's measurements are counted with the organisations of their attendance (the subject is
keyed per sender, so (sender, subject) is one person).
Kept apart from aggregates.py so the per-programme report stays as it is.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from icb_service.aggregates import (
    BOOKED_AND_DUE,
    CAME,
    DEFAULT_SUPPRESSION_THRESHOLD,
    INVITED,
    Figure,
    _derived,
)
from icb_service.disclosure import hidden_cells
from icb_service.models import StoredEvent

Level = Literal["registered_practice", "hub", "pcn", "icb"]
NOT_STATED = "not_stated"
# The counts of a row that a reader can add up, within the row and across the levels.
COUNTS = ("people", "invited", "attended", "did_not_attend")
ROW_LINE = ("invited", "attended", "did_not_attend")  # invited = attended + did not attend


class OrganisationRow(BaseModel):
    level: Level
    code: str  # an ODS code, or "not_stated" when the events did not say
    sessions: int
    people: Figure
    invited: Figure
    attended: Figure
    did_not_attend: Figure
    dna_rate: Figure
    # Median change (first to latest reading) per measure, among the row's people.
    median_change: dict[str, Figure] = {}


class OrganisationReport(BaseModel):
    generated_at: dt.datetime
    suppression_threshold: int
    rows: list[OrganisationRow]


def organisation_report(
    engine: Engine, hub: str | None = None, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD
) -> OrganisationReport:
    """Counts per registered practice, per hub and per PCN; hub limits it to one sender."""
    with Session(engine) as session:
        kinds = ["session", "attendance", "measurement"]
        query = select(StoredEvent).where(col(StoredEvent.type).in_(kinds))
        if hub:
            query = query.where(StoredEvent.practice_code == hub)
        rows = session.exec(query).all()
    pcn_of: dict[tuple[str, str], str] = {}  # (hub, session_uid) -> PCN
    latest: dict[tuple[str, str, str], StoredEvent] = {}
    # (sender, subject, measure) -> {(taken_on, session): value}; a re-sent reading corrects
    readings: dict[tuple[str, str, str], dict[tuple[str, str], float]] = defaultdict(dict)
    for row in sorted(rows, key=lambda r: (r.occurred_at, r.seq)):
        payload = row.payload
        if row.type == "measurement":
            key3 = (row.practice_code, payload["subject"], payload["measure"])
            when = (payload["taken_on"], payload.get("session_uid") or "")
            readings[key3][when] = float(payload["value"])
            continue
        if row.type == "session":
            pcn_of[(row.practice_code, payload["session_uid"])] = payload.get("pcn") or NOT_STATED
        else:
            key = (row.practice_code, payload["session_uid"], payload["subject"])
            latest[key] = row
    # (level, code) -> statuses per (session, subject), and the sessions seen
    statuses: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    sessions: dict[tuple[str, str], set[str]] = defaultdict(set)
    people_of: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    # Which rows a reader would add up: a hub's and a PCN's member practices, a PCN's hubs.
    parts_of: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for (sender, session_uid, subject), row in latest.items():
        status = row.payload["status"]
        pcn = pcn_of.get((sender, session_uid), NOT_STATED)
        registered = row.payload.get("registered_practice") or NOT_STATED
        practice_key = ("registered_practice", registered)
        for key in (practice_key, ("hub", sender), ("pcn", pcn)):
            statuses[key].append((subject, status))
            sessions[key].add(f"{sender}/{session_uid}")
            people_of[key].add((sender, subject))
        parts_of[("hub", sender)].add(practice_key)
        parts_of[("pcn", pcn)].add(practice_key)
        parts_of[("pcn", pcn)].add(("hub", sender))
    counts = {
        (key, name): n
        for key, found in statuses.items()
        for name, n in _counts(found, len(people_of[key])).items()
    }
    hidden = hidden_cells(
        counts, _lines(statuses, parts_of), threshold,
        keep=[cell for cell in counts if cell[0][0] != "registered_practice"],  # totals last
    )
    changes = _changes(readings)
    report_rows = []
    for level, code in sorted(statuses):
        key = (level, code)
        row = _row(key, statuses[key], len(sessions[key]), counts, hidden, threshold)
        row.median_change = _median_changes(people_of[key], changes, threshold)
        report_rows.append(row)
    return OrganisationReport(
        generated_at=dt.datetime.now(dt.UTC), suppression_threshold=threshold, rows=report_rows
    )


def _counts(found: list[tuple[str, str]], people: int) -> dict[str, int]:
    return {
        "people": people,
        "invited": sum(1 for _, s in found if s in INVITED),
        "attended": sum(1 for _, s in found if s in CAME),
        "did_not_attend": sum(1 for _, s in found if s == "did_not_attend"),
    }


def _lines(
    statuses: dict[tuple[str, str], list[tuple[str, str]]],
    parts_of: dict[tuple[str, str], set[tuple[str, str]]],
) -> list[list[tuple[tuple[str, str], str]]]:
    """Every line of cells that a reader could add up or subtract along (total first)."""
    lines = [[(key, name) for name in ROW_LINE] for key in statuses]
    for whole, parts in parts_of.items():
        for level in ("registered_practice", "hub"):
            members = sorted(part for part in parts if part[0] == level)
            if members and members != [whole]:
                lines += [[(whole, name), *((m, name) for m in members)] for name in COUNTS]
    return lines


def _row(
    key: tuple[str, str],
    found: list[tuple[str, str]],
    sessions: int,
    counts: dict[tuple[tuple[str, str], str], int],
    hidden: set,
    t: int,
) -> OrganisationRow:
    def shown(name: str) -> Figure:
        cell = (key, name)
        return Figure(value=None, suppressed=True) if cell in hidden else Figure(value=counts[cell])

    dna = counts[(key, "did_not_attend")]
    due = sum(1 for _, s in found if s in BOOKED_AND_DUE)
    dna_rate = _derived(dna / due if due else None, dna, due, threshold=t)
    if any((key, name) in hidden for name in ROW_LINE):
        # The rate and the DNA count would give the number due, and from it attended.
        dna_rate = Figure(value=None, suppressed=True)
    return OrganisationRow(
        level=key[0],  # type: ignore[arg-type]
        code=key[1],
        sessions=sessions,
        people=shown("people"),
        invited=shown("invited"),
        attended=shown("attended"),
        did_not_attend=shown("did_not_attend"),
        dna_rate=dna_rate,
    )


def _changes(
    readings: dict[tuple[str, str, str], dict[tuple[str, str], float]],
) -> dict[tuple[str, str], dict[str, float]]:
    """(sender, subject) -> measure -> first-to-latest change, for people with two dates."""
    found: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for (sender, subject, measure), values in readings.items():
        dated = sorted(values.items())
        if dated[0][0][0] != dated[-1][0][0]:
            found[(sender, subject)][measure] = dated[-1][1] - dated[0][1]
    return found


def _median_changes(
    people: set[tuple[str, str]], changes: dict[tuple[str, str], dict[str, float]], t: int
) -> dict[str, Figure]:
    per_measure: dict[str, list[float]] = defaultdict(list)
    for person in people:
        for measure, change in changes.get(person, {}).items():
            per_measure[measure].append(change)
    return {
        measure: _derived(statistics.median(found), len(found), threshold=t)
        for measure, found in sorted(per_measure.items())
    }
