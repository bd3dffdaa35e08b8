"""PINs and passwords: stored only as slow, salted scrypt hashes."""

import hashlib
import hmac
import secrets

from groupclinic_desktop.core.errors import InvalidInput

# scrypt cost: about 50 ms on a clinic laptop, slow enough to make guessing a PIN offline costly.
N, R, P = 2**14, 8, 1
MIN_PIN_LENGTH = 4


# Among the most used 4-digit PINs in published analyses of leaked PIN lists (DataGenetics, "PIN
# analysis", 2012): guessed first by anyone. Runs of one digit and straight sequences are refused
# by rule below.
COMMON_PINS = frozenset({"1212", "1004", "2000", "6969", "2580", "1122", "1313"})
DIGITS = "0123456789"


def weak_pin_reason(pin: str) -> str | None:
    """Why a PIN is too easy to guess, or None. 2468 or 9753 are fine: no steps of one."""
    if len(set(pin)) == 1:
        return "one character repeated is the first thing anyone tries"
    if pin.isdigit():
        steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
        if steps in ({1}, {9}):
            return "a run of digits such as 1234 or 4321 is the first thing anyone tries"
    if pin in COMMON_PINS:
        return "it is one of the most used PINs"
    return None


def hash_pin(pin: str) -> str:
    if len(pin) < MIN_PIN_LENGTH:
        raise InvalidInput(f"PIN: must have at least {MIN_PIN_LENGTH} characters.", field="PIN")
    if "\x00" in pin:
        raise InvalidInput("PIN: must not contain a NUL character.", field="PIN")
    reason = weak_pin_reason(pin)
    if reason:
        raise InvalidInput(f"PIN: too easy to guess ({reason}); choose another.", field="PIN")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=N, r=R, p=P)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if kind != "scrypt":
        return False
    candidate = hashlib.scrypt(
        pin.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(candidate.hex(), digest)
