"""A programme's outcomes for the practice: attendance, targets, change, goals and equity.

Definitions (the report and the tests follow these words exactly):
- Held sessions are finished or exported ones. Invitations and attendance count only there.
- People invited: distinct people invited to at least one held session (drop-ins were not
  invited). People attended: distinct people present (attended, late or drop-in) at least once.
- Did-not-attend rate: invitations marked "did not attend" divided by invitations whose outcome
  is known (attended, late or did not attend). "Cancelled" in advance is not a DNA, and an
  invitation left unmarked at a finished session is not counted either way.
- Measures are about participants (people who attended at least once), over each person's time
  in the programme as core/views/progress.py defines it: baseline is their first value, now is their
  latest. At target uses the board's rules (programme target, age, hypo risk, sex, personal
  target); "close" is not at target. Blood pressure is at target only when both halves are.
- Median change counts people with a baseline and a later value (latest minus first). The
  end-of-session experience rating is not an outcome of the person and has no change.
- Goals: goals set in held sessions, and how many were recorded as achieved.
- Experience: the people's end-of-session experience answers and the staff's own answers to the
  three staff questions, at held sessions, counted per answer (core/views/experience.py).

Small numbers: a figure is suppressed (value None, with the reason) when the group of people it
describes is smaller than the threshold in Setting "outcomes_suppress_below" (default 5). The
group is the people counted (invited, attended), or the people behind a rate, proportion or
median (its denominator). Sessions held is not about people and is always shown. Complementary
suppression follows the ICB service's own rule (icb_service/disclosure.py, part of the contract
the two sides share, with no imports of its own), so a practice never publishes a cell the ICB
would hide.

Equity: invitation, attendance and DNA by age band (at the first held session), sex, ethnic
group (NHS Data Dictionary top-level group of Patient.ethnic_category) and IMD quintile. A group
is flagged when it was invited (at least the threshold) but its attendance rate is below 75% of
the rest's (FLAG_RATIO); both groups must be large enough to show for the comparison to be made.
"""

from __future__ import annotations

import statistics
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from groupclinic_desktop.core import questionnaires, targets
from groupclinic_desktop.core.catalogue import Status, catalogue
from groupclinic_desktop.core.outbox import age_band
from groupclinic_desktop.core.schema import AttendanceStatus, Patient, SessionStatus
from groupclinic_desktop.core.views import board, progress
from groupclinic_desktop.core.views.experience import (
    AnswerCounts,
    patient_experience,
    staff_experience,
)
from groupclinic_desktop.core.views.figures import (  # noqa: F401 (the report's vocabulary)
    PROTECTING,
    Figure,
    protecting,
    suppressed,
)
from groupclinic_desktop.resources import resource
from icb_service.disclosure import hidden_cells

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic

SUPPRESS_SETTING = "outcomes_suppress_below"
DEFAULT_SUPPRESS_BELOW = 5
FLAG_RATIO = 0.75  # "much less": attendance below three quarters of everyone else's
KNOWN_OUTCOMES = (
    AttendanceStatus.ATTENDED,
    AttendanceStatus.LATE,
    AttendanceStatus.DID_NOT_ATTEND,
)
SEX_WORDS = {"female": "Female", "male": "Male", "other": "Other", "unknown": "Not stated"}
ETHNIC_WORDS = {
    "white": "White",
    "mixed": "Mixed or multiple",
    "asian": "Asian or Asian British",
    "black": "Black or Black British",
    "other": "Other ethnic group",
    "not_stated": "Not stated",
}
DIMENSIONS = ("Age band", "Sex", "Ethnic group", "IMD quintile")


@dataclass(frozen=True)
class TargetFigure:
    key: str  # board column key ("blood_pressure" for the pair)
    label: str
    target_text: str
    baseline: Figure  # proportion at target at baseline
    now: Figure  # proportion at target now


@dataclass(frozen=True)
class ChangeFigure:
    key: str
    label: str
    unit: str
    decimals: int
    median: Figure  # median of (latest - baseline)
    kind: str  # "measurement" or "questionnaire"


@dataclass(frozen=True)
class EquityRow:
    dimension: str
    group: str
    invited: Figure
    attended: Figure
    attendance_rate: Figure
    dna_rate: Figure
    flagged: bool
    # Median change in each measurement among the group's people who came (baseline to now).
    changes: tuple[ChangeFigure, ...] = ()


@dataclass(frozen=True)
class SignpostFigure:
    """How often one community directory entry was offered: signposted and referred."""

    name: str
    signposted: Figure
    referred: Figure


@dataclass(frozen=True)
class Outcomes:
    programme_id: int
    programme_name: str
    as_of: date
    threshold: int
    sessions_held: int
    sessions_planned: int
    sessions_cancelled: int
    invited: Figure
    attended: Figure
    dna_rate: Figure
    targets: tuple[TargetFigure, ...]
    changes: tuple[ChangeFigure, ...]
    goals_set: Figure
    goals_achieved: Figure
    equity: tuple[EquityRow, ...]
    signposting: tuple[SignpostFigure, ...] = ()
    # The template's 4M domains ([[domains]] as stored), for grouping the changes in the report.
    domains: tuple[Mapping[str, Any], ...] = ()
    # What people said of the sessions, and what the staff who ran them said (anonymous).
    experience: AnswerCounts | None = None
    staff_experience: tuple[AnswerCounts, ...] = ()

    def target(self, key: str) -> TargetFigure:
        return next(t for t in self.targets if t.key == key)

    def change(self, key: str) -> ChangeFigure:
        return next(c for c in self.changes if c.key == key)

    def flagged(self) -> list[EquityRow]:
        return [row for row in self.equity if row.flagged]


# ------------------------------------------------------------------------------ figures


def count(n: int, threshold: int) -> Figure:
    return suppressed(n, threshold) if n < threshold else Figure(float(n), people=n)


def rate(numerator: int, denominator: int, threshold: int, people: int | None = None) -> Figure:
    """A proportion, shown when the people behind its denominator reach the threshold."""
    group = denominator if people is None else people
    if group < threshold or denominator == 0:
        return suppressed(group, threshold)
    return Figure(numerator / denominator, people=group)


def median(values: Sequence[float], threshold: int) -> Figure:
    if len(values) < threshold:
        return suppressed(len(values), threshold, "people with a baseline and a later value")
    return Figure(float(statistics.median(values)), people=len(values))


def threshold_of(clinic: Clinic) -> int:
    value = clinic.setting(SUPPRESS_SETTING, DEFAULT_SUPPRESS_BELOW)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return DEFAULT_SUPPRESS_BELOW
    return value


# ------------------------------------------------------------------------------ building


def programme_outcomes(clinic: Clinic, programme_id: int, *, today: date | None = None) -> Outcomes:
    today = today or date.today()
    t = threshold_of(clinic)
    programme = clinic.programme(programme_id)
    definition = dict(programme.definition or {})
    everything = [s for s in clinic.sessions() if s.programme_id == programme_id]
    held = [s for s in everything if s.status in progress.HELD]
    sessions = progress.programme_sessions(clinic, programme_id)

    # (session, attendance, patient) for every invitation at a held session.
    visits = [(s, e.attendance, e.patient) for s in held for e in clinic.roster(s.id)]  # type: ignore[arg-type]
    people = {p.id: p for _, _, p in visits}
    invited = {p.id for _, a, p in visits if a.status != AttendanceStatus.DROP_IN}
    present = {p.id for _, a, p in visits if a.status.present}
    known = [(a, p) for _, a, p in visits if a.status in KNOWN_OUTCOMES]
    dna = sum(1 for a, _ in known if a.status == AttendanceStatus.DID_NOT_ATTEND)

    participants = [people[pid] for pid in sorted(pid for pid in present if pid is not None)]
    per_person = {
        p.id: _PersonData.build(clinic, p, sessions, definition, today) for p in participants
    }
    targets = _targets(definition, participants, per_person, t)
    changes = _measure_changes(definition, sessions, per_person, t)
    changes += _score_changes(clinic, definition, held, present, t)

    goals = [g for s in held for g in clinic.goals(session_id=s.id)]
    goal_people = len({g.patient_id for g in goals})
    achieved = sum(1 for g in goals if g.outcome is not None and g.outcome.value == "achieved")
    first_held = held[0].day if held else today
    hidden_totals: set[str] = set()
    equity = equity_rows(
        visits,
        first_held,
        t,
        changes_of=lambda members: tuple(
            _measure_changes(
                definition,
                sessions,
                {p: per_person[p] for p in members if p in per_person},
                t,
            )
        ),
        hidden_totals=hidden_totals,
    )
    return Outcomes(
        programme_id=programme_id,
        programme_name=programme.name,
        as_of=today,
        threshold=t,
        sessions_held=len(held),
        sessions_planned=sum(1 for s in everything if s.status == SessionStatus.PLANNED),
        sessions_cancelled=sum(1 for s in everything if s.status == SessionStatus.CANCELLED),
        invited=count(len(invited), t)
        if "invited" not in hidden_totals or len(invited) < t
        else protecting(len(invited)),
        attended=count(len(present), t)
        if "attended" not in hidden_totals or len(present) < t
        else protecting(len(present)),
        dna_rate=rate(dna, len(known), t, people=len({p.id for _, p in known})),
        targets=targets,
        changes=tuple(changes),
        goals_set=count(len(goals), t) if goal_people >= t else suppressed(goal_people, t),
        goals_achieved=rate(achieved, len(goals), t, people=goal_people),
        equity=tuple(equity),
        domains=tuple(definition.get("domains") or ()),
        signposting=tuple(
            SignpostFigure(name, count(n.get("signposted", 0), t), count(n.get("referred", 0), t))
            for name, n in sorted(clinic.signposting_counts(programme_id).items())
        ),
        experience=patient_experience(
            (r for s in held for r in clinic.responses(session_id=s.id)), t
        ),
        staff_experience=staff_experience(
            clinic.staff_experience_answers(s.id for s in held if s.id is not None), t
        ),
    )


@dataclass(frozen=True)
class _PersonData:
    patient: Patient
    personal: Mapping[str, Any]
    values: Mapping[str, list[Any]]  # measurement key -> values in the person's window

    @classmethod
    def build(
        cls,
        clinic: Clinic,
        patient: Patient,
        sessions: Sequence[Any],
        definition: Mapping[str, Any],
        today: date,
    ) -> _PersonData:
        pid: int = patient.id  # type: ignore[assignment]
        attendance = {s.id: progress._attendance(clinic, s.id, pid) for s in sessions}
        starts = progress.start_day(sessions, attendance)
        history = progress.grouped(clinic.measurements(patient_id=pid))
        values = {
            key: progress.in_window(rows, key, definition, starts, today)
            for key, rows in history.items()
            if key in catalogue()
        }
        personal = targets.personal_levels(clinic.personal_targets(pid)).get(pid, {})
        return cls(patient, personal, values)

    def status(self, parts: Sequence[str], which: int, definition: Mapping[str, Any]) -> Status:
        """The status of the first (which=0) or latest (which=-1) value; BP: the worse half."""
        found = []
        for key in parts:
            rows = self.values.get(key) or []
            if not rows:
                return Status.NO_TARGET
            found.append(progress.status_on(rows[which], definition, self.patient, self.personal))
        return targets.reading_status(found)

    def has(self, parts: Sequence[str]) -> bool:
        return all(self.values.get(key) for key in parts)


def _targets(
    definition: Mapping[str, Any],
    participants: Sequence[Patient],
    per_person: Mapping[int | None, _PersonData],
    t: int,
) -> tuple[TargetFigure, ...]:
    found = []
    for column in board.board_columns(definition):
        if all(band == (None, None) for band in column.bands):
            continue  # nothing to be "at target" for (e.g. height)
        data = [per_person[p.id] for p in participants if per_person[p.id].has(column.parts)]
        figures = []
        for which in (0, -1):
            at = sum(
                1 for d in data if d.status(column.parts, which, definition) is Status.ON_TARGET
            )
            figures.append(rate(at, len(data), t))
        found.append(
            TargetFigure(column.key, column.label, column.target_text, figures[0], figures[1])
        )
    return tuple(found)


def _measure_changes(
    definition: Mapping[str, Any],
    sessions: Sequence[Any],
    per_person: Mapping[int | None, _PersonData],
    t: int,
) -> list[ChangeFigure]:
    found = []
    for key in progress.measurement_keys(definition, sessions):
        mtype = catalogue().get(key)
        changes = [
            rows[-1].value - rows[0].value
            for d in per_person.values()
            if len(rows := d.values.get(key) or []) >= 2
        ]
        found.append(
            ChangeFigure(
                key, mtype.label, mtype.unit, mtype.decimals, median(changes, t), "measurement"
            )
        )
    return found


def _score_changes(
    clinic: Clinic,
    definition: Mapping[str, Any],
    held: Sequence[Any],
    present: set[int | None],
    t: int,
) -> list[ChangeFigure]:
    known = questionnaires.questionnaires()
    day_of = {s.id: s.day for s in held}
    responses = [r for s in held for r in clinic.responses(session_id=s.id)]
    keys = [k for k in (definition.get("questionnaires") or {}) if k in known]
    keys += sorted({r.questionnaire_key for r in responses} - set(keys) & set(known))
    found = []
    for key in keys:
        q = known[key]
        if q.scoring == "choice" and any(o.score is None for o in q.options):
            continue  # a rating of the day with "don't know" (experience), not a change
        by_person: dict[int, list[Any]] = {}
        for r in sorted(responses, key=lambda r: (day_of[r.session_id], r.id or 0)):
            if r.questionnaire_key == key and r.score is not None and r.patient_id in present:
                by_person.setdefault(r.patient_id, []).append(r.score)
        changes = [s[-1] - s[0] for s in by_person.values() if len(s) >= 2]
        found.append(ChangeFigure(key, q.short_title, "", 2, median(changes, t), "questionnaire"))
    return found


# ------------------------------------------------------------------------------ equity


@cache
def _ethnic_groups() -> Mapping[str, str]:
    # The same letters-to-groups table the monitoring upload uses, so both agree.
    with resource("monitoring", "upload_mapping.toml").open("rb") as handle:
        data = tomllib.load(handle)
    return {str(k).upper(): str(v) for k, v in data.get("ethnic_group", {}).items()}


def ethnic_group(category: str | None) -> str:
    if not category:
        return ETHNIC_WORDS["not_stated"]
    group = _ethnic_groups().get(category.strip().upper(), "not_stated")
    return ETHNIC_WORDS.get(group, ETHNIC_WORDS["not_stated"])


def imd_quintile(decile: int | None, quintile: int | None = None) -> str:
    """The quintile in words, from the decile or, when the GP search gave only that, the
    quintile itself."""
    if decile is not None and 1 <= decile <= 10:
        quintile = (decile + 1) // 2
    if quintile is None or not 1 <= quintile <= 5:
        return "Not stated"
    words = {1: " (most deprived)", 5: " (least deprived)"}
    return f"{quintile}{words.get(quintile, '')}"


def _grouping(first_held: date) -> dict[str, Callable[[Patient], str]]:
    return {
        "Age band": lambda p: _age_words(age_band(p.date_of_birth, first_held)),
        "Sex": lambda p: SEX_WORDS.get(p.sex.value, "Not stated"),
        "Ethnic group": lambda p: ethnic_group(p.ethnic_category),
        "IMD quintile": lambda p: imd_quintile(p.imd_decile, p.imd_quintile),
    }


def _age_words(band: str) -> str:
    return "Not stated" if band == "unknown" else band


def equity_rows(
    visits: Iterable[tuple[Any, Any, Patient]],
    first_held: date,
    t: int,
    changes_of: Callable[[set[int]], tuple[ChangeFigure, ...]] | None = None,
    hidden_totals: set[str] | None = None,
) -> list[EquityRow]:
    """Invitation, attendance and did-not-attend by group, and (with changes_of) the median
    change in each measurement among each group's people who came."""
    visits = list(visits)
    rows: list[EquityRow] = []
    for dimension, group_of in _grouping(first_held).items():
        tallies: dict[str, _Tally] = {}
        for _, attendance, patient in visits:
            tallies.setdefault(group_of(patient), _Tally()).add(attendance.status, patient.id)
        total = _Tally.sum(tallies.values())
        hidden = _protected_groups(tallies, total, t)
        if hidden_totals is not None:  # the report hides these totals too
            hidden_totals.update(which for group, which in hidden if group == "total")
        for name in sorted(tallies):
            mine = tallies[name]
            rest = total.minus(mine)
            row = mine.row(dimension, name, rest, t)
            if (name, "invited") in hidden and row.invited.shown:
                row = replace(
                    row, invited=protecting(len(mine.invited)),
                    dna_rate=protecting(len(mine.known_people)),
                )
            if (name, "attended") in hidden and row.attended.shown:
                # The attendance rate times the group would give the attenders back.
                row = replace(
                    row, attended=protecting(len(mine.invited)),
                    attendance_rate=protecting(len(mine.invited)), flagged=False,
                )
            if changes_of is not None:
                row = replace(row, changes=changes_of(mine.present))
            rows.append(row)
    return rows


def _protected_groups(
    tallies: Mapping[str, _Tally], total: _Tally, t: int
) -> set[tuple[str, str]]:
    """(group, "invited" or "attended") cells to hide so no suppressed one is a subtraction away.

    The groups' invited and attended counts add up to the programme's totals, which the report
    shows; with one group hidden, the total minus the rest would give it away.
    """
    counts: dict[Any, int] = {("total", "invited"): len(total.invited),
                              ("total", "attended"): len(total.present)}
    primary = set()
    for name, tally in tallies.items():
        counts[(name, "invited")] = len(tally.invited)
        counts[(name, "attended")] = len(tally.present)
        if len(tally.invited) < t:  # the row's own rule: attended is shown when the group is
            primary |= {(name, "invited"), (name, "attended")}
    for which in ("invited", "attended"):
        if counts[("total", which)] < t:
            primary.add(("total", which))
    lines = [[("total", which), *((name, which) for name in tallies)]
             for which in ("invited", "attended")]
    follows = [((name, "invited"), (name, "attended")) for name in tallies]
    hidden = hidden_cells(counts, lines, t, keep=[("total", "invited"), ("total", "attended")],
                          primary=primary, follows=follows)
    return hidden


class _Tally:
    """Invitations and attendances of one group of people."""

    def __init__(self) -> None:
        self.invited: set[int] = set()
        self.present: set[int] = set()
        self.known = 0  # invitations with a known outcome
        self.dna = 0
        self.known_people: set[int] = set()

    def add(self, status: AttendanceStatus, patient_id: int | None) -> None:
        pid = int(patient_id or 0)
        if status != AttendanceStatus.DROP_IN:
            self.invited.add(pid)
        if status.present:
            self.present.add(pid)
        if status in KNOWN_OUTCOMES:
            self.known += 1
            self.known_people.add(pid)
            self.dna += status == AttendanceStatus.DID_NOT_ATTEND

    @classmethod
    def sum(cls, tallies: Iterable[_Tally]) -> _Tally:
        total = cls()
        for tally in tallies:
            total.invited |= tally.invited
            total.present |= tally.present
            total.known += tally.known
            total.dna += tally.dna
            total.known_people |= tally.known_people
        return total

    def minus(self, other: _Tally) -> _Tally:
        rest = _Tally()
        rest.invited = self.invited - other.invited
        rest.present = self.present - other.present
        rest.known = self.known - other.known
        rest.dna = self.dna - other.dna
        rest.known_people = self.known_people - other.known_people
        return rest

    def attendance_rate(self) -> float | None:
        attended_of_invited = len(self.present & self.invited)
        return attended_of_invited / len(self.invited) if self.invited else None

    def row(self, dimension: str, name: str, rest: _Tally, t: int) -> EquityRow:
        mine = self.attendance_rate()
        theirs = rest.attendance_rate()
        large_enough = len(self.invited) >= t and len(rest.invited) >= t
        flagged = (
            large_enough
            and mine is not None
            and theirs is not None
            and theirs > 0
            and mine < FLAG_RATIO * theirs
        )
        return EquityRow(
            dimension=dimension,
            group=name,
            invited=count(len(self.invited), t),
            # A group's attenders are part of that group: shown when the group is.
            attended=(
                Figure(float(len(self.present)), people=len(self.invited))
                if len(self.invited) >= t
                else suppressed(len(self.invited), t)
            ),
            attendance_rate=rate(len(self.present & self.invited), len(self.invited), t),
            dna_rate=rate(self.dna, self.known, t, people=len(self.known_people)),
            flagged=flagged,
        )


def figure_rows(o: Outcomes) -> Iterator[tuple[str, str, str, str, str, Figure]]:
    """(section, item, group, figure name, kind, figure) for every published number, in report
    order; kind is "count", "percent" or "change" (how to print it)."""
    held = Figure(float(o.sessions_held), people=0)
    yield "attendance", "sessions held", "", "count", "count", held
    yield "attendance", "people invited", "", "count", "count", o.invited
    yield "attendance", "people attended", "", "count", "count", o.attended
    yield "attendance", "did-not-attend rate", "", "proportion", "percent", o.dna_rate
    for t in o.targets:
        yield "targets", t.label, "", "at target at the start", "percent", t.baseline
        yield "targets", t.label, "", "at target now", "percent", t.now
    for c in o.changes:
        unit = f" ({c.unit})" if c.unit else ""
        yield "change", f"{c.label}{unit}", "", "median change", "change", c.median
    yield "goals", "goals set", "", "count", "count", o.goals_set
    yield "goals", "goals achieved", "", "proportion", "percent", o.goals_achieved
    for row in o.equity:
        group = f"{row.dimension}: {row.group}"
        yield "equity", "people invited", group, "count", "count", row.invited
        yield "equity", "people attended", group, "count", "count", row.attended
        yield "equity", "attendance rate", group, "proportion", "percent", row.attendance_rate
        yield "equity", "did-not-attend rate", group, "proportion", "percent", row.dna_rate
        for c in row.changes:
            unit = f" ({c.unit})" if c.unit else ""
            yield "equity", f"{c.label}{unit}", group, "median change", "change", c.median
    for entry in o.signposting:
        yield "community", "people signposted", entry.name, "count", "count", entry.signposted
        yield "community", "people referred", entry.name, "count", "count", entry.referred
    if o.experience is not None:
        yield "patient experience", "all answers", "", "count", "count", o.experience.total
        for answer, figure in o.experience.answers:
            yield "patient experience", answer, "", "count", "count", figure
    for q in o.staff_experience:
        yield "staff experience", "all answers", q.short, "count", "count", q.total
        for answer, figure in q.answers:
            yield "staff experience", answer, q.short, "count", "count", figure
