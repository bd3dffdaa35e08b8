"""Importing a cohort from a GP system's search export (EMIS Web or SystmOne CSV).

The import is three steps, so a person can look before anything is written:
  1. `read_csv` reads the file and `recognise` maps its columns to what they hold (spellings in
     resources/cohort_headers.toml; a practice's own choices are remembered by the Clinic).
  2. `check` validates every row (NHS number check digit, dates, plausible values from the
     catalogue, required columns) and gives the valid rows and a report of the problems: the row
     as numbered in the file (the header line counts), the column, the value and the reason.
  3. `Clinic.import_cohort_file` (the facade's cohort import area) refuses the whole file while
     any row is invalid, unless `valid_rows_only`, in which case the rejected rows go to a CSV to
     fix (`write_rejected`). The writing itself is one transaction, which can report progress and
     be cancelled.

This module is pure: reading, recognising, checking and matching rows; it reads no store.

No Qt here. Problems name values because the admin must find them in their own file; they are
for the screen or terminal only and are never logged.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from groupclinic_desktop.core import text_checks, validation
from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.errors import InvalidInput, NeedsConfirmation
from groupclinic_desktop.core.schema import Sex
from groupclinic_desktop.resources import resource

Progress = Callable[[int, int], None]  # (rows done, rows in all)


class Stage(StrEnum):
    """What a running import is doing, for a progress display: only WRITING counts rows."""

    CHECKING = "checking"  # every row checked again, as it is about to be written
    COPYING = "copying"  # the safety copy of the store as it was
    WRITING = "writing"  # rows written (progress counts them); Cancel undoes all of it
    SAVING = "saving"  # the commit: durable on disk, past the point of cancelling


Stages = Callable[[Stage], None]

IGNORED = ""  # the mapping target of a column that is not imported
RESULT = "result:"  # "result:hba1c" = the value column of a result
RESULT_DATE = "date:"  # "date:hba1c" = its date column
BLOOD_PRESSURE = "blood_pressure"
HEADER_SEARCH_LINES = 20  # exports may start with a title or the search's criteria
_TIME_SUFFIX = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2})?$")  # "01/03/1960 00:00" from a spreadsheet
_MOBILE = re.compile(r"07\d{9}")


# --- what a column can hold ---------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Something a column can be mapped to: a person's detail, a result's value or its date."""

    key: str
    label: str
    required: bool = False


@cache
def _headers() -> dict[str, Any]:
    with resource("cohort_headers.toml").open("rb") as handle:
        return tomllib.load(handle)


def normalise(title: str) -> str:
    """A column title reduced to lower-case letters and digits: "NHS No." -> "nhsno"."""
    return "".join(ch for ch in title.lower() if ch.isalnum())


@cache
def targets() -> tuple[Target, ...]:
    """Every target in the order the mapping screen lists them."""
    data = _headers()
    found = [
        Target(key, str(spec["label"]), bool(spec.get("required", False)))
        for key, spec in data["fields"].items()
    ]
    for key in data["results"]:
        label = _result_label(key)
        found.append(Target(RESULT + key, label))
        found.append(Target(RESULT_DATE + key, f"{label} date"))
    return tuple(found)


def target(key: str) -> Target:
    for t in targets():
        if t.key == key:
            return t
    raise InvalidInput(f"Column mapping: '{key}' is not something a column can hold")


def _result_label(key: str) -> str:
    return "Blood pressure" if key == BLOOD_PRESSURE else catalogue().get(key).label


@cache
def _synonyms() -> dict[str, str]:
    data = _headers()
    found: dict[str, str] = {}
    for key, spec in data["fields"].items():
        for title in [key, spec["label"], *spec["synonyms"]]:
            found.setdefault(normalise(title), key)
    for key, spec in data["results"].items():
        for title in spec["value"]:
            found.setdefault(normalise(title), RESULT + key)
        for title in spec["date"]:
            found.setdefault(normalise(title), RESULT_DATE + key)
    return found


def recognise(headers: Sequence[str], remembered: Mapping[str, str] | None = None) -> list[str]:
    """The target of each column ("" = not imported), from the practice's remembered choices,
    then the known spellings, then position (a bare "Date" after a result is its date).

    A target claimed twice keeps its first column; the later one is left unmapped.
    """
    remembered = remembered or {}
    counts = Counter(h.strip() for h in headers)
    after_result = {normalise(t) for t in _headers()["date_after_result"]["synonyms"]}
    known = {t.key for t in targets()}
    mapping: list[str] = []
    for index, header in enumerate(headers):
        title = header.strip()
        choice = IGNORED
        if counts[title] == 1 and title in remembered and remembered[title] in known | {IGNORED}:
            choice = remembered[title]
        elif normalise(title) in _synonyms():
            choice = _synonyms()[normalise(title)]
        elif normalise(title) in after_result and index and mapping[-1].startswith(RESULT):
            choice = RESULT_DATE + mapping[-1][len(RESULT) :]
        if choice and choice in mapping:
            choice = IGNORED
        mapping.append(choice)
    return mapping


def mapping_problems(mapping: Sequence[str]) -> list[str]:
    """What stops a mapping from being used: a missing required column, a result without its
    date column (results are only stored with the date they were taken), or the reverse."""
    chosen = set(mapping)
    problems = [
        f"No column holds the {t.label}, which is needed for every person."
        for t in targets()
        if t.required and t.key not in chosen
    ]
    for key in _headers()["results"]:
        label = _result_label(key)
        if RESULT + key in chosen and _date_target(key, chosen) not in chosen:
            problems.append(f"{label} has no date column; choose its date column or ignore it.")
        halves = {RESULT + half for half in BP_HALVES}
        if RESULT_DATE + key in chosen and RESULT + key not in chosen and not (
            key == SHARED_BP and chosen & halves
        ):
            problems.append(f"{label} date has no {label} column to go with it.")
    doubles = [key for key, n in Counter(k for k in mapping if k).items() if n > 1]
    problems += [f"Two columns are both mapped to {target(k).label}." for k in doubles]
    return problems


# EMIS cohort searches often give "Systolic BP", "Diastolic BP" and one "BP Date": the blood
# pressure date column then serves both halves, whose own date columns are absent.
SHARED_BP = "blood_pressure"
BP_HALVES = ("systolic_bp", "diastolic_bp")


def _date_target(key: str, chosen: set[str] | Mapping[str, int]) -> str:
    """The date column target that dates a result: its own, or the shared blood pressure date."""
    own = RESULT_DATE + key
    if key in BP_HALVES and own not in chosen and RESULT_DATE + SHARED_BP in chosen:
        return RESULT_DATE + SHARED_BP
    return own


def unrecognised(headers: Sequence[str], mapping: Sequence[str]) -> list[str]:
    """Titles of non-empty columns that nothing recognised (the mapping screen asks about them)."""
    return [h for h, m in zip(headers, mapping, strict=True) if h.strip() and not m]


# --- reading the file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortFile:
    """A search export as read: the header row and each later row with its line in the file."""

    path: Path | None
    headers: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]

    def column_samples(self, index: int, count: int = 3) -> list[str]:
        found = [cells[index] for _, cells in self.rows if index < len(cells) and cells[index]]
        return found[:count]


def read_csv(path: Path | str) -> CohortFile:
    """Read an export; UTF-8 (with or without BOM) or, failing that, Windows-1252 as older
    exports are."""
    path = Path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return read_text(text, path)


def read_text(text: str, path: Path | None = None) -> CohortFile:
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    records: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                records.append((reader.line_num, [c.strip() for c in cells]))
    except csv.Error as exc:
        # A cell longer than the csv module's limit (131,072 characters), or a broken quote.
        reason = (
            "a cell is far too long for a search export (over 131,072 characters)"
            if "field larger" in str(exc)
            else "it is not a readable CSV file"
        )
        raise InvalidInput(
            f"Cohort file: line {reader.line_num + 1}: {reason}; nothing was imported.",
            field="Cohort file",
        ) from None
    if not records:
        raise InvalidInput("Cohort file: the file is empty", field="Cohort file")
    header_at = 0
    for i, (_, cells) in enumerate(records[:HEADER_SEARCH_LINES]):
        if any(_synonyms().get(normalise(c)) == "nhs_number" for c in cells):
            header_at = i
            break
    header_line, headers = records[header_at]
    return CohortFile(path, headers, header_line, records[header_at + 1 :])


# --- checking rows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One refused value: the row as numbered in the file (header line included), the column's
    title, the value and the reason."""

    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        value = f"'{self.value}'" if self.value else "(empty)"
        return f"Row {self.line}, column '{self.column}', value {value}: {self.reason}"


@dataclass(frozen=True)
class Result:
    """A latest result from the GP record with the date it was taken."""

    key: str
    value: float
    taken_on: date
    reading: int | None = None  # systolic and diastolic from one reading share a number
    unusual: bool = False  # outside the catalogue's warning limits (accepted: it is on record)


@dataclass(frozen=True)
class CohortRow:
    """One person from the export, every value checked. None = the file does not say."""

    line: int
    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: Sex | None = None
    mobile: str | None = None
    preferred_name: str | None = None
    ethnic_category: str | None = None
    imd_decile: int | None = None
    imd_quintile: int | None = None
    preferred_language: str | None = None
    interpreter_needed: bool | None = None
    is_carer: bool | None = None
    results: tuple[Result, ...] = ()
    registered_ods: str | None = None  # the registered practice's ODS code


UNCHECKED_ROWS_SHOWN = 10


@dataclass
class CohortCheck:
    """The file, its mapping, the rows that passed and the problems with the rest."""

    file: CohortFile
    mapping: list[str]
    rows: list[CohortRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    mapping_problems: list[str] = field(default_factory=list)
    # Ignored columns that hold values: (title, how many values, first rows), named in the report
    # so that ignoring a column is never a silent way round a row's checks.
    unchecked: list[tuple[str, int, list[int]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.mapping_problems

    @property
    def rejected_lines(self) -> list[int]:
        return sorted({p.line for p in self.problems})

    @property
    def total_rows(self) -> int:
        return len(self.file.rows)

    def report(self, limit: int | None = 50) -> str:
        """The validation report as plain lines, for the terminal or a message box."""
        lines: list[str] = []
        if self.mapping_problems:
            lines.append("The columns cannot be used as they are:")
            lines += [f"  {p}" for p in self.mapping_problems]
            return "\n".join(lines)
        rejected = len(self.rejected_lines)
        lines.append(
            f"{self.total_rows} row(s) read: {len(self.rows)} valid, {rejected} with problems."
        )
        shown = self.problems if limit is None else self.problems[:limit]
        lines += [f"  {p}" for p in shown]
        if len(shown) < len(self.problems):
            lines.append(f"  ... and {len(self.problems) - len(shown)} more problem(s).")
        if self.unchecked:
            lines.append("Not checked and not imported (the column is ignored):")
            for title, count, rows in self.unchecked:
                where = ", ".join(str(r) for r in rows[:UNCHECKED_ROWS_SHOWN])
                more = " ..." if count > len(rows[:UNCHECKED_ROWS_SHOWN]) else ""
                lines.append(f"  column '{title}': {count} value(s), on rows {where}{more}")
        return "\n".join(lines)


def check(
    cohort: CohortFile,
    mapping: Sequence[str] | None = None,
    *,
    today: date | None = None,
    members: Collection[str] | None = None,
) -> CohortCheck:
    """Validate every row against the mapping (recognised from the headers when not given).

    `members`: the ODS codes of the store's member practices; a row registered elsewhere is
    refused like any other bad value.
    """
    mapping = list(mapping) if mapping is not None else recognise(cohort.headers)
    if len(mapping) != len(cohort.headers):
        raise InvalidInput("Column mapping: it does not have one entry per column")
    result = CohortCheck(cohort, mapping, mapping_problems=mapping_problems(mapping))
    if result.mapping_problems:
        return result
    today = today or date.today()
    columns = {key: i for i, key in enumerate(mapping) if key}
    for index, (title, key) in enumerate(zip(cohort.headers, mapping, strict=True)):
        if key or not title.strip():
            continue
        rows = [line for line, cells in cohort.rows if index < len(cells) and cells[index].strip()]
        if rows:
            result.unchecked.append((title, len(rows), rows))
    first_seen: dict[str, int] = {}
    for line, cells in cohort.rows:
        row, problems = _check_row(line, cells, cohort.headers, columns, today)
        if row is not None and row.nhs_number in first_seen:
            column = cohort.headers[columns["nhs_number"]]
            problems.append(
                Problem(
                    line,
                    column,
                    cells[columns["nhs_number"]],
                    f"NHS number: this person is already on row {first_seen[row.nhs_number]}",
                )
            )
        if row is not None and members is not None:
            problems += _not_member(line, cells, cohort.headers, columns, row, members)
        if problems:
            result.problems += problems
            continue
        assert row is not None
        first_seen[row.nhs_number] = line
        result.rows.append(row)
    return result


def _check_row(
    line: int,
    cells: list[str],
    headers: list[str],
    columns: dict[str, int],
    today: date,
) -> tuple[CohortRow | None, list[Problem]]:
    problems: list[Problem] = []

    def cell(key: str) -> str:
        index = columns.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def read(key: str, parse: Callable[[str], Any]) -> Any:
        text = cell(key)
        try:
            return parse(text)
        except (InvalidInput, NeedsConfirmation) as exc:
            problems.append(Problem(line, headers[columns[key]], text, str(exc)))
            return None

    nhs_number = read("nhs_number", validation.parse_nhs_number)
    for index, text in enumerate(cells):
        # A NUL anywhere in the row refuses the row, the column named (never stored).
        if text_checks.has_nul(text):
            where = headers[index] if index < len(headers) else f"column {index + 1}"
            problems.append(Problem(line, where, "", f"{where}: contains a NUL character"))
    given = read("given_name", lambda t: text_checks.parse_name(t, "First name"))
    family = read("family_name", lambda t: text_checks.parse_name(t, "Surname"))
    preferred = (
        read(
            "preferred_name",
            lambda t: text_checks.parse_name(t, "Preferred name", required=False),
        )
        if "preferred_name" in columns
        else None
    )
    born = read("date_of_birth", lambda t: validation.parse_date_of_birth(_date_text(t), today))
    sex = read("sex", _sex) if "sex" in columns else None
    mobile = read("mobile", _mobile) if "mobile" in columns else None
    ethnic = read("ethnic_category", _ethnic) if "ethnic_category" in columns else None
    imd = read("imd_decile", _imd) if "imd_decile" in columns else None
    interpreter = read("interpreter_needed", _yes_no) if "interpreter_needed" in columns else None
    quintile = read("imd_quintile", _quintile) if "imd_quintile" in columns else None
    carer = read("is_carer", _yes_no) if "is_carer" in columns else None
    practice = read("registered_practice", _ods) if "registered_practice" in columns else None
    results: list[Result] = []
    for key in _headers()["results"]:
        if RESULT + key not in columns:
            continue
        dated_by = _date_target(key, columns)
        value_text, date_text = cell(RESULT + key), cell(dated_by)
        if not value_text and not date_text:
            continue
        if not value_text and dated_by != RESULT_DATE + key:
            continue  # a shared date with no value of this half: the other half uses it
        taken = read(dated_by, functools.partial(_taken_on, key=key, today=today))
        found = read(RESULT + key, functools.partial(_result_values, key))
        if taken is not None and found is not None and born is not None and taken < born:
            problems.append(
                Problem(
                    line,
                    headers[columns[dated_by]],
                    date_text,
                    f"{_result_label(key)} date: is before the date of birth",
                )
            )
            continue
        if taken is not None and found is not None:
            results += [Result(k, v, taken, None, unusual) for k, v, unusual in found]
    if problems:
        return None, problems
    return (
        CohortRow(
            line=line,
            nhs_number=nhs_number,
            given_name=given,
            family_name=family,
            date_of_birth=born,
            sex=sex,
            mobile=mobile,
            preferred_name=preferred,
            ethnic_category=ethnic,
            imd_decile=imd,
            imd_quintile=quintile,
            preferred_language=cell("preferred_language") or None,
            interpreter_needed=interpreter,
            is_carer=carer,
            results=_pair_blood_pressure(results),
            registered_ods=practice,
        ),
        problems,
    )


def _ods(text: str) -> str | None:
    code = text.strip().upper()
    if not code:
        return None
    if not code.isalnum() or not 3 <= len(code) <= 10:
        raise InvalidInput(f"Registered practice: '{text}' is not an ODS code")
    return code


def _not_member(
    line: int,
    cells: list[str],
    headers: list[str],
    columns: dict[str, int],
    row: CohortRow,
    members: Collection[str],
) -> list[Problem]:
    """A registered practice that is not a member practice here, as a row problem."""
    if row.registered_ods is None or row.registered_ods in members:
        return []
    index = columns["registered_practice"]
    reason = f"Registered practice: {row.registered_ods} is not a member practice here"
    return [Problem(line, headers[index], cells[index], reason)]


def _required(text: str, label: str) -> str:
    if not text:
        raise InvalidInput(f"{label}: must not be empty", field=label)
    return text


def _date_text(text: str) -> str:
    return _TIME_SUFFIX.sub("", text.strip())


def _sex(text: str) -> Sex | None:
    if not text:
        return None
    word = text.strip().lower()
    for value, spellings in _headers()["sex_values"].items():
        if word in spellings:
            return Sex(value)
    raise InvalidInput(f"Sex: '{text}' is not female, male, other or unknown", field="Sex")


def _mobile(text: str) -> str | None:
    """A UK mobile as 11 digits starting 07 (the form batch-messaging tools take)."""
    if not text:
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.strip().startswith("+44") or (digits.startswith("44") and len(digits) == 12):
        digits = "0" + digits[2:]
    if not _MOBILE.fullmatch(digits):
        raise InvalidInput(
            "Mobile: is not a UK mobile number (11 digits starting 07)", field="Mobile"
        )
    return digits


def _ethnic(text: str) -> str | None:
    if not text:
        return None
    codes: dict[str, str] = _headers()["ethnic_categories"]
    word = text.strip()
    if word.upper() in codes:
        return word.upper()
    for code, title in codes.items():
        if normalise(title) == normalise(word):
            return code
    raise InvalidInput(
        "Ethnic category: not an NHS Data Dictionary ethnic category code (A to Z, or 99) "
        "or its title",
        field="Ethnic category",
    )


def _imd(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 10:
        raise InvalidInput("IMD decile: must be a whole number from 1 to 10", field="IMD decile")
    return int(text)


def _quintile(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 5:
        raise InvalidInput("IMD quintile: must be a whole number from 1 to 5", field="IMD quintile")
    return int(text)


def _yes_no(text: str) -> bool | None:
    if not text:
        return None
    word = text.strip().lower()
    answers = _headers()["yes_no"]
    if word in answers["yes"]:
        return True
    if word in answers["no"]:
        return False
    raise InvalidInput("Interpreter needed: answer yes or no", field="Interpreter needed")


# A GP search dates most results alike: each distinct (text, measure, day) is read once a file.
@functools.lru_cache(maxsize=4096)
def _taken_on(text: str, key: str, today: date) -> date:
    label = f"{_result_label(key)} date"
    if not text:
        raise InvalidInput(f"{label}: a result needs the date it was taken", field=label)
    taken = validation.parse_date(_date_text(text), label)
    if taken > today:
        raise InvalidInput(f"{label}: is after today", field=label)
    return taken


# GP results repeat (an HbA1c is a whole number between about 30 and 150): each distinct
# (measure, cell) is parsed once; a refusal is not remembered, so every bad cell is reported.
@functools.lru_cache(maxsize=8192)
def _result_values(key: str, text: str) -> tuple[tuple[str, float, bool], ...]:
    """(measurement key, value, unusual) for one result cell; blood pressure gives two."""
    if not text:
        raise InvalidInput(f"{_result_label(key)}: the date is given but the value is empty")
    if key == BLOOD_PRESSURE:
        (systolic, diastolic), unusual = _unusual_kept(
            lambda confirmed: validation.parse_blood_pressure(text, confirmed=confirmed)
        )
        return (("systolic_bp", systolic, unusual), ("diastolic_bp", diastolic, unusual))
    value, unusual = _unusual_kept(
        lambda confirmed: validation.parse_measurement(key, text, confirmed=confirmed)
    )
    return ((key, value, unusual),)


_Parsed = TypeVar("_Parsed")


def _unusual_kept(parse: Callable[[bool], _Parsed]) -> tuple[_Parsed, bool]:
    """The value and whether it is beyond the warning limits: a GP-record value there is on
    record already, so it is kept, marked. Parsed once for the usual value (a bulk import reads
    tens of thousands); the parsers refuse before they ask, so the refusals are the same."""
    try:
        return parse(False), False
    except NeedsConfirmation:
        return parse(True), True


def _pair_blood_pressure(results: list[Result]) -> tuple[Result, ...]:
    """Systolic and diastolic taken on one day are one reading, as check-in stores them."""
    by_key = {r.key: r for r in results}
    systolic, diastolic = by_key.get("systolic_bp"), by_key.get("diastolic_bp")
    if systolic is None or diastolic is None or systolic.taken_on != diastolic.taken_on:
        return tuple(results)
    paired = []
    for r in results:
        if r.key in ("systolic_bp", "diastolic_bp"):
            r = Result(r.key, r.value, r.taken_on, 1, systolic.unusual or diastolic.unusual)
        paired.append(r)
    return tuple(paired)


# --- importing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """What one import changed. A cancelled import changed nothing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    enrolled: int = 0
    measurements_added: int = 0
    measurements_already_held: int = 0
    patient_ids: tuple[int, ...] = ()
    cancelled: bool = False

    def summary(self) -> str:
        if self.cancelled:
            return "Import cancelled: nothing was changed."
        return (
            f"{self.created} new, {self.updated} updated and {self.unchanged} unchanged "
            f"person(s); {self.enrolled} newly enrolled; {self.measurements_added} result(s) "
            f"added from the GP record ({self.measurements_already_held} already held)."
        )


@dataclass(frozen=True)
class ImportOutcome:
    """The check, what was written (None when the file was refused) and the rejected-rows file."""

    check: CohortCheck
    result: ImportResult | None
    rejected_file: Path | None = None

    @property
    def refused_anything(self) -> bool:
        return not self.check.ok or self.result is None or self.result.cancelled


def rejected_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}-rejected.csv")


def write_rejected(result: CohortCheck, to: Path) -> Path:
    """The rejected rows as they were in the file, each with its problems in a last column."""
    reasons: dict[int, list[str]] = {}
    for p in result.problems:
        reasons.setdefault(p.line, []).append(f"{p.column}: {p.reason}")
    to.parent.mkdir(parents=True, exist_ok=True)
    with to.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Row in original file", *result.file.headers, "Problems"])
        for line, cells in result.file.rows:
            if line in reasons:
                writer.writerow([line, *cells, "; ".join(reasons[line])])
    return to


def parse_mapping_file(path: Path) -> dict[str, str]:
    """A mapping given on the command line: a CSV of "column title,target" lines, or TOML
    `"column title" = "target"`. Targets are keys such as nhs_number or result:hba1c.

    A file that is missing, not text, malformed or without a target for each title is refused
    with one line saying why (InvalidInput, field "Mapping file")."""

    def refuse(reason: str) -> InvalidInput:
        return InvalidInput(f"Mapping file: {path.name}: {reason}", field="Mapping file")

    path = Path(path)
    if not path.is_file():
        raise refuse("there is no such file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise refuse(f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    if b"\x00" in raw:
        raise refuse("it is not a text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse("it is not a text file in UTF-8") from None
    pairs: dict[str, str] = {}
    if path.suffix.lower() == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise refuse(f"it is not valid TOML ({exc})") from None
        for title, value in data.items():
            if not isinstance(value, str):
                raise refuse(f"column '{title}' must be mapped to a target name in quotes")
            pairs[str(title)] = value
    else:
        try:
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error:
            raise refuse("it is not a readable CSV file") from None
        for number, row in enumerate(rows, start=1):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < 2 or not row[1].strip():
                raise refuse(
                    f"line {number} has no target: each line is \"column title,target\""
                )
            if len(row) > 2 and any(cell.strip() for cell in row[2:]):
                raise refuse(f"line {number} has more than two values")
            pairs[row[0].strip()] = row[1].strip()
    if not pairs:
        raise refuse("it maps no columns")
    known = {t.key for t in targets()} | {IGNORED, "ignore"}
    for title, key in pairs.items():
        if key not in known:
            raise InvalidInput(
                f"Mapping file: column '{title}' is mapped to '{key}', which is not one of "
                f"{', '.join(t.key for t in targets())} or ignore",
                field="Mapping file",
            )
    return {title: (IGNORED if key == "ignore" else key) for title, key in pairs.items()}
