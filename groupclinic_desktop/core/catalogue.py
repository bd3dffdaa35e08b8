"""The measurement catalogue: what each measurement is, its codes, limits and targets.

The facts live in resources/catalogue.toml so clinicians can review them; this module only reads
them into frozen objects and answers "is this value on target?".
"""

from __future__ import annotations

import enum
import functools
import math
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, cast

from groupclinic_desktop.core.errors import InvalidInput, NotFound
from groupclinic_desktop.resources import resource

Direction = Literal["below", "above", "range"]
Better = Literal["lower", "higher", "in_range", "neither"]

# Float sums such as 0.8 + 0.2 are not exact; a value this near a threshold counts as on it.
_EPSILON = 1e-9


class UnknownMeasurement(NotFound, KeyError):
    """A measurement, panel or prompt key that is not in the catalogue."""

    def __str__(self) -> str:
        # KeyError would show the message in quotes.
        return str(self.args[0]) if self.args else ""


class CatalogueError(ValueError):
    """catalogue.toml is incomplete or misspelt; the message says where."""


class Status(enum.Enum):
    ON_TARGET = "on_target"
    CLOSE = "close"
    OFF_TARGET = "off_target"
    NO_TARGET = "no_target"


@dataclass(frozen=True)
class Threshold:
    """One person's target level: on target inside it, close within close_margin past it."""

    low: float | None = None
    high: float | None = None
    inclusive: bool = True
    close_margin: float = 0.0

    def __post_init__(self) -> None:
        if self.low is None and self.high is None:
            raise ValueError("a threshold needs a low or a high level")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("a threshold's low level is above its high level")
        if self.close_margin < 0:
            raise ValueError("close_margin cannot be negative")

    @classmethod
    def below(cls, value: float, *, inclusive: bool = True, close_margin: float = 0.0) -> Threshold:
        return cls(high=value, inclusive=inclusive, close_margin=close_margin)

    @classmethod
    def above(cls, value: float, *, inclusive: bool = True, close_margin: float = 0.0) -> Threshold:
        return cls(low=value, inclusive=inclusive, close_margin=close_margin)

    @property
    def direction(self) -> Direction:
        if self.low is not None and self.high is not None:
            return "range"
        return "below" if self.high is not None else "above"

    def distance_outside(self, value: float) -> float:
        """How far value lies past the threshold's level; 0 inside it or exactly at it."""
        over = value - self.high if self.high is not None else 0.0
        under = self.low - value if self.low is not None else 0.0
        return max(over, under, 0.0)

    def is_met(self, value: float) -> bool:
        if self.high is not None:
            if value > self.high + _EPSILON:
                return False
            if not self.inclusive and value >= self.high - _EPSILON:
                return False
        if self.low is not None:
            if value < self.low - _EPSILON:
                return False
            if not self.inclusive and value <= self.low + _EPSILON:
                return False
        return True

    def status(self, value: float) -> Status:
        if self.is_met(value):
            return Status.ON_TARGET
        if self.distance_outside(value) <= self.close_margin + _EPSILON:
            return Status.CLOSE
        return Status.OFF_TARGET

    def describe(self, unit: str = "") -> str:
        """The target in words, e.g. "below 140 mmHg" or "48 mmol/mol or below"."""
        if self.low is not None and self.high is not None:
            if self.inclusive:
                return _with_unit(f"{_number(self.low)} to {_number(self.high)}", unit)
            return _with_unit(f"between {_number(self.low)} and {_number(self.high)}", unit)
        if self.high is not None:
            level = _with_unit(_number(self.high), unit)
            return f"{level} or below" if self.inclusive else f"below {level}"
        assert self.low is not None
        level = _with_unit(_number(self.low), unit)
        return f"{level} or above" if self.inclusive else f"above {level}"


@dataclass(frozen=True)
class Target:
    """A measurement's default target from a guideline, with its variants."""

    direction: Direction
    below: float | None
    above: float | None
    inclusive: bool
    close_margin: float
    source: str
    below_if_hypo_risk: float | None = None
    older_from_age: int | None = None
    below_if_older: float | None = None
    above_if_female: float | None = None

    def target_for(
        self, age: int | None = None, hypo_risk: bool = False, sex: str | None = None
    ) -> Threshold:
        """The level that applies to one person.

        An unknown age gets the under-age level (the stricter one); an unknown sex gets the
        default level. Where several variants apply, the most relaxed one wins, as a clinician
        would not hold someone to a level a guideline relaxes for them.
        """
        high = self.below
        low = self.above
        if high is not None:
            candidates = [high]
            if hypo_risk and self.below_if_hypo_risk is not None:
                candidates.append(self.below_if_hypo_risk)
            if (
                age is not None
                and self.older_from_age is not None
                and self.below_if_older is not None
                and age >= self.older_from_age
            ):
                candidates.append(self.below_if_older)
            high = max(candidates)
        if low is not None and self.above_if_female is not None and _is_female(sex):
            low = self.above_if_female
        return Threshold(
            low=low, high=high, inclusive=self.inclusive, close_margin=self.close_margin
        )


@dataclass(frozen=True)
class MeasurementType:
    key: str
    label: str
    snomed_code: str | None
    snomed_term: str | None
    snomed_confirmed: bool
    snomed_source: str
    snomed_also_used: tuple[str, ...]
    loinc: str | None
    unit: str
    ucum: str
    decimals: int
    hard_min: float
    hard_max: float
    warn_min: float | None
    warn_max: float | None
    warn_low_label: str
    warn_high_label: str
    limits_source: str
    better: Better
    derived: str | None
    derived_from: tuple[str, ...]
    target: Target | None
    stale_after_days: int
    stale_reason: str

    @property
    def is_derived(self) -> bool:
        return self.derived is not None

    def show(self, value: float) -> str:
        """The value rounded to this type's decimals with its unit, e.g. "82.4 kg", "96%"."""
        return _with_unit(f"{value:.{self.decimals}f}", self.unit)

    def is_stale(self, taken_on: date, today: date | None = None) -> bool:
        today = today or date.today()
        return (today - taken_on).days > self.stale_after_days


@dataclass(frozen=True)
class Panel:
    """A group of measurements taken as one reading (blood pressure), for FHIR."""

    key: str
    label: str
    snomed_code: str
    snomed_term: str
    snomed_confirmed: bool
    snomed_source: str
    loinc: str | None
    components: tuple[str, ...]


@dataclass(frozen=True)
class SafetyPrompt:
    """Readings that must be brought to the clinician at once (e.g. very high blood pressure)."""

    key: str
    label: str
    thresholds: tuple[tuple[str, float], ...]
    inclusive: bool
    message: str
    source: str

    def is_triggered_by(self, values: Mapping[str, float]) -> bool:
        """True when any of the given measurements reaches its threshold."""
        for key, limit in self.thresholds:
            value = values.get(key)
            if value is None:
                continue
            if value > limit or (self.inclusive and value == limit):
                return True
        return False


@dataclass(frozen=True)
class Catalogue:
    types: tuple[MeasurementType, ...]
    panels: tuple[Panel, ...]
    very_high: tuple[SafetyPrompt, ...]

    def get(self, key: str) -> MeasurementType:
        for mtype in self.types:
            if mtype.key == key:
                return mtype
        known = ", ".join(self.keys())
        raise UnknownMeasurement(f"No measurement called {key!r} in the catalogue (known: {known})")

    def keys(self) -> tuple[str, ...]:
        return tuple(mtype.key for mtype in self.types)

    def __contains__(self, key: object) -> bool:
        return key in self.keys()

    def __iter__(self) -> Iterator[MeasurementType]:
        return iter(self.types)

    def __len__(self) -> int:
        return len(self.types)

    def panel(self, key: str) -> Panel:
        for panel in self.panels:
            if panel.key == key:
                return panel
        raise UnknownMeasurement(f"No panel called {key!r} in the catalogue")

    def prompts_for(self, values: Mapping[str, float]) -> list[SafetyPrompt]:
        """The safety prompts these readings trigger, e.g. {"systolic_bp": 185, ...}."""
        return [prompt for prompt in self.very_high if prompt.is_triggered_by(values)]


@functools.cache
def catalogue() -> Catalogue:
    """The catalogue from resources/catalogue.toml, read once per process."""
    return load_catalogue(resource("catalogue.toml"))


def status_for(
    mtype: MeasurementType,
    value: float,
    *,
    age: int | None = None,
    hypo_risk: bool = False,
    sex: str | None = None,
    personal_target: Threshold | float | None = None,
) -> Status:
    """Where a value stands against the person's target.

    A personal target replaces the guideline's (e.g. a relaxed HbA1c for frailty). Given as a
    plain number it keeps the guideline's direction, inclusiveness and close margin.
    """
    threshold = _personal_threshold(mtype, personal_target)
    if threshold is None:
        if mtype.target is None:
            return Status.NO_TARGET
        threshold = mtype.target.target_for(age, hypo_risk=hypo_risk, sex=sex)
    return threshold.status(value)


def worst_status(statuses: Iterable[Status]) -> Status:
    """One status for a reading made of several values (BP): the worst part decides."""
    order = [Status.OFF_TARGET, Status.CLOSE, Status.ON_TARGET]
    found = set(statuses)
    for status in order:
        if status in found:
            return status
    return Status.NO_TARGET


def _personal_threshold(
    mtype: MeasurementType, personal: Threshold | float | None
) -> Threshold | None:
    if personal is None or isinstance(personal, Threshold):
        return personal
    if (
        isinstance(personal, bool)
        or not isinstance(personal, int | float)
        or not math.isfinite(personal)
    ):
        raise InvalidInput(f"{mtype.label}: a personal target must be a number", field=mtype.label)
    if mtype.target is None or mtype.target.direction == "range":
        raise InvalidInput(
            f"{mtype.label}: has no single default direction, so give the personal target "
            "as a level below or above",
            field=mtype.label,
        )
    base = mtype.target
    if base.direction == "below":
        return Threshold.below(personal, inclusive=base.inclusive, close_margin=base.close_margin)
    return Threshold.above(personal, inclusive=base.inclusive, close_margin=base.close_margin)


def _is_female(sex: str | None) -> bool:
    return sex is not None and sex.strip().lower() in {"f", "female"}


def _number(value: float) -> str:
    return f"{value:g}"


def _with_unit(text: str, unit: str) -> str:
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


# --- reading the TOML -------------------------------------------------------------------------

_MEASUREMENT_FIELDS = {
    "label",
    "snomed_code",
    "snomed_term",
    "snomed_confirmed",
    "snomed_source",
    "snomed_also_used",
    "loinc",
    "unit",
    "ucum",
    "decimals",
    "hard_min",
    "hard_max",
    "warn_min",
    "warn_max",
    "warn_low_label",
    "warn_high_label",
    "limits_source",
    "better",
    "derived",
    "derived_from",
    "target",
    "stale_after_days",
    "stale_reason",
}
_TARGET_FIELDS = {
    "below",
    "above",
    "inclusive",
    "close_margin",
    "source",
    "below_if_hypo_risk",
    "older_from_age",
    "below_if_older",
    "above_if_female",
}
_PANEL_FIELDS = {
    "label",
    "snomed_code",
    "snomed_term",
    "snomed_confirmed",
    "snomed_source",
    "loinc",
    "components",
}
_BETTER = {"lower", "higher", "in_range", "neither"}


def load_catalogue(path: Path) -> Catalogue:
    """Read and check a catalogue file; CatalogueError names the entry and field at fault."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    types = tuple(
        _measurement(key, _table(entry, f"measurements.{key}"))
        for key, entry in _table(data.get("measurements"), "measurements").items()
    )
    keys = {mtype.key for mtype in types}
    for mtype in types:
        for part in mtype.derived_from:
            if part not in keys:
                raise CatalogueError(f"measurements.{mtype.key}.derived_from: unknown {part!r}")
    panels = tuple(
        _panel(key, _table(entry, f"panels.{key}"), keys)
        for key, entry in _table(data.get("panels", {}), "panels").items()
    )
    prompts = tuple(
        _prompt(key, _table(entry, f"very_high.{key}"), keys)
        for key, entry in _table(data.get("very_high", {}), "very_high").items()
    )
    return Catalogue(types=types, panels=panels, very_high=prompts)


class _Entry:
    """Typed access to one TOML table, with errors that say which field is wrong."""

    def __init__(self, where: str, table: dict[str, Any], allowed: set[str]) -> None:
        unknown = set(table) - allowed
        if unknown:
            raise CatalogueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        self.where = where
        self.table = table

    def _get(self, name: str, required: bool) -> Any:
        if name not in self.table:
            if required:
                raise CatalogueError(f"{self.where}: missing {name}")
            return None
        return self.table[name]

    def text(self, name: str, required: bool = True) -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise CatalogueError(f"{self.where}.{name}: must be text")
        return value

    def required_text(self, name: str) -> str:
        value = self.text(name)
        assert value is not None
        if not value.strip():
            raise CatalogueError(f"{self.where}.{name}: must not be empty")
        return value

    def number(self, name: str, required: bool = True) -> float | None:
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CatalogueError(f"{self.where}.{name}: must be a number")
        return float(value)

    def required_number(self, name: str) -> float:
        value = self.number(name)
        assert value is not None
        return value

    def integer(self, name: str) -> int:
        value = self._get(name, True)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise CatalogueError(f"{self.where}.{name}: must be a whole number, 0 or more")
        return value

    def flag(self, name: str) -> bool:
        value = self._get(name, True)
        if not isinstance(value, bool):
            raise CatalogueError(f"{self.where}.{name}: must be true or false")
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        value = self._get(name, False)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise CatalogueError(f"{self.where}.{name}: must be a list of text")
        return tuple(value)


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CatalogueError(f"{where}: missing or not a table")
    return value


def _measurement(key: str, table: dict[str, Any]) -> MeasurementType:
    where = f"measurements.{key}"
    entry = _Entry(where, table, _MEASUREMENT_FIELDS)
    code = entry.text("snomed_code") or None
    confirmed = entry.flag("snomed_confirmed")
    if code is None and confirmed:
        raise CatalogueError(f"{where}: snomed_confirmed is true but there is no snomed_code")
    if code is not None and not code.isdigit():
        raise CatalogueError(f"{where}.snomed_code: a SNOMED CT id is digits only")
    hard_min = entry.required_number("hard_min")
    hard_max = entry.required_number("hard_max")
    warn_min = entry.number("warn_min", required=False)
    warn_max = entry.number("warn_max", required=False)
    if not hard_min < hard_max:
        raise CatalogueError(f"{where}: hard_min must be below hard_max")
    for name, warn in (("warn_min", warn_min), ("warn_max", warn_max)):
        if warn is not None and not hard_min <= warn <= hard_max:
            raise CatalogueError(f"{where}.{name}: must lie within the hard limits")
    better = entry.required_text("better")
    if better not in _BETTER:
        raise CatalogueError(f"{where}.better: must be one of {', '.join(sorted(_BETTER))}")
    target_table = table.get("target")
    target = (
        _target(f"{where}.target", _table(target_table, f"{where}.target"))
        if (target_table is not None)
        else None
    )
    return MeasurementType(
        key=key,
        label=entry.required_text("label"),
        snomed_code=code,
        snomed_term=entry.text("snomed_term") or None,
        snomed_confirmed=confirmed,
        snomed_source=entry.required_text("snomed_source"),
        snomed_also_used=entry.texts("snomed_also_used"),
        loinc=entry.text("loinc", required=False) or None,
        unit=entry.required_text("unit"),
        ucum=entry.required_text("ucum"),
        decimals=entry.integer("decimals"),
        hard_min=hard_min,
        hard_max=hard_max,
        warn_min=warn_min,
        warn_max=warn_max,
        warn_low_label=entry.text("warn_low_label", required=False) or "unusually low",
        warn_high_label=entry.text("warn_high_label", required=False) or "unusually high",
        limits_source=entry.required_text("limits_source"),
        better=cast(Better, better),  # checked against _BETTER above
        derived=entry.text("derived", required=False) or None,
        derived_from=entry.texts("derived_from"),
        target=target,
        stale_after_days=entry.integer("stale_after_days"),
        stale_reason=entry.required_text("stale_reason"),
    )


def _target(where: str, table: dict[str, Any]) -> Target:
    entry = _Entry(where, table, _TARGET_FIELDS)
    below = entry.number("below", required=False)
    above = entry.number("above", required=False)
    if below is None and above is None:
        raise CatalogueError(f"{where}: give below, above or both")
    if below is not None and above is not None and above > below:
        raise CatalogueError(f"{where}: above must not be higher than below")
    direction: Direction = (
        "range"
        if below is not None and above is not None
        else "below"
        if below is not None
        else "above"
    )
    older_from_age = entry.number("older_from_age", required=False)
    below_if_older = entry.number("below_if_older", required=False)
    if (older_from_age is None) != (below_if_older is None):
        raise CatalogueError(f"{where}: older_from_age and below_if_older go together")
    hypo = entry.number("below_if_hypo_risk", required=False)
    if (hypo is not None or below_if_older is not None) and below is None:
        raise CatalogueError(f"{where}: below_if_... variants need a below level")
    female = entry.number("above_if_female", required=False)
    if female is not None and above is None:
        raise CatalogueError(f"{where}: above_if_female needs an above level")
    close_margin = entry.required_number("close_margin")
    if close_margin < 0:
        raise CatalogueError(f"{where}.close_margin: cannot be negative")
    return Target(
        direction=direction,
        below=below,
        above=above,
        inclusive=entry.flag("inclusive"),
        close_margin=close_margin,
        source=entry.required_text("source"),
        below_if_hypo_risk=hypo,
        older_from_age=int(older_from_age) if older_from_age is not None else None,
        below_if_older=below_if_older,
        above_if_female=female,
    )


def _panel(key: str, table: dict[str, Any], known: set[str]) -> Panel:
    where = f"panels.{key}"
    entry = _Entry(where, table, _PANEL_FIELDS)
    components = entry.texts("components")
    if not components:
        raise CatalogueError(f"{where}.components: list the measurements in the panel")
    for component in components:
        if component not in known:
            raise CatalogueError(f"{where}.components: unknown measurement {component!r}")
    return Panel(
        key=key,
        label=entry.required_text("label"),
        snomed_code=entry.required_text("snomed_code"),
        snomed_term=entry.required_text("snomed_term"),
        snomed_confirmed=entry.flag("snomed_confirmed"),
        snomed_source=entry.required_text("snomed_source"),
        loinc=entry.text("loinc", required=False) or None,
        components=components,
    )


def _prompt(key: str, table: dict[str, Any], known: set[str]) -> SafetyPrompt:
    where = f"very_high.{key}"
    descriptive = {"label", "inclusive", "message", "source"}
    measures = sorted(set(table) - descriptive)
    entry = _Entry(where, table, descriptive | set(measures))
    thresholds: list[tuple[str, float]] = []
    for name in measures:
        if name not in known:
            raise CatalogueError(f"{where}: unknown measurement {name!r}")
        thresholds.append((name, entry.required_number(name)))
    if not thresholds:
        raise CatalogueError(f"{where}: give at least one measurement threshold")
    return SafetyPrompt(
        key=key,
        label=entry.required_text("label"),
        thresholds=tuple(thresholds),
        inclusive=entry.flag("inclusive"),
        message=entry.required_text("message"),
        source=entry.required_text("source"),
    )
