"""Red flags: readings the clinician must hear about before the person leaves.

The rules are data (resources/red_flags.toml), each with its source and whether the practice's
Clinical Safety Officer has confirmed it. This module only says whether a value meets a rule;
the facade keeps who acknowledged which flag, and the UI says it to the facilitator. Pure: no
store, no Qt.
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.resources import resource

TELL_CLINICIAN = "Tell the clinician now"


class RedFlagTableError(ValueError):
    """resources/red_flags.toml is incomplete or misspelt; the message says where."""


@dataclass(frozen=True)
class Rule:
    key: str
    title: str
    measures: tuple[str, ...]
    at_or_above: Mapping[str, float]
    at_or_below: Mapping[str, float]
    below: Mapping[str, float]
    say: str  # the facilitator's words to the person
    clinician: str  # what it means, for the clinician
    source: str
    confirmed: bool  # signed off by the Clinical Safety Officer

    def reason(self, key: str, value: float) -> str | None:
        """Why this value meets the rule ("180 or higher"), or None when it does not."""
        if not math.isfinite(value):
            return None
        unit = catalogue().get(key).unit
        level = self.at_or_above.get(key)
        if level is not None and value >= level:
            return f"{level:g} {unit} or higher".replace(" %", "%")
        level = self.at_or_below.get(key)
        if level is not None and value <= level:
            return f"{level:g} {unit} or lower".replace(" %", "%")
        level = self.below.get(key)
        if level is not None and value < level:
            return f"below {level:g} {unit}".replace(" %", "%")
        return None


@dataclass(frozen=True)
class Flag:
    """One value that meets one rule."""

    rule: Rule
    measure: str
    value: float
    reason: str  # "180 mmHg or higher"

    @property
    def key(self) -> str:
        return self.rule.key

    @property
    def headline(self) -> str:
        """For staff screens: "Very high blood pressure: 215 (180 mmHg or higher)"."""
        label = catalogue().get(self.measure).label
        shown = catalogue().get(self.measure).show(self.value)
        return f"{self.rule.title}: {label} {shown} ({self.reason})"


def load_rules(path: Path) -> tuple[Rule, ...]:
    """The rules from a red-flag table; a misspelt table is refused, naming the rule."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    rules = []
    known = set(catalogue().keys())
    for n, entry in enumerate(data.get("rule", []), start=1):
        where = f"red_flags rule {n} ({entry.get('key', '?')})"
        for name in ("key", "title", "measures", "say", "clinician", "source", "confirmed"):
            if name not in entry:
                raise RedFlagTableError(f"{where}: '{name}' is missing")
        measures = tuple(str(m) for m in entry["measures"])
        levels = {}
        for name in ("at_or_above", "at_or_below", "below"):
            table = {str(k): float(v) for k, v in (entry.get(name) or {}).items()}
            for key in table:
                if key not in measures:
                    raise RedFlagTableError(f"{where}: {name} names {key}, not in its measures")
            levels[name] = table
        for key in measures:
            if key not in known:
                raise RedFlagTableError(f"{where}: {key} is not in the catalogue")
            if not any(key in table for table in levels.values()):
                raise RedFlagTableError(f"{where}: {key} has no level")
        rules.append(
            Rule(
                key=str(entry["key"]),
                title=str(entry["title"]),
                measures=measures,
                at_or_above=levels["at_or_above"],
                at_or_below=levels["at_or_below"],
                below=levels["below"],
                say=str(entry["say"]),
                clinician=str(entry["clinician"]),
                source=str(entry["source"]),
                confirmed=bool(entry["confirmed"]),
            )
        )
    return tuple(rules)


@functools.cache
def rules() -> tuple[Rule, ...]:
    """The practice's red-flag rules (resources/red_flags.toml), read once per process."""
    return load_rules(resource("red_flags.toml"))


def flags_for(key: str, value: float, table: Iterable[Rule] | None = None) -> list[Flag]:
    """Every rule one value meets; a blood pressure is judged half by half."""
    found = []
    for rule in rules() if table is None else table:
        if key not in rule.measures:
            continue
        reason = rule.reason(key, value)
        if reason is not None:
            found.append(Flag(rule=rule, measure=key, value=value, reason=reason))
    return found


def flags_for_reading(values: Mapping[str, float]) -> list[Flag]:
    """Every flag of a reading ({"systolic_bp": 215, "diastolic_bp": 125}), one per rule."""
    found: dict[str, Flag] = {}
    for key, value in values.items():
        for flag in flags_for(key, value):
            found.setdefault(flag.key, flag)
    return list(found.values())
