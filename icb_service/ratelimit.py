"""A token bucket per access token, kept in the database so it holds across worker processes.

It protects the service from a runaway sync loop or a token being hammered. Each check is one
short transaction that locks the token's bucket row (FOR UPDATE on PostgreSQL; SQLite's
BEGIN IMMEDIATE serialises writers already), so two workers can never both spend the last token.
A new token's bucket is made with INSERT ... ON CONFLICT DO NOTHING, so the first requests of a
token arriving together neither fail nor leave a duplicate-key error in the database's log.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from sqlalchemy import Engine, text
from sqlmodel import Session, select

from icb_service.models import RateBucket


class RateLimiter:
    """Allows `per_minute` requests a minute per key, with bursts up to `burst`.

    per_minute <= 0 switches limiting off.
    """

    def __init__(
        self,
        engine: Engine,
        per_minute: float,
        burst: int | None = None,
        clock: Callable[[], float] = time.time,  # wall time: shared by every process
    ) -> None:
        self.engine = engine
        self.per_second = per_minute / 60.0
        self.capacity = float(burst if burst is not None else max(1, math.ceil(per_minute)))
        self._clock = clock

    @property
    def enabled(self) -> bool:
        return self.per_second > 0

    def wait_needed(self, key: str) -> int | None:
        """None when the request may go ahead, else whole seconds to wait (for Retry-After)."""
        if not self.enabled:
            return None
        return self._take(key)

    def _take(self, key: str) -> int | None:
        now = self._clock()
        with Session(self.engine) as session:
            session.connection().execute(
                text(
                    "INSERT INTO rate_bucket (token_sha256, tokens, updated_at) "
                    "VALUES (:key, :full, :now) ON CONFLICT (token_sha256) DO NOTHING"
                ),
                {"key": key, "full": self.capacity, "now": now},
            )
            bucket = session.exec(
                select(RateBucket).where(RateBucket.token_sha256 == key).with_for_update()
            ).one()
            # A clock a little behind another worker's must not mint tokens or take them away.
            elapsed = max(0.0, now - bucket.updated_at)
            tokens = min(self.capacity, bucket.tokens + elapsed * self.per_second)
            wait: int | None = None
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = max(1, math.ceil((1.0 - tokens) / self.per_second))
            bucket.tokens = tokens
            bucket.updated_at = max(now, bucket.updated_at)
            session.commit()
        return wait
