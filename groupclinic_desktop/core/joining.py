"""How remote attendees join: the session's joining link and instructions, and the words for
modes and channels that every screen and document uses. No Qt.

The link goes into invitations, letters and text messages that leave the practice, so only a
plain https address with a host is accepted: no other scheme (a `javascript:` or `file:` link in a
letter is an attack), no spaces, no user name or password in it.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.schema import Attendance, Cadence, Channel, Mode
from groupclinic_desktop.core.text_checks import refuse_nul

MAX_LINK_LENGTH = 500
MAX_INSTRUCTIONS_LENGTH = 600

MODE_WORDS = {
    Mode.FACE_TO_FACE: "Face to face",
    Mode.VIDEO: "Video",
    Mode.HYBRID: "Hybrid (in the room and remote)",
}
CHANNEL_WORDS = {
    Channel.IN_ROOM: "In the room",
    Channel.VIDEO: "Video",
    Channel.PHONE: "Phone",
}
# How the GP record says it: "attended the group consultation by video".
CHANNEL_RECORD_WORDS = {
    Channel.IN_ROOM: "in person",
    Channel.VIDEO: "by video",
    Channel.PHONE: "by telephone",
}
# Remote attendees are marked wherever staff see attendance (never on the room board).
REMOTE_MARKS = {Channel.VIDEO: "🎥 video", Channel.PHONE: "📞 phone"}
CADENCE_WORDS = {
    Cadence.WEEK: "Every week",
    Cadence.FORTNIGHT: "Every fortnight",
    Cadence.MONTH: "Every month",
    Cadence.QUARTER: "Every quarter (3 months)",
}
DROP_IN_WORDS = "A single drop-in clinic (open to anyone enrolled)"


def parse_link(text: str | None) -> str | None:
    """The joining link, trimmed; empty means none. Refuses anything but https://host/..."""
    value = (text or "").strip()
    if not value:
        return None
    field = "Joining link"
    refuse_nul(value, field)
    if len(value) > MAX_LINK_LENGTH:
        raise InvalidInput(
            f"{field}: is {len(value)} characters long; at most {MAX_LINK_LENGTH}.", field=field
        )
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in value):
        raise InvalidInput(f"{field}: must not contain spaces or hidden characters.", field=field)
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        raise InvalidInput(f"{field}: is not a web address.", field=field) from None
    if parts.scheme.lower() != "https":
        raise InvalidInput(
            f"{field}: must start with https:// (a secure web address).", field=field
        )
    if not parts.hostname or "." not in parts.hostname.strip("."):
        raise InvalidInput(f"{field}: has no web site name after https://.", field=field)
    if parts.username or parts.password:
        raise InvalidInput(
            f"{field}: must not hold a user name or password; send those separately.",
            field=field,
        )
    del port
    return value


def parse_instructions(text: str | None) -> str | None:
    """Joining instructions: plain words people read in a letter or text; empty means none."""
    value = (text or "").strip()
    if not value:
        return None
    field = "Joining instructions"
    refuse_nul(value, field)
    if len(value) > MAX_INSTRUCTIONS_LENGTH:
        raise InvalidInput(
            f"{field}: is {len(value)} characters long; at most {MAX_INSTRUCTIONS_LENGTH}.",
            field=field,
        )
    if any(unicodedata.category(c) == "Cc" and c not in "\n" for c in value):
        raise InvalidInput(f"{field}: must not contain control characters.", field=field)
    return value


def check_joining(mode: Mode, link: str | None, instructions: str | None) -> None:
    """A face-to-face session has nobody joining remotely, so no link or instructions."""
    if mode == Mode.FACE_TO_FACE and (link or instructions):
        raise InvalidInput(
            "Joining link: a face-to-face session has no remote attendees; choose video or "
            "hybrid to give a joining link.",
            field="Joining link",
        )


def check_channel(mode: Mode, channel: Channel) -> None:
    """How someone joins must fit how the session is held."""
    if channel not in mode.channels:
        allowed = " or ".join(CHANNEL_WORDS[c].lower() for c in mode.channels)
        raise InvalidInput(
            f"Channel: a {MODE_WORDS[mode].split(' (')[0].lower()} session is joined "
            f"{allowed}, not {CHANNEL_WORDS[channel].lower()}.",
            field="Channel",
        )


def record_words(attendance: Attendance) -> str:
    """How the GP record says a person attended: "in person", or "by video" / "by telephone"
    with the identity and private-place checks (remote attendees only)."""
    words = CHANNEL_RECORD_WORDS[attendance.channel]
    if not attendance.channel.remote:
        return words
    checks = [
        "identity confirmed" if attendance.identity_confirmed else "identity NOT confirmed",
        "in a private place" if attendance.private_place else "private place NOT confirmed",
    ]
    return f"{words} ({'; '.join(checks)})"


def remote_name(name: str, attendance: Attendance) -> str:
    """"Tariq Hussain · 🎥 video" for someone joining remotely; the name alone in the room."""
    mark = REMOTE_MARKS.get(attendance.channel)
    return f"{name} · {mark}" if mark else name
