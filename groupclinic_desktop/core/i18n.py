"""The group's language: patient-facing words in English, Polish, Urdu … from Qt catalogues.

One catalogue per language (resources/i18n/<code>.ts, Qt Linguist format, compiled to .qm) serves
both sides: the presenter view looks words up through a QTranslator loaded from the .qm
(ui/translation.py), and the PDFs read the .ts directly with xml.etree (core and export/ never
import Qt). English is the source
language: the text in MESSAGES below and in resources/plain_labels.toml is the English wording
and also the key each translation is found by.

Staff screens stay in English with clinical terms; only what the group sees is translated.
Importing this module does not import Qt.
"""

from __future__ import annotations

import functools
import re
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.resources import resource

CONTEXT = "patient"  # the one Qt translation context for everything the group sees
SOURCE_LANGUAGE = "en"
REVIEW_NOTE = "{name} translation: needs review by a native speaker."

# Every patient-facing sentence, in English. A translation is found by this exact text, so a
# change here needs the same change in each .ts (installers/build_translations.py --add-missing).
MESSAGES: tuple[str, ...] = (
    # presenter view and room PDF
    "Group results board",
    "Session paused",
    "Group",
    "✓ on target    ~ close    ! off target    stale = an old reading",
    "on target",
    "close",
    "off target",
    "stale",
    "no set target",
    "none yet",
    "{n} of {total}",
    "{n} more people here today are not shown.",
    "Names only for people who agreed to share.",
    "{n} not shown",
    # targets in words (core.catalogue.Threshold.describe)
    "below {level}",
    "above {level}",
    "{level} or below",
    "{level} or above",
    "{low} to {high}",
    "between {low} and {high}",
    "top {top}, bottom {bottom}",
    "target {level}",
    # each person's own hand-out
    "My numbers: {name}",
    "{title}, {day}. This sheet is private: it is yours.",
    "What",
    "My number",
    "My target",
    "How it is going",
    "up {change} since last time",
    "down {change} since last time",
    "same as last time",
    "{change} since last time",
    "My goal",
    "How sure I am: {n} out of 10",
    "My numbers over time",
    "No numbers yet",
    # the progress PDF
    "My progress: {name}",
    "{programme}. Sessions I came to: {n}. This sheet is private: it is yours.",
    "At the start",
    "Now",
    "Change",
    "up {change}",
    "down {change}",
    "no change",
    "No numbers recorded yet.",
    "My goals",
    "{day}: {goal}{outcome}. How sure I was: {n} out of 10.",
    "achieved",
    "partly achieved",
    "not yet",
    "changed the goal",
    "The shaded band is my target, where there is one.",
    # the person's own copy of their care and support plan (export/care_plan_pdf.py)
    "My care and support plan: {name}",
    "{programme}. This plan is yours: keep it with you.",
    "What matters to me",
    "Things we agreed to do",
    "Who: {owner}. By: {day}.",
    "done",
    "Support and people I can contact",
    "If things get worse",
    "My next review",
    "Plan updated {day}.",
    "working on it",
    "changed",
    "stopped",
    "Community connection",
    "Carer",
    "Contact",
    # dates
    "{weekday} {day} {month} {year}",
    "{day} {month} {year}",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1
    name: str  # in English, for staff screens
    native: str  # in the language itself, for the picker
    rtl: bool
    script: str  # "latin", "arabic": which fonts the PDFs embed

    @property
    def is_source(self) -> bool:
        return self.code == SOURCE_LANGUAGE


@functools.cache
def languages() -> tuple[Language, ...]:
    """The shipped languages, English first (resources/i18n/languages.toml)."""
    with resource("i18n/languages.toml").open("rb") as handle:
        data = tomllib.load(handle)
    return tuple(
        Language(
            code=str(entry["code"]),
            name=str(entry["name"]),
            native=str(entry.get("native") or entry["name"]),
            rtl=entry.get("direction", "ltr") == "rtl",
            script=str(entry.get("script", "latin")),
        )
        for entry in data.get("language", [])
    )


def normalise(text: str | None) -> str | None:
    """A shipped language's code from "pl", "PL", "pl-PL", "pl_PL" or "Polish"; else None."""
    if not text:
        return None
    wanted = text.strip().replace("_", "-").split("-")[0].lower()
    for lang in languages():
        if wanted in (lang.code, lang.name.lower(), lang.native.lower()):
            return lang.code
    return None


def language(code: str) -> Language:
    found = normalise(code)
    if found is None:
        shipped = ", ".join(f"{lang.name} ({lang.code})" for lang in languages())
        raise InvalidInput(
            f"Language: '{code}' is not one we have a translation for ({shipped}).",
            field="Language",
        )
    return next(lang for lang in languages() if lang.code == found)


def ts_path(code: str) -> Path:
    return resource(f"i18n/{code}.ts")


def qm_path(code: str) -> Path:
    return resource(f"i18n/{code}.qm")


def plain_label_sources() -> list[str]:
    """The practice's plain labels (resources/plain_labels.toml): source strings too."""
    with resource("plain_labels.toml").open("rb") as handle:
        data = tomllib.load(handle)
    return [str(v) for table in data.values() if isinstance(table, dict) for v in table.values()]


def source_strings() -> list[str]:
    """Every patient-facing English string a translation must cover, each once."""
    found = [*plain_label_sources(), *MESSAGES, *WEEKDAYS, *MONTHS]
    return list(dict.fromkeys(found))


@functools.cache
def catalogue(code: str) -> Mapping[str, str]:
    """A language's finished translations from its .ts file: English source -> translation."""
    path = ts_path(code)
    if code == SOURCE_LANGUAGE or not path.exists():
        return {}
    root = ET.parse(path).getroot()
    found: dict[str, str] = {}
    for context in root.iter("context"):
        if (context.findtext("name") or "") != CONTEXT:
            continue
        for message in context.iter("message"):
            source = message.findtext("source")
            translation = message.find("translation")
            if source is None or translation is None or translation.get("type"):
                continue  # "unfinished", "obsolete" and "vanished" are not shown
            if translation.text:
                found[source] = translation.text
    return found


# ------------------------------------------------------------------------------- words


_TARGET_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^between (?P<low>.+) and (?P<high>.+)$"), "between {low} and {high}"),
    (re.compile(r"^(?P<low>\S+) to (?P<high>.+)$"), "{low} to {high}"),
    (re.compile(r"^at or below (?P<level>.+)$"), "{level} or below"),
    (re.compile(r"^below (?P<level>.+)$"), "below {level}"),
    (re.compile(r"^above (?P<level>.+)$"), "above {level}"),
    (re.compile(r"^(?P<level>.+) or below$"), "{level} or below"),
    (re.compile(r"^(?P<level>.+) or above$"), "{level} or above"),
)


@dataclass
class Words:
    """Translates the group's words into one language; English passes through unchanged.

    `missing` collects any English text asked for that the catalogue lacks (it is then shown in
    English), so a test can prove a whole PDF was covered.
    """

    code: str = SOURCE_LANGUAGE
    lookup: Callable[[str], str] | None = None
    confirmed: bool = True
    missing: set[str] = field(default_factory=set)

    @property
    def language(self) -> Language:
        return language(self.code)

    @property
    def rtl(self) -> bool:
        return self.language.rtl

    @property
    def is_source(self) -> bool:
        return self.code == SOURCE_LANGUAGE

    def __call__(self, text: str, **values: Any) -> str:
        found = text
        if not self.is_source and text:
            translated = self.lookup(text) if self.lookup else ""
            if translated:
                found = translated
            else:
                self.missing.add(text)
        return found.format(**values) if values else found

    def target(self, text: str) -> str:
        """A target in words ("below 140/90 mmHg", "48 to 58 mmol/mol") in this language."""
        if self.is_source or not text:
            return text
        if " and " in text and not text.startswith("between "):
            return " / ".join(self.target(part) for part in text.split(" and "))
        for pattern, message in _TARGET_PATTERNS:
            match = pattern.match(text)
            if match:
                return self(message, **match.groupdict())
        return self(text)

    def day(self, day: date, *, weekday: bool = False) -> str:
        """ "Monday 23 November 2026" (weekday=True) or "23 November 2026", in this language."""
        values = {"day": day.day, "month": self(MONTHS[day.month - 1]), "year": day.year}
        if weekday:
            name = self(WEEKDAYS[day.weekday()])
            return self("{weekday} {day} {month} {year}", weekday=name, **values)
        return self("{day} {month} {year}", **values)

    @property
    def review_note(self) -> str:
        """The small-print warning for an unconfirmed translation; "" for English or confirmed."""
        if self.is_source or self.confirmed:
            return ""
        return REVIEW_NOTE.format(name=self.language.name)


ENGLISH = Words()


def words(code: str | None, *, confirmed: bool = True) -> Words:
    """Words for PDFs, from the .ts catalogue (English when code is None or English)."""
    chosen = language(code).code if code else SOURCE_LANGUAGE
    table = catalogue(chosen)
    return Words(chosen, lookup=lambda text: table.get(text, ""), confirmed=confirmed)
