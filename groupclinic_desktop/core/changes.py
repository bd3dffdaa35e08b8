"""What a committed write changed, announced once after commit (as Anki's operations return
their changes), so that screens refresh from the notice instead of being told by hand.

Every write leaves audit entries (core/audit.py), and every entry is made by `audit.new_entry`;
that is where a write's changes are noted: the kind of record (its table), and the session and
person it belongs to. Ids only, never a value: a notice can travel to any screen or log.
The facade's transaction points (`_write`, `_write_rows`) collect while the transaction runs and
publish after commit; a rolled-back transaction publishes nothing.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

# Audit actions that record a look at a record (the board shown on a second screen, a PDF
# written), not a change to it: no screen needs to repaint for them.
LOOKS = frozenset({"board_display"})


@dataclass(frozen=True, order=True)
class Change:
    """One kind of record touched, in a session and for a person (None when not theirs)."""

    kind: str  # the record's table: "measurement", "attendance", "consent", "setting" ...
    session_id: int | None = None
    patient_id: int | None = None


@dataclass(frozen=True)
class ChangeSet:
    """Everything one committed transaction touched."""

    changes: frozenset[Change]

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(c.kind for c in self.changes)

    @property
    def patients(self) -> frozenset[int]:
        return frozenset(c.patient_id for c in self.changes if c.patient_id is not None)

    def touches(
        self,
        kinds: Iterable[str],
        *,
        session_id: int | None = None,
        patient_ids: Iterable[int] = (),
    ) -> bool:
        """True when a change of one of `kinds` belongs to `session_id`, or to one of
        `patient_ids`, or to no session at all (a person's details, a setting)."""
        wanted, people = set(kinds), set(patient_ids)
        return any(
            c.kind in wanted
            and (
                c.session_id is None
                or session_id is None
                or c.session_id == session_id
                or c.patient_id in people
            )
            for c in self.changes
        )

    def people_in(self, kinds: Iterable[str], session_id: int) -> frozenset[int]:
        """The people whose records of `kinds` in this session changed."""
        wanted = set(kinds)
        return frozenset(
            c.patient_id
            for c in self.changes
            if c.kind in wanted and c.session_id == session_id and c.patient_id is not None
        )

    def __bool__(self) -> bool:
        return bool(self.changes)


Subscriber = Callable[[ChangeSet], None]


class Notices:
    """The plain subscriber list a Clinic publishes its change sets to (no Qt here: the UI's
    bridge carries them to its own thread). Subscribers are called on the writing thread."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._guard = threading.Lock()

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Hear of every committed change set; returns the call that stops it."""
        with self._guard:
            self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with self._guard:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, changes: ChangeSet) -> None:
        """Tell every subscriber. The write is committed already: a subscriber that fails is
        reported on the last-resort path (sys.excepthook) and the others still hear of it."""
        if not changes:
            return
        with self._guard:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber(changes)
            except Exception as exc:  # noqa: BLE001 - reported, never lost, never undoes the write
                sys.excepthook(type(exc), exc, exc.__traceback__)


# ---------------------------------------------------------------------- collecting

_collecting = threading.local()


@contextmanager
def collecting() -> Iterator[set[Change]]:
    """Note the changes of the audit entries made on this thread until the block ends."""
    stack: list[set[Change]] = getattr(_collecting, "stack", None) or []
    _collecting.stack = stack
    found: set[Change] = set()
    stack.append(found)
    try:
        yield found
    finally:
        stack.pop()


def note_entry(
    action: str,
    entity: str,
    entity_id: Any,
    patient_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Called for every audit entry made: note its change in the transaction collecting."""
    stack = getattr(_collecting, "stack", None)
    if not stack or action in LOOKS:
        return
    stack[-1].add(_change_of(entity, entity_id, patient_id, before, after))


def note(kind: str, patient_id: int | None = None, session_id: int | None = None) -> None:
    """Note a change with no audit entry of its own: a bulk import writes one entry per row
    for the person, their enrolment and their results together."""
    stack = getattr(_collecting, "stack", None)
    if stack:
        stack[-1].add(Change(kind, session_id, patient_id))


def _change_of(
    entity: str,
    entity_id: Any,
    patient_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> Change:
    shown = after or before or {}
    session = shown.get("session_id") if isinstance(shown, dict) else None
    if entity == "clinic_session" and entity_id is not None:
        session = entity_id
    person = patient_id
    if person is None and isinstance(shown, dict):
        person = shown.get("patient_id")
    if person is None and entity == "patient" and entity_id is not None:
        person = entity_id
    return Change(entity, _as_id(session), _as_id(person))


def _as_id(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None
