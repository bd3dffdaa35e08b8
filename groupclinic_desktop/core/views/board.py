"""The biometric board as plain data: who is shown and how, their latest numbers and targets.

Rows are the people present (attended, late or drop-in); columns are the programme's board
measurements in the template's order. The board holds only what the room may see: a first name
for people who agreed to share their results, otherwise a stable code ("P3") or nothing, as the
practice chooses (Setting "board_non_consented" = "code" | "hide"). It never holds a surname,
NHS number or date of birth, so every view drawn from it (second screen, PNG, room PDF) is safe.

Decisions, so every view agrees:
- Systolic and diastolic BP share one "Blood pressure" column ("142/88"); its status is the worse
  of the two halves (`worst_status`), as a reading is only on target when both halves are.
- A value older than the measurement's stale window (programme override, else catalogue) is
  flagged stale; it is still shown, but it is left out of the group summary.
- The group summary covers the people on the board. "Change since last session" is the group
  median now minus the median at the programme's previous session (people present then).
"""

from __future__ import annotations

import functools
import statistics
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from groupclinic_desktop.core import days, questionnaires, targets
from groupclinic_desktop.core.catalogue import Status, Threshold, catalogue
from groupclinic_desktop.core.schema import ConsentKind, Measurement, SessionStatus, Source
from groupclinic_desktop.core.targets import Person
from groupclinic_desktop.resources import resource

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic

BP_COLUMN = "blood_pressure"
BP_PARTS = ("systolic_bp", "diastolic_bp")
NON_CONSENTED_SETTING = "board_non_consented"
NON_CONSENTED_MODES = ("code", "hide")
PREVIOUS_SESSION_WINDOW_DAYS = 183  # group clinics run monthly to quarterly

# Symbol and words for each status: colour is never the only signal.
STATUS_SYMBOL = {
    Status.ON_TARGET: "✓",
    Status.CLOSE: "~",
    Status.OFF_TARGET: "!",
    Status.NO_TARGET: "",
}
STATUS_WORDS = {
    Status.ON_TARGET: "on target",
    Status.CLOSE: "close",
    Status.OFF_TARGET: "off target",
    Status.NO_TARGET: "",
}
STALE_WORD = "stale"
SOURCE_WORDS = {
    Source.SELF_REPORTED: "self-reported",
    Source.GP_RECORD: "GP record",
    Source.IN_SESSION: "at clinic",
}
MINUS = "\u2212"


@dataclass(frozen=True)
class Column:
    key: str  # a measurement key, or "blood_pressure" for the combined BP column
    parts: tuple[str, ...]  # the measurement keys behind it (two for BP)
    label: str  # clinical label, for staff screens
    plain_label: str  # plain words, for everything the group sees
    unit: str
    decimals: int
    target_text: str  # the default target in words, e.g. "below 140/90 mmHg"
    bands: tuple[tuple[float | None, float | None], ...]  # default (low, high) per part
    stale_after_days: int


@dataclass(frozen=True)
class Cell:
    column: str
    values: tuple[float, ...]  # one per part; empty when there is no value
    text: str  # "142/88", "52", "" when empty
    taken_on: date | None
    source: Source | None
    source_text: str  # "today", "at clinic", "self-reported", "GP record"
    status: Status
    change: tuple[float, ...] | None  # since the person's previous value
    change_text: str
    stale: bool
    personal_target: bool

    @property
    def has_value(self) -> bool:
        return bool(self.values)

    @property
    def shown_status(self) -> str:
        """What the cell's colour and words stand for: a Status value, "stale" or "empty"."""
        if not self.values:
            return "empty"
        return STALE_WORD if self.stale else self.status.value

    @property
    def status_text(self) -> str:
        """E.g. "✓ on target", "! off target", "stale"; empty without a value or a target."""
        if not self.values:
            return ""
        if self.stale:
            return STALE_WORD
        if self.status is Status.NO_TARGET:
            return ""
        return f"{STATUS_SYMBOL[self.status]} {STATUS_WORDS[self.status]}"


@dataclass(frozen=True)
class Row:
    patient_id: int  # the store's own row id, for repainting; never shown
    code: str  # "P3": stable for the session, by order of invitation
    label: str  # what the room sees: preferred first name, or the code
    named: bool
    cells: tuple[Cell, ...]

    def cell(self, column: str) -> Cell:
        for cell in self.cells:
            if cell.column == column:
                return cell
        raise KeyError(column)


@dataclass(frozen=True)
class Summary:
    column: str
    on_target: int
    with_value: int  # current (not stale) values
    median: tuple[float, ...] | None
    median_text: str
    previous_median: tuple[float, ...] | None
    change: tuple[float, ...] | None
    change_text: str

    has_target: bool = True

    @property
    def on_target_text(self) -> str:
        if not self.has_target:
            return "no set target"
        return f"{self.on_target} of {self.with_value}" if self.with_value else "none yet"


@dataclass(frozen=True)
class Board:
    session_id: int
    day: date
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    summaries: tuple[Summary, ...]
    non_consented: str  # "code" or "hide"
    hidden: int  # people present but left off (hide mode)

    def row_for(self, patient_id: int) -> Row | None:
        return next((row for row in self.rows if row.patient_id == patient_id), None)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def summary(self, key: str) -> Summary:
        return next(s for s in self.summaries if s.column == key)

    def shown(self) -> dict[str, Any]:
        """Who is on the board and how, for the audit trail (ids only, never names)."""
        return {
            "session_id": self.session_id,
            "named": [r.patient_id for r in self.rows if r.named],
            "coded": [r.patient_id for r in self.rows if not r.named],
            "hidden": self.hidden,
        }


@dataclass(frozen=True)
class TrendPoint:
    taken_on: date
    value: float
    source: Source


@dataclass(frozen=True)
class TrendSeries:
    key: str
    label: str
    plain_label: str
    unit: str
    points: tuple[TrendPoint, ...]
    band: tuple[float | None, float | None]  # the person's target (low, high)
    target_text: str  # the person's own target in words ("" without one)


# ------------------------------------------------------------------------------- plain labels


@functools.cache
def _plain_labels() -> Mapping[str, Mapping[str, str]]:
    path = resource("plain_labels.toml")
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return {
        k: {str(a): str(b) for a, b in v.items()} for k, v in data.items() if isinstance(v, dict)
    }


def plain_label(key: str) -> str:
    """The practice's plain words for a measurement (resources/plain_labels.toml)."""
    label = _plain_labels().get("measurements", {}).get(key)
    if label:
        return label
    if key == BP_COLUMN:
        return catalogue().panel(BP_COLUMN).label
    return catalogue().get(key).label


def plain_questionnaire_label(key: str) -> str:
    label = _plain_labels().get("questionnaires", {}).get(key)
    if label:
        return label
    # Not in the practice's file: the instrument's own plain label (resources/questionnaires).

    found = questionnaires.questionnaires().get(key)
    return found.plain_label if found is not None else key


# ------------------------------------------------------------------------------- building


def build_board(
    clinic: Clinic,
    session_id: int,
    *,
    today: date | None = None,
    hide_non_consented: bool | None = None,
) -> Board:
    """The board for a session as it stands on `today` (default: the session's day).

    hide_non_consented: True leaves people without share-results consent off the board, False
    shows them by code, None (the default) follows the practice's setting.
    """
    session = clinic.session(session_id)
    day = today or session.day
    snapshot = _snapshot(clinic, session)
    columns = board_columns(snapshot)
    mode = _mode(clinic, hide_non_consented)

    roster = clinic.roster(session_id)
    consents = clinic.consents(session_id)
    # Codes follow invitation order, so they do not shift when someone arrives or drops in.
    by_invitation = sorted(roster, key=lambda e: e.attendance.id or 0)
    codes = {e.patient.id: f"P{n}" for n, e in enumerate(by_invitation, start=1)}
    present = [e for e in by_invitation if e.attendance.status.present]

    previous = previous_session(clinic, session)
    previous_roster = clinic.roster(previous.id) if previous else []
    previous_consents = clinic.consents(previous.id) if previous else {}
    previous_present = [e for e in previous_roster if e.attendance.status.present]

    keys = [part for column in columns for part in column.parts]
    people = {e.patient.id for e in present} | {e.patient.id for e in previous_present}
    until = days.end_of(day)
    history = _group(clinic.board_measurements(sorted(people), keys, until=until))  # type: ignore[arg-type]
    personal = targets.personal_levels(clinic.personal_targets())

    shown_names = [
        e.patient.board_name
        for e in present
        if e.patient.id is not None and consents.get((e.patient.id, ConsentKind.SHARE_RESULTS))
    ]
    rows: list[Row] = []
    hidden = 0
    for entry in present:
        patient = entry.patient
        pid: int = patient.id  # type: ignore[assignment]
        consented = bool(consents.get((pid, ConsentKind.SHARE_RESULTS)))
        if not consented and mode == "hide":
            hidden += 1
            continue
        code = codes[pid]
        if consented:
            name = patient.board_name
            label = f"{name} ({code})" if shown_names.count(name) > 1 else name
        else:
            label = code
        person = Person.on(
            day,
            born=patient.date_of_birth,
            sex=patient.sex,
            hypo_risk=patient.hypo_risk,
            personal=personal.get(pid, {}),
        )
        cells = tuple(
            _cell(column, snapshot, person, history, pid, day, until) for column in columns
        )
        rows.append(Row(patient_id=pid, code=code, label=label, named=consented, cells=cells))

    previous_values: dict[str, list[tuple[float, ...]]] = {}
    if previous is not None:
        prev_until = days.end_of(previous.day)
        for column in columns:
            values = []
            for entry in previous_present:
                pid = entry.patient.id  # type: ignore[assignment]
                shared = previous_consents.get((pid, ConsentKind.SHARE_RESULTS))
                if mode == "hide" and not shared:
                    continue
                found = _latest_parts(history, pid, column.parts, prev_until)
                if found and not _is_stale(found[0].taken_at, previous.day, column):
                    values.append(tuple(m.value for m in found))
            previous_values[column.key] = values
    summaries = tuple(
        _summary(column, rows, previous_values.get(column.key) if previous else None)
        for column in columns
    )
    return Board(
        session_id=session_id,
        day=day,
        title=str(snapshot.get("name") or ""),
        columns=tuple(columns),
        rows=tuple(rows),
        summaries=summaries,
        non_consented=mode,
        hidden=hidden,
    )


def trend(
    clinic: Clinic,
    session_id: int,
    patient_id: int,
    column_key: str,
    *,
    today: date | None = None,
) -> list[TrendSeries]:
    """One person's values for a board column over time, with their own target band."""
    session = clinic.session(session_id)
    day = today or session.day
    snapshot = _snapshot(clinic, session)
    column = next((c for c in board_columns(snapshot) if c.key == column_key), None)
    parts = column.parts if column else ((column_key,) if column_key != BP_COLUMN else BP_PARTS)
    patient = clinic.patient(patient_id)
    person = Person.on(
        day,
        born=patient.date_of_birth,
        sex=patient.sex,
        hypo_risk=patient.hypo_risk,
        personal=targets.personal_levels(clinic.personal_targets(patient_id)).get(patient_id, {}),
    )
    history = _group(clinic.board_measurements([patient_id], list(parts), until=days.end_of(day)))
    series = []
    for key in parts:
        mtype = catalogue().get(key)
        threshold = targets.threshold_for(mtype, person, snapshot)
        points = tuple(
            TrendPoint(days.taken_on(m.taken_at), m.value, m.source)
            for m in history.get((patient_id, key), [])
        )
        series.append(
            TrendSeries(
                key=key,
                label=mtype.label,
                plain_label=plain_label(key),
                unit=mtype.unit,
                points=points,
                band=(threshold.low, threshold.high) if threshold else (None, None),
                target_text=threshold.describe(mtype.unit) if threshold else "",
            )
        )
    return series


# ------------------------------------------------------------------------------- internals


def _snapshot(clinic: Clinic, session: Any) -> dict[str, Any]:
    if session.programme_snapshot:
        return dict(session.programme_snapshot)
    return dict(clinic.programme(session.programme_id).definition or {})


def _mode(clinic: Clinic, hide: bool | None) -> str:
    if hide is not None:
        return "hide" if hide else "code"
    value = clinic.setting(NON_CONSENTED_SETTING, "code")
    return value if value in NON_CONSENTED_MODES else "code"


def board_columns(snapshot: Mapping[str, Any]) -> list[Column]:
    """The board's columns for a programme (snapshot): its measurements, BP as one column."""
    keys = [k for k in snapshot.get("measurements", []) if k in catalogue()]
    stale_overrides = snapshot.get("stale_after_days") or {}
    combine_bp = all(part in keys for part in BP_PARTS)
    columns: list[Column] = []
    for key in keys:
        if combine_bp and key in BP_PARTS:
            if any(c.key == BP_COLUMN for c in columns):
                continue
            parts: tuple[str, ...] = BP_PARTS
            column_key = BP_COLUMN
            label = catalogue().panel(BP_COLUMN).label
        else:
            parts = (key,)
            column_key = key
            label = catalogue().get(key).label
        types = [catalogue().get(p) for p in parts]
        thresholds = [targets.threshold_for(t, targets.ANYONE, snapshot) for t in types]
        stale = min(int(stale_overrides.get(p, catalogue().get(p).stale_after_days)) for p in parts)
        columns.append(
            Column(
                key=column_key,
                parts=parts,
                label=label,
                plain_label=plain_label(column_key),
                unit=types[0].unit,
                decimals=types[0].decimals,
                target_text=_target_text(thresholds, types[0].unit),
                bands=tuple((t.low, t.high) if t else (None, None) for t in thresholds),
                stale_after_days=stale,
            )
        )
    return columns


def _target_text(thresholds: Sequence[Threshold | None], unit: str) -> str:
    if any(t is None for t in thresholds):
        return "no set target" if len(thresholds) == 1 else ""
    found = [t for t in thresholds if t is not None]
    if len(found) > 1 and all(t.direction == "below" for t in found):
        # Blood pressure reads as one figure: "below 140/90 mmHg".
        levels = "/".join(f"{t.high:g}" for t in found)
        word = "below" if not found[0].inclusive else "at or below"
        return f"{word} {levels} {unit}"
    return " and ".join(t.describe(unit) for t in found)


def _cell(
    column: Column,
    snapshot: Mapping[str, Any],
    person: Person,
    history: Mapping[tuple[int, str], list[Measurement]],
    pid: int,
    day: date,
    until: datetime,
) -> Cell:
    latest = _latest_parts(history, pid, column.parts, until)
    if not latest:
        return Cell(column.key, (), "", None, None, "", Status.NO_TARGET, None, "", False, False)
    # The one rule (core.targets): the person as they were on the day the value was taken.
    on_day = person.as_on(days.taken_on(latest[0].taken_at))
    status = targets.reading_status(
        targets.status_of(m.type_key, m.value, on_day, snapshot) for m in latest
    )
    previous = _latest_parts(
        history, pid, column.parts, days.aware(latest[0].taken_at), before=latest
    )
    change = (
        tuple(m.value - p.value for m, p in zip(latest, previous, strict=True))
        if previous
        else None
    )
    taken_on = days.taken_on(latest[0].taken_at)
    source = latest[0].source
    if source == Source.IN_SESSION and taken_on == day:
        source_text = "today"
    else:
        source_text = SOURCE_WORDS[source]
    return Cell(
        column=column.key,
        values=tuple(m.value for m in latest),
        text=_join(tuple(m.value for m in latest), column.decimals),
        taken_on=taken_on,
        source=source,
        source_text=source_text,
        status=status,
        change=change,
        change_text=_change_text(change, column.decimals),
        stale=_is_stale(latest[0].taken_at, day, column),
        personal_target=any(p in person.personal for p in column.parts),
    )


def _latest_parts(
    history: Mapping[tuple[int, str], list[Measurement]],
    pid: int,
    parts: Sequence[str],
    until: datetime,
    *,
    before: Sequence[Measurement] = (),
) -> list[Measurement]:
    """The latest value of every part taken before `until` (and not one of `before`)."""
    skip = {m.id for m in before}
    found = []
    for key in parts:
        rows = history.get((pid, key), [])
        match = next(
            (m for m in reversed(rows) if m.id not in skip and days.aware(m.taken_at) < until), None
        )
        if match is None:
            return []
        found.append(match)
    return found


def _summary(
    column: Column, rows: Sequence[Row], previous: list[tuple[float, ...]] | None
) -> Summary:
    current = [row.cell(column.key) for row in rows]
    current = [c for c in current if c.has_value and not c.stale]
    on_target = sum(1 for c in current if c.status is Status.ON_TARGET)
    median = _median([c.values for c in current])
    previous_median = _median(previous) if previous else None
    change = (
        tuple(a - b for a, b in zip(median, previous_median, strict=True))
        if median and previous_median
        else None
    )
    return Summary(
        column=column.key,
        on_target=on_target if any(c.status is not Status.NO_TARGET for c in current) else 0,
        with_value=len(current),
        median=median,
        median_text=_join(median, column.decimals) if median else "",
        previous_median=previous_median,
        change=change,
        change_text=_change_text(change, column.decimals),
        has_target=any(band != (None, None) for band in column.bands),
    )


def _median(values: Iterable[tuple[float, ...]]) -> tuple[float, ...] | None:
    values = list(values)
    if not values:
        return None
    return tuple(float(statistics.median(v[i] for v in values)) for i in range(len(values[0])))


def _join(values: tuple[float, ...], decimals: int) -> str:
    return "/".join(f"{v:.{decimals}f}" for v in values)


def _change_text(change: tuple[float, ...] | None, decimals: int) -> str:
    if change is None:
        return ""
    parts = []
    for value in change:
        rounded = round(value, decimals)
        if rounded == 0:
            parts.append("0")
        else:
            sign = "+" if rounded > 0 else MINUS
            parts.append(f"{sign}{abs(rounded):.{decimals}f}")
    return "/".join(parts)


def _is_stale(taken_at: datetime, day: date, column: Column) -> bool:
    return (day - days.taken_on(taken_at)).days > column.stale_after_days


def previous_session(clinic: Clinic, session: Any) -> Any:
    """The programme's latest session before this one that was held (None if there is none)."""
    # Look in the last few months first: reading every session of ten years (with their
    # programme snapshots) cost a fifth of a second per board. The latest earlier session, if
    # it is in that window, is the latest of all; otherwise fall back to the whole list.
    for since in (session.day - timedelta(days=PREVIOUS_SESSION_WINDOW_DAYS), None):
        earlier = [
            s
            for s in clinic.sessions(since=since)
            if s.programme_id == session.programme_id
            and s.day < session.day
            and s.status in (SessionStatus.RUNNING, SessionStatus.FINISHED, SessionStatus.EXPORTED)
        ]
        if earlier:
            return earlier[-1]
    return None


def _group(rows: Iterable[Measurement]) -> dict[tuple[int, str], list[Measurement]]:
    grouped: dict[tuple[int, str], list[Measurement]] = defaultdict(list)
    for m in rows:
        grouped[(m.patient_id, m.type_key)].append(m)
    for values in grouped.values():
        values.sort(key=lambda m: (days.aware(m.taken_at), m.id or 0))
    return grouped
