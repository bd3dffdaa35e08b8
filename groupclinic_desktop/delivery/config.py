"""Where MESH is, the hub's mailbox, its password and shared key, and any client certificate.

Addresses and file paths are settings in the store (Clinic.delivery_settings). The mailbox
password and the environment's shared key are secrets: they live in the OS keyring, named by the
store id, never in a file or a log. For headless machines and tests these win over the keyring:

  GROUPCLINIC_MESH_PASSWORD     the mailbox password
  GROUPCLINIC_MESH_SHARED_KEY   the MESH environment's shared key (HMAC key of the auth header)
"""

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from groupclinic_desktop.core import store
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.sync.config import secret

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic

PASSWORD_ENV = "GROUPCLINIC_MESH_PASSWORD"
SHARED_KEY_ENV = "GROUPCLINIC_MESH_SHARED_KEY"


@dataclass(frozen=True)
class MeshConfig:
    url: str | None
    mailbox: str | None
    password: str | None = None
    shared_key: str | None = None
    cert: str | None = None
    key: str | None = None
    ca: str | None = None
    phone: str | None = None

    def missing(self) -> str | None:
        """What stops sending, in words for the admin; None when nothing does."""
        if not self.url:
            return "no MESH address is set (groupclinic mesh setup --url URL ...)"
        if not self.mailbox:
            return "no MESH mailbox is set (groupclinic mesh setup --mailbox ID ...)"
        if not self.password:
            return "no MESH mailbox password is set (groupclinic mesh setup --password-stdin)"
        if not self.shared_key:
            return "no MESH shared key is set (groupclinic mesh setup --shared-key-stdin)"
        return None

    def advice(self) -> str | None:
        """Not a stop, but NHS England's MESH refuses a connection without the mailbox's client
        certificate (a local sandbox does not ask for one)."""
        if self.url and self.url.lower().startswith("https://") and not (self.cert and self.key):
            return "no client certificate and key are set (--cert, --key); real MESH needs them"
        return None

    @property
    def ready(self) -> bool:
        return self.missing() is None


def _secret_name(clinic: "Clinic", what: str) -> str:
    return f"mesh-{what}-{clinic.location.store_id()}"


def _secret(clinic: "Clinic", env: str, what: str) -> str | None:
    return secret(env, _secret_name(clinic, what))


def set_secret(clinic: "Clinic", what: str, value: str) -> None:
    """Keep the mailbox password ("password") or shared key ("shared-key") in the keyring."""
    value = value.strip()
    label = "MESH password" if what == "password" else "MESH shared key"
    if not value:
        raise InvalidInput(f"{label}: must not be empty.", field=label)
    store._keyring_set(_secret_name(clinic, what), value)


def load(clinic: "Clinic") -> MeshConfig:
    settings = clinic.delivery_settings()
    return MeshConfig(
        url=settings.get("url"),
        mailbox=settings.get("mailbox"),
        password=_secret(clinic, PASSWORD_ENV, "password"),
        shared_key=_secret(clinic, SHARED_KEY_ENV, "shared-key"),
        cert=settings.get("cert"),
        key=settings.get("key"),
        ca=settings.get("ca"),
        phone=settings.get("phone"),
    )


def check_file(path: str | None, label: str) -> str | None:
    """A certificate or key file the admin named: it must exist now, not at the first send."""
    if not path:
        return None
    found = Path(path).expanduser()
    if not found.is_file():
        raise InvalidInput(f"{label}: {found} is not a file.", field=label)
    return str(found.resolve())


def check_url(url: str | None) -> str | None:
    if not url:
        return None
    text = url.strip().rstrip("/")
    if not text.lower().startswith(("https://", "http://")):
        raise InvalidInput(
            f"MESH address: '{text}' must start with https://.", field="MESH address"
        )
    if text.lower().endswith("/messageexchange"):
        # The client adds /messageexchange/{mailbox} itself.
        text = text[: -len("/messageexchange")]
    return text
