"""The first look into the store (what the first paint shows) and the quick check run beside it.

The glance reads the store through the driver alone, so it must agree with the facade on every
name it shows, refuse every case the full way in has to explain, and never need SQLAlchemy.
"""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from groupclinic_desktop.core import glance, store
from groupclinic_desktop.core.clinic import SYSTEM, Clinic

PAGE = 4096


def root_page(data_dir: Path, table: str) -> int:
    conn = store._keyed_connection(data_dir / store.STORE_FILE, os.environ[store.KEY_ENV])
    try:
        row = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        return int(row[0])
    finally:
        conn.close()


def corrupt_page(data_dir: Path, page: int) -> None:
    """Scribble over one page (numbered from 1, as SQLite does), as a failing disk would."""
    with (data_dir / store.STORE_FILE).open("r+b") as fh:
        fh.seek((page - 1) * PAGE + 100)
        fh.write(b"\xff" * 300)


def check(data_dir: Path, *, cancelled: bool = False) -> list[str] | None:
    """Run a QuickCheck (cancelled before it starts, if asked) and return what it reported."""
    done = threading.Event()
    got: list[list[str] | None] = []

    def on_done(problems: list[str] | None) -> None:
        got.append(problems)
        done.set()

    checker = glance.QuickCheck(data_dir / store.STORE_FILE, os.environ[store.KEY_ENV], on_done)
    if cancelled:
        checker.cancel()
    checker.start()
    assert done.wait(60)
    assert len(got) == 1, "a check reports once"
    return got[0]


def test_the_glance_shows_what_the_facade_shows(demo_dir: Path) -> None:
    with Clinic.open(demo_dir, create=False) as clinic:
        with clinic.acting_as(SYSTEM):
            clinic.set_setting("display.theme", {"scale": 1.3, "high_contrast": True})
            clinic.add_staff("Aaron Early", "clinician", "4826")
            stopped = clinic.add_staff("Zed Gone", "facilitator", "4826")
            clinic.set_staff_active(stopped.id, False)  # type: ignore[arg-type]
        expected = [(u.id, u.name, u.role.value) for u in clinic.staff()]
        practice = clinic.practice()
        assert practice is not None
    seen = glance.take(demo_dir)
    assert seen is not None
    assert [(s.id, s.name, s.role) for s in seen.staff] == expected  # same people, same order
    assert "Zed Gone" not in {s.name for s in seen.staff}
    assert (seen.practice_name, seen.is_demo) == (practice.name, True)
    assert seen.setting("display.theme") == {"scale": 1.3, "high_contrast": True}
    assert seen.setting("idle_lock_minutes", 5) == 5  # only the look is read


def test_the_glance_holds_no_lock_and_the_facade_still_refuses_a_second_window(
    demo_dir: Path,
) -> None:
    """The first look takes no lock (filelock stays out of the first paint); the instance lock is
    the facade's, so a second app on the same store is still refused, behind its first paint."""
    seen = glance.take(demo_dir)
    assert seen is not None
    with Clinic.open(demo_dir, create=False):
        # Another process: its first look works, its facade is refused as "locked".
        other = (
            "import sys; from groupclinic_desktop.core import glance; "
            "from groupclinic_desktop.core.clinic import Clinic; "
            "from groupclinic_desktop.core.errors import StoreError\n"
            "print('look' if glance.take(sys.argv[1]) else 'none')\n"
            "try:\n    Clinic.open(sys.argv[1], create=False)\n"
            "except StoreError as exc:\n    print(exc.kind)"
        )
        result = subprocess.run(
            [sys.executable, "-c", other, str(demo_dir)],
            capture_output=True, text=True, timeout=60, env=dict(os.environ),
        )
    assert result.stdout.split() == ["look", "locked"], result.stderr


def test_every_unusual_store_is_left_to_the_full_way_in(
    tmp_path: Path, demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert glance.take(tmp_path / "nothing-here") is None  # no store: first run
    with Clinic.open(tmp_path / "empty"):
        pass
    assert glance.take(tmp_path / "empty") is None  # no practice yet: the first-run screen
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / store.STORE_FILE).write_bytes(store.SQLITE_HEADER + b"\0" * 4000)
    assert glance.take(plain) is None
    right_key = os.environ[store.KEY_ENV]
    monkeypatch.setenv(store.KEY_ENV, "b" * 64)
    assert glance.take(demo_dir) is None  # wrong key (or a damaged first page)
    monkeypatch.setenv(store.KEY_ENV, right_key)
    with Clinic.open(demo_dir, create=False) as clinic, clinic.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00dfeed'")
    assert glance.take(demo_dir) is None  # a newer (or older) schema: Clinic.open decides
    # A refused glance leaves the store free for the full way in.
    lock = store.lock_instance(store.StoreLocation(demo_dir))
    try:
        assert lock.lock_counter == 1
    finally:
        lock.release()


def test_the_glance_needs_no_sqlalchemy(demo_dir: Path) -> None:
    script = (
        "import sys; from groupclinic_desktop.core import glance; "
        "g = glance.take(sys.argv[1]); "
        "print(len(g.staff), sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'sqlmodel', 'alembic', 'keyring', 'filelock')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(demo_dir)],
        capture_output=True, text=True, timeout=60, env=dict(os.environ),
    )
    assert result.stdout.strip() == "4 []", result.stderr


def test_the_quick_check_passes_a_sound_store_and_fails_a_damaged_one(demo_dir: Path) -> None:
    assert check(demo_dir) == []
    corrupt_page(demo_dir, root_page(demo_dir, "measurement"))
    # The first paint still works (nothing it reads is damaged)...
    assert glance.take(demo_dir) is not None
    # ...but the check behind it finds the damage, as the facade's own start-up check does.
    problems = check(demo_dir)
    assert problems
    with pytest.raises(Exception, match="damaged"):
        Clinic.open(demo_dir, create=False)


def test_a_facade_opened_without_its_check_still_checks_before_a_migration(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = store.quick_check

    def counted(engine):  # type: ignore[no-untyped-def]
        calls.append("check")
        return real(engine)

    monkeypatch.setattr(store, "quick_check", counted)
    with Clinic.open(demo_dir, create=False, check=False):
        pass
    assert calls == []  # current store: left to the caller's QuickCheck
    monkeypatch.setattr(store, "migration_state", lambda engine: "behind")
    monkeypatch.setattr(store, "upgrade", lambda engine: None)
    with Clinic.open(demo_dir, create=False, check=False):
        pass
    assert calls == ["check"]  # a migration writes, so the store is checked first


def test_a_cancelled_check_reports_no_verdict(demo_dir: Path) -> None:
    assert check(demo_dir, cancelled=True) is None
