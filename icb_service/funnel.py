"""Funnel-plot control limits for proportions (source: resources/monitoring/funnel_plot.toml).

A practice outside the 99.8% limits differs from the whole selection by more than chance would
usually explain; inside the 95% limits it does not. Pure arithmetic, no plotting.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache

from icb_service.resources import resource


@dataclass(frozen=True)
class Limit:
    name: str  # "95%"
    z: float


@cache
def limits() -> tuple[Limit, ...]:
    with resource("monitoring", "funnel_plot.toml").open("rb") as handle:
        data = tomllib.load(handle)
    return tuple(Limit(str(item["name"]), float(item["z"])) for item in data["limits"])


def band(target: float, n: float, z: float) -> tuple[float, float]:
    """Lower and upper limit around `target` for a denominator of n, clipped to 0..1."""
    if n <= 0:
        return 0.0, 1.0
    spread = z * math.sqrt(target * (1 - target) / n)
    return max(0.0, target - spread), min(1.0, target + spread)


@cache
def _outer_then_inner() -> tuple[Limit, Limit]:
    found = sorted(limits(), key=lambda limit: limit.z)
    return found[-1], found[0]


def position(proportion: float, target: float, n: float) -> str:
    """Where a point lies, in words an analyst reads: within, or above/below which limits."""
    outer, inner = _outer_then_inner()
    if n <= 0:
        return f"within the {inner.name} limits"
    spread = math.sqrt(target * (1 - target) / n)
    for limit in (outer, inner):
        if proportion > target + limit.z * spread:
            return f"above the {limit.name} limits"
        if proportion < target - limit.z * spread:
            return f"below the {limit.name} limits"
    return f"within the {inner.name} limits"
