"""Which ICB service addresses the desktop will send to.

The monitoring data is pseudonymised, but the practice's token travels with it: only https is
allowed, except to this laptop itself (a test service on loopback), and an address never carries
a user name or password, which would sit in the settings and the audit trail in plain text.
"""

import ipaddress
from urllib.parse import urlsplit

from groupclinic_desktop.core.errors import InvalidInput

FIELD = "Service address"
LOOPBACK_NAMES = {"localhost"}


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def problem(url: str) -> str | None:
    """Why the address is refused, in a few words; None when it may be used."""
    if any(ord(c) < 32 or c.isspace() for c in url):
        return "it has spaces or control characters in it"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        return "it is not a web address"
    if parts.scheme not in ("http", "https") or not host:
        return "it is not an https:// address"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "it holds a user name or password; the token is set on its own"
    if parts.scheme == "http" and not is_loopback(host):
        return "only https:// is allowed (http:// only to this laptop itself)"
    return None


def check(url: str) -> str:
    """The address, trimmed, or InvalidInput naming the field and the reason."""
    clean = url.strip().rstrip("/")
    reason = problem(clean)
    if reason:
        # The address itself is not echoed: it may hold a password.
        raise InvalidInput(f"{FIELD}: refused, {reason}.", field=FIELD)
    return clean
