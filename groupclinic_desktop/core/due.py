"""What is due between sessions: the care coordinator's list, item by item.

An item is something a person needs from the practice before or after the next session. Each
has a key that stays the same until it is dealt with, so a contact recorded or "done" pressed
against it is found again on the next read (FollowUp.item).
"""

from dataclasses import dataclass
from datetime import date

# The kinds of item, in the order the list shows them.
KINDS = {
    "red_flag": "Red flag with no follow-up recorded",
    "action": "Action due",
    "goal_review": "Goal due for review",
    "plan_review": "Plan due for review",
    "dna": "Did not attend, not re-invited",
    "no_reply": "Invitation with no reply",
}
# How a contact was made, and what came of it: monitoring counts these words' keys only.
METHODS = ("call", "text", "letter", "visit")
OUTCOMES = {
    "spoke": "spoke to them",
    "no_answer": "no answer",
    "message_left": "left a message",
    "booked": "booked or re-invited",
    "declined": "declined",
    "other": "other (see note)",
}
STEPS = ("contact", "reinvite", "done")
# Items due within this many days are listed; earlier ones are overdue.
HORIZON_DAYS = 7
MAX_NOTE = 500


@dataclass(frozen=True)
class DueItem:
    key: str
    kind: str
    patient_id: int
    person: str  # the person's name, for staff screens only
    programme_id: int | None
    what: str  # what is due, for staff screens only
    due: date | None
    overdue: bool
    session_id: int | None = None
    last_contact: str = ""  # the latest contact recorded against this item, in words

    @property
    def kind_words(self) -> str:
        return KINDS[self.kind]

    @property
    def can_reinvite(self) -> bool:
        return self.kind in ("dna", "no_reply")


def item_kind(key: str) -> str:
    kind = key.split(":", 1)[0]
    return kind if kind in KINDS else ""
