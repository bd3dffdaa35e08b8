"""The append-only, hash-chained audit trail.

Each entry's hash covers its own fields and the previous entry's hash, so editing, deleting or
reordering any entry breaks the chain from that point on, and `verify` says where.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from typing import Any

from sqlmodel import Session, col, select

from groupclinic_desktop.core import changes
from groupclinic_desktop.core.rows import Rows
from groupclinic_desktop.core.schema import AuditEntry, Setting, utcnow

GENESIS = "0" * 64
HEAD_KEY = "audit_head"


# Values that are JSON-ready as they are: most of a snapshot, so they are let through first.
_AS_THEY_ARE = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """A JSON-ready copy of a value, so before/after snapshots hash the same way every time."""
    if type(value) in _AS_THEY_ARE:
        return value
    if isinstance(value, dict):
        # Scalars are let through here, without a call each: a bulk import snapshots 100,000 rows.
        return {
            str(k): v if type(v) in _AS_THEY_ARE else plain(v) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


# The fields an entry's hash covers, its own hash aside.
DIGESTED = (
    "at", "user_id", "user_name", "action", "entity", "entity_id", "patient_id", "before",
    "after", "prev_hash",
)


# One encoder for every digest: json.dumps with options builds a new one on each call.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _digest(entry: AuditEntry | dict[str, Any]) -> str:
    values = entry if isinstance(entry, dict) else {n: getattr(entry, n) for n in DIGESTED}
    body = {name: values[name] for name in DIGESTED}
    body["at"] = body["at"].isoformat()
    text = _CANONICAL.encode(body)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_entry(
    prev_hash: str,
    *,
    user_id: int | None,
    user_name: str,
    action: str,
    entity: str,
    entity_id: Any = None,
    patient_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A new entry's column values, its hash included.

    Every audit entry is made here, so here the write's change is noted for the notice its
    transaction publishes after commit (core/changes.py)."""
    changes.note_entry(action, entity, entity_id, patient_id, before, after)
    values = {
        "at": utcnow(),
        "user_id": user_id,
        "user_name": user_name,
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "patient_id": patient_id,
        "before": plain(before),
        "after": plain(after),
        "prev_hash": prev_hash,
    }
    values["hash"] = _digest(values)
    return values


class BulkChain:
    """The entries of one bulk write (a cohort import): one time, one user, chained in memory.

    Its entries are many and large, so each is encoded once, straight into the canonical text
    that `_digest` would make of it (keys in sorted order, compact), from parts: the parts that
    every entry of the write shares are encoded once, and `after` is returned as its text,
    which serves both the hash and the column (the writer passes it to the driver as it is; it
    reads back as the same values). `verify` checks these entries as it checks any other."""

    def __init__(
        self, prev_hash: str, *, at: datetime, user_id: int | None, user_name: str
    ) -> None:
        self.last_hash = prev_hash
        self.at, self.user_id, self.user_name = at, user_id, user_name
        encode = _CANONICAL.encode
        self._at = ',"at":' + encode(at.isoformat())
        self._who = ',"user_id":' + encode(user_id) + ',"user_name":' + encode(user_name) + "}"
        self._words: dict[str, str] = {}

    def _word(self, text: str) -> str:
        found = self._words.get(text)
        if found is None:
            found = self._words[text] = _CANONICAL.encode(text)
        return found

    def entry(
        self,
        action: str,
        entity: str,
        entity_id: int | None,
        patient_id: int | None,
        before: dict[str, Any] | None,
        after: dict[str, Any],
    ) -> dict[str, Any]:
        """A new entry's column values, chained after the last; `before` and `after` must be
        JSON-ready (plain). The caller notes the write's changes (changes.note)."""
        encode = _CANONICAL.encode
        after_text = encode(after)
        key = None if entity_id is None else str(entity_id)
        text = "".join((
            '{"action":', self._word(action), ',"after":', after_text, self._at,
            ',"before":', "null" if before is None else encode(before),
            ',"entity":', self._word(entity),
            ',"entity_id":', "null" if key is None else encode(key),
            ',"patient_id":', "null" if patient_id is None else str(int(patient_id)),
            ',"prev_hash":"', self.last_hash, '"', self._who,
        ))
        values: dict[str, Any] = {
            "at": self.at,
            "user_id": self.user_id,
            "user_name": self.user_name,
            "action": action,
            "entity": entity,
            "entity_id": key,
            "patient_id": patient_id,
            "before": before,
            "after": after_text,
            "prev_hash": self.last_hash,
            "hash": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        }
        self.last_hash = str(values["hash"])
        return values


def append(s: Session, **fields: Any) -> AuditEntry:
    """Add an entry after the last one, in the ORM session's transaction (fields as new_entry's)."""
    last = s.exec(select(AuditEntry.hash).order_by(col(AuditEntry.id).desc()).limit(1)).first()
    entry = AuditEntry(**new_entry(last or GENESIS, **fields))
    s.add(entry)
    s.flush()
    # The head anchor lets verify() notice entries cut from the end of the chain too.
    head = s.get(Setting, HEAD_KEY) or Setting(key=HEAD_KEY)
    head.value = {"id": entry.id, "hash": entry.hash}
    s.add(head)
    return entry


def append_row(rows: Rows, **fields: Any) -> int:
    """The same entry as append, written through the quick single-row path (core.rows).

    Returns the new entry's id."""
    last = rows.first(AuditEntry, ("hash",), {}, newest_by=("id",))
    values = new_entry(last["hash"] if last else GENESIS, **fields)
    entry_id = rows.insert(AuditEntry, values)
    head = {"value": {"id": entry_id, "hash": values["hash"]}}
    if not rows.update(Setting, {"key": HEAD_KEY}, head):
        rows.insert(Setting, {"key": HEAD_KEY, **head, "updated_at": utcnow()})
    return entry_id


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        return f"audit entry {self.entry_id}: {self.reason}"


def verify(s: Session) -> list[ChainProblem]:
    """Walk the chain in id order; report the first entry where it breaks, and why."""
    expected_prev = GENESIS
    previous_id = 0
    for entry in s.exec(select(AuditEntry).order_by(col(AuditEntry.id))):
        assert entry.id is not None
        if entry.id != previous_id + 1:
            return [
                ChainProblem(entry.id, f"entries {previous_id + 1}..{entry.id - 1} are missing")
            ]
        if entry.prev_hash != expected_prev:
            return [
                ChainProblem(
                    entry.id,
                    "does not follow the entry before it (reordered or "
                    "an entry before it was removed or changed)",
                )
            ]
        if _digest(entry) != entry.hash:
            return [ChainProblem(entry.id, "its contents were changed after it was written")]
        expected_prev = entry.hash
        previous_id = entry.id
    head = s.get(Setting, HEAD_KEY)
    head_value = head.value if head is not None and isinstance(head.value, dict) else None
    if head_value is None:
        if previous_id:
            return [ChainProblem(previous_id, "the record of the last entry is missing")]
        return []
    if head_value.get("id") != previous_id or head_value.get("hash") != expected_prev:
        return [ChainProblem(
            int(head_value.get("id") or 0),
            f"the trail ends at entry {previous_id} but entry {head_value.get('id')} was the "
            "last one written (entries were removed from the end, or the end was changed)",
        )]
    return []
