"""The published dataset's lists and the catalogue's hard limits, as the service enforces them.

Read from resources/ (monitoring/dataset.toml and catalogue.toml) so that what IG leads and
clinicians review is exactly what the service applies; nothing here imports the desktop app.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from icb_service.resources import resource


@dataclass(frozen=True)
class MeasureRule:
    unit: str  # as sent: the catalogue's unit in plain ASCII
    hard_min: float
    hard_max: float


@dataclass(frozen=True)
class Rules:
    programme_keys: frozenset[str]
    phase_keys: frozenset[str]
    measures: MappingProxyType[str, MeasureRule]
    max_body_bytes: int
    max_seq: int
    past_days: int  # no date may be older than this before receipt
    occurred_future_days: int  # occurred_at and taken_on: clock skew allowed
    session_future_days: int  # sessions are planned ahead
    # protocol version -> the last day (UTC) batches of that older version are accepted
    retiring_protocol_versions: MappingProxyType[int, Any]


def _load(*parts: str) -> dict[str, Any]:
    with resource(*parts).open("rb") as handle:
        return tomllib.load(handle)


@cache
def rules() -> Rules:
    data = _load("monitoring", "dataset.toml")
    catalogue = _load("catalogue.toml")["measurements"]
    measures = {
        key: MeasureRule(
            unit=str(unit),
            hard_min=float(catalogue[key]["hard_min"]),
            hard_max=float(catalogue[key]["hard_max"]),
        )
        for key, unit in data["measure_units"].items()
    }
    dates = data["dates"]
    return Rules(
        programme_keys=frozenset(data["programmes"]["keys"]),
        phase_keys=frozenset(data["phases"]["keys"]),
        measures=MappingProxyType(measures),
        max_body_bytes=int(data["dataset"]["max_body_bytes"]),
        max_seq=int(data["dataset"]["max_seq"]),
        past_days=int(dates["past_days"]),
        occurred_future_days=int(dates["occurred_future_days"]),
        session_future_days=int(dates["session_future_days"]),
        retiring_protocol_versions=MappingProxyType(
            {int(k): v for k, v in data["dataset"].get("accepted_until", {}).items()}
        ),
    )
