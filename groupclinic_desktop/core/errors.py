"""Errors the core raises; each carries a message fit to show a user as it is."""

from datetime import datetime


class ClinicError(Exception):
    """Base for every error the core raises on purpose."""


class InvalidInput(ClinicError, ValueError):
    """A value was refused. The message names the field and the reason."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NeedsConfirmation(ClinicError):
    """A value is plausible but unusual; save it again with confirmed=True to accept it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotAllowed(ClinicError, PermissionError):
    """The signed-in user's role may not do this."""


class SignInRefused(NotAllowed):
    """A wrong PIN, or an account locked after too many: says whose, and what is left.

    `tries_left` is how many wrong PINs remain before the next lock-out (None once locked);
    `locked_until` (aware UTC) is when a lock-out ends, for the sign-in page's countdown."""

    def __init__(
        self,
        message: str,
        *,
        staff_name: str,
        tries_left: int | None = None,
        locked_until: "datetime | None" = None,
    ) -> None:
        super().__init__(message)
        self.staff_name = staff_name
        self.tries_left = tries_left
        self.locked_until = locked_until


class StoreError(ClinicError):
    """The store cannot be opened or used: wrong key, damaged, locked or too new.

    `kind` tells the start-up screen which safe actions to offer: "damaged", "locked", "newer",
    "key" (no key, or the key does not match), "plain" (not a GroupClinic store), "read_only"
    (a write to a store opened read-only), "disk_full" (the data folder's disk has no room: the
    store is fine and nothing was changed) or "other".
    """

    KINDS = ("damaged", "locked", "newer", "key", "plain", "read_only", "disk_full", "other")

    def __init__(self, message: str, kind: str = "other") -> None:
        super().__init__(message)
        self.kind = kind if kind in self.KINDS else "other"


class NotFound(ClinicError, LookupError):
    """A record the caller named does not exist."""
