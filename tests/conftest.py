"""Shared fixtures: a real encrypted store in a temporary folder, and an in-memory keyring.

The in-memory keyring stands in for the OS keyring (none exists on a headless CI machine); the
store, SQLCipher and every rule above it are the real thing.
"""

import gc
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_configure(config: pytest.Config) -> None:
    # As in the app (ui/collector.py): no collection on whichever thread allocates, where it could
    # destroy an earlier test's widgets off the UI thread. collect_on_main_thread() does it instead.
    gc.disable()


@pytest.fixture(autouse=True)
def collect_on_main_thread() -> Iterator[None]:
    yield
    from groupclinic_desktop.ui.collector import collect_due

    collect_due()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--crash-kills", type=int, default=8,
        help="how many times the crash harness kills its writer (default 8; try 500)",
    )


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    monkeypatch.delenv("GROUPCLINIC_DB_KEY", raising=False)
    # Logs and platformdirs folders go to the test's own folder, never the real home.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "practice"


@pytest.fixture
def clinic(data_dir: Path):  # type: ignore[no-untyped-def]
    """An empty practice store (no practice yet), opened through the facade."""
    from groupclinic_desktop.core.clinic import Clinic

    c = Clinic.open(data_dir)
    yield c
    c.close()


@pytest.fixture(scope="session")
def demo_templates(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], tuple[Path, str]]:
    """The demo practice, built once per test run and day; tests copy it so each gets a fresh
    store. The demo's sessions are planned around its 'today', and tests look for them on
    date.today(): a run that goes past midnight builds the demo again for the new day."""
    made: dict[date, tuple[Path, str]] = {}

    def for_today() -> tuple[Path, str]:
        day = date.today()
        if day not in made:
            made[day] = _build_demo(tmp_path_factory, day)
        return made[day]

    return for_today


def _build_demo(tmp_path_factory: pytest.TempPathFactory, day: date) -> tuple[Path, str]:
    import secrets

    from groupclinic_desktop.core.clinic import Clinic
    from groupclinic_desktop.core.demo import create_demo

    key = secrets.token_hex(32)
    folder = tmp_path_factory.mktemp("demo-template")
    old = os.environ.get("GROUPCLINIC_DB_KEY")
    os.environ["GROUPCLINIC_DB_KEY"] = key
    try:
        with Clinic.open(folder) as c:
            create_demo(c, today=day)
    finally:
        if old is None:
            os.environ.pop("GROUPCLINIC_DB_KEY", None)
        else:
            os.environ["GROUPCLINIC_DB_KEY"] = old
    return folder, key


@pytest.fixture
def demo_dir(
    demo_templates: Callable[[], tuple[Path, str]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A fresh copy of the demo practice's store; its key is in GROUPCLINIC_DB_KEY."""
    import shutil

    folder, key = demo_templates()
    target = tmp_path / "demo"
    shutil.copytree(folder, target, ignore=shutil.ignore_patterns("backups"))
    monkeypatch.setenv("GROUPCLINIC_DB_KEY", key)
    return target


@pytest.fixture
def demo(demo_dir: Path):  # type: ignore[no-untyped-def]
    from groupclinic_desktop.core.clinic import Clinic

    c = Clinic.open(demo_dir, create=False)
    yield c
    c.close()
