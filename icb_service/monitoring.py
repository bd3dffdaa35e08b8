"""What the ICB service publishes: one report for a scope, a period and a level.

A report answers "how are group clinics doing here, in these months": the scope's total, one row
per organisation at the chosen level (side by side, with their names from the register), a
monthly trend, and every figure as a `Figure` that is null with suppressed=true when the group
behind it is too small or when it would give a hidden figure away by subtraction.

The figures are read from the monthly summary counts (never from every event); see
`icb_service.monitoring_read` for the reads and `icb_service.monitoring_disclosure` for the
suppression rule.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import pickle
import re
import threading
import tomllib
from collections import OrderedDict, defaultdict
from collections.abc import Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field, TypeAdapter
from sqlalchemy import Connection, Engine

from icb_service import summaries
from icb_service.aggregates import (
    CHANNELS,
    DEFAULT_SUPPRESSION_THRESHOLD,
    MODES,
    UNKNOWN_PROGRAMME,
    Figure,
)
from icb_service.dataset import rules
from icb_service.monitoring_disclosure import protect, protect_numbered
from icb_service.monitoring_read import (
    ALL,
    NOT_STATED,
    Changes,
    Node,
    Register,
    Tally,
    Window,
    read_changes,
    read_register,
    read_tallies,
)
from icb_service.protocol import (
    AgeBand,
    EthnicGroup,
    ExperienceResponse,
    ImdQuintile,
    ResourceKind,
    Sex,
    StaffRole,
)
from icb_service.resources import resource

Level = Literal["practice", "hub", "pcn", "icb"]
LEVELS: tuple[Level, ...] = ("practice", "hub", "pcn", "icb")
MONTH = re.compile(r"(\d{4})-(\d{2})")

__all__ = [
    "Breakdown",
    "Figure",
    "Figures",
    "MeasureFigures",
    "MonitoringQuery",
    "MonitoringReport",
    "MonthFigures",
    "OrganisationFigures",
    "ScoreFigures",
    "StaffQuestionFigures",
    "TimeReleased",
]


class MonitoringQuery(BaseModel):
    """The query parameters every aggregate endpoint, the dashboard and the CSV take."""

    level: Level = Field(
        "practice", description="The level of the rows: practice, hub, pcn or icb."
    )
    code: str | None = Field(
        None,
        description="ODS code of the scope: a practice, hub, PCN or ICB code. The rows are the "
        "organisations at `level` within it; omitted = everything the token may read.",
    )
    programme: str | None = Field(None, description="Programme key, e.g. type2_diabetes.")
    from_month: str | None = Field(
        None, alias="from", description="First month, YYYY-MM (UTC). Omitted = from the start."
    )
    to_month: str | None = Field(
        None, alias="to", description="Last month, YYYY-MM (UTC), included. Omitted = to now."
    )

    model_config = {"populate_by_name": True}


def parse_month(value: str, field: str) -> dt.date:
    """The first day of a YYYY-MM month; ValueError naming the field and the reason."""
    found = MONTH.fullmatch(value.strip())
    if not found:
        raise ValueError(f"{field}: month_format (must be YYYY-MM, for example 2025-04)")
    year, month = int(found.group(1)), int(found.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"{field}: month_range (the month must be 01 to 12)")
    if not 2000 <= year <= 2100:
        raise ValueError(f"{field}: year_range (the year must be 2000 to 2100)")
    return dt.date(year, month, 1)


def _staff_questions() -> dict[str, str]:
    with resource("monitoring", "staff_experience.toml").open("rb") as handle:
        return {q["key"]: q["text"] for q in tomllib.load(handle)["questions"]}


STAFF_QUESTIONS = _staff_questions()


class Sessions(BaseModel):
    """Sessions are not people: never suppressed (the figure is kept as a Figure for one shape)."""

    held: Figure
    cancelled: Figure
    held_by_mode: dict[str, Figure] = {}  # face_to_face, video, hybrid, unknown
    held_drop_in: Figure = Figure(value=0)


class TimeReleased(BaseModel):
    """Clinician time and one-to-one appointments released (definitions in dataset.md)."""

    sessions_held: Figure
    clinician_minutes: Figure  # held sessions with a clinician present: their phase minutes
    people_reviewed: Figure  # distinct (session, person) with at least one review
    clinician_minutes_per_person_reviewed: Figure
    people_reviewed_per_clinician_hour: Figure
    appointments_replaced: Figure  # = people reviewed
    usual_appointment_minutes_total: Figure  # sum over people reviewed of their usual minutes
    clinician_hours_released: Figure  # (usual minutes total - clinician minutes) / 60; may be <0
    people_with_review_minutes: Figure
    one_to_one_minutes_per_person_reviewed: Figure  # review.minutes_spent where known


class MeasureFigures(BaseModel):
    measure: str
    people_with_target: Figure
    at_target: Figure
    proportion_at_target: Figure
    people_with_change: Figure
    median_change: Figure


class ScoreFigures(BaseModel):
    instrument: str
    people_with_change: Figure
    median_change: Figure


class Breakdown(BaseModel):
    """People by one characteristic: equity (age_band, sex, ethnic_group, imd_quintile) or
    delivery (mode, channel, drop_in)."""

    dimension: str
    group: str
    invited: Figure
    attended: Figure
    did_not_attend: Figure
    # Median change (first to latest reading) per measure among the group's people.
    median_change: dict[str, Figure] = {}


class StaffGroupAnswers(BaseModel):
    """Answers of one role (facilitator, clinician) or profession group; hidden when small."""

    kind: Literal["role", "profession"]
    group: str
    answers: dict[str, Figure]  # "1".."5" -> count
    responses: Figure


class StaffQuestionFigures(BaseModel):
    """Counts per answer (1-5) to one staff question; never a name or an id."""

    question: str
    text: str
    answers: dict[str, Figure]
    responses: Figure
    by_group: list[StaffGroupAnswers] = []


class FollowUpFigures(BaseModel):
    item: str
    step: str
    count: Figure


class Figures(BaseModel):
    """Every published figure for one organisation (or the scope) over the period."""

    sessions: Sessions
    invited: Figure
    attended: Figure
    did_not_attend: Figure
    dna_rate: Figure  # did-not-attend bookings / attended, late and did-not-attend bookings
    attendances_by_channel: dict[str, Figure] = {}
    time_released: TimeReleased
    measures: list[MeasureFigures] = []
    questionnaires: list[ScoreFigures] = []
    goals_set: Figure
    goals_achieved: Figure
    patient_experience: dict[str, Figure] = {}  # FFT answer -> responses
    staff_experience: list[StaffQuestionFigures] = []
    signposting: dict[str, Figure] = {}  # resource kind -> people signposted
    follow_up: list[FollowUpFigures] = []
    equity: list[Breakdown] = []
    delivery: list[Breakdown] = []


class OrganisationFigures(BaseModel):
    """One organisation at the chosen level, with its place in the register."""

    level: Level
    code: str
    name: str
    pcn_code: str | None = None
    pcn_name: str | None = None
    icb_code: str | None = None
    icb_name: str | None = None
    figures: Figures


class MonthFigures(BaseModel):
    """The scope's headline figures in one month of the trend."""

    month: str  # YYYY-MM
    sessions_held: Figure
    invited: Figure
    attended: Figure
    did_not_attend: Figure
    people_reviewed: Figure
    clinician_minutes: Figure
    appointments_replaced: Figure
    clinician_hours_released: Figure


class ScopeFigures(BaseModel):
    level: Level | Literal["all"]
    code: str | None
    name: str
    figures: Figures


class MonitoringReport(BaseModel):
    generated_at: dt.datetime
    suppression_threshold: int
    level: Level
    code: str | None
    programme: str | None
    from_month: str | None = Field(serialization_alias="from")
    to_month: str | None = Field(serialization_alias="to")
    months: list[str]  # every month of the period that the trend covers
    total: ScopeFigures
    organisations: list[OrganisationFigures]
    trend: list[MonthFigures]
    # How figures were protected, in words, for the footnote under a table.
    suppression_note: str = ""


# ---- building the report ----------------------------------------------------------------------
class ReportRefused(Exception):
    """A query the service will not answer: 422 (bad value) or 403 (not yours to read)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Reader:
    """Who asks: a practice token reads its own practice; an analyst its ICB, or the country."""

    practice: str | None = None
    icb: str | None = None


RANK = {"practice": 0, "hub": 0, "pcn": 1, "icb": 2, "all": 3}
PEOPLE_NAMES = ("invited", "attended", "did_not_attend")
EQUITY = {
    "age_band": get_args(AgeBand), "sex": get_args(Sex), "ethnic_group": get_args(EthnicGroup),
    "imd_quintile": get_args(ImdQuintile),
}
DELIVERY = {"mode": MODES, "channel": (*CHANNELS, "not_attended")}
STAFF_ANSWERS = ("1", "2", "3", "4", "5")
ROLES = get_args(StaffRole)
# Profession groups for staff answers (ours): one profession in a practice is often one person.
PROFESSION_GROUP = {
    "gp": "doctor", "trainee": "doctor",
    "practice_nurse": "nurse", "nurse": "nurse",
    "clinical_pharmacist": "pharmacist",
    "physiotherapist": "allied_health", "dietitian": "allied_health",
    "health_wellbeing_coach": "personalised_care", "care_coordinator": "personalised_care",
    "social_prescribing_link_worker": "personalised_care",
    "healthcare_assistant": "support", "vcfse_partner": "support",
    "volunteer_lived_experience": "support", "not_recorded": "not_recorded",
}
EMPTY = Tally()  # read only: what an organisation without figures has
TREND_NAMES = ("invited", "attended", "did_not_attend", "people_reviewed")


def validate(query: MonitoringQuery, reader: Reader, register: Register) -> tuple[Node, str, str]:
    """The scope node and the period's first and last month, or ReportRefused."""
    first = parse_month(query.from_month, "from") if query.from_month else None
    last = parse_month(query.to_month, "to") if query.to_month else None
    if first and last and first > last:
        raise ValueError("from: after_to (the first month must not be after the last)")
    if query.programme is not None and query.programme not in (
        *rules().programme_keys, UNKNOWN_PROGRAMME
    ):
        raise ValueError("programme: unknown_programme (not a programme key of the dataset)")
    level = query.level
    code = query.code.strip().upper() if query.code else None
    if code is not None:
        code_level = register.level_of(code)
        if code_level is None:
            raise ValueError("code: unknown_code (not in the organisation register)")
        if RANK[code_level] < RANK[level]:
            raise ValueError(
                f"code: below_level (a {code_level} code cannot hold {level} rows)"
            )
        scope: Node = ("hub", code) if code_level == "practice" and level == "hub" else (
            code_level, code)
    elif reader.practice:
        scope = ("hub" if level == "hub" else "practice", reader.practice)
    elif reader.icb:
        scope = ("icb", reader.icb)
    else:
        scope = ALL
    if reader.practice:
        if level not in ("practice", "hub"):
            raise ReportRefused(403, f"level: not_allowed (a practice token reads "
                                     f"{reader.practice} only, at practice or hub level)")
        if scope[1] != reader.practice:
            raise ReportRefused(403, f"code: not_allowed (this token may only read "
                                     f"{reader.practice})")
    elif reader.icb and scope != ALL and register.icb_of(*scope) != reader.icb:
        raise ReportRefused(403, f"code: not_allowed (this token may only read ICB {reader.icb})")
    return (
        scope,
        f"{first:%Y-%m}" if first else "0000-00",
        f"{last:%Y-%m}" if last else "9999-99",
    )


def _trees(scope: Node, register: Register) -> dict[str, tuple[list[Node], dict[Node, list[Node]]]]:
    """Per ICB around the scope (every ICB for the national view): its organisations, whose
    figures are decided together, and each one's parts one level down. Organisations outside
    the register's ICBs form the tree of ICB "not_stated"."""
    wanted = {register.icb_of(*scope) or NOT_STATED} if scope != ALL else {
        *register.icbs, NOT_STATED}
    trees: dict[str, tuple[list[Node], dict[Node, list[Node]]]] = {}
    for icb_code in sorted(wanted):
        icb_node = ("icb", icb_code)
        nodes: list[Node] = [icb_node]
        parts: dict[Node, list[Node]] = defaultdict(list)
        for pcn in sorted(c for c, o in register.pcns.items() if o.icb_code == icb_code):
            nodes.append(("pcn", pcn))
            parts[icb_node].append(("pcn", pcn))
        for code in sorted(register.practices):
            if (register.icb_of("practice", code) or NOT_STATED) != icb_code:
                continue
            practice_pcn = register.pcn_of(code)
            for kind in ("practice", "hub"):
                nodes.append((kind, code))
                parts[icb_node].append((kind, code))
                if practice_pcn:
                    parts[("pcn", practice_pcn)].append((kind, code))
        trees[icb_code] = (nodes, parts)
    return trees


@dataclass(frozen=True)
class _Decided:
    """One ICB tree's period tallies and which of its cells are hidden.

    Each organisation's counts and hidden names are kept pickled (`packed`) and unpacked only
    for the organisations a report shows. A decision is kept for many reads, and as Python
    objects its hundred thousand cells made every full pass of the cycle collector take
    0.2-0.3 s, paid by whichever read was running at the time. Bytes are not scanned."""

    nodes: list[Node]
    parts: dict[Node, list[Node]]
    # Each organisation's (counts or None when it has no figures, hidden names).
    packed: dict[Node, bytes]
    published: list[tuple[Any, ...]]
    # The change histograms of the organisations shown so far (read when first shown), pickled.
    changes: dict[Node, bytes] = field(default_factory=dict)
    # What reports of this tree alone have shown, as JSON: each organisation's figures, and
    # each scope's months and trend. Both follow from the decision and the figures it was made
    # from, so a second read of the same report reads no months and works out no medians.
    # (JSON, not pickle: pickling these models took 3 ms and unpickling 6 ms for one ICB's
    # ten years of figures, against 0.5 ms and 1.3 ms.)
    figures: dict[Node, bytes] = field(default_factory=dict)
    trends: dict[Node, bytes] = field(default_factory=dict)

    def unpack(self, node: Node) -> tuple[Tally | None, set[Hashable]]:
        found = self.packed.get(node)
        if found is None:
            return None, set()
        counts, hidden_names = pickle.loads(found)
        return (None if counts is None else Tally(counts=counts),
                {(node, name) for name in hidden_names})


def _pack(period: dict[Node, Tally], hidden: set[Hashable]) -> dict[Node, bytes]:
    names_of: dict[Node, list[tuple[Any, ...]]] = defaultdict(list)
    for node, name in hidden:  # type: ignore[misc]  # cells are (node, name)
        names_of[node].append(name)
    return {node: pickle.dumps((dict(period[node].counts) if node in period else None,
                                names_of.get(node, [])), pickle.HIGHEST_PROTOCOL)
            for node in {*period, *names_of}}


def _pack_changes(changes: Changes) -> bytes:
    return pickle.dumps({key: dict(histogram) for key, histogram in changes.items()},
                        pickle.HIGHEST_PROTOCOL)


# The last few trees decided, by (tree version, ICB, programme, period, threshold): a practice's,
# its PCN's and its ICB's reports of one period share one decision, read once. Every catch-up
# that applies events bumps the versions of the trees they count in (in the database, so the
# decisions of every worker process go stale alike), so nothing stale is served.
_DECIDED: OrderedDict[Hashable, _Decided] = OrderedDict()
_DECIDED_LOCK = threading.Lock()
# Trees being decided now, each with the event its deciders wait for: a read arriving while
# the warmer (or another read) decides the same tree waits for that decision, not a second one.
_DECIDING: dict[Hashable, threading.Event] = {}
# An ICB of 100 practices is a few MB. Room for the kept periods of 42 ICBs and a few more.
DECIDED_KEPT = 128


class _Pauses:
    """How many decisions are running, and whether the collector ran before the first began."""

    lock = threading.Lock()
    running = 0
    was_enabled = True


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Deciding a tree makes a few hundred thousand small lists and tuples, none of them in a
    cycle (reference counting frees them); the cycle collector's passes over them took as long
    as the decision itself. Paused while any decision runs, then as it was."""
    with _Pauses.lock:
        if _Pauses.running == 0:
            _Pauses.was_enabled = gc.isenabled()
            gc.disable()
        _Pauses.running += 1
    try:
        yield
    finally:
        with _Pauses.lock:
            _Pauses.running -= 1
            if _Pauses.running == 0 and _Pauses.was_enabled:
                gc.enable()


def _decided_tree(
    connection: Connection, version: Hashable, icb_code: str, nodes: list[Node],
    parts: dict[Node, list[Node]], programme: str | None, first: str, last: str, threshold: int,
) -> _Decided:
    key = (version, icb_code, programme, first, last, threshold)
    while True:
        with _DECIDED_LOCK:
            found = _DECIDED.get(key)
            if found is not None:
                _DECIDED.move_to_end(key)
                return found
            underway = _DECIDING.get(key)
            if underway is None:
                done = _DECIDING[key] = threading.Event()
                break
        underway.wait()  # then kept, or failed and decided here
    try:
        window = Window(nodes, programme, first, last)
        with _collector_paused():
            period = {node: _complete(t)
                      for (node, _), t in read_tallies(connection, window).items()}
            published = _published_names(period)
            # Names that are zero all over the tree are shown as 0 and need no deciding.
            present = set().union(*(t.counts for t in period.values()))
            live = [name for name in published if name in present]
            hidden = _hidden_in_tree(nodes, parts, period, live, threshold)
            decided = _Decided(nodes, dict(parts), _pack(period, hidden), published)
        with _DECIDED_LOCK:
            _DECIDED[key] = decided
            while len(_DECIDED) > DECIDED_KEPT:
                _DECIDED.popitem(last=False)
        return decided
    finally:
        with _DECIDED_LOCK:
            del _DECIDING[key]
        done.set()


def _tree_versions(engine: Engine, connection: Connection, register: Register,
                   icb_codes: Iterable[str]) -> dict[str, Hashable]:
    """Each ICB tree's version as decisions are kept by: the database, the tree's figures and
    the register (a practice moved to another PCN changes the tree)."""
    versions = summaries.tree_versions(connection)
    place = (str(engine.url), hash(register.fingerprint()))
    return {icb: (*place, versions.get(icb, 0)) for icb in icb_codes}


def build_monitoring_report(
    engine: Engine,
    query: MonitoringQuery,
    reader: Reader = Reader(),
    threshold: int = DEFAULT_SUPPRESSION_THRESHOLD,
    register: Register | None = None,
) -> MonitoringReport:
    """The report; `register` is the organisation register when the caller has just read it
    (the report warmer reads it once a pass), else it is read here."""
    # Events stored a moment ago are in the figures; ones arriving meanwhile are left to the
    # drainer, so a read during a long upload is not kept waiting for its end.
    summaries.catch_up_queued(engine)
    with engine.connect() as connection:
        if register is None:
            register = read_register(connection)
        try:
            scope, first, last = validate(query, reader, register)
        except ValueError as problem:
            raise ReportRefused(422, str(problem)) from None
        trees = _trees(scope, register)
        versions = _tree_versions(engine, connection, register, trees)
        decisions = [
            _decided_tree(connection, versions[icb_code], icb_code, tree_nodes, tree_parts,
                          query.programme, first, last, threshold)
            for icb_code, (tree_nodes, tree_parts) in trees.items()
        ]
        icb_nodes = [("icb", code) for code in trees]
        # A report of one tree keeps what it shows with that tree's decision; a national one
        # (every tree) publishes their names together, so it works its figures out each time.
        kept = decisions[0] if scope != ALL and len(decisions) == 1 else None
        kept_trend = kept.trends.get(scope) if kept is not None else None
        by_month: dict[str, Tally] = defaultdict(Tally)
        if kept_trend is None:
            trend_nodes = icb_nodes if scope == ALL else [scope]
            for (_, month), t in read_tallies(
                connection, Window(trend_nodes, query.programme, first, last), by_month=True
            ).items():
                by_month[month].add(t)
            for t in by_month.values():
                _complete(t)
    months = _months(sorted(by_month), first, last)
    period: dict[Node, Tally] = {}
    hidden: set[Hashable] = set()
    parts: dict[Node, list[Node]] = defaultdict(list)
    nodes: list[Node] = []
    published_set: dict[tuple[Any, ...], None] = {}
    for decision in decisions:
        parts.update(decision.parts)
        nodes += decision.nodes
        published_set.update(dict.fromkeys(decision.published))
    published = list(published_set)
    # Only the organisations this report shows are unpacked: its rows, its scope, the ICBs.
    shown: set[Node] = set()
    for decision in decisions:
        shown.update(node for node in decision.nodes if node[0] == query.level
                           and _within(node, scope, parts) or node in (scope, *icb_nodes))
    for decision in decisions:
        for node in shown & decision.packed.keys():
            t, cells = decision.unpack(node)
            if t is not None:
                period[node] = t
            hidden |= cells
    if scope == ALL:
        # The national figure: the ICBs' cells as their trees decided, only its own to choose.
        total = Tally()
        for node in icb_nodes:
            total.add(period.get(node, EMPTY))
        period[ALL] = total
        parts[ALL] = icb_nodes
        national = {(ALL, name): _value(total, name) for name in published}
        fixed = {cell: cell in hidden for node in icb_nodes for cell in
                 ((node, name) for name in published)}
        national.update({cell: _value(period.get(cell[0], EMPTY), cell[1])
                         for cell in fixed})
        hidden |= protect(national, _lines([ALL], {ALL: icb_nodes}, published), threshold,
                          fixed=fixed)

        nodes.append(ALL)

    if kept_trend is not None:
        months, trend = _KEPT_TREND.validate_json(kept_trend)
    else:
        trend = _trend(scope, months, period.get(scope, EMPTY), by_month, hidden, threshold)
        if kept is not None:
            with _DECIDED_LOCK:
                kept.trends[scope] = _KEPT_TREND.dump_json((months, trend))

    rows = [
        node for node in nodes
        if node[0] == query.level and node in period and _within(node, scope, parts)
    ]
    changes = _shown_changes(engine, decisions, [*rows, *(icb_nodes if scope == ALL else
                                                         [scope])],
                             Window([], query.programme, first, last))
    if scope == ALL:
        every_icb: Changes = defaultdict(lambda: defaultdict(int))
        for node in icb_nodes:
            for key, histogram in changes.get(node, {}).items():
                for value, n in histogram.items():
                    every_icb[key][value] += n
        changes[ALL] = every_icb

    def figures(node: Node) -> Figures:
        found = kept.figures.get(node) if kept is not None else None
        if found is not None:
            # A copy: nothing a caller changes reaches the kept one.
            return Figures.model_validate_json(found)
        made = _figures(period.get(node, EMPTY), node, hidden, published, threshold,
                        changes.get(node, {}))
        if kept is not None:
            with _DECIDED_LOCK:
                kept.figures[node] = made.model_dump_json().encode()
        return made
    return MonitoringReport(
        generated_at=dt.datetime.now(dt.UTC),
        suppression_threshold=threshold,
        level=query.level,
        code=scope[1] or None,
        programme=query.programme,
        from_month=months[0] if months and first == "0000-00" else (
            None if first == "0000-00" else first),
        to_month=months[-1] if months and last == "9999-99" else (
            None if last == "9999-99" else last),
        months=months,
        total=ScopeFigures(
            level=scope[0],
            code=scope[1] or None,
            name=register.name(*scope) if scope != ALL else "All organisations",
            figures=figures(scope),
        ),
        organisations=[_organisation(node, register, figures(node)) for node in rows],
        trend=trend,
        suppression_note=SUPPRESSION_NOTE.format(threshold_less=threshold - 1),
    )


_KEPT_TREND = TypeAdapter(tuple[list[str], list[MonthFigures]])


def _trend(scope: Node, months: list[str], whole: Tally, by_month: dict[str, Tally],
           hidden: set[Hashable], threshold: int) -> list[MonthFigures]:
    """The scope's months, decided with its figures for the whole period fixed."""
    month_counts: dict[Hashable, float] = {}
    fixed_whole: dict[Hashable, bool] = {}
    trend_lines: list[list[Hashable]] = []
    for name in TREND_NAMES:
        cell_name = _trend_cell(name)
        cell = (scope, cell_name)
        month_counts[cell] = _value(whole, cell_name)
        fixed_whole[cell] = cell in hidden
        trend_lines.append([cell, *((("month", m), cell_name) for m in months)])
        for m in months:
            month_counts[(("month", m), cell_name)] = _value(by_month.get(m, EMPTY), cell_name)
    for m in months:
        trend_lines.append([(("month", m), _trend_cell(n)) for n in PEOPLE_NAMES])
    month_hidden = protect(month_counts, trend_lines, threshold, fixed=fixed_whole)
    return [_month_figures(m, by_month.get(m, EMPTY), month_hidden) for m in months]


def kept_periods(today: dt.date) -> list[MonitoringQuery]:
    """The periods whose reports are decided ahead of their reads: everything so far (the
    dashboard's first view), and the last twelve months, this one included."""
    year_ago = (today.replace(day=1) - dt.timedelta(days=334)).replace(day=1)
    return [MonitoringQuery(level="icb"),
            MonitoringQuery(level="icb", **{"from": year_ago.strftime("%Y-%m"),
                                            "to": today.strftime("%Y-%m")})]


def decide_ahead(engine: Engine, register: Register, period: MonitoringQuery, icb_code: str,
                 threshold: int = DEFAULT_SUPPRESSION_THRESHOLD) -> None:
    """Decide one ICB's tree for a period, all programmes, unless already kept for the current
    figures, and make its reports at ICB and PCN level: the first read of either finds the
    decision, the ICB's and PCNs' figures and the ICB's trend done. (A practice's figures are
    small, and worked out when first shown.)"""
    if register.level_of(icb_code) == "icb":
        for level in ("icb", "pcn"):
            build_monitoring_report(engine, period.model_copy(update={"level": level,
                                                                      "code": icb_code}),
                                    threshold=threshold, register=register)
        return
    # Organisations outside the register's ICBs: no report has their tree as its scope.
    with engine.connect() as connection:
        _, first, last = validate(period, Reader(), register)
        tree = _trees(("icb", icb_code), register)[icb_code]
        version = _tree_versions(engine, connection, register, [icb_code])[icb_code]
        decision = _decided_tree(connection, version, icb_code, *tree, None, first, last,
                                 threshold)
    _shown_changes(engine, [decision], [n for n in decision.nodes if n[0] in ("icb", "pcn")],
                   Window([], None, first, last))


def _shown_changes(engine: Engine, decisions: list[_Decided], shown: list[Node],
                   window: Window) -> dict[Node, Changes]:
    """The change histograms of the organisations a report shows, read once per decided tree
    (the suppression decision needs none of them, and a tree has hundreds of organisations)."""
    found: dict[Node, Changes] = {}
    missing: list[Node] = []
    for node in shown:
        for decision in decisions:
            if node in decision.changes:
                found[node] = pickle.loads(decision.changes[node])
                break
        else:
            missing.append(node)
    if missing:
        with engine.connect() as connection:
            read = read_changes(connection, Window(missing, window.programme, window.first,
                                                   window.last))
        for node in missing:
            found[node] = read.get(node, {})
            for decision in decisions:
                if node in decision.nodes:
                    with _DECIDED_LOCK:
                        decision.changes[node] = _pack_changes(found[node])
    return found


SUPPRESSION_NOTE = (
    "Counts from 1 to {threshold_less} are hidden, and so is any figure that would give a "
    "hidden one away by subtraction: within a row, across the organisations of a level, "
    "across levels and across the months of the trend. Figures worked out from a hidden "
    "count are hidden too."
)


def _within(node: Node, scope: Node, parts: dict[Node, list[Node]]) -> bool:
    if scope in (ALL, node):
        return True
    return node in parts.get(scope, [])


def _months(found: list[str], first: str, last: str) -> list[str]:
    """Every month from the first to the last of the period (or of the data when open)."""
    start = first if first != "0000-00" else (found[0] if found else None)
    end = last if last != "9999-99" else (found[-1] if found else None)
    if start is None or end is None:
        return []
    months: list[str] = []
    year, month = int(start[:4]), int(start[5:])
    while f"{year:04d}-{month:02d}" <= end and len(months) < 1200:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _trend_cell(name: str) -> tuple[Any, ...]:
    return ("people_reviewed",) if name == "people_reviewed" else ("people", "all", "", name)


def _value(t: Tally, name: tuple[Any, ...]) -> float:
    return t.counts.get(name, 0)


def _complete(t: Tally) -> Tally:
    """Add the staff totals a report publishes: responses per question and group, and answers
    per profession group (computed once per tally, not per cell)."""
    counts = t.counts
    for name, n in list(counts.items()):
        if name[0] != "staff":
            continue
        _, question, kind, group, answer = name
        if kind == "profession":
            grouped = PROFESSION_GROUP.get(group, "not_recorded")
            counts[("staff", question, "profession_group", grouped, answer)] += n
            counts[("staff_responses", question, "profession_group", grouped)] += n
        else:
            counts[("staff_responses", question, kind, group)] += n
    return t


def _published_names(period: dict[Node, Tally]) -> list[tuple[Any, ...]]:
    """Every count cell the report may publish for each organisation (the same for all)."""
    names: list[tuple[Any, ...]] = []
    for dimension, groups in {"all": ("",), **EQUITY, **DELIVERY}.items():
        for group in groups:
            names += [("people", dimension, group, n) for n in PEOPLE_NAMES]
    names += [("attendances", c) for c in CHANNELS]
    names += [("people_reviewed",), ("reviewed_with_minutes",), ("goals", "set"),
              ("goals", "achieved")]
    names += [("experience", r) for r in get_args(ExperienceResponse)]
    seen: set[tuple[Any, ...]] = set()
    for t in period.values():
        for name in t.counts:
            if name[0] in ("target", "change_people", "signposting", "follow_up"):
                seen.add(name)
            if name[0] == "people" and name[1] not in ("all", *EQUITY, *DELIVERY):
                seen.update(("people", name[1], name[2], n) for n in PEOPLE_NAMES)
    for kind in get_args(ResourceKind):
        seen.add(("signposting", kind))
    for question in STAFF_QUESTIONS:
        for kind, groups in (("all", ("",)), ("role", ROLES),
                             ("profession_group", tuple(sorted(set(PROFESSION_GROUP.values()))))):
            for group in groups:
                names += [("staff", question, kind, group, a) for a in STAFF_ANSWERS]
                names.append(("staff_responses", question, kind, group))
    return names + sorted(seen, key=repr)


def _within_lines(names: list[tuple[Any, ...]]) -> list[list[tuple[Any, ...]]]:
    """The lines a reader could add up along within one organisation's figures."""
    within: list[list[tuple[Any, ...]]] = []
    groups_of: dict[str, list[str]] = defaultdict(list)
    for name in names:
        if name[0] == "people" and name[3] == "invited" and name[1] != "all":
            groups_of[name[1]].append(name[2])
    for dimension, members in [("all", [""]), *groups_of.items()]:
        for group in members:
            within.append([("people", dimension, group, n) for n in PEOPLE_NAMES])
    for dimension, in_dimension in groups_of.items():
        for n in PEOPLE_NAMES:
            within.append([("people", "all", "", n), *(("people", dimension, g, n)
                                                      for g in in_dimension)])
    profession_groups = tuple(sorted(set(PROFESSION_GROUP.values())))
    for question in STAFF_QUESTIONS:
        for kind, groups in (("all", ("",)), ("role", ROLES), ("profession_group",
                                                              profession_groups)):
            for group in groups:
                within.append([("staff_responses", question, kind, group),
                               *(("staff", question, kind, group, a) for a in STAFF_ANSWERS)])
            if kind == "all":
                continue
            within.append([("staff_responses", question, "all", ""),
                           *(("staff_responses", question, kind, g) for g in groups)])
            for a in STAFF_ANSWERS:
                within.append([("staff", question, "all", "", a),
                               *(("staff", question, kind, g, a) for g in groups)])
    return within


LEVEL_ORDER = ("practice", "hub", "pcn", "icb")


def _lines(
    nodes: list[Node], parts: dict[Node, list[Node]], names: list[tuple[Any, ...]]
) -> list[list[Hashable]]:
    """Every line a reader could add up along: within an organisation, and down the tree."""
    within = _within_lines(names)
    lines: list[list[Hashable]] = [
        [(node, name) for name in line] for node in nodes for line in within
    ]
    for whole, under in parts.items():
        for level in LEVEL_ORDER:
            found = [m for m in under if m[0] == level]
            if found:
                lines += [[(whole, name), *((m, name) for m in found)] for name in names]
    return lines


def _hidden_in_tree(nodes: list[Node], parts: dict[Node, list[Node]],
                    period: dict[Node, Tally], live: list[tuple[Any, ...]],
                    threshold: int) -> set[Hashable]:
    """protect(counts of `live` names, _lines(nodes, parts, live), totals kept last), with the
    tree's cells numbered node by node (node i, name j is i * width + j) rather than hashed:
    the same lines in the same order, so the same cells hidden."""
    within = _within_lines(live)
    names = list(live)
    index = {name: j for j, name in enumerate(names)}
    for line in within:
        for name in line:
            if name not in index:  # a name no organisation has: a zero in every line it is in
                index[name] = len(names)
                names.append(name)
    width = len(names)
    templates = [[index[name] for name in line] for line in within]
    position = {node: i for i, node in enumerate(nodes)}
    lines = [list(map((i * width).__add__, template))
             for i in range(len(nodes)) for template in templates]
    for whole, under in parts.items():
        base = position[whole] * width
        for level in LEVEL_ORDER:
            found = [position[m] * width for m in under if m[0] == level]
            if found:
                lines += [[base + j, *(m + j for m in found)] for j in range(len(live))]
    value: list[float] = [0] * (len(nodes) * width)
    kept = [False] * len(value)
    for i, node in enumerate(nodes):
        counts = period.get(node, EMPTY).counts
        total = RANK[node[0]] > 0  # totals last
        for j, name in enumerate(live):
            value[i * width + j] = counts.get(name, 0)
            kept[i * width + j] = total
    is_hidden = [0 < n < threshold for n in value]

    def cell(n: int) -> tuple[Node, tuple[Any, ...]]:
        return nodes[n // width], names[n % width]

    protect_numbered(value, lines, is_hidden, kept, [False] * len(value),
                     lambda n: repr(cell(n)))
    return {cell(n) for n, shut in enumerate(is_hidden) if shut}


def _figures(
    t: Tally, node: Node, hidden: set[Hashable], names: list[tuple[Any, ...]], threshold: int,
    changes: Changes,
) -> Figures:
    def shown(*name: Any) -> Figure:
        if (node, name) in hidden:
            return Figure(value=None, suppressed=True)
        return Figure(value=_value(t, name))

    def derived(value: float | None, *bases: tuple[Any, ...], digits: int = 3) -> Figure:
        if any((node, base) in hidden for base in bases):
            return Figure(value=None, suppressed=True)
        return Figure(value=None if value is None else round(value, digits))

    def median_of(key: tuple[str, str, str, str]) -> Figure:
        histogram = changes.get(key, {})
        people = sum(histogram.values())
        if people < threshold:  # no median of nobody either
            return Figure(value=None, suppressed=True)
        return Figure(value=round(_median(histogram), 3))

    reviewed = t.get("people_reviewed")
    minutes = t.get("clinician_minutes")
    usual_total = t.get("usual_minutes_total")
    with_minutes = t.get("reviewed_with_minutes")
    people = ("people", "all", "")
    dna_rate = derived(
        t.get("dna_records") / t.get("due_records") if t.get("due_records") else None,
        (*people, "invited"), (*people, "attended"), (*people, "did_not_attend"),
    )
    if t.get("dna_records") < threshold and t.get("dna_records") > 0:
        dna_rate = Figure(value=None, suppressed=True)
    time = TimeReleased(
        sessions_held=Figure(value=t.get("sessions", "finished")),
        clinician_minutes=Figure(value=minutes),
        people_reviewed=shown("people_reviewed"),
        clinician_minutes_per_person_reviewed=derived(
            minutes / reviewed if reviewed else None, ("people_reviewed",)),
        people_reviewed_per_clinician_hour=derived(
            reviewed / (minutes / 60) if minutes else None, ("people_reviewed",)),
        appointments_replaced=shown("people_reviewed"),
        usual_appointment_minutes_total=derived(usual_total, ("people_reviewed",)),
        clinician_hours_released=derived(
            (usual_total - minutes) / 60 if reviewed or minutes else None, ("people_reviewed",)),
        people_with_review_minutes=shown("reviewed_with_minutes"),
        one_to_one_minutes_per_person_reviewed=derived(
            t.get("review_minutes") / with_minutes if with_minutes else None,
            ("reviewed_with_minutes",)),
    )
    measures = []
    for name in names:
        if name[0] == "target" and name[2] == "people_with_target":
            measure = name[1]
            with_target, at = t.get("target", measure, "people_with_target"), t.get(
                "target", measure, "at_target")
            measures.append(MeasureFigures(
                measure=measure,
                people_with_target=shown("target", measure, "people_with_target"),
                at_target=shown("target", measure, "at_target"),
                proportion_at_target=derived(
                    at / with_target if with_target else None,
                    ("target", measure, "people_with_target"), ("target", measure, "at_target")),
                people_with_change=shown("change_people", "measure", measure),
                median_change=derived(
                    median_of(("measure", measure, "all", "")).value,
                    ("change_people", "measure", measure)),
            ))
    for name in names:  # measures with changes but no target row
        if name[0] == "change_people" and name[1] == "measure" and not any(
            m.measure == name[2] for m in measures
        ):
            measures.append(MeasureFigures(
                measure=name[2],
                people_with_target=shown("target", name[2], "people_with_target"),
                at_target=shown("target", name[2], "at_target"),
                proportion_at_target=Figure(value=None, suppressed=True),
                people_with_change=shown(*name),
                median_change=derived(median_of(("measure", name[2], "all", "")).value, name),
            ))
    measures.sort(key=lambda m: m.measure)
    questionnaires = [
        ScoreFigures(
            instrument=name[2],
            people_with_change=shown(*name),
            median_change=derived(median_of(("questionnaire", name[2], "all", "")).value, name),
        )
        for name in names if name[0] == "change_people" and name[1] == "questionnaire"
    ]
    measure_keys = sorted({m.measure for m in measures})

    def breakdowns(dimensions: Iterable[str]) -> list[Breakdown]:
        found = []
        for name in names:
            if name[0] == "people" and name[3] == "invited" and name[1] in dimensions:
                dimension, group = name[1], name[2]
                found.append(Breakdown(
                    dimension=dimension, group=group,
                    invited=shown("people", dimension, group, "invited"),
                    attended=shown("people", dimension, group, "attended"),
                    did_not_attend=shown("people", dimension, group, "did_not_attend"),
                    median_change={
                        m: median_of(("measure", m, dimension, group)) for m in measure_keys
                    },
                ))
        return found

    staff = []
    for question in STAFF_QUESTIONS:
        by_group = [
            StaffGroupAnswers(
                kind="role" if kind == "role" else "profession",
                group=group,
                answers={a: shown("staff", question, kind, group, a) for a in STAFF_ANSWERS},
                responses=shown("staff_responses", question, kind, group),
            )
            for kind, groups in (("role", ROLES),
                                 ("profession_group", sorted(set(PROFESSION_GROUP.values()))))
            for group in groups
            if _value(t, ("staff_responses", question, kind, group)) > 0
        ]
        staff.append(StaffQuestionFigures(
            question=question, text=STAFF_QUESTIONS[question],
            answers={a: shown("staff", question, "all", "", a) for a in STAFF_ANSWERS},
            responses=shown("staff_responses", question, "all", ""),
            by_group=by_group,
        ))
    return Figures(
        sessions=Sessions(
            held=Figure(value=t.get("sessions", "finished")),
            cancelled=Figure(value=t.get("sessions", "cancelled")),
            held_by_mode={m: Figure(value=t.get("sessions_by_mode", m)) for m in MODES},
            held_drop_in=Figure(value=t.get("sessions_drop_in")),
        ),
        invited=shown(*people, "invited"),
        attended=shown(*people, "attended"),
        did_not_attend=shown(*people, "did_not_attend"),
        dna_rate=dna_rate,
        attendances_by_channel={c: shown("attendances", c) for c in CHANNELS},
        time_released=time,
        measures=measures,
        questionnaires=questionnaires,
        goals_set=shown("goals", "set"),
        goals_achieved=shown("goals", "achieved"),
        patient_experience={
            r: shown("experience", r) for r in get_args(ExperienceResponse)
        },
        staff_experience=staff,
        signposting={
            name[1]: shown(*name) for name in names if name[0] == "signposting"
        },
        follow_up=[
            FollowUpFigures(item=name[1], step=name[2], count=shown(*name))
            for name in names if name[0] == "follow_up"
        ],
        equity=breakdowns(EQUITY),
        delivery=breakdowns(d for d in {n[1] for n in names if n[0] == "people"}
                            if d not in EQUITY and d != "all"),
    )


def _median(histogram: dict[float, int]) -> float:
    """The exact median of values given as {value: how many people}."""
    ordered = sorted(histogram.items())
    total = sum(n for _, n in ordered)
    wanted = [(total - 1) // 2, total // 2]  # the middle one, or the middle two
    found: list[float] = []
    seen = 0
    for value, n in ordered:
        while len(found) < 2 and seen <= wanted[len(found)] < seen + n:
            found.append(value)
        seen += n
    return (found[0] + found[1]) / 2


def _organisation(node: Node, register: Register, figures: Figures) -> OrganisationFigures:
    level, code = node
    pcn = register.pcn_of(code) if level in ("practice", "hub") else (
        code if level == "pcn" else None)
    icb = register.icb_of(level, code)
    return OrganisationFigures(
        level=level,
        code=code,
        name=register.name(level, code),
        pcn_code=pcn,
        pcn_name=register.name("pcn", pcn) if pcn else None,
        icb_code=icb,
        icb_name=register.name("icb", icb) if icb else None,
        figures=figures,
    )


def _month_figures(month: str, t: Tally, hidden: set[Hashable]) -> MonthFigures:
    here = ("month", month)

    def shown(name: tuple[Any, ...]) -> Figure:
        if (here, name) in hidden:
            return Figure(value=None, suppressed=True)
        return Figure(value=_value(t, name))

    reviewed = shown(("people_reviewed",))
    released = (t.get("usual_minutes_total") - t.get("clinician_minutes")) / 60
    return MonthFigures(
        month=month,
        sessions_held=Figure(value=t.get("sessions", "finished")),
        invited=shown(_trend_cell("invited")),
        attended=shown(_trend_cell("attended")),
        did_not_attend=shown(_trend_cell("did_not_attend")),
        people_reviewed=reviewed,
        clinician_minutes=Figure(value=t.get("clinician_minutes")),
        appointments_replaced=reviewed,
        clinician_hours_released=Figure(value=None, suppressed=True) if reviewed.suppressed
        else Figure(value=round(released, 3)),
    )


# ---- the report in long form ---------------------------------------------------------------------
CSV_COLUMNS = ("level", "code", "name", "month", "section", "item", "figure", "value",
               "suppressed")


def report_rows(report: MonitoringReport) -> list[tuple[Any, ...]]:
    """One figure a row: the scope total, each organisation, then the trend's months."""
    rows: list[tuple[Any, ...]] = []
    blocks = [(report.total.level, report.total.code or "", report.total.name,
               report.total.figures)]
    blocks += [(o.level, o.code, o.name, o.figures) for o in report.organisations]
    for level, code, name, f in blocks:

        def add(section: str, item: str, figure: str, value: Figure,
                head: tuple[Any, ...] = (level, code, name, "")) -> None:
            rows.append((*head, section, item, figure, value.value, value.suppressed))

        add("sessions", "", "held", f.sessions.held)
        add("sessions", "", "cancelled", f.sessions.cancelled)
        add("sessions", "", "held_drop_in", f.sessions.held_drop_in)
        for mode, figure in f.sessions.held_by_mode.items():
            add("sessions_by_mode", mode, "held", figure)
        for key in ("invited", "attended", "did_not_attend", "dna_rate"):
            add("attendance", "", key, getattr(f, key))
        for channel, figure in f.attendances_by_channel.items():
            add("attendances_by_channel", channel, "attendances", figure)
        for key, figure in f.time_released:
            add("time_released", "", key, figure)
        for m in f.measures:
            for key in ("people_with_target", "at_target", "proportion_at_target",
                        "people_with_change", "median_change"):
                add("measure", m.measure, key, getattr(m, key))
        for q in f.questionnaires:
            add("questionnaire", q.instrument, "people_with_change", q.people_with_change)
            add("questionnaire", q.instrument, "median_change", q.median_change)
        add("goals", "", "set", f.goals_set)
        add("goals", "", "achieved", f.goals_achieved)
        for answer, figure in f.patient_experience.items():
            add("patient_experience", answer, "responses", figure)
        for s in f.staff_experience:
            add("staff_experience", s.question, "responses", s.responses)
            for answer, figure in s.answers.items():
                add("staff_experience", s.question, f"answer_{answer}", figure)
            for g in s.by_group:
                add(f"staff_experience:{g.kind}:{g.group}", s.question, "responses", g.responses)
                for answer, figure in g.answers.items():
                    add(f"staff_experience:{g.kind}:{g.group}", s.question, f"answer_{answer}",
                        figure)
        for kind, figure in f.signposting.items():
            add("signposting", kind, "people", figure)
        for item in f.follow_up:
            add("follow_up", item.item, item.step, item.count)
        for section, found in (("equity", f.equity), ("delivery", f.delivery)):
            for row in found:
                for key in ("invited", "attended", "did_not_attend"):
                    add(f"{section}:{row.dimension}", row.group, key, getattr(row, key))
                for measure, figure in row.median_change.items():
                    add(f"{section}:{row.dimension}", row.group, f"median_change:{measure}",
                        figure)
    head = (report.total.level, report.total.code or "", report.total.name)
    for month in report.trend:
        for key, figure in month:
            if isinstance(figure, Figure):
                rows.append((*head, month.month, "trend", "", key, figure.value,
                             figure.suppressed))
    return rows


def _cell(value: Any) -> Any:
    """As a spreadsheet reads it: counts without ".0", booleans as true/false, null empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def report_csv(report: MonitoringReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in report_rows(report):
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue()
