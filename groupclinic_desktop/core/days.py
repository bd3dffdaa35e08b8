"""Days and times as the store hands them back.

SQLite keeps times without a zone, and every time the app writes is UTC: so a naive value read
back is UTC, and a value's day is its UTC date. The board, progress and outcomes share these.
"""

from datetime import UTC, date, datetime, time, timedelta


def aware(value: datetime) -> datetime:
    """The value with its zone: UTC when the store handed it back without one."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def taken_on(value: datetime) -> date:
    """The day a value was taken (its UTC date)."""
    return aware(value).date()


def end_of(day: date) -> datetime:
    """The first moment after `day`: values taken before it were taken on or before the day."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
