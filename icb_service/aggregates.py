"""Aggregate figures per practice and programme, with small numbers suppressed.

The events are re-read and projected in Python: clear before clever, and ICB volumes (thousands
of people a year) are small. Where several events describe the same thing (an attendance, a goal,
a corrected measurement) the one with the highest (occurred_at, seq) wins.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, get_args

from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import Session, select

from icb_service.disclosure import hidden_cells
from icb_service.models import StoredEvent
from icb_service.protocol import (
    AgeBand,
    Channel,
    EthnicGroup,
    ExperienceResponse,
    ImdQuintile,
    SessionModeV2,
    Sex,
)

DEFAULT_SUPPRESSION_THRESHOLD = 5
INVITED = {"invited", "attended", "late", "did_not_attend", "cancelled"}
CAME = {"attended", "late", "drop_in"}
BOOKED_AND_DUE = {"attended", "late", "did_not_attend"}  # the DNA rate's denominator
EQUITY_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "age_band": get_args(AgeBand),
    "sex": get_args(Sex),
    "ethnic_group": get_args(EthnicGroup),
    "imd_quintile": get_args(ImdQuintile),
}
# Protocol 2: how sessions were held and how each person joined. A person's channel is the one of
# their latest attendance (not_attended if they never came); their mode is that of the session of
# their latest record. Schema-1 attendances have no channel: present at a face-to-face session
# counts as in_room, at a video session as video.
MODES: tuple[str, ...] = (*get_args(SessionModeV2), "unknown")
CHANNELS: tuple[str, ...] = (*get_args(Channel), "not_stated")
DELIVERY_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "mode": MODES,
    "channel": (*CHANNELS, "not_attended"),
}
CHANNEL_OF_MODE = {"face_to_face": "in_room", "video": "video"}
UNKNOWN_PROGRAMME = "unknown"
# The people counts a reader might add up: invited = attended + did not attend, per group and in
# total (drop-ins make it inexact, but a reader may assume it, so it is protected as a line).
ATTENDANCE = ("invited", "attended", "did_not_attend")


class Figure(BaseModel):
    """A published number; null with suppressed=true when the group behind it is too small."""

    value: float | None
    suppressed: bool = False


class MeasureSummary(BaseModel):
    measure: str
    people_with_target: Figure
    at_target: Figure
    proportion_at_target: Figure
    people_with_change: Figure
    median_change: Figure


class ScoreSummary(BaseModel):
    instrument: str
    people_with_change: Figure
    median_change: Figure


class EquityRow(BaseModel):
    dimension: str
    group: str
    invited: Figure
    attended: Figure
    did_not_attend: Figure
    # Median change (first to latest reading) per measure among the group's people.
    median_change: dict[str, Figure] = {}


class ProgrammeReport(BaseModel):
    practice: str
    programme: str
    sessions_held: int
    sessions_cancelled: int
    invited: Figure
    attended: Figure
    did_not_attend: Figure
    dna_rate: Figure
    measures: list[MeasureSummary]
    questionnaires: list[ScoreSummary]
    goals_set: Figure
    goals_achieved: Figure
    experience: dict[str, Figure]
    equity: list[EquityRow]
    # Protocol 2: sessions held per mode (not people: never suppressed), attendances (a person
    # at a session) per channel, and people and their outcomes by mode and by channel.
    sessions_held_by_mode: dict[str, int] = {}
    attendances_by_channel: dict[str, Figure] = {}
    delivery: list[EquityRow] = []


class AggregateReport(BaseModel):
    generated_at: dt.datetime
    suppression_threshold: int
    groups: list[ProgrammeReport]


@dataclass
class _Fact:
    """A stored event reduced to what the projections need."""

    practice: str
    order: tuple[dt.datetime, int]
    payload: dict[str, Any]


@dataclass
class _Group:
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    attendance: dict[tuple[str, str], _Fact] = field(default_factory=dict)
    measurements: dict[tuple[str, str], list[tuple[str, float, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    scores: dict[tuple[str, str], list[tuple[tuple[Any, ...], float]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    goals: dict[str, dict[str, Any]] = field(default_factory=dict)
    experience: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def build_report(
    engine: Engine,
    practice: str | None = None,
    programme: str | None = None,
    threshold: int = DEFAULT_SUPPRESSION_THRESHOLD,
) -> AggregateReport:
    with Session(engine) as session:
        query = select(StoredEvent)
        if practice:
            query = query.where(StoredEvent.practice_code == practice)
        rows = session.exec(query).all()
        facts = [
            # A clock running fast cannot make an event outrank corrections received after it.
            (row.type, _Fact(row.practice_code,
                             (min(row.occurred_at, row.received_at), row.seq), row.payload))
            for row in rows
        ]
    groups = _project(facts)
    reports = [
        _summarise(key, group, threshold)
        for key, group in sorted(groups.items())
        if programme is None or key[1] == programme
    ]
    return AggregateReport(
        generated_at=dt.datetime.now(dt.UTC), suppression_threshold=threshold, groups=reports
    )


def _latest(facts: Iterable[_Fact], key: Any) -> dict[Any, _Fact]:
    """The winning event per key: highest (occurred_at, seq), so re-sent corrections win."""
    chosen: dict[Any, _Fact] = {}
    for fact in sorted(facts, key=lambda f: f.order):
        chosen[key(fact)] = fact
    return chosen


def _project(facts: list[tuple[str, _Fact]]) -> dict[tuple[str, str], _Group]:
    by_type: dict[str, list[_Fact]] = defaultdict(list)
    for event_type, fact in facts:
        by_type[event_type].append(fact)

    sessions = _latest(by_type["session"], lambda f: (f.practice, f.payload["session_uid"]))
    groups: dict[tuple[str, str], _Group] = defaultdict(_Group)

    def group_of(fact: _Fact) -> tuple[str, str]:
        found = sessions.get((fact.practice, fact.payload.get("session_uid")))
        return fact.practice, found.payload["programme_key"] if found else UNKNOWN_PROGRAMME

    def session_date(fact: _Fact) -> str:
        found = sessions.get((fact.practice, fact.payload.get("session_uid")))
        return found.payload["date"] if found else fact.order[0].date().isoformat()

    for (_, uid), fact in sessions.items():
        groups[group_of(fact)].sessions[uid] = fact.payload

    attendance = _latest(
        by_type["attendance"],
        lambda f: (f.practice, f.payload["session_uid"], f.payload["subject"]),
    )
    programmes_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (_, uid, subject), fact in attendance.items():
        key = group_of(fact)
        groups[key].attendance[(uid, subject)] = fact
        programmes_of[(fact.practice, subject)].add(key[1])

    # A measurement is one reading; a re-sent one for the same day and session is a correction,
    # and a later measurement_void for the same key drops it.
    measurements = _latest(
        by_type["measurement"] + by_type["measurement_void"],
        lambda f: (
            f.practice, f.payload["subject"], f.payload["measure"], f.payload["taken_on"],
            f.payload["session_uid"],
        ),
    )
    for fact in sorted(measurements.values(), key=lambda f: (f.payload["taken_on"], f.order)):
        p = fact.payload
        if "value" not in p:  # the latest word on this reading is its void
            continue
        if p["session_uid"] is not None:
            programmes = {group_of(fact)[1]}
        else:  # from the GP record or self-reported: counts for each programme the person is in
            programmes = programmes_of.get((fact.practice, p["subject"]), set())
        for name in programmes:
            reading = (p["taken_on"], float(p["value"]), p["status"])
            groups[(fact.practice, name)].measurements[(p["measure"], p["subject"])].append(reading)

    scores = _latest(
        by_type["questionnaire"],
        lambda f: (f.practice, f.payload["session_uid"], f.payload["subject"],
                   f.payload["instrument"]),
    )
    for fact in scores.values():
        p = fact.payload
        when = (session_date(fact), fact.order)
        groups[group_of(fact)].scores[(p["instrument"], p["subject"])].append((when, p["score"]))

    goals = _latest(by_type["goal"], lambda f: (f.practice, f.payload["goal_uid"]))
    for (_, goal_uid), fact in goals.items():
        groups[group_of(fact)].goals[goal_uid] = fact.payload

    for fact in by_type["experience"]:
        groups[group_of(fact)].experience[fact.payload["response"]] += 1
    return groups


def _count(n: int, threshold: int) -> Figure:
    return Figure(value=None, suppressed=True) if n < threshold else Figure(value=n)


def _derived(value: float | None, *counts: int, threshold: int) -> Figure:
    """A figure computed from counts is hidden when any of them is."""
    if any(n < threshold for n in counts):
        return Figure(value=None, suppressed=True)
    return Figure(value=None if value is None else round(value, 3))


def _summarise(key: tuple[str, str], group: _Group, t: int) -> ProgrammeReport:
    statuses: dict[str, set[str]] = defaultdict(set)
    latest_record: dict[str, _Fact] = {}
    delivered: dict[str, dict[str, str]] = defaultdict(
        lambda: {"mode": "unknown", "channel": "not_attended"}
    )
    by_channel: dict[str, int] = dict.fromkeys(CHANNELS, 0)
    for (uid, subject), fact in sorted(group.attendance.items(), key=lambda item: item[1].order):
        statuses[subject].add(fact.payload["status"])
        latest_record[subject] = fact  # demographics as last recorded
        mode = (group.sessions.get(uid) or {}).get("mode", "unknown")
        delivered[subject]["mode"] = mode
        if fact.payload["status"] in CAME:
            channel = fact.payload.get("channel") or CHANNEL_OF_MODE.get(mode, "not_stated")
            delivered[subject]["channel"] = channel
            by_channel[channel] += 1
    people = {
        "invited": {s for s, seen in statuses.items() if seen & INVITED},
        "attended": {s for s, seen in statuses.items() if seen & CAME},
        "did_not_attend": {s for s, seen in statuses.items() if "did_not_attend" in seen},
    }
    records = [fact.payload["status"] for fact in group.attendance.values()]
    dna_records = records.count("did_not_attend")
    due_records = sum(1 for status in records if status in BOOKED_AND_DUE)

    # Every count of people in the attendance and equity tables, and the lines along which a
    # reader could add or subtract them; suppression is decided for all of them together.
    counts: dict[Any, int] = {name: len(found) for name, found in people.items()}
    lines: list[list[Any]] = [list(ATTENDANCE)]
    members_of: dict[tuple[str, str], set[str]] = {}
    dimension_of = {
        **{d: lambda s, d=d: latest_record[s].payload[d] for d in EQUITY_DIMENSIONS},
        **{d: lambda s, d=d: delivered[s][d] for d in DELIVERY_DIMENSIONS},
    }
    for dimension, values in {**EQUITY_DIMENSIONS, **DELIVERY_DIMENSIONS}.items():
        for value in values:
            members = {s for s in latest_record if dimension_of[dimension](s) == value}
            members_of[(dimension, value)] = members
            for name in ATTENDANCE:
                counts[(dimension, value, name)] = len(members & people[name])
            lines.append([(dimension, value, name) for name in ATTENDANCE])
        for name in ATTENDANCE:
            lines.append([name, *((dimension, value, name) for value in values)])
    hidden = hidden_cells(counts, lines, t, keep=ATTENDANCE)

    def shown(cell: Any) -> Figure:
        return Figure(value=None, suppressed=True) if cell in hidden else Figure(value=counts[cell])

    equity: list[EquityRow] = []
    delivery: list[EquityRow] = []
    for (dimension, value), members in members_of.items():
        changes = _changes_among(group, members)
        (delivery if dimension in DELIVERY_DIMENSIONS else equity).append(
            EquityRow(
                dimension=dimension, group=value,
                invited=shown((dimension, value, "invited")),
                attended=shown((dimension, value, "attended")),
                did_not_attend=shown((dimension, value, "did_not_attend")),
                median_change={
                    measure: _derived(
                        statistics.median(found) if found else None, len(found), threshold=t
                    )
                    for measure, found in sorted(changes.items())
                },
            )
        )

    goals = list(group.goals.values())
    achieved = sum(1 for goal in goals if goal["outcome"] == "achieved")
    dna_rate = _derived(
        dna_records / due_records if due_records else None, dna_records, due_records,
        threshold=t,
    )
    if "did_not_attend" in hidden:
        dna_rate = Figure(value=None, suppressed=True)  # never beside a hidden DNA count
    return ProgrammeReport(
        practice=key[0],
        programme=key[1],
        sessions_held=sum(1 for s in group.sessions.values() if s["status"] == "finished"),
        sessions_cancelled=sum(1 for s in group.sessions.values() if s["status"] == "cancelled"),
        invited=shown("invited"),
        attended=shown("attended"),
        did_not_attend=shown("did_not_attend"),
        dna_rate=dna_rate,
        measures=_measure_summaries(group, t),
        questionnaires=_score_summaries(group, t),
        goals_set=_count(len(goals), t),
        goals_achieved=_count(achieved, t),
        experience={
            answer: _count(group.experience.get(answer, 0), t)
            for answer in get_args(ExperienceResponse)
        },
        equity=equity,
        sessions_held_by_mode={
            mode: sum(
                1 for s in group.sessions.values()
                if s["status"] == "finished" and s.get("mode", "unknown") == mode
            )
            for mode in MODES
        },
        attendances_by_channel={channel: _count(n, t) for channel, n in by_channel.items()},
        delivery=delivery,
    )


def _changes_among(group: _Group, members: set[str]) -> dict[str, list[float]]:
    """First-to-latest change per measure for the given people (those with two dated values)."""
    found: dict[str, list[float]] = defaultdict(list)
    for (measure, subject), readings in group.measurements.items():
        found.setdefault(measure, [])
        if subject in members and readings[-1][0] != readings[0][0]:
            found[measure].append(readings[-1][1] - readings[0][1])
    return found


def _measure_summaries(group: _Group, t: int) -> list[MeasureSummary]:
    by_measure: dict[str, list[list[tuple[str, float, str]]]] = defaultdict(list)
    for (measure, _), readings in group.measurements.items():
        by_measure[measure].append(readings)
    summaries = []
    for measure, people in sorted(by_measure.items()):
        latest = [readings[-1] for readings in people]  # readings are in taken_on order
        with_target = [r for r in latest if r[2] != "no_target"]
        at_target = sum(1 for r in with_target if r[2] == "on_target")
        changes = [r[-1][1] - r[0][1] for r in people if r[-1][0] != r[0][0]]
        summaries.append(
            MeasureSummary(
                measure=measure,
                people_with_target=_count(len(with_target), t),
                at_target=_count(at_target, t),
                proportion_at_target=_derived(
                    at_target / len(with_target) if with_target else None,
                    at_target, len(with_target), threshold=t,
                ),
                people_with_change=_count(len(changes), t),
                median_change=_derived(
                    statistics.median(changes) if changes else None, len(changes), threshold=t
                ),
            )
        )
    return summaries


def _score_summaries(group: _Group, t: int) -> list[ScoreSummary]:
    by_instrument: dict[str, list[float]] = defaultdict(list)
    for (instrument, _), answers in sorted(group.scores.items()):
        by_instrument.setdefault(instrument, [])
        if len(answers) >= 2:
            ordered = sorted(answers, key=lambda answer: answer[0])
            by_instrument[instrument].append(ordered[-1][1] - ordered[0][1])
    return [
        ScoreSummary(
            instrument=instrument,
            people_with_change=_count(len(changes), t),
            median_change=_derived(
                statistics.median(changes) if changes else None, len(changes), threshold=t
            ),
        )
        for instrument, changes in sorted(by_instrument.items())
    ]


CSV_COLUMNS = ("practice", "programme", "section", "item", "figure", "value", "suppressed")


def report_rows(report: AggregateReport) -> list[tuple[Any, ...]]:
    """The report in long form, one figure a row, for spreadsheets and BI tools."""
    rows: list[tuple[Any, ...]] = []
    for g in report.groups:

        def add(section: str, item: str, figure: str, value: Figure | int, g: Any = g) -> None:
            if isinstance(value, Figure):
                rows.append((g.practice, g.programme, section, item, figure, value.value,
                             value.suppressed))
            else:
                rows.append((g.practice, g.programme, section, item, figure, value, False))

        add("sessions", "", "held", g.sessions_held)
        add("sessions", "", "cancelled", g.sessions_cancelled)
        for name in ("invited", "attended", "did_not_attend", "dna_rate"):
            add("attendance", "", name, getattr(g, name))
        for m in g.measures:
            for name in ("people_with_target", "at_target", "proportion_at_target",
                         "people_with_change", "median_change"):
                add("measure", m.measure, name, getattr(m, name))
        for q in g.questionnaires:
            add("questionnaire", q.instrument, "people_with_change", q.people_with_change)
            add("questionnaire", q.instrument, "median_change", q.median_change)
        add("goals", "", "set", g.goals_set)
        add("goals", "", "achieved", g.goals_achieved)
        for answer, figure in g.experience.items():
            add("experience", answer, "responses", figure)
        for row in g.equity:
            for name in ("invited", "attended", "did_not_attend"):
                add(f"equity:{row.dimension}", row.group, name, getattr(row, name))
            for measure, figure in row.median_change.items():
                add(f"equity:{row.dimension}", row.group, f"median_change:{measure}", figure)
        for mode, held in g.sessions_held_by_mode.items():
            add("sessions_by_mode", mode, "held", held)
        for channel, figure in g.attendances_by_channel.items():
            add("attendances_by_channel", channel, "attendances", figure)
        for row in g.delivery:
            for name in ("invited", "attended", "did_not_attend"):
                add(f"delivery:{row.dimension}", row.group, name, getattr(row, name))
            for measure, figure in row.median_change.items():
                add(f"delivery:{row.dimension}", row.group, f"median_change:{measure}", figure)
    return rows


def report_csv(report: AggregateReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in report_rows(report):
        writer.writerow(["" if v is None else str(v).lower() if isinstance(v, bool) else v
                         for v in row])
    return buffer.getvalue()
