"""The encrypted store: keys, refusal of wrong keys and plain files, migrations, backup, restore."""

import sqlite3
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as NoKeyring

from groupclinic_desktop.core import store
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.errors import NotAllowed, StoreError


def test_new_store_is_encrypted_and_its_key_is_kept_in_the_keyring(
    data_dir: Path, memory_keyring
) -> None:
    with Clinic.open(data_dir) as clinic, clinic.acting_as(SYSTEM):
        clinic.create_practice("Y12345", "Test Practice")
    db = data_dir / store.STORE_FILE
    assert db.read_bytes()[:16] != store.SQLITE_HEADER
    # A plain SQLite reader sees no tables and cannot read the file.
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(db).execute("SELECT * FROM sqlite_master").fetchall()
    assert b"Test Practice" not in db.read_bytes()
    keys = [
        v for (service, _), v in memory_keyring.secrets.items() if service == store.KEYRING_SERVICE
    ]
    assert len(keys) == 1 and len(keys[0]) == 64
    # Reopening finds the key in the keyring again.
    with Clinic.open(data_dir, create=False) as clinic:
        assert clinic.practice().name == "Test Practice"


def test_wrong_key_gives_a_clear_message_and_changes_nothing(data_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv(store.KEY_ENV, "a" * 64)
    with Clinic.open(data_dir) as clinic, clinic.acting_as(SYSTEM):
        clinic.create_practice("Y12345", "Test Practice")
    before = (data_dir / store.STORE_FILE).read_bytes()
    monkeypatch.setenv(store.KEY_ENV, "b" * 64)
    with pytest.raises(StoreError, match="key does not match"):
        Clinic.open(data_dir)
    assert (data_dir / store.STORE_FILE).read_bytes() == before


def test_environment_key_wins_over_the_keyring(data_dir: Path, monkeypatch, memory_keyring) -> None:
    monkeypatch.setenv(store.KEY_ENV, "c" * 64)
    with Clinic.open(data_dir):
        pass
    assert not memory_keyring.secrets  # nothing was written to the keyring
    monkeypatch.delenv(store.KEY_ENV)
    with pytest.raises(StoreError, match="not in the system keyring"):
        Clinic.open(data_dir)


def test_a_passphrase_key_that_is_not_hex_also_works(data_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv(store.KEY_ENV, "correct horse battery staple")
    with Clinic.open(data_dir) as clinic, clinic.acting_as(SYSTEM):
        clinic.create_practice("Y12345", 'Quoted "name"')
    with Clinic.open(data_dir) as clinic:
        assert clinic.practice().name == 'Quoted "name"'


def test_no_keyring_and_no_environment_key_fails_clearly(data_dir: Path) -> None:
    keyring.set_keyring(NoKeyring())
    with pytest.raises(StoreError, match="GROUPCLINIC_DB_KEY"):
        Clinic.open(data_dir)
    assert not (data_dir / store.STORE_FILE).exists()


def test_a_plain_sqlite_file_is_refused_not_overwritten(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    store.StoreLocation(data_dir).store_id(create=True)
    plain = data_dir / store.STORE_FILE
    sqlite3.connect(plain).execute("CREATE TABLE x(a)").connection.commit()
    before = plain.read_bytes()
    with pytest.raises(StoreError, match="plain, unencrypted SQLite file"):
        Clinic.open(data_dir)
    assert plain.read_bytes() == before


def test_store_uses_wal_full_sync_and_foreign_keys(clinic: Clinic) -> None:
    with clinic.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_are_current_and_a_newer_store_is_refused(data_dir: Path) -> None:
    with Clinic.open(data_dir) as clinic:
        assert store.migration_state(clinic.engine) == "current"
        assert store.current_revision(clinic.engine) == store.head_revision()
        with clinic.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00dfeed'")
    with pytest.raises(StoreError, match="newer version"):
        Clinic.open(data_dir)


def test_migrated_store_matches_the_schema_the_code_expects(data_dir: Path) -> None:
    # A store built by the migrations, not by the model, must have the same tables, columns and
    # indexes: an index in one and not the other is a slow screen or a slow save on old stores.
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    with Clinic.open(data_dir) as clinic, clinic.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        indexes = {
            row[0]
            for row in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'measurement'"
            )
        }
    assert differences == []
    # Saving a value writes one page per index: only the indexes some query uses are kept.
    assert indexes == {
        "sqlite_autoindex_measurement_1",
        "ix_measurement_session_id",
        "ix_measurement_patient_type_taken",
    }


def test_backup_is_encrypted_checked_and_restorable(demo: Clinic, tmp_path: Path) -> None:
    target = demo.backup(tmp_path / "copy.db")
    assert target.read_bytes()[:16] != store.SQLITE_HEADER
    store.verify_backup(target, demo._key)
    patients_before = len(demo.patients())
    with demo.acting_as(SYSTEM):
        demo.add_patient("999 000 0115", "Extra", "Person", "1970-01-01")
    assert len(demo.patients()) == patients_before + 1
    with demo.acting_as(SYSTEM):
        kept = demo.restore(target)
    assert kept.exists()
    reopened = Clinic.open(demo.location.data_dir, create=False)
    try:
        assert len(reopened.patients()) == patients_before
        assert reopened.check() == []
    finally:
        reopened.close()


def test_restore_refuses_a_damaged_backup_and_keeps_the_store(demo: Clinic, tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\x00" * 8192)
    with demo.acting_as(SYSTEM), pytest.raises(StoreError):
        demo.restore(bad)
    assert len(demo.patients()) == 10


def test_only_an_admin_may_restore(demo: Clinic, tmp_path: Path) -> None:
    target = demo.backup(tmp_path / "copy.db")
    facilitator = next(u for u in demo.staff() if u.role == "facilitator")
    demo.sign_in(facilitator.id, "2468")
    with pytest.raises(NotAllowed):
        demo.restore(target)


def test_a_second_process_on_the_same_store_is_refused(demo_dir: Path) -> None:
    import os
    import subprocess
    import sys

    with Clinic.open(demo_dir, create=False):
        other = subprocess.run(
            [sys.executable, "-m", "groupclinic_desktop", "--data-dir", str(demo_dir), "check"],
            capture_output=True, text=True, env=dict(os.environ), timeout=120,
        )
        assert other.returncode == 1
        assert "already open" in other.stderr and "Traceback" not in other.stderr
    # Once closed, the store opens again.
    again = subprocess.run(
        [sys.executable, "-m", "groupclinic_desktop", "--data-dir", str(demo_dir), "check"],
        capture_output=True, text=True, env=dict(os.environ), timeout=120,
    )
    assert again.returncode == 0, again.stderr


def test_backups_rotate_daily_weekly_monthly(tmp_path: Path) -> None:
    from datetime import datetime, timedelta

    folder = tmp_path / "backups"
    folder.mkdir()
    start = datetime(2026, 1, 1, 9, 0)
    for day in range(120):  # two backups a day for 120 days
        for hour in (9, 17):
            when = start + timedelta(days=day, hours=hour - 9)
            (folder / store.backup_name("daily", when)).write_bytes(b"x")
    store.rotate_backups(folder, daily=7, weekly=4, monthly=3)
    kept = sorted(p.name for p in folder.iterdir())
    # Newest of each of the last 7 days, plus week and month representatives (overlapping).
    assert kept[-1] == store.backup_name("daily", start + timedelta(days=119, hours=8))
    days = {name.split("-")[1] for name in kept}
    assert len(kept) == len(days)  # never two from one day
    assert 7 <= len(kept) <= 7 + 4 + 3
    assert {"20260430", "20260429", "20260424"} <= days


def test_automatic_backups_are_rotated_and_daily_backup_is_made_once(demo: Clinic) -> None:
    assert demo.ensure_daily_backup() is not None
    assert demo.ensure_daily_backup() is None
    for _ in range(3):
        demo.backup(reason="manual")
    # All today: the daily rule keeps only the newest of the day.
    assert len(list(demo.location.backup_dir.glob("groupclinic-*.db"))) == 1


def test_a_store_opened_read_only_makes_no_daily_backup(demo_dir: Path) -> None:
    """Signing in to look at a damaged store must not rotate good backups away."""
    backups = demo_dir / "backups"
    before = sorted(backups.iterdir()) if backups.exists() else []
    with Clinic.open(demo_dir, create=False, read_only=True) as looking:
        assert looking.ensure_daily_backup() is None
    assert (sorted(backups.iterdir()) if backups.exists() else []) == before


def test_safety_backups_outlive_the_daily_rotation(demo: Clinic, tmp_path: Path) -> None:
    target = demo.backup(tmp_path / "copy.db")
    with demo.acting_as(SYSTEM):
        kept = demo.restore(target)
    reopened = Clinic.open(demo.location.data_dir, create=False)
    try:
        reopened.backup(reason="manual")
        reopened.backup(reason="session-finished")
    finally:
        reopened.close()
    assert kept.exists(), "the copy made before the restore must survive later backups that day"
