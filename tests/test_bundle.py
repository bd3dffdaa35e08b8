"""The stand-alone Linux bundle and the self-test IT teams run after deploying it.

The bundle tests unpack dist/groupclinic-<version>-linux-<arch>.tar.gz into a new folder and run
its launcher with an environment that has no Python at all. Building takes minutes, so they run
only when a bundle is already in dist/ (`bash installers/build-linux.sh`) or when
GROUPCLINIC_TEST_BUNDLE=1, which builds a fresh one first.
"""

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from groupclinic_desktop import __version__

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
TARBALL = DIST / f"groupclinic-{__version__}-linux-{platform.machine()}.tar.gz"


# ----------------------------------------------------------------- the self-test, from source


def test_selftest_passes_and_leaves_no_key_behind(memory_keyring, capsys) -> None:  # type: ignore[no-untyped-def]
    from groupclinic_desktop.cli import main

    assert main(["--selftest"]) == 0
    report = capsys.readouterr().out
    assert f"GroupClinic {__version__} self-test" in report
    for check in ("store", "session", "pdf", "board", "qt"):
        assert f"ok   {check}" in report
    assert "PASSED: 5 checks" in report
    # Its own throwaway key: nothing is written to the laptop's keyring, the env is as it was.
    assert memory_keyring.secrets == {}
    assert "GROUPCLINIC_DB_KEY" not in os.environ


def test_selftest_reports_a_broken_install_and_exits_1(tmp_path: Path) -> None:
    # An install whose clinical data files are missing must fail loudly, not pass.
    env = _clean_env(tmp_path, PATH=os.environ.get("PATH", "/usr/bin:/bin"))
    env["GROUPCLINIC_RESOURCES"] = str(tmp_path / "no-resources-here")
    result = subprocess.run(
        [sys.executable, "-m", "groupclinic_desktop", "--selftest"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL session" in result.stdout
    assert "FAILED:" in result.stdout
    # The Qt check stands alone, so IT still learns whether the screen side works.
    assert "ok   qt" in result.stdout


# ----------------------------------------------------------------- the bundle


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The launcher of a freshly unpacked bundle."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the tarball bundle is the Linux build")
    if os.environ.get("GROUPCLINIC_TEST_BUNDLE") == "1":
        subprocess.run(["bash", "installers/build-linux.sh"], cwd=ROOT, check=True, timeout=3000)
    elif not TARBALL.exists():
        pytest.skip(
            f"no {TARBALL.name} in dist/: run installers/build-linux.sh or set "
            "GROUPCLINIC_TEST_BUNDLE=1"
        )
    target = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(TARBALL) as tar:
        tar.extractall(target, filter="tar")
    tops = [p.name for p in target.iterdir()]
    assert tops == [f"groupclinic-{__version__}"], "the tarball must have one top folder"
    return target / tops[0] / "groupclinic"


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A minimal environment, as `env -i` would give: no PYTHON* variables, a throwaway home."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"HOME": str(home), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen", **extra}


def _no_python_path(tmp_path: Path) -> str:
    """A PATH with no Python on it (a folder with nothing in it)."""
    folder = tmp_path / "bin-without-python"
    folder.mkdir(exist_ok=True)
    path = str(folder)
    assert shutil.which("python3", path=path) is None
    assert shutil.which("python", path=path) is None
    return path


def _run(launcher: Path, tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(launcher), *args],
        cwd=tmp_path,
        env=_clean_env(tmp_path, PATH=_no_python_path(tmp_path), **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_bundle_has_what_a_desktop_needs(bundle: Path) -> None:
    top = bundle.parent
    assert bundle.read_bytes()[:4] == b"\x7fELF", "the launcher must be the program, not a script"
    assert os.access(bundle, os.X_OK)
    desktop = (top / "groupclinic.desktop").read_text("utf-8")
    assert "Exec=groupclinic" in desktop and "Icon=groupclinic" in desktop
    assert (top / "groupclinic.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (top / "VERSION").read_text().strip() == __version__
    internal = top / "_internal"
    # Alembic reads the migrations from disk; the data files travel as files.
    assert (internal / "groupclinic_desktop/core/migrations/script.py.mako").is_file()
    assert list((internal / "groupclinic_desktop/core/migrations/versions").glob("0001_*.py"))
    assert (internal / "resources/catalogue.toml").is_file()
    # What must stay out: tests, Tk, the ICB server stack, unused Qt modules.
    for unwanted in ("tests", "tkinter", "_tkinter", "fastapi", "uvicorn", "pytest"):
        assert not list(internal.glob(f"{unwanted}*")), unwanted
    qt_libs = {p.name for p in (internal / "PySide6/Qt/lib").glob("libQt6*")}
    for unused in ("WebEngineCore", "Quick", "Qml", "Multimedia", "3DCore"):
        assert f"libQt6{unused}.so.6" not in qt_libs, unused


@pytest.mark.slow
def test_bundle_selftest_passes_without_python(bundle: Path, tmp_path: Path) -> None:
    started = time.perf_counter()
    result = _run(bundle, tmp_path, "--selftest")
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASSED" in result.stdout
    assert "bundled app" in result.stdout
    print(f"bundled self-test took {seconds:.1f} s")


@pytest.mark.slow
def test_bundle_reports_the_one_version(bundle: Path, tmp_path: Path) -> None:
    result = _run(bundle, tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"GroupClinic {__version__}"


def _make_store(folder: Path, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from groupclinic_desktop.core.clinic import Clinic

    monkeypatch.setenv("GROUPCLINIC_DB_KEY", key)
    Clinic.open(folder, create=True).close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_bundle_refuses_a_store_from_a_newer_version(
    bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from groupclinic_desktop.core import store

    key = "b" * 64
    folder = tmp_path / "practice"
    _make_store(folder, key, monkeypatch)
    # What a later release's migration leaves behind: a revision this version has never heard of.
    engine = store.make_engine(folder / store.STORE_FILE, key)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    engine.dispose()
    before = _digest(folder / store.STORE_FILE)

    result = _run(bundle, tmp_path, "--data-dir", str(folder), "check", GROUPCLINIC_DB_KEY=key)

    assert result.returncode == 1
    assert "newer version of GroupClinic" in result.stderr
    assert _digest(folder / store.STORE_FILE) == before, "a refused store must not be changed"
    assert not (folder / "backups").exists()


@pytest.mark.slow
def test_bundle_upgrades_an_older_store_after_a_backup(
    bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic import command

    from groupclinic_desktop.core import store

    key = "c" * 64
    folder = tmp_path / "practice"
    _make_store(folder, key, monkeypatch)
    # A store one migration behind, as the previous release left it.
    engine = store.make_engine(folder / store.STORE_FILE, key)
    command.downgrade(store.alembic_config(engine), "-1")
    assert store.migration_state(engine) == "behind"
    engine.dispose()

    result = _run(bundle, tmp_path, "--data-dir", str(folder), "check", GROUPCLINIC_DB_KEY=key)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout
    assert len(list((folder / "backups").glob("*before-migration*.db"))) == 1
    engine = store.make_engine(folder / store.STORE_FILE, key)
    try:
        assert store.migration_state(engine) == "current"
    finally:
        engine.dispose()
