"""Checking what people type: NHS numbers, dates and measurements.

Every refusal is an InvalidInput whose message names the field and the reason, fit to show as it
is. Unusual but possible measurements raise NeedsConfirmation instead, so the user can say "yes,
that is right". Messages never repeat an NHS number, in case they are logged, and say only as
much about a refused date as is needed to fix it.
"""

from __future__ import annotations

import calendar
import functools
import math
import operator
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from groupclinic_desktop.core.catalogue import MeasurementType, catalogue
from groupclinic_desktop.core.errors import InvalidInput, NeedsConfirmation
from groupclinic_desktop.resources import resource

NHS_NUMBER = "NHS number"
DATE_OF_BIRTH = "Date of birth"
DATE_TAKEN = "Date taken"
BLOOD_PRESSURE = "Blood pressure"
OLDEST_AGE = 120
EARLIEST_YEAR = 1900

When = TypeVar("When", bound=date)

# People paste NHS numbers from letters and spreadsheets: allow any space and any dash.
_NHS_SEPARATORS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212")
_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


# --- NHS number -------------------------------------------------------------------------------


def nhs_check_digit(first9: str) -> int | None:
    """The Modulus 11 check digit for the first nine digits, or None when it would be 10.

    NHS Data Dictionary: weight digits 1-9 by 10..2, sum, take 11 - (sum mod 11); 11 means 0
    and 10 means no valid NHS number starts with these nine digits.
    """
    if len(first9) != 9 or not _is_ascii_digits(first9):
        raise InvalidInput(
            f"{NHS_NUMBER}: the check digit needs exactly 9 digits", field=NHS_NUMBER
        )
    total = sum(map(operator.mul, map(int, first9), _NHS_WEIGHTS))  # nine digits, checked
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def parse_nhs_number(text: str) -> str:
    """The 10 digits of a valid NHS number typed with or without spaces and dashes."""
    if not isinstance(text, str):
        raise InvalidInput(f"{NHS_NUMBER}: must be typed as text", field=NHS_NUMBER)
    kept = _strip_nhs_separators(text)
    if not kept:
        raise InvalidInput(f"{NHS_NUMBER}: enter the 10-digit NHS number", field=NHS_NUMBER)
    if not _is_ascii_digits(kept):
        what = "letters" if any(ch.isalpha() for ch in kept) else "characters other than digits"
        raise InvalidInput(
            f"{NHS_NUMBER}: contains {what}; use digits only (spaces and dashes are fine)",
            field=NHS_NUMBER,
        )
    if len(kept) != 10:
        digits = "digit" if len(kept) == 1 else "digits"
        raise InvalidInput(
            f"{NHS_NUMBER}: has {len(kept)} {digits}; an NHS number has 10", field=NHS_NUMBER
        )
    check = nhs_check_digit(kept[:9])
    if check is None:
        raise InvalidInput(
            f"{NHS_NUMBER}: is not a valid NHS number: its check digit would be 10",
            field=NHS_NUMBER,
        )
    if check != int(kept[9]):
        raise InvalidInput(
            f"{NHS_NUMBER}: is not a valid NHS number: the check digit should be {check}; "
            "check each digit",
            field=NHS_NUMBER,
        )
    return kept


def format_nhs_number(text: str) -> str:
    """A valid NHS number in the 3-3-4 form used on NHS letters: "943 476 5919"."""
    digits = parse_nhs_number(text)
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def is_test_nhs_number(text: str) -> bool:
    """True for numbers in the 999 range kept for demo and test data."""
    kept = _strip_nhs_separators(text)
    return len(kept) == 10 and _is_ascii_digits(kept) and kept.startswith("999")


def _strip_nhs_separators(text: str) -> str:
    if _is_ascii_digits(text):  # most are digits only (a bulk import checks 20,000)
        return text
    return "".join(ch for ch in text if not (ch.isspace() or ch in _NHS_SEPARATORS))


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() alone would also accept "²" and digits from other scripts.
    return text.isascii() and text.isdigit()


# --- dates ------------------------------------------------------------------------------------

_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_MONTHS["sept"] = 9
# Month names are matched by our own table: strptime's %b follows the computer's locale.
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_DAY_FIRST = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})", re.ASCII)
_SHORT_YEAR = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}", re.ASCII)
_NAMED_MONTH = re.compile(
    r"(\d{1,2})(?:st|nd|rd|th)?[\s\-]*([A-Za-z]+)\.?,?[\s\-]*(\d{4})", re.ASCII
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)


def parse_date(text: str | date, field: str) -> date:
    """A date typed the UK way, day first.

    Accepts 2024-03-01, 01/03/2024, 1.3.2024, 1-Mar-2024, 01-Mar-2024, 1 March 2024 and
    20240301. Two-digit years are refused because 01/03/24 could be 1924 or 2024.
    """
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    if not isinstance(text, str):
        raise InvalidInput(f"{field}: must be typed as a date", field=field)
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidInput(f"{field}: enter a date, e.g. 01/03/2024", field=field)
    if match := _ISO.fullmatch(cleaned):
        year, month, day = (int(part) for part in match.groups())
        return _real_date(year, month, day, field)
    if match := _DAY_FIRST.fullmatch(cleaned):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
        return _real_date(year, month, day, field)
    if match := _NAMED_MONTH.fullmatch(cleaned):
        month_number = _MONTHS.get(match[2].lower())
        if month_number is None:
            raise InvalidInput(f"{field}: the month name is not one we recognise", field=field)
        return _real_date(int(match[3]), month_number, int(match[1]), field)
    if match := _COMPACT.fullmatch(cleaned):
        year, month, day = (int(part) for part in match.groups())
        return _real_date(year, month, day, field)
    if _SHORT_YEAR.fullmatch(cleaned):
        raise InvalidInput(f"{field}: give the year in full, e.g. 01/03/2024", field=field)
    raise InvalidInput(
        f"{field}: not a date we recognise; use day/month/year, e.g. 01/03/2024", field=field
    )


def _real_date(year: int, month: int, day: int, field: str) -> date:
    if year < EARLIEST_YEAR:
        raise InvalidInput(f"{field}: the year is before {EARLIEST_YEAR}", field=field)
    if not 1 <= month <= 12:
        raise InvalidInput(
            f"{field}: there is no month {month} (dates are day/month/year)", field=field
        )
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise InvalidInput(
            f"{field}: {calendar.month_name[month]} {year} has {days_in_month} days, "
            f"so day {day} does not exist",
            field=field,
        )
    return date(year, month, day)


def age_on(date_of_birth: date, on: date) -> int:
    """Age in whole years on a given day (a birthday counts from the day itself)."""
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - int(before_birthday)


def parse_date_of_birth(text: str | date, today: date | None = None) -> date:
    """A date of birth that is not in the future and gives an age of at most 120."""
    born = parse_date(text, DATE_OF_BIRTH)
    today = today or date.today()
    if born > today:
        raise InvalidInput(f"{DATE_OF_BIRTH}: is in the future", field=DATE_OF_BIRTH)
    age = age_on(born, today)
    if age > OLDEST_AGE:
        raise InvalidInput(
            f"{DATE_OF_BIRTH}: gives an age of {age}; the oldest age accepted is {OLDEST_AGE}",
            field=DATE_OF_BIRTH,
        )
    return born


def check_taken_at(taken: When, today: date | None = None) -> When:
    """Refuse a measurement dated after today; return it unchanged otherwise."""
    if not isinstance(taken, date):
        raise InvalidInput(f"{DATE_TAKEN}: must be a date", field=DATE_TAKEN)
    day = taken.date() if isinstance(taken, datetime) else taken
    today = today or date.today()
    if day > today:
        raise InvalidInput(
            f"{DATE_TAKEN}: is after today; a measurement cannot be recorded in advance",
            field=DATE_TAKEN,
        )
    return taken


# --- measurements -----------------------------------------------------------------------------

# An optional minus (to refuse it with a clear reason), a number, then whatever follows.
_NUMBER = re.compile(r"([-\u2212+]?)\s*(\d+(?:\.\d*)?|\.\d+)\s*(.*)", re.ASCII | re.DOTALL)


def parse_measurement(key: str, text: str | float, *, confirmed: bool = False) -> float:
    """A measurement value checked against the catalogue and rounded to its decimals.

    Text may end with the measurement's own unit ("82.4 kg"); any other unit is refused, so
    an HbA1c typed as "7.5%" is never read as mmol/mol. Decimal commas are refused: "1,250"
    could be a thousand and a quarter or one and a quarter, and a wrong guess is 1000 times out.
    Limits apply to the value as typed, before rounding.
    """
    mtype = catalogue().get(key)
    value = _read_number(mtype, text)
    _check_hard_limits(mtype, value)
    _check_warning_limits(mtype, value, confirmed)
    return round_to_catalogue(mtype, value)


def parse_blood_pressure(text: str, *, confirmed: bool = False) -> tuple[float, float]:
    """A blood pressure typed as one reading, "142/88", as (systolic, diastolic) in mmHg."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(
            f"{BLOOD_PRESSURE}: enter the reading as systolic/diastolic, e.g. 142/88",
            field=BLOOD_PRESSURE,
        )
    halves = text.split("/")
    if len(halves) != 2 or not halves[0].strip() or not halves[1].strip():
        raise InvalidInput(
            f"{BLOOD_PRESSURE}: enter both numbers as systolic/diastolic, e.g. 142/88",
            field=BLOOD_PRESSURE,
        )
    book = catalogue()
    systolic_type, diastolic_type = book.get("systolic_bp"), book.get("diastolic_bp")
    systolic = _read_number(systolic_type, halves[0])
    diastolic = _read_number(diastolic_type, halves[1])
    # Every refusal comes before any question, so confirming never leads to a refusal.
    _check_hard_limits(systolic_type, systolic)
    _check_hard_limits(diastolic_type, diastolic)
    if systolic <= diastolic:
        raise InvalidInput(
            f"{BLOOD_PRESSURE}: systolic must be higher than diastolic "
            f"({_plain(systolic)}/{_plain(diastolic)} mmHg); were the numbers swapped?",
            field=BLOOD_PRESSURE,
        )
    _check_warning_limits(systolic_type, systolic, confirmed)
    _check_warning_limits(diastolic_type, diastolic, confirmed)
    return round_to_catalogue(systolic_type, systolic), round_to_catalogue(
        diastolic_type, diastolic
    )


def bmi(weight_kg: float, height_cm: float, *, confirmed: bool = False) -> float:
    """Body mass index from weight and height, checked against BMI's limits and rounded.

    A BMI outside its hard limits means the weight or height was mistyped, so it is refused.
    """
    book = catalogue()
    for name, amount in (("weight", weight_kg), ("height", height_cm)):
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            raise InvalidInput(f"BMI: the {name} must be a number", field="BMI")
        if not math.isfinite(amount) or amount <= 0:
            raise InvalidInput(f"BMI: the {name} must be more than zero", field="BMI")
    mtype = book.get("bmi")
    height_m = height_cm / 100
    # Nothing was typed here, so check the rounded value that will be stored and shown.
    value = round_to_catalogue(mtype, weight_kg / (height_m * height_m))
    _check_hard_limits(mtype, value, hint="; check the weight and height")
    _check_warning_limits(mtype, value, confirmed, hint="; check the weight and height")
    return value


def round_to_catalogue(mtype: MeasurementType, value: float) -> float:
    """Round half up (not to even) to the type's decimals, as people round by hand."""
    step = Decimal(1).scaleb(-mtype.decimals)
    return float(Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP))


def _read_number(mtype: MeasurementType, text: str | float) -> float:
    label = mtype.label
    if isinstance(text, bool):
        raise InvalidInput(f"{label}: must be a number", field=label)
    if isinstance(text, int | float):
        value = float(text)
        if not math.isfinite(value):
            raise InvalidInput(f"{label}: must be a real number", field=label)
        if value < 0:
            raise InvalidInput(f"{label}: cannot be negative", field=label)
        return value
    if not isinstance(text, str):
        raise InvalidInput(f"{label}: must be a number", field=label)
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(f"{label}: enter a value", field=label)
    if "," in cleaned:
        raise InvalidInput(
            f"{label}: use a full stop for decimals and no commas, e.g. 7.5", field=label
        )
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        raise InvalidInput(f"{label}: is not a number", field=label)
    sign, number, unit = match.groups()
    if unit[:1].isdigit() or unit[:1] in {".", "-", "+"}:
        # "82.4.1" or "82 4": a mistyped number, not a unit.
        raise InvalidInput(f"{label}: is not a number", field=label)
    if unit and not _is_own_unit(mtype, unit):
        raise InvalidInput(
            f"{label}: enter the value in {mtype.unit}; other units are not converted",
            field=label,
        )
    value = float(number)
    if sign in {"-", "\u2212"} and value != 0:
        raise InvalidInput(f"{label}: cannot be negative", field=label)
    return value


def _is_own_unit(mtype: MeasurementType, typed: str) -> bool:
    return _unit_key(typed) in {_unit_key(mtype.unit), _unit_key(mtype.ucum)}


def _unit_key(unit: str) -> str:
    key = unit.lower().replace("²", "2").replace("µ", "u").replace("μ", "u")
    return "".join(key.split()).replace("[", "").replace("]", "")


def _check_hard_limits(mtype: MeasurementType, value: float, hint: str = "") -> None:
    label = mtype.label
    if value < mtype.hard_min:
        raise InvalidInput(
            f"{label}: {_shown(mtype, value)} is below the lowest plausible value "
            f"({_shown(mtype, mtype.hard_min)}){hint}",
            field=label,
        )
    if value > mtype.hard_max:
        raise InvalidInput(
            f"{label}: {_shown(mtype, value)} is above the highest plausible value "
            f"({_shown(mtype, mtype.hard_max)}){hint}",
            field=label,
        )


def _check_warning_limits(
    mtype: MeasurementType, value: float, confirmed: bool, hint: str = ""
) -> None:
    if confirmed:
        return
    label = mtype.label
    if mtype.warn_min is not None and value < mtype.warn_min:
        raise NeedsConfirmation(
            f"{label}: {_shown(mtype, value)} is {mtype.warn_low_label} "
            f"(below {_shown(mtype, mtype.warn_min)}){hint}. Is it right?",
            field=label,
        )
    if mtype.warn_max is not None and value > mtype.warn_max:
        raise NeedsConfirmation(
            f"{label}: {_shown(mtype, value)} is {mtype.warn_high_label} "
            f"(above {_shown(mtype, mtype.warn_max)}){hint}. Is it right?",
            field=label,
        )


def _plain(value: float) -> str:
    """A number as a person would write it: 300, 7.5, 0.25 (no trailing zeros)."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def _shown(mtype: MeasurementType, value: float) -> str:
    unit = mtype.unit
    return f"{_plain(value)}{unit}" if unit == "%" else f"{_plain(value)} {unit}"


# ------------------------------------------------------------------------------- big changes


@dataclass(frozen=True)
class BigChangeLimit:
    """How far a value may move from the previous one before the app asks "Is that right?"."""

    key: str
    absolute: float
    percent: float | None
    within_days: int
    source: str
    confirmed: bool


@functools.cache
def big_change_limits() -> dict[str, BigChangeLimit]:
    """The per-measure limits from resources/big_changes.toml (our design choice, cited there)."""

    with resource("big_changes.toml").open("rb") as handle:
        data = tomllib.load(handle)
    limits = {}
    for key, entry in data.items():
        catalogue().get(key)  # a misspelt measure fails loudly, naming it
        limits[key] = BigChangeLimit(
            key=key,
            absolute=float(entry["absolute"]),
            percent=float(entry["percent"]) if "percent" in entry else None,
            within_days=int(entry["within_days"]),
            source=str(entry["source"]),
            confirmed=bool(entry.get("confirmed", False)),
        )
    return limits


def check_big_change(
    key: str, value: float, previous: float | None, previous_on: date | None, taken_on: date
) -> None:
    """Ask (NeedsConfirmation) when a value moved more than its limit since the previous one."""
    limit = big_change_limits().get(key)
    if limit is None or previous is None or previous_on is None:
        return
    if abs((taken_on - previous_on).days) > limit.within_days:
        return
    change = value - previous
    if abs(change) <= limit.absolute + 1e-9:
        return
    share = abs(change) / abs(previous) * 100 if previous else math.inf
    if limit.percent is not None and share <= limit.percent:
        return
    mtype = catalogue().get(key)
    direction = "more" if change > 0 else "less"
    raise NeedsConfirmation(
        f"{mtype.label}: {_shown(mtype, value)} is {_shown(mtype, abs(round(change, 4)))} "
        f"{direction} than last time ({_shown(mtype, previous)} on {previous_on:%d %b %Y}). "
        "Is that right?",
        field=mtype.label,
    )


# The fields of a practice's consent wording (resources/consent_wording.toml) that hold text.
WORDING_TEXTS = ("title", "intro", "closing")


def check_wording(wording: Mapping[str, Any], consent_kinds: Collection[str]) -> dict[str, Any]:
    """A practice's confidentiality and consent wording, checked: only known fields, text where
    text belongs, and consents only of the kinds the store knows (`consent_kinds`)."""
    known = {*WORDING_TEXTS, "agreement", "consents"}
    unknown = set(wording) - known
    if unknown:
        raise InvalidInput(
            f"Consent wording: unknown field(s) {', '.join(sorted(unknown))}",
            field="Consent wording",
        )
    for name in WORDING_TEXTS:
        if name in wording and (not isinstance(wording[name], str) or not wording[name].strip()):
            raise InvalidInput(f"Consent wording: {name} must be text", field="Consent wording")
    agreement = wording.get("agreement", ["-"])
    if not isinstance(agreement, list) or not all(
        isinstance(a, str) and a.strip() for a in agreement
    ):
        raise InvalidInput(
            "Consent wording: agreement must be a list of statements", field="Consent wording"
        )
    consents = wording.get("consents", {})
    kinds = set(consent_kinds)
    if not isinstance(consents, Mapping) or not set(consents) <= kinds:
        raise InvalidInput(
            f"Consent wording: consents may only be {', '.join(sorted(kinds))}",
            field="Consent wording",
        )
    return {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in wording.items()}
