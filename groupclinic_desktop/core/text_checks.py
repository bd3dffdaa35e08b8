"""Text that is never stored: NUL characters anywhere, and names that are empty, invisible or far
too long. Every refusal is an InvalidInput naming the field, as in core/validation.py."""

from typing import Literal, overload

from groupclinic_desktop.core.errors import InvalidInput

NUL = "\x00"
# A name longer than this is a pasted paragraph or an attack, not a person's or colleague's name.
MAX_NAME_LENGTH = 100


def has_nul(value: object) -> bool:
    """Whether a value, or any text inside a dict or list of them, holds a NUL character."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


def refuse_nul(value: object, field: str) -> None:
    # NUL ends a string early in C libraries, other systems and some exports: never stored.
    if has_nul(value):
        raise InvalidInput(f"{field}: must not contain a NUL character.", field=field)


def _invisible(char: str) -> bool:
    import unicodedata

    return char.isspace() or unicodedata.category(char) in ("Cf", "Cc", "Zl", "Zp", "Mn")


@overload
def parse_name(text: str | None, field: str, *, required: Literal[True] = True) -> str: ...


@overload
def parse_name(text: str | None, field: str, *, required: bool) -> str | None: ...


def parse_name(text: str | None, field: str, *, required: bool = True) -> str | None:
    """A person's name as typed or imported: trimmed; empty, invisible-only (zero-width
    characters), NUL-holding or over-long names are refused with the field named."""
    value = (text or "").strip()
    refuse_nul(value, field)
    if value and all(_invisible(c) for c in value):
        raise InvalidInput(
            f"{field}: has only invisible characters (such as zero-width spaces).", field=field
        )
    if not value:
        if required:
            raise InvalidInput(f"{field}: must not be empty.", field=field)
        return None
    if len(value) > MAX_NAME_LENGTH:
        raise InvalidInput(
            f"{field}: is {len(value)} characters long; at most {MAX_NAME_LENGTH} are allowed.",
            field=field,
        )
    return value
