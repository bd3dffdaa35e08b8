"""Exponential backoff with full jitter, kept in the store so it survives a restart.

Full jitter (a random wait between 0 and the exponential ceiling) spreads many laptops' retries
out after an ICB outage instead of having them all knock at once.
"""

import random
import time
from dataclasses import dataclass
from typing import Any


@dataclass
class Backoff:
    base: float = 2.0  # seconds: the ceiling after the first failure
    cap: float = 900.0  # seconds: never wait longer than this between tries (15 minutes)
    failures: int = 0
    not_before: float = (
        0.0  # wall-clock (epoch) seconds; wall-clock so it means something after a restart
    )

    def ceiling(self) -> float:
        return min(self.cap, self.base * (2 ** min(self.failures, 30)))

    def failed(
        self, *, retry_after: float | None = None, now: float | None = None, rng: Any = random
    ) -> float:
        """Count a failure; the seconds to wait (never less than the server's Retry-After)."""
        self.failures += 1
        delay = rng.uniform(0.0, self.ceiling())
        if retry_after is not None:
            delay = max(delay, float(retry_after))
        self.not_before = (time.time() if now is None else now) + delay
        return delay

    def succeeded(self) -> None:
        self.failures = 0
        self.not_before = 0.0

    def wait_left(self, now: float | None = None) -> float:
        return max(0.0, self.not_before - (time.time() if now is None else now))

    def to_dict(self) -> dict[str, Any]:
        return {"failures": self.failures, "not_before": self.not_before}

    @classmethod
    def from_dict(
        cls, data: dict[str, Any] | None, *, base: float = 2.0, cap: float = 900.0
    ) -> "Backoff":
        data = data or {}
        return cls(
            base=base,
            cap=cap,
            failures=int(data.get("failures", 0) or 0),
            not_before=float(data.get("not_before", 0.0) or 0.0),
        )
