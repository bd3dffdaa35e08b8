"""The one rule: which target applies to a person, and where a value stands against it.

Every screen, print and event that speaks of "on target", "close" or "off target" asks here, so
the board, the one-to-one page, progress, outcomes, the exports and the monitoring event can
never disagree (resources/monitoring/dataset.toml: the event's status is the board's).

The order of precedence, as a clinician would apply it:
1. the person's own (personal) target, set by a clinician, keeping the guideline's inclusiveness
   and "close" margin;
2. else the programme's target for the measure (its overrides of the catalogue), with the
   guideline's variants for this person: a relaxed level from age 80 (or the catalogue's age),
   for hypoglycaemia risk, and a different level for women (HDL);
3. else no target.
Pure: no store, no Qt; the caller passes what it knows of the person.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from groupclinic_desktop.core.catalogue import (
    Direction,
    MeasurementType,
    Status,
    Target,
    Threshold,
    catalogue,
    worst_status,
)

__all__ = [
    "ANYONE",
    "Person",
    "PersonalLevel",
    "Status",
    "age_on",
    "personal_levels",
    "programme_target",
    "reading_status",
    "status_of",
    "threshold_for",
]


class _PersonalRow(Protocol):
    """A stored personal target (schema.PersonalTarget) or anything shaped like one."""

    patient_id: int
    type_key: str
    below: float | None
    above: float | None


@dataclass(frozen=True)
class PersonalLevel:
    """A clinician's own level for one person and one measure: on target below and/or above."""

    below: float | None = None
    above: float | None = None


@dataclass(frozen=True)
class Person:
    """What the rule needs to know of someone on the day a value was taken."""

    age: int | None = None  # None: unknown, so the stricter under-age level applies
    sex: str | None = None  # "female", "male", "other", "unknown"
    hypo_risk: bool = False
    personal: Mapping[str, PersonalLevel] = field(default_factory=dict)
    born: date | None = None  # kept so that as_on() can give the age on another day

    def as_on(self, day: date) -> Person:
        """The same person on another day: a value is judged by the age on the day it was taken."""
        if self.born is None:
            return self
        return dataclasses.replace(self, age=age_on(self.born, day))

    @classmethod
    def on(
        cls,
        day: date,
        *,
        born: date | None,
        sex: Any = None,
        hypo_risk: bool = False,
        personal: Mapping[str, PersonalLevel] | None = None,
    ) -> Person:
        """The person as they were on `day` (their age then); sex may be a Sex enum or text."""
        sex_text = getattr(sex, "value", sex)
        return cls(
            age=age_on(born, day) if born is not None else None,
            sex=str(sex_text) if sex_text is not None else None,
            hypo_risk=bool(hypo_risk),
            personal=dict(personal or {}),
            born=born,
        )


ANYONE = Person()  # the default person: the column's headline target on the board


def age_on(born: date, day: date) -> int:
    """Whole years of age on `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def personal_levels(rows: Iterable[_PersonalRow]) -> dict[int, dict[str, PersonalLevel]]:
    """Active personal targets by person and measure; give them oldest first, the newest wins."""
    found: dict[int, dict[str, PersonalLevel]] = defaultdict(dict)
    for row in rows:
        found[row.patient_id][row.type_key] = PersonalLevel(below=row.below, above=row.above)
    return dict(found)


def programme_target(mtype: MeasurementType, programme: Mapping[str, Any] | None) -> Target | None:
    """The catalogue target with the programme's overrides (same field names) applied."""
    fields = ((programme or {}).get("targets") or {}).get(mtype.key)
    base = mtype.target
    if not fields:
        return base
    known = {f.name for f in dataclasses.fields(Target)}
    changes = {k: v for k, v in fields.items() if k in known}
    if base is None:
        base = Target(
            direction="below", below=None, above=None, inclusive=True, close_margin=0.0, source=""
        )
    merged = dataclasses.replace(base, **changes)
    direction: Direction
    if merged.below is not None and merged.above is not None:
        direction = "range"
    elif merged.below is not None:
        direction = "below"
    elif merged.above is not None:
        direction = "above"
    else:
        return None
    return dataclasses.replace(merged, direction=direction)


def threshold_for(
    measure: str | MeasurementType,
    person: Person = ANYONE,
    programme: Mapping[str, Any] | None = None,
) -> Threshold | None:
    """The level that applies to this person for this measure, or None without a target."""
    mtype = catalogue().get(measure) if isinstance(measure, str) else measure
    target = programme_target(mtype, programme)
    own = person.personal.get(mtype.key)
    if own is not None and (own.below is not None or own.above is not None):
        try:
            return Threshold(
                low=own.above,
                high=own.below,
                inclusive=target.inclusive if target else True,
                close_margin=target.close_margin if target else 0.0,
            )
        except ValueError:
            pass  # a contradictory personal level (low above high): the guideline's applies
    if target is None:
        return None
    return target.target_for(person.age, hypo_risk=person.hypo_risk, sex=person.sex)


def status_of(
    measure: str | MeasurementType,
    value: float,
    person: Person = ANYONE,
    programme: Mapping[str, Any] | None = None,
) -> Status:
    """Where one value stands for this person: on target, close, off target or no target."""
    threshold = threshold_for(measure, person, programme)
    return Status.NO_TARGET if threshold is None else threshold.status(value)


def reading_status(statuses: Iterable[Status]) -> Status:
    """One status for a reading of several values (blood pressure): the worse half decides."""
    found = list(statuses)
    return found[0] if len(found) == 1 else worst_status(found)
