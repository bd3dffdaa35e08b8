"""How long the one-to-one appointment usually is that a review in a group clinic replaces.

The default per programme is data (resources/monitoring/appointments.toml, with its source or
marked "ours"); a practice may set its own figure on the programme. The session event carries
the figure in use (protocol 3), so the ICB's "clinician time released" uses the practice's own.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.resources import resource

FIELD = "Usual appointment minutes"
KEY = "usual_appointment_minutes"  # in a programme's definition
LOWEST, HIGHEST = 1, 120  # as the protocol allows


@dataclass(frozen=True)
class UsualMinutes:
    minutes: int
    status: str  # "sourced" or "ours"
    source: str

    def words(self) -> str:
        """The default as the admin sees it beside the setting."""
        where = self.source if self.status == "sourced" else (
            "our own figure, a reasonable booking length, not a published one"
        )
        return f"{self.minutes} minutes ({where})"


@cache
def _table() -> dict[str, Any]:
    with resource("monitoring", "appointments.toml").open("rb") as handle:
        return tomllib.load(handle)


def default_for(programme_key: str | None) -> UsualMinutes:
    table = _table()
    base = table["default"]
    found = table.get("programmes", {}).get(programme_key or "", {})
    status = str(found.get("status", base["status"]))
    source = str(found.get("source", base["source"] if status == "sourced" else ""))
    return UsualMinutes(int(found.get("minutes", base["minutes"])), status, source)


def checked(value: Any) -> int | None:
    """The practice's own figure as a whole number of minutes (None: use the default), or
    InvalidInput naming the field and the reason."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise InvalidInput(f"{FIELD}: '{text}' is not a whole number of minutes.", field=FIELD)
    try:
        minutes = int(float(text)) if isinstance(value, float) else int(text)
    except ValueError:
        raise InvalidInput(
            f"{FIELD}: '{text}' is not a whole number of minutes.", field=FIELD
        ) from None
    if not LOWEST <= minutes <= HIGHEST:
        raise InvalidInput(
            f"{FIELD}: {minutes} is outside {LOWEST}-{HIGHEST} minutes "
            "(a one-to-one appointment is at most two hours).",
            field=FIELD,
        )
    return minutes


def in_use(definition: Mapping[str, Any] | None) -> int:
    """The figure a programme's sessions send: the practice's own, else the default."""
    definition = definition or {}
    own = definition.get(KEY)
    if isinstance(own, int) and not isinstance(own, bool) and LOWEST <= own <= HIGHEST:
        return own
    return default_for(definition.get("key")).minutes
