"""Questionnaires asked at check-in, and how their answers become scores.

The instruments themselves (items, options, conversion tables, sources, licences) are data in
resources/questionnaires/*.toml; this module only knows the scoring kinds:

- ``sum_then_table``: every item answered on the shared options; the raw total is converted with
  the instrument's table (SWEMWBS raw 7-35 -> metric score).
- ``single_value``: one number, which is the score (confidence 0-10, active minutes a week).
- ``recorded``: values produced elsewhere by a licensed tool, checked and passed through (PAM).
- ``choice``: one option; the option's ``score`` (if it has one) is the rating (experience).
- ``sum_then_bands``: every item answered on the shared options; the total is the score and the
  instrument's published bands name its severity (PHQ-9 0-27, GAD-7 0-21).

An instrument may also save single answers as catalogue measures (``item_measurements``), so the
red-flag table can raise them (PHQ-9 item 9, thoughts of self-harm).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

from groupclinic_desktop.core.errors import InvalidInput, NotFound
from groupclinic_desktop.resources import resource

Answer = int | float | str | None

SCORING_KINDS = ("sum_then_table", "single_value", "recorded", "choice", "sum_then_bands")
ITEM_KINDS = ("option", "integer", "number")


@dataclass(frozen=True)
class Option:
    """One answer a person can choose. ``value`` is what is stored; ``score`` what it counts."""

    value: int
    label: str
    score: int | None
    positive: bool = False


@dataclass(frozen=True)
class Item:
    """One question. Option items use the questionnaire's options; the others take a number."""

    id: str
    label: str
    prompt: str
    kind: str = "option"
    min: float | None = None
    max: float | None = None
    decimals: int = 0


@dataclass(frozen=True)
class Band:
    """A published band of totals, e.g. PHQ-9 10-14 "moderate" (both ends included)."""

    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Questionnaire:
    key: str
    short_title: str
    title: str
    plain_label: str  # what the patient sees, e.g. "Mood score"
    items: tuple[Item, ...]
    options: tuple[Option, ...]
    scoring: str
    source: str
    licence: str
    note: str = ""
    label_format: str = "{value:g}"
    conversion: Mapping[int, float] = field(default_factory=lambda: MappingProxyType({}))
    measurement: str | None = None  # the catalogue measurement this answer also feeds
    value_item: str | None = None
    level_item: str | None = None
    bands: tuple[Band, ...] = ()
    # item id -> catalogue measure that single answer is also saved as (for red flags)
    item_measurements: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def band_for(self, total: float) -> Band | None:
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        return None

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise NotFound(f"{self.short_title} has no item '{item_id}'")


@dataclass(frozen=True)
class Score:
    """The result of scoring one person's answers. ``reason`` says why there is no score."""

    value: float | None
    raw: float | None
    label: str
    complete: bool
    reason: str | None = None
    level: int | None = None  # PAM level as recorded; None for other questionnaires
    band: str | None = None  # the published severity band (PHQ-9, GAD-7); None for others


NOT_SCORED = "Not scored"


@cache
def questionnaires() -> dict[str, Questionnaire]:
    """Every questionnaire in resources/questionnaires, by key."""
    found: dict[str, Questionnaire] = {}
    for path in sorted(resource("questionnaires").glob("*.toml")):
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        questionnaire = _questionnaire_from_toml(data, path.name)
        if questionnaire.key != path.stem:
            raise InvalidInput(
                f"{path.name}: key '{questionnaire.key}' does not match the file name", field="key"
            )
        found[questionnaire.key] = questionnaire
    return found


def get(key: str) -> Questionnaire:
    try:
        return questionnaires()[key]
    except KeyError:
        known = ", ".join(sorted(questionnaires()))
        raise NotFound(f"No questionnaire called '{key}' (known: {known})") from None


def score(key: str, answers: Mapping[str, Answer]) -> Score:
    """Check one person's answers and score them.

    Answers are keyed by item id. ``None`` or a blank string means not answered. Option items take
    the option's value (1-5 for SWEMWBS) or its label as printed on the form ("often"), in any case.
    Unknown items, out-of-range or unrecognised answers raise InvalidInput naming the item.
    """
    questionnaire = get(key)
    _refuse_unknown_items(questionnaire, answers)
    given = {
        item.id: _checked_answer(questionnaire, item, answers.get(item.id))
        for item in questionnaire.items
    }
    scorer = {
        "sum_then_table": _score_sum_then_table,
        "single_value": _score_single_value,
        "recorded": _score_recorded,
        "choice": _score_choice,
        "sum_then_bands": _score_sum_then_bands,
    }[questionnaire.scoring]
    return scorer(questionnaire, given)


def allowed_answers(questionnaire: Questionnaire, item: Item) -> str:
    """The allowed answers for an item, in words fit for a form hint or an error message."""
    if item.kind == "option":
        values = [option.value for option in questionnaire.options]
        labels = ", ".join(f"{o.value} {o.label.lower()}" for o in questionnaire.options)
        return f"{min(values)} to {max(values)} ({labels})"
    return f"{_number_text(item.min)} to {_number_text(item.max)}"


# --- scoring kinds -------------------------------------------------------------------------------


def _score_sum_then_table(questionnaire: Questionnaire, given: dict[str, float | None]) -> Score:
    missing = [item for item in questionnaire.items if given[item.id] is None]
    if missing:
        return _incomplete(_missing_reason(questionnaire, missing))
    chosen = [_option(questionnaire, given[item.id] or 0) for item in questionnaire.items]
    raw = sum(option.score or 0 for option in chosen)
    value = questionnaire.conversion[int(raw)]
    return Score(value, float(raw), _label(questionnaire, value, raw), complete=True)


def _score_sum_then_bands(questionnaire: Questionnaire, given: dict[str, float | None]) -> Score:
    missing = [item for item in questionnaire.items if given[item.id] is None]
    if missing:
        return _incomplete(_missing_reason(questionnaire, missing))
    chosen = [_option(questionnaire, given[item.id] or 0) for item in questionnaire.items]
    total = float(sum(option.score or 0 for option in chosen))
    band = questionnaire.band_for(total)
    assert band is not None  # _check_shape makes the bands cover every total
    label = questionnaire.label_format.format(value=total, raw=total, band=band.label)
    return Score(total, total, label, complete=True, band=band.label)


def item_measures(key: str, answers: Mapping[str, Answer]) -> dict[str, float]:
    """Single answers this instrument also saves as measures ({"phq9_item9": 2.0}); checked."""
    questionnaire = get(key)
    found: dict[str, float] = {}
    for item_id, measure in questionnaire.item_measurements.items():
        value = _checked_answer(questionnaire, questionnaire.item(item_id), answers.get(item_id))
        if value is not None:
            item = questionnaire.item(item_id)
            option = _option(questionnaire, value) if item.kind == "option" else None
            found[measure] = float(option.score if option and option.score is not None else value)
    return found


def _score_single_value(questionnaire: Questionnaire, given: dict[str, float | None]) -> Score:
    (item,) = questionnaire.items
    answer = given[item.id]
    if answer is None:
        return _incomplete(f"{questionnaire.short_title}: no answer recorded")
    return Score(answer, answer, _label(questionnaire, answer, answer), complete=True)


def _score_recorded(questionnaire: Questionnaire, given: dict[str, float | None]) -> Score:
    # Licensed tools report their parts together; half a record is a transcription slip.
    missing = [item for item in questionnaire.items if given[item.id] is None]
    if len(missing) == len(questionnaire.items):
        return _incomplete(f"{questionnaire.short_title}: nothing recorded")
    if missing:
        present = [item.label for item in questionnaire.items if item not in missing]
        needed = missing[0]
        raise InvalidInput(
            f"{needed.label}: not recorded; record it together with {' and '.join(present)}, "
            f"as the licensed tool reports them ({allowed_answers(questionnaire, needed)})",
            field=needed.id,
        )
    value = given[questionnaire.value_item or questionnaire.items[0].id]
    level_answer = given[questionnaire.level_item] if questionnaire.level_item else None
    level = int(level_answer) if level_answer is not None else None
    label = _label(questionnaire, value, None, level=level)
    return Score(value, None, label, complete=True, level=level)


def _score_choice(questionnaire: Questionnaire, given: dict[str, float | None]) -> Score:
    (item,) = questionnaire.items
    answer = given[item.id]
    if answer is None:
        return _incomplete(f"{questionnaire.short_title}: no answer recorded")
    option = _option(questionnaire, answer)
    label = _label(questionnaire, None, answer, option=option.label)
    if option.score is None:
        reason = f"{questionnaire.short_title}: '{option.label}' gives no rating"
        return Score(None, float(option.value), label, complete=True, reason=reason)
    return Score(float(option.score), float(option.value), label, complete=True)


# --- checking answers ----------------------------------------------------------------------------


def _refuse_unknown_items(questionnaire: Questionnaire, answers: Mapping[str, Answer]) -> None:
    known = {item.id for item in questionnaire.items}
    for item_id in answers:
        if item_id not in known:
            names = ", ".join(item.id for item in questionnaire.items)
            raise InvalidInput(
                f"{questionnaire.short_title}: '{item_id}' is not one of its items ({names})",
                field=str(item_id),
            )


def _checked_answer(questionnaire: Questionnaire, item: Item, answer: Answer) -> float | None:
    """The answer as a number within the item's range, or None when it was not answered."""
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return None
    where = item.label
    allowed = allowed_answers(questionnaire, item)
    if item.kind == "option":
        option = _match_option(questionnaire, answer)
        if option is None:
            raise InvalidInput(
                f"{where}: {answer!r} is not an allowed answer; choose {allowed}", field=item.id
            )
        return float(option.value)
    number = _as_number(answer)
    if number is None:
        raise InvalidInput(f"{where}: {answer!r} is not a number; enter {allowed}", field=item.id)
    if item.kind == "integer" and not number.is_integer():
        raise InvalidInput(
            f"{where}: {_number_text(number)} is not a whole number; enter {allowed}", field=item.id
        )
    if item.kind == "number" and round(number, item.decimals) != number:
        raise InvalidInput(
            f"{where}: {_number_text(number)} has more than {item.decimals} decimal place(s), "
            f"more than the tool reports",
            field=item.id,
        )
    if item.min is not None and number < item.min:
        raise InvalidInput(
            f"{where}: {_number_text(number)} is below the lowest allowed value; enter {allowed}",
            field=item.id,
        )
    if item.max is not None and number > item.max:
        raise InvalidInput(
            f"{where}: {_number_text(number)} is above the highest allowed value; enter {allowed}",
            field=item.id,
        )
    return number


def _match_option(questionnaire: Questionnaire, answer: Answer) -> Option | None:
    if isinstance(answer, str):
        text = _normalised(answer)
        for option in questionnaire.options:
            if _normalised(option.label) == text:
                return option
        number = _as_number(answer)
    else:
        number = _as_number(answer)
    if number is None or not number.is_integer():
        return None
    for option in questionnaire.options:
        if option.value == number:
            return option
    return None


def _as_number(answer: Answer) -> float | None:
    # bool is an int in Python, but True is never a sensible questionnaire answer.
    if isinstance(answer, bool) or answer is None:
        return None
    if isinstance(answer, int | float):
        number = float(answer)
    else:
        try:
            number = float(answer.strip())
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def _normalised(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").lower().split())


# --- helpers -------------------------------------------------------------------------------------


def _option(questionnaire: Questionnaire, value: float) -> Option:
    for option in questionnaire.options:
        if option.value == value:
            return option
    raise NotFound(f"{questionnaire.short_title} has no option {value:g}")


def _missing_reason(questionnaire: Questionnaire, missing: list[Item]) -> str:
    count = len(questionnaire.items)
    numbers = ", ".join(str(questionnaire.items.index(item) + 1) for item in missing)
    noun = "items" if len(missing) > 1 else "item"
    verb = "are" if len(missing) > 1 else "is"
    return (
        f"{questionnaire.short_title} needs all {count} answers; {len(missing)} {verb} missing "
        f"({noun} {numbers})"
    )


def _incomplete(reason: str) -> Score:
    return Score(None, None, NOT_SCORED, complete=False, reason=reason)


def _label(
    questionnaire: Questionnaire,
    value: float | None,
    raw: float | None,
    *,
    level: int | None = None,
    option: str = "",
) -> str:
    return questionnaire.label_format.format(
        value=value, raw=raw, level=level, option=option, band=""
    )


def _number_text(number: float | None) -> str:
    if number is None:
        return "any"
    return f"{number:g}" if not float(number).is_integer() else str(int(number))


# --- loading -------------------------------------------------------------------------------------


def _questionnaire_from_toml(data: dict, file_name: str) -> Questionnaire:
    def need(name: str) -> str:
        if name not in data:
            raise InvalidInput(f"{file_name}: '{name}' is missing", field=name)
        return str(data[name])

    scoring = need("scoring")
    if scoring not in SCORING_KINDS:
        raise InvalidInput(
            f"{file_name}: scoring '{scoring}' is not one of {', '.join(SCORING_KINDS)}",
            field="scoring",
        )
    options = tuple(
        Option(
            value=int(option["value"]),
            label=str(option["label"]),
            # Without an explicit score an option scores its value (SWEMWBS 1-5), except in a
            # choice list, where an option without a score is a non-answer such as "don't know".
            score=(
                int(option["score"])
                if "score" in option
                else (None if scoring == "choice" else int(option["value"]))
            ),
            positive=bool(option.get("positive", False)),
        )
        for option in data.get("options", [])
    )
    items = tuple(
        Item(
            id=str(item["id"]),
            label=str(item.get("label", item["id"])),
            prompt=str(item["prompt"]),
            kind=str(item.get("kind", "option")),
            min=item.get("min"),
            max=item.get("max"),
            decimals=int(item.get("decimals", 0)),
        )
        for item in data.get("items", [])
    )
    conversion_data = dict(data.get("conversion", {}))
    conversion_data.pop("source", None)
    conversion = {int(raw): float(metric) for raw, metric in conversion_data.items()}
    questionnaire = Questionnaire(
        key=need("key"),
        short_title=need("short_title"),
        title=need("title"),
        plain_label=need("plain_label"),
        items=items,
        options=options,
        scoring=scoring,
        source=need("source"),
        licence=need("licence"),
        note=str(data.get("note", "")),
        label_format=str(data.get("label_format", "{value:g}")),
        conversion=MappingProxyType(conversion),
        measurement=data.get("measurement"),
        value_item=data.get("value_item"),
        level_item=data.get("level_item"),
        bands=tuple(
            Band(low=int(b["from"]), high=int(b["to"]), label=str(b["label"]))
            for b in data.get("bands", [])
        ),
        item_measurements=MappingProxyType(
            {str(k): str(v) for k, v in dict(data.get("item_measurements", {})).items()}
        ),
    )
    _check_shape(questionnaire, file_name)
    return questionnaire


def _check_shape(questionnaire: Questionnaire, file_name: str) -> None:
    """Refuse a resource file that could not score correctly, when it is loaded."""
    if not questionnaire.items:
        raise InvalidInput(f"{file_name}: no items", field="items")
    for item in questionnaire.items:
        if item.kind not in ITEM_KINDS:
            raise InvalidInput(f"{file_name}: item {item.id} has unknown kind {item.kind}", "items")
        if item.kind == "option" and not questionnaire.options:
            raise InvalidInput(f"{file_name}: item {item.id} needs options", field="options")
        if item.kind != "option" and (item.min is None or item.max is None):
            raise InvalidInput(f"{file_name}: item {item.id} needs min and max", field="items")
    if questionnaire.scoring in ("single_value", "choice") and len(questionnaire.items) != 1:
        raise InvalidInput(f"{file_name}: {questionnaire.scoring} takes one item", field="items")
    if questionnaire.scoring == "sum_then_table":
        scores = [option.score or 0 for option in questionnaire.options]
        count = len(questionnaire.items)
        needed = set(range(min(scores) * count, max(scores) * count + 1))
        if set(questionnaire.conversion) != needed:
            raise InvalidInput(
                f"{file_name}: the conversion table must cover every raw total "
                f"{min(needed)}-{max(needed)} and nothing else",
                field="conversion",
            )
    if questionnaire.scoring == "sum_then_bands":
        scores = [option.score or 0 for option in questionnaire.options]
        count = len(questionnaire.items)
        totals = range(min(scores) * count, max(scores) * count + 1)
        for total in totals:
            if sum(1 for b in questionnaire.bands if b.low <= total <= b.high) != 1:
                raise InvalidInput(
                    f"{file_name}: the bands must cover every total {totals[0]}-{totals[-1]} "
                    f"exactly once ({total} does not)",
                    field="bands",
                )
    item_ids = {item.id for item in questionnaire.items}
    for item_id in questionnaire.item_measurements:
        if item_id not in item_ids:
            raise InvalidInput(f"{file_name}: item_measurements names '{item_id}'", "items")
    for name in ("value_item", "level_item"):
        named = getattr(questionnaire, name)
        if named is not None and named not in item_ids:
            raise InvalidInput(f"{file_name}: {name} '{named}' is not an item", field=name)
