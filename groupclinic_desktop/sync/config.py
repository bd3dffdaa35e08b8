"""Where the ICB service is, the practice's token, and the pseudonymisation key.

The address is a practice setting (Clinic.sync_settings). Secrets live in the OS keyring, named by
the store id so two practices on one laptop never share them. For headless machines and scripts:

  GROUPCLINIC_SYNC_TOKEN      the practice's bearer token (wins over the keyring)
  GROUPCLINIC_PSEUDONYM_KEY   the pseudonymisation key, 64 hex digits or any text of 32+ bytes
                              (wins over the keyring). It must stay the same for the practice's
                              whole life, or the ICB sees the same person as someone new.
"""

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from groupclinic_desktop.core import service_address, store
from groupclinic_desktop.core.errors import InvalidInput, StoreError

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic

TOKEN_ENV = "GROUPCLINIC_SYNC_TOKEN"
PSEUDONYM_KEY_ENV = "GROUPCLINIC_PSEUDONYM_KEY"


@dataclass(frozen=True)
class SyncConfig:
    url: str | None
    token: str | None
    ods_code: str | None

    @property
    def ready(self) -> bool:
        return bool(self.url and self.token and self.ods_code)

    def missing(self) -> str | None:
        """What stops a sync, in words for the admin; None when nothing does."""
        if not self.ods_code:
            return "this store holds no practice yet"
        if not self.url:
            return "no ICB service address is set (groupclinic sync --url URL --token-stdin)"

        reason = service_address.problem(self.url)
        if reason:  # an address stored before the rule, or edited by hand, is not used
            return f"the ICB service address is refused: {reason}"
        if not self.token:
            return "no token for the ICB service is set (groupclinic sync --url URL --token-stdin)"
        return None


def _token_name(clinic: "Clinic") -> str:
    return f"sync-token-{clinic.location.store_id()}"


def secret(env: str, name: str) -> str | None:
    """A secret from the environment (headless machines and scripts: it wins), else from the OS
    keyring; None when neither holds it. ICB sync and GP record delivery read theirs here."""
    value = os.environ.get(env, "").strip()
    if value:
        return value
    try:
        return store.keyring_secret(name, create=False)
    except StoreError:
        return None  # no keyring on this machine: the same as "not set"


def token(clinic: "Clinic") -> str | None:
    return secret(TOKEN_ENV, _token_name(clinic))


def set_token(clinic: "Clinic", value: str) -> None:
    """Keep the practice's token in the keyring (raises StoreError when there is none)."""
    value = value.strip()
    if not value or any(c.isspace() for c in value):
        raise InvalidInput("Token: must be one word with no spaces.", field="Token")
    store._keyring_set(_token_name(clinic), value)


def load(clinic: "Clinic") -> SyncConfig:
    practice = clinic.practice()
    url = clinic.sync_settings().get("url")
    return SyncConfig(
        url=url,
        # No address, no sync: the keyring (its import, a prompt on some laptops) is left alone.
        token=token(clinic) if url else None,
        ods_code=practice.ods_code if practice else None,
    )


def pseudonym_key(clinic: "Clinic") -> bytes:
    """The practice's secret for the keyed hash of NHS numbers; made once, kept in the keyring."""
    env = os.environ.get(PSEUDONYM_KEY_ENV, "")
    if env:
        text = env.strip()
        try:
            key = bytes.fromhex(text) if len(text) == 64 else text.encode("utf-8")
        except ValueError:
            key = text.encode("utf-8")
        if len(key) < 32:
            raise StoreError(f"{PSEUDONYM_KEY_ENV} must be 64 hex digits or at least 32 bytes.")
        return key
    secret = store.keyring_secret(f"pseudonym-secret-{clinic.location.store_id()}", create=True)
    assert secret is not None
    return bytes.fromhex(secret)
