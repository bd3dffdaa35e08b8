"""The report's reads: monthly summary counts summed over a period, never the events.

Each organisation in the report's universe (the ICB tree around the scope: its practices, hubs,
PCNs and the ICB) gets a `Tally`: the period's counts under plain names, plus the histograms of
first-to-latest changes that give exact medians. The scope also gets one Tally per month for the
trend. One GROUP BY per summary table per read; the sums happen in the database.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Connection, Engine, bindparam, text

from icb_service.resources import resource

Node = tuple[str, str]  # (level, code); ("all", "") is everything the caller may read
ALL: Node = ("all", "")
NOT_STATED = "not_stated"
CAME = ("attended", "late", "drop_in")
BOOKED_AND_DUE = ("attended", "late", "did_not_attend")
# Session-based summaries have no practice rows: a practice's own clinics are its hub rows.
SESSION_TABLES = ("session_month", "experience_month", "staff_month", "follow_up_month",
                  "goal_month", "signposting_month")


@dataclass
class Tally:
    """One organisation's (or one month's) counts. Missing names are zero."""

    counts: dict[tuple[Any, ...], float] = field(default_factory=lambda: defaultdict(float))
    # (kind, item, dimension, group) -> {change: people}
    changes: dict[tuple[str, str, str, str], dict[float, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )

    def get(self, *name: Any) -> float:
        return self.counts.get(name, 0)

    def add(self, other: Tally) -> None:
        for name, n in other.counts.items():
            self.counts[name] += n
        for key, histogram in other.changes.items():
            for value, people in histogram.items():
                self.changes[key][value] += people


@dataclass(frozen=True)
class Organisation:
    level: str
    code: str
    name: str
    pcn_code: str | None = None
    icb_code: str | None = None


@dataclass
class Register:
    """The organisation register: practices (and hubs), PCNs and ICBs with their names."""

    practices: dict[str, Organisation]
    pcns: dict[str, Organisation]
    icbs: dict[str, Organisation]

    def name(self, level: str, code: str) -> str:
        table = {"practice": self.practices, "hub": self.practices, "pcn": self.pcns,
                 "icb": self.icbs}.get(level, {})
        found = table.get(code)
        return found.name if found and found.name else code

    def fingerprint(self) -> tuple[Any, ...]:
        """Changes whenever an organisation is added, renamed or moved."""
        return tuple(sorted((*self.practices.values(), *self.pcns.values(),
                             *self.icbs.values()), key=repr))

    def level_of(self, code: str) -> str | None:
        """The highest level a register code names (an ICB code is not also a practice)."""
        if code in self.icbs:
            return "icb"
        if code in self.pcns:
            return "pcn"
        if code in self.practices:
            return "practice"
        return None

    def icb_of(self, level: str, code: str) -> str | None:
        if level == "icb":
            return code
        if level == "pcn":
            found = self.pcns.get(code)
            return found.icb_code if found else None
        found = self.practices.get(code)
        if found is None:
            return None
        if found.icb_code:
            return found.icb_code
        return self.pcns[found.pcn_code].icb_code if found.pcn_code in self.pcns else None

    def pcn_of(self, code: str) -> str | None:
        found = self.practices.get(code)
        return found.pcn_code if found else None


def read_register(connection: Connection) -> Register:
    practices = {
        code: Organisation("practice", code, name or "", pcn, icb)
        for code, name, pcn, icb in connection.execute(
            text("SELECT code, name, pcn_code, icb_code FROM practice")
        )
    }
    pcns = {
        code: Organisation("pcn", code, name or "", code, icb)
        for code, name, icb in connection.execute(text("SELECT code, name, icb_code FROM pcn"))
    }
    icbs = {
        code: Organisation("icb", code, name or "", None, code)
        for code, name in connection.execute(text("SELECT code, name FROM icb"))
    }
    return Register(practices, pcns, icbs)


@cache
def usual_minutes(programme: str) -> int:
    """The usual one-to-one appointment minutes for a programme (resources/, default else)."""
    with resource("monitoring", "appointments.toml").open("rb") as handle:
        data = tomllib.load(handle)
    found = data.get("programmes", {}).get(programme)
    return int(found["minutes"] if found else data["default"]["minutes"])


@dataclass
class Window:
    """What to read: which organisations, which programme, which months (inclusive)."""

    nodes: list[Node]  # (level, code) pairs; never ALL (sum the ICBs for that)
    programme: str | None
    first: str  # YYYY-MM, or "0000-00"
    last: str  # YYYY-MM, or "9999-99"


# (table, key columns, count columns, how to name the cell)
def _where(window: Window, table: str, with_programme: bool = True) -> tuple[str, dict[str, Any]]:
    clauses = ["month >= :first", "month <= :last"]
    params: dict[str, Any] = {"first": window.first, "last": window.last}
    if with_programme and window.programme is not None:
        clauses.append("programme = :programme")
        params["programme"] = window.programme
    return " AND ".join(clauses), params


TREND_TABLES = ("people_month", "session_month")


def read_tallies(
    connection: Connection, window: Window, by_month: bool = False
) -> dict[tuple[Node, str], Tally]:
    """Tallies per (node, month); month is "" unless by_month. The monthly read (the trend) is
    only the people's headline counts and the sessions, so it stays small over ten years.

    The change histograms are not read here (only how many people have a change): a report
    shows medians for a few organisations, while it decides suppression over a whole ICB tree;
    read_changes reads them for the organisations shown."""
    tallies: dict[tuple[Node, str], Tally] = defaultdict(Tally)
    codes_by_level: dict[str, list[str]] = defaultdict(list)
    for level, code in window.nodes:
        codes_by_level[level].append(code)
    month = "month" if by_month else "''"

    # One statement per summary table for every level at once (a tree is four levels), its
    # rows handed out per level as the loops below ask for them.
    fetched: dict[str, dict[str, list[Any]]] = {}

    def rows(table: str, keys: str, sums: str, level: str, with_programme: bool = True) -> Any:
        if by_month and table not in TREND_TABLES:
            return []
        if table not in fetched:
            fetched[table] = fetch(table, keys, sums, with_programme)
        return fetched[table].get(level, [])

    def read_level(table: str, level: str) -> str:
        return "hub" if level == "practice" and table in SESSION_TABLES else level

    def fetch(table: str, keys: str, sums: str, with_programme: bool) -> dict[str, list[Any]]:
        where, params = _where(window, table, with_programme)
        if by_month and table == "people_month":
            where += " AND dimension = 'all'"
        codes_read: dict[str, set[str]] = defaultdict(set)
        for level, codes in codes_by_level.items():
            codes_read[read_level(table, level)].update(codes)
        # One part per level rather than ORs: each part is then a range scan of the key alone
        # (PostgreSQL reads ORed conditions through a bitmap of the table's pages).
        parts: list[str] = []
        expanding: list[BindParameter[Any]] = []
        for n, (level, read_codes) in enumerate(sorted(codes_read.items())):
            parts.append(f"SELECT * FROM {table} WHERE {where} "
                         f"AND level = :level_{n} AND code IN :codes_{n}")
            params[f"level_{n}"] = level
            params[f"codes_{n}"] = sorted(read_codes)
            expanding.append(bindparam(f"codes_{n}", expanding=True))
        statement = text(
            f"SELECT level, code, {month} AS m, {keys}, {sums} FROM ("
            f"{' UNION ALL '.join(parts)}) AS part "
            f"GROUP BY level, code, {'month, ' if by_month else ''}{keys}"
        ).bindparams(*expanding)
        # Which asked levels each stored level's rows serve (a hub's sessions serve its
        # practice too), worked out once rather than for each of a tree's many rows.
        serves: dict[str, list[tuple[str, set[str]]]] = defaultdict(list)
        for level, codes in codes_by_level.items():
            serves[read_level(table, level)].append((level, set(codes)))
        by_level: dict[str, list[Any]] = defaultdict(list)
        for row in connection.execute(statement, params).all():
            for level, wanted in serves.get(row[0], ()):
                if row[1] in wanted:
                    by_level[level].append(row[1:])
        return by_level

    for level in codes_by_level:

        def tally(code: str, m: str, level: str = level) -> Tally:
            return tallies[((level, code), m)]

        for code, m, dim, grp, people, invited, attended, dna in rows(
            "people_month", "dimension, grp",
            "SUM(people), SUM(invited), SUM(attended), SUM(did_not_attend)", level,
        ):
            counts = tally(code, m).counts
            for name, n in (("people", people), ("invited", invited), ("attended", attended),
                            ("did_not_attend", dna)):
                counts[("people", dim, grp or "", name)] += n or 0
        for code, m, status, channel, records in rows(
            "attendance_month", "status, channel", "SUM(records)", level
        ):
            counts = tally(code, m).counts
            if status == "did_not_attend":
                counts[("dna_records",)] += records
            if status in BOOKED_AND_DUE:
                counts[("due_records",)] += records
            if status in CAME:
                counts[("attendances", channel or "not_stated")] += records
        for code, m, programme, status, mode, drop_in, *sums in rows(
            "session_month", "programme, status, mode, drop_in",
            "SUM(sessions), SUM(clinician_minutes), SUM(people_reviewed), "
            "SUM(reviewed_usual_minutes), SUM(reviewed_without_usual), "
            "SUM(reviewed_with_minutes), SUM(review_minutes)", level,
        ):
            sessions, minutes, reviewed, usual, without, with_minutes, review_minutes = (
                int(n or 0) for n in sums
            )
            counts = tally(code, m).counts
            counts[("sessions", status)] += sessions
            if status != "finished":
                continue
            counts[("sessions_by_mode", mode)] += sessions
            if drop_in:
                counts[("sessions_drop_in",)] += sessions
            counts[("clinician_minutes",)] += minutes
            counts[("people_reviewed",)] += reviewed
            counts[("usual_minutes_total",)] += usual + without * usual_minutes(programme)
            counts[("reviewed_with_minutes",)] += with_minutes
            counts[("review_minutes",)] += review_minutes
        for code, m, measure, status, people in rows(
            "target_month", "measure, status", "SUM(people)", level
        ):
            counts = tally(code, m).counts
            if status != "no_target":
                counts[("target", measure, "people_with_target")] += people
            if status == "on_target":
                counts[("target", measure, "at_target")] += people
        for code, m, kind, item, people in rows(
            "change_people_month", "kind, item", "SUM(people)", level
        ):
            tally(code, m).counts[("change_people", kind, item)] += people
        for code, m, outcome, goals in rows("goal_month", "outcome", "SUM(goals)", level):
            counts = tally(code, m).counts
            counts[("goals", "set")] += goals
            if outcome == "achieved":
                counts[("goals", "achieved")] += goals
        for code, m, response, answers in rows(
            "experience_month", "response", "SUM(answers)", level
        ):
            tally(code, m).counts[("experience", response)] += answers
        for code, m, role, profession, question, answer, answers in rows(
            "staff_month", "role, profession, question, answer", "SUM(answers)", level
        ):
            counts = tally(code, m).counts
            a = str(answer)
            counts[("staff", question, "all", "", a)] += answers
            counts[("staff", question, "role", role, a)] += answers
            counts[("staff", question, "profession", profession, a)] += answers
        for code, m, kind, people in rows(
            "signposting_month", "resource_kind", "SUM(people)", level
        ):
            tally(code, m).counts[("signposting", kind)] += people
        # Follow-up belongs to no programme: only in the all-programmes report.
        for code, m, item, step, actions in [] if window.programme is not None else rows(
            "follow_up_month", "item, step", "SUM(actions)", level, with_programme=False
        ):
            tally(code, m).counts[("follow_up", item, step)] += actions
    return tallies


Changes = dict[tuple[str, str, str, str], dict[float, int]]


def _month_before(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


def _month_after(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + 1:04d}-01" if number == 12 else f"{year:04d}-{number + 1:02d}"


def period_blocks(first: str, last: str) -> tuple[tuple[str, str] | None, list[tuple[str, str]]]:
    """Months first..last (either may be open, "0000-00" or "9999-99") as the whole calendar
    years inside them (first and last year, or None) and the month ranges left at either end
    (none when a bound is open or falls on a year's edge)."""
    first_year = first[:4] if first[5:] in ("00", "01") else f"{int(first[:4]) + 1:04d}"
    last_year = last[:4] if last[5:] in ("99", "12") else f"{int(last[:4]) - 1:04d}"
    if first_year > last_year:
        return None, [(first, last)]
    ends = []
    if first[5:] not in ("00", "01"):
        ends.append((first, _month_before(f"{first_year}-01")))
    if last[5:] not in ("99", "12"):
        ends.append((_month_after(f"{last_year}-12"), last))
    return (first_year, last_year), ends


def read_changes(connection: Connection, window: Window) -> dict[Node, Changes]:
    """The histograms of first-to-latest changes ((kind, item, dimension, group) -> {change:
    people}) of the window's organisations over its months: one statement per level, summed
    in the database and fetched in one go. Whole calendar years come from change_year (and
    what applies added since its last fold), only the months at either end from change_month,
    so ten years cost about ten months' rows."""
    found: dict[Node, Changes] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int)))
    codes_by_level: dict[str, list[str]] = defaultdict(list)
    for level, code in window.nodes:
        codes_by_level[level].append(code)
    years, ends = period_blocks(window.first, window.last)
    programme = "" if window.programme is None else " AND programme = :programme"
    columns = "code, kind, item, dimension, grp, change, people"
    where = "level = :level AND code IN :codes" + programme
    # The year counts applies wrote since the last fold (change_year_delta) are added in: one
    # statement, so one snapshot of both tables.
    parts = [f"SELECT {columns} FROM {table} WHERE {where} "
             "AND year >= :first_year AND year <= :last_year"
             for table in ("change_year", "change_year_delta")] if years else []
    parts += [f"SELECT {columns} FROM change_month WHERE {where} "
              f"AND month >= :from_{n} AND month <= :to_{n}" for n in range(len(ends))]
    statement = text(
        "SELECT code, kind, item, dimension, grp, change, SUM(people) FROM ("
        + " UNION ALL ".join(parts) + ") x GROUP BY code, kind, item, dimension, grp, change"
    ).bindparams(bindparam("codes", expanding=True))
    params: dict[str, Any] = {"programme": window.programme}
    if years:
        params.update(first_year=years[0], last_year=years[1])
    for n, (start, stop) in enumerate(ends):
        params.update({f"from_{n}": start, f"to_{n}": stop})
    for level, codes in codes_by_level.items():
        for code, kind, item, dim, grp, change, people in connection.execute(
            statement, {**params, "level": level, "codes": codes}
        ).all():
            if people:
                found[(level, code)][(kind, item, dim, grp or "")][float(change)] += int(people)
    return found


def months_with_data(connection: Connection, node: Node, programme: str | None) -> list[str]:
    """The months in which the scope has any people or sessions (for the default period)."""
    params: dict[str, Any] = {}
    if node == ALL:
        where = "level = 'icb'"
    else:
        where = "level = :level AND code = :code"
        params = {"level": node[0], "code": node[1]}
    if programme is not None:
        where += " AND programme = :programme"
        params["programme"] = programme
    found: set[str] = set()
    for table, level_override in (("people_month", None), ("session_month", "hub")):
        local = dict(params)
        if level_override and params.get("level") == "practice":
            local["level"] = level_override
        found |= {
            m for (m,) in connection.execute(
                text(f"SELECT DISTINCT month FROM {table} WHERE {where}"), local
            )
        }
    return sorted(found)


def connect(engine: Engine) -> Connection:
    return engine.connect()
