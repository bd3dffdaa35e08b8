"""How PIN guessing is slowed down: escalating lock-outs, and failures that are never forgotten.

Five wrong PINs in a row lock the account for five minutes; every further five wrong PINs lock it
for twice as long as the time before (5, 10, 20, 40 minutes... up to a day), so guessing a 4-digit
PIN takes years, not a week. The count is reset only by a right PIN or by an admin's unlock.

A store opened read-only cannot write the count, so failures made there are kept in a small file
beside the store (staff ids and counts only, no patient data) and added to the store's count the
next time it is open for writing.
"""

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

TRIES_BEFORE_LOCK = 5
WARN_AFTER = 3  # from the third wrong PIN on, the person is told how many tries are left
FIRST_LOCK_MINUTES = 5
LONGEST_LOCK = timedelta(days=1)
FAILURES_FILE = "sign-in-failures.json"


def lock_for(failures: int) -> timedelta | None:
    """How long the account is locked after this many wrong PINs in a row; None when it is not."""
    if failures < TRIES_BEFORE_LOCK or failures % TRIES_BEFORE_LOCK:
        return None
    doublings = failures // TRIES_BEFORE_LOCK - 1
    return min(timedelta(minutes=FIRST_LOCK_MINUTES) * (2 ** min(doublings, 20)), LONGEST_LOCK)


def tries_left(failures: int) -> int:
    """Wrong PINs still allowed before the next lock-out."""
    return TRIES_BEFORE_LOCK - failures % TRIES_BEFORE_LOCK


def _path(data_dir: Path) -> Path:
    return Path(data_dir) / FAILURES_FILE


def read_failures(data_dir: Path) -> dict[int, tuple[int, datetime | None]]:
    """Failures kept while the store was read-only: staff id -> (count, locked until)."""
    try:
        raw = json.loads(_path(data_dir).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    found: dict[int, tuple[int, datetime | None]] = {}
    if not isinstance(raw, dict):
        return found
    for key, value in raw.items():
        try:
            count = int(value["failures"])
            until = value.get("locked_until")
            found[int(key)] = (count, datetime.fromisoformat(until) if until else None)
        except (TypeError, ValueError, KeyError, AttributeError):
            continue
    return found


def write_failures(data_dir: Path, failures: dict[int, tuple[int, datetime | None]]) -> None:
    from groupclinic_desktop.core.store import private_file

    path = _path(data_dir)
    if not failures:
        path.unlink(missing_ok=True)
        return
    text = json.dumps(
        {
            str(k): {"failures": n, "locked_until": until.isoformat() if until else None}
            for k, (n, until) in failures.items()
        }
    )
    tmp = path.with_name(path.name + ".new")
    tmp.unlink(missing_ok=True)
    private_file(tmp).write_text(text, "utf-8")
    os.replace(tmp, path)


def now() -> datetime:
    return datetime.now(UTC)
