"""Staff professions (resources/professions.toml): what the record shows beside a name.

Permissions come from the role (core/roles.py); the profession only says who someone is.
"""

import tomllib
from dataclasses import dataclass
from functools import cache

from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.schema import Role, StaffUser
from groupclinic_desktop.resources import resource

ROLE_WORDS = {
    Role.FACILITATOR: "facilitator",
    Role.CLINICIAN: "clinician",
    Role.ADMIN: "admin",
    Role.CO_FACILITATOR: "co-facilitator",
}


@dataclass(frozen=True)
class Profession:
    key: str
    label: str
    short: str
    aliases: tuple[str, ...] = ()


@cache
def professions() -> dict[str, Profession]:
    data = tomllib.loads(resource("professions.toml").read_text(encoding="utf-8"))
    return {
        p["key"]: Profession(
            p["key"], p["label"], p.get("short", p["label"]), tuple(p.get("aliases", ()))
        )
        for p in data["professions"]
    }


def check(key: str | None) -> str | None:
    """A profession key as given, or InvalidInput naming the field; None means not recorded."""
    if key is None or not str(key).strip():
        return None
    wanted = str(key).strip()
    known = professions()
    if wanted in known:
        return wanted
    for p in known.values():  # the label as shown on screens, or another usual word for it
        words = (p.key.replace("_", " "), p.label, p.short, *p.aliases)
        if wanted.casefold() in {w.casefold() for w in words}:
            return p.key
    raise InvalidInput(
        f"Profession: '{wanted}' is not one of the professions in resources/professions.toml.",
        field="Profession",
    )


def label(key: str | None, role: Role | None = None) -> str:
    """The profession's words; the role's word when none was recorded."""
    if key and key in professions():
        return professions()[key].short
    return ROLE_WORDS.get(role, "") if role is not None else ""


def name_with_profession(user: StaffUser | None, profession: str | None = None) -> str:
    """"Dr Priya Shah (GP)": a staff name as every screen and document shows it."""
    if user is None:
        return ""
    words = label(profession or user.profession, user.role)
    return f"{user.name} ({words})" if words else user.name
