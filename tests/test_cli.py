"""The `groupclinic` command as IT staff and scripts use it: a real process, a real store."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

KEY = "5" * 64


ADMIN = ("--user", "Alex Turner", "--pin-stdin")  # the demo admin; the PIN goes on stdin


def run(
    data_dir: Path, *args: str, key: str | None = KEY, pin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `groupclinic --data-dir DIR ARGS`; `pin` is typed on standard input."""
    env = {k: v for k, v in os.environ.items() if k != "GROUPCLINIC_DB_KEY"}
    if key is not None:
        env["GROUPCLINIC_DB_KEY"] = key
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return subprocess.run(
        [sys.executable, "-m", "groupclinic_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        input=(pin + "\n") if pin is not None else "",
    )


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "store"
    result = run(folder, "demo")
    assert result.returncode == 0, result.stderr
    assert "Jo Morgan" in result.stdout and "PIN 2468" in result.stdout
    return folder


def one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_demo_then_check_passes(demo_store: Path) -> None:
    result = run(demo_store, "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK")
    again = run(demo_store, "demo")
    assert again.returncode == 0 and "already" in again.stdout


def test_the_file_on_disk_is_not_plain_sqlite(demo_store: Path) -> None:
    data = (demo_store / "groupclinic.db").read_bytes()
    assert not data.startswith(b"SQLite format 3")
    assert b"Margaret" not in data and b"9990000018" not in data


def test_wrong_key_is_one_clear_line(demo_store: Path) -> None:
    line = one_clear_line(run(demo_store, "check", key="6" * 64))
    assert "key does not match" in line


def test_no_keyring_and_no_key_is_one_clear_line(tmp_path: Path) -> None:
    line = one_clear_line(run(tmp_path / "new", "demo", key=None))
    assert "GROUPCLINIC_DB_KEY" in line


def test_backup_and_restore(demo_store: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    result = run(demo_store, "backup", "--to", str(target))
    assert result.returncode == 0, result.stderr
    assert target.exists() and not target.read_bytes().startswith(b"SQLite format 3")
    restored = run(demo_store, *ADMIN, "restore", str(target), pin="9753")
    assert restored.returncode == 0, restored.stderr
    assert "kept in" in restored.stdout
    assert run(demo_store, "check").returncode == 0


def test_restore_of_a_missing_or_bad_file_is_refused(demo_store: Path, tmp_path: Path) -> None:
    missing = run(demo_store, *ADMIN, "restore", str(tmp_path / "x"), pin="9753")
    assert "No backup file" in one_clear_line(missing)
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(4096))
    one_clear_line(run(demo_store, *ADMIN, "restore", str(junk), pin="9753"))
    assert run(demo_store, "check").returncode == 0


def test_check_fails_on_a_damaged_store(demo_store: Path, tmp_path: Path) -> None:
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(demo_store, broken)
    db = broken / "groupclinic.db"
    data = bytearray(db.read_bytes())
    for i in range(8192, min(len(data), 8192 * 3)):
        data[i] ^= 0xFF
    db.write_bytes(bytes(data))
    result = run(broken, "check")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr


def test_module_and_console_script_agree() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "groupclinic_desktop", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("GroupClinic ")


def test_restore_needs_an_admin_sign_in(demo_store: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    assert run(demo_store, "backup", "--to", str(target)).returncode == 0
    nobody = run(demo_store, "restore", str(target))
    assert nobody.returncode == 2
    assert "--user NAME" in one_clear_line(nobody)
    facilitator = run(
        demo_store, "--user", "Jo", "--pin-stdin", "restore", str(target), pin="2468"
    )
    assert facilitator.returncode == 1
    assert "may not" in one_clear_line(facilitator)
    wrong = run(demo_store, *ADMIN, "restore", str(target), pin="0000")
    assert "PIN is not right" in one_clear_line(wrong)
    assert run(demo_store, "check").returncode == 0
