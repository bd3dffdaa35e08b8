"""The store's key read from a Linux laptop's Secret Service directly, before the first paint.

The keyring library answers the same question, but importing it, loading its backend and its
secretstorage layer costs ~125 ms of Python before the first paint, and PySide holds Python's
lock while Qt starts, so a thread barely hides it (bench/README.md, fifth round). This module
asks the Secret Service over D-Bus with jeepney (pure Python, already installed with keyring on
Linux): the default collection, one search by the attributes keyring writes, one secret. About
15 ms of Python.

It only ever reads, and only answers when the answer is plain: the item is in the default
collection (the one keyring uses) and unlocked. Anything else (another platform, no Secret
Service, a locked collection that needs a prompt, no such item, a D-Bus error) is Unanswered,
and store.py asks keyring as before, with its detection, prompts and error messages. Keys are
still written through keyring only, so what keyring reads back is always what this reads.

The secret crosses the session bus in the "plain" transfer form, not keyring's Diffie-Hellman
one: that needs the cryptography package's AES (another ~12 ms before the paint), and the bus is
a socket of the signed-in person's own, whose other processes could ask the service for the same
secret anyway. The key is never logged: errors keep only their type.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SECRETS = "org.freedesktop.secrets"
SERVICE_PATH = "/org/freedesktop/secrets"
SECRET_PREFIX = "org.freedesktop.Secret."
TIMEOUT_S = 10.0  # one D-Bus call; the service answers in under a millisecond when it is up


class Unanswered(Exception):
    """The direct read has no plain answer here; keyring's own way must be asked."""


def keyring_config_file() -> Path:
    """The file in which a person may name a keyring backend (keyring's own place on Linux)."""
    root = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(root, "python_keyring", "keyringrc.cfg")


def applies() -> bool:
    """Whether the direct read stands for keyring's choice here: Linux, and nobody has chosen a
    backend (in this process, in PYTHON_KEYRING_BACKEND, or in keyring's config file)."""
    if not sys.platform.startswith("linux") or os.environ.get("PYTHON_KEYRING_BACKEND"):
        return False
    core = sys.modules.get("keyring.core")
    if core is not None and getattr(core, "_keyring_backend", None) is not None:
        return False  # set in this process (keyring.set_keyring, the tests' memory keyring)
    try:
        return not keyring_config_file().exists()
    except OSError:
        return False


def read_secret(service: str, user: str) -> str:
    """The secret keyring keeps for (service, user) in the default collection, read directly.

    Raises Unanswered for every case keyring must handle itself."""
    try:
        from jeepney import DBusAddress, HeaderFields, MessageType, new_method_call
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:
        raise Unanswered("jeepney is not installed") from None
    try:
        connection = open_dbus_connection("SESSION")
    except Exception as exc:  # noqa: BLE001 - no session bus: keyring explains it
        raise Unanswered(type(exc).__name__) from None

    def call(path: str, interface: str, method: str, signature: str | None = None,
             body: tuple[object, ...] = ()) -> tuple[object, ...]:
        address = DBusAddress(path, SECRETS, SECRET_PREFIX + interface)
        reply = connection.send_and_get_reply(
            new_method_call(address, method, signature, body), timeout=TIMEOUT_S
        )
        if reply.header.message_type == MessageType.error:
            raise Unanswered(str(reply.header.fields.get(HeaderFields.error_name)))
        return tuple(reply.body)

    try:
        (collection,) = call(SERVICE_PATH, "Service", "ReadAlias", "s", ("default",))
        if not isinstance(collection, str) or collection == "/":
            raise Unanswered("no default collection")
        unlocked, _locked = call(SERVICE_PATH, "Service", "SearchItems", "a{ss}",
                                 ({"service": service, "username": user},))
        mine = [str(p) for p in unlocked if str(p).startswith(collection + "/")]  # type: ignore[attr-defined]
        if not mine:
            raise Unanswered("not in the default collection, or locked")
        _output, session = call(SERVICE_PATH, "Service", "OpenSession", "sv", ("plain", ("s", "")))
        (secrets,) = call(SERVICE_PATH, "Service", "GetSecrets", "aoo", ([mine[0]], session))
        found = secrets.get(mine[0]) if isinstance(secrets, dict) else None
        if not found:
            raise Unanswered("no secret returned")
        # (session, parameters, value, content type): the value is the secret's UTF-8 bytes.
        return bytes(found[2]).decode("utf-8")
    except Unanswered:
        raise
    except Exception as exc:  # noqa: BLE001 - a timeout, a closed bus, bad bytes: keyring's turn
        raise Unanswered(type(exc).__name__) from None
    finally:
        connection.close()  # also ends the session, which lives as long as the connection
