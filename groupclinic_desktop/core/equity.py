"""A person's equity fields: ethnic category, deprivation, language, interpreter and carer.

Every field is optional and None means "not stated" - a real answer, never an error. The lists
people choose from are data (resources/ethnic_categories.toml, preferred_languages.toml).
No Qt here: the details dialog and the facade both check values through `clean_details`.
"""

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

from groupclinic_desktop.core import validation
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.resources import resource

_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
_MOBILE = re.compile(r"\+?[0-9 ]{10,16}")


@dataclass(frozen=True)
class EthnicCategory:
    code: str
    group: str
    label: str

    @property
    def title(self) -> str:
        return f"{self.group}: {self.label}" if self.group != "Not stated" else self.label


@dataclass(frozen=True)
class Language:
    code: str
    name: str


@cache
def ethnic_categories() -> tuple[EthnicCategory, ...]:
    with resource("ethnic_categories.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return tuple(
        EthnicCategory(str(c["code"]), str(c["group"]), str(c["label"])) for c in data["category"]
    )


@cache
def languages() -> tuple[Language, ...]:
    with resource("preferred_languages.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return tuple(Language(str(lang["code"]), str(lang["name"])) for lang in data["language"])


def ethnic_title(code: str | None) -> str:
    if not code:
        return "Not stated"
    for category in ethnic_categories():
        if category.code == code:
            return category.title
    return code


def language_name(code: str | None) -> str:
    if not code:
        return "Not stated"
    for language in languages():
        if language.code == code:
            return language.name
    return code


def imd_quintile_of(decile: int | None, quintile: int | None) -> int | None:
    """The quintile to report: from the decile when known (1-2 -> 1 ... 9-10 -> 5)."""
    if decile is not None:
        return (decile + 1) // 2
    return quintile


# Fields update_patient_details accepts; anything else is refused by name.
DETAIL_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "mobile",
    "ethnic_category",
    "imd_decile",
    "imd_quintile",
    "preferred_language",
    "interpreter_needed",
    "is_carer",
)


def clean_details(fields: dict[str, Any]) -> dict[str, Any]:
    """Checked values for the given fields; raises InvalidInput naming the field and reason.

    Empty text means "not stated" (None) for the optional fields; names cannot be emptied.
    A decile and a quintile together must agree, because reports use both.
    """
    from groupclinic_desktop.core.schema import Sex

    unknown = sorted(set(fields) - set(DETAIL_FIELDS))
    if unknown:
        raise InvalidInput(f"Details: '{unknown[0]}' is not a detail that can be changed here.")
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("given_name", "family_name"):
            label = "First name" if name == "given_name" else "Surname"
            text = str(value or "").strip()
            if not text:
                raise InvalidInput(f"{label}: must not be empty.", field=label)
            out[name] = text
        elif name == "preferred_name":
            out[name] = str(value or "").strip() or None
        elif name == "date_of_birth":
            out[name] = validation.parse_date_of_birth(value)
        elif name == "sex":
            try:
                out[name] = Sex(str(value or "unknown").strip().lower())
            except ValueError:
                allowed = ", ".join(s.value for s in Sex)
                raise InvalidInput(
                    f"Sex: '{value}' is not one of {allowed}.", field="Sex"
                ) from None
        elif name == "mobile":
            text = str(value or "").strip()
            if text and not _MOBILE.fullmatch(text):
                raise InvalidInput(
                    f"Mobile: '{text}' is not a phone number (10 to 16 digits).", field="Mobile"
                )
            out[name] = text or None
        elif name == "ethnic_category":
            out[name] = _ethnic(value)
        elif name == "imd_decile":
            out[name] = _whole(value, "IMD decile", 10)
        elif name == "imd_quintile":
            out[name] = _whole(value, "IMD quintile", 5)
        elif name == "preferred_language":
            out[name] = _language(value)
        else:
            out[name] = _tri_state(value, "Interpreter needed" if "interp" in name else "Carer")
    decile, quintile = out.get("imd_decile"), out.get("imd_quintile")
    if decile is not None and quintile is not None and imd_quintile_of(decile, None) != quintile:
        raise InvalidInput(
            f"IMD quintile: {quintile} does not match decile {decile} "
            f"(decile {decile} is quintile {imd_quintile_of(decile, None)}).",
            field="IMD quintile",
        )
    return out


def _ethnic(value: Any) -> str | None:
    text = str(value or "").strip().upper()
    if not text:
        return None
    if text not in {c.code for c in ethnic_categories()}:
        raise InvalidInput(
            f"Ethnic category: '{text}' is not an NHS Data Dictionary ethnic category code "
            "(A to S, Z or 99).",
            field="Ethnic category",
        )
    return text


def _whole(value: Any, label: str, top: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"{label}: must be a whole number from 1 to {top}.", field=label)
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= top:
        raise InvalidInput(f"{label}: '{text}' is not a whole number from 1 to {top}.", field=label)
    return int(text)


def _language(value: Any) -> str | None:
    text = str(value or "").strip().lower()
    if not text:
        return None
    for language in languages():
        if text in (language.code, language.name.lower()):
            return language.code
    if not _LANGUAGE_CODE.fullmatch(text):
        raise InvalidInput(
            f"Preferred language: '{text}' is not an ISO 639 language code (e.g. pl, ur, bn).",
            field="Preferred language",
        )
    return text


def _tri_state(value: Any, label: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("", "not stated", "not_stated"):
        return None
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    raise InvalidInput(f"{label}: answer yes, no or not stated (not '{value}').", field=label)
