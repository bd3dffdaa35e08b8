"""PINs and passwords: stored only as slow, salted scrypt hashes."""

import hashlib
import hmac
import secrets

from groupclinic_desktop.core.errors import InvalidInput

# scrypt cost: about 50 ms on a clinic laptop, slow enough to make guessing a PIN offline costly.
N, R, P = 2**14, 8, 1
MIN_PIN_LENGTH = 4


def hash_pin(pin: str) -> str:
    if len(pin) < MIN_PIN_LENGTH:
        raise InvalidInput(f"PIN: must have at least {MIN_PIN_LENGTH} characters.", field="PIN")
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
