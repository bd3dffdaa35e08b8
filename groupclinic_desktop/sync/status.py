"""The sync figures people see: the status bar, the admin screen and `groupclinic sync --status`.

All read from the store (outbox and the worker's saved state), so every view says the same.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from groupclinic_desktop.sync import config

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic


@dataclass(frozen=True)
class AttentionItem:
    uid: str
    type: str
    occurred_at: datetime
    reason: str


@dataclass(frozen=True)
class SyncStatus:
    url: str | None
    problem: str | None  # why sync cannot run (not configured, token refused...), if it cannot
    online: bool | None  # None: not tried yet
    pending: int
    oldest_pending: datetime | None
    last_success: datetime | None
    last_error: str | None
    next_attempt: datetime | None
    needs_attention: list[AttentionItem] = field(default_factory=list)

    def oldest_age(self, now: datetime | None = None) -> timedelta | None:
        if self.oldest_pending is None:
            return None
        return max(timedelta(0), (now or datetime.now(UTC)) - self.oldest_pending)

    @property
    def connection(self) -> str:
        if self.problem:
            return "not syncing"
        return {True: "online", False: "offline", None: "not yet connected"}[self.online]

    def lines(self, now: datetime | None = None) -> list[str]:
        """The figures as short lines for a terminal."""
        now = now or datetime.now(UTC)
        out = [
            f"Service: {self.url or 'not set'}",
            f"Connection: {self.connection}" + (f" ({self.problem})" if self.problem else ""),
            f"Pending events: {self.pending}",
            f"Oldest pending: {age_text(self.oldest_age(now))}",
            f"Last successful sync: {when_text(self.last_success, now)}",
            f"Needs attention: {len(self.needs_attention)}",
        ]
        if self.last_error and not self.problem:
            out.append(f"Last error: {self.last_error}")
        for item in self.needs_attention[:20]:
            out.append(f"  {item.type} event {item.uid[:8]}: {item.reason}")
        return out


def age_text(age: timedelta | None) -> str:
    if age is None:
        return "none"
    seconds = int(age.total_seconds())
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 90 * 60:
        return f"{seconds // 60} min"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def when_text(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return "never"
    return f"{age_text((now or datetime.now(UTC)) - when)} ago"


def _instant(text: object) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def read(clinic: "Clinic") -> SyncStatus:
    cfg = config.load(clinic)
    state = clinic.sync_state()
    pending, oldest, _ = clinic.outbox_summary()
    attention = [
        AttentionItem(
            uid=row.uid,
            type=row.type,
            occurred_at=row.occurred_at,
            reason=row.last_error or "refused",
        )
        for row in clinic.needs_attention_events()
    ]
    backoff = state.get("backoff") or {}
    not_before = float(backoff.get("not_before") or 0.0)
    return SyncStatus(
        url=cfg.url,
        problem=cfg.missing() or state.get("stopped"),
        online=state.get("online"),
        pending=pending,
        oldest_pending=oldest,
        last_success=_instant(state.get("last_success")),
        last_error=state.get("last_error"),
        next_attempt=datetime.fromtimestamp(not_before, UTC) if not_before else None,
        needs_attention=attention,
    )
