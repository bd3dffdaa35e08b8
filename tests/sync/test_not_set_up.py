"""A practice that has not set up the ICB service pays nothing for sync until it does: no HTTP
library loaded with the sync worker, and no keyring read for a token there is no address for."""

import subprocess
import sys

import pytest

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.sync import config, status
from tests.conftest import MemoryKeyring


class AskedKeyring(MemoryKeyring):
    """The tests' in-memory keyring, noting whose secret was asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.asked.append(username)
        return super().get_password(service, username)


def test_the_worker_loads_no_http_library_until_a_client_is_made() -> None:
    probe = (
        "import sys\n"
        "import groupclinic_desktop.sync.worker, groupclinic_desktop.sync.status\n"
        "print('httpx' in sys.modules)\n"
        "from groupclinic_desktop.sync.client import ServiceClient\n"
        "ServiceClient('http://127.0.0.1:9', 'token').close()\n"
        "print('httpx' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.split() == ["False", "True"]


def test_no_token_is_read_without_an_address(demo: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    asked = AskedKeyring()
    keyring.set_keyring(asked)  # the autouse fixture puts its own back afterwards
    monkeypatch.delenv(config.TOKEN_ENV, raising=False)
    with demo.acting_as(SYSTEM):
        config.set_token(demo, "practice-token")  # kept from an earlier set-up, say

    before = status.read(demo)
    assert before.url is None
    assert before.problem is not None and "no ICB service address" in before.problem
    assert asked.asked == []

    with demo.acting_as(SYSTEM):
        demo.set_sync_settings("https://icb.example.nhs.uk")
    after = status.read(demo)
    assert after.problem is None  # the token is found once there is an address to use it with
    assert asked.asked
