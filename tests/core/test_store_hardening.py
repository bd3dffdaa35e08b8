"""A store that never silently becomes a new empty one, keys of any characters, private files,
and restores that refuse the wrong backup (issue 21, points 1 to 4)."""

import os
import shutil
import stat
from pathlib import Path

import pytest

from groupclinic_desktop.core import store
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.errors import StoreError

# ----------------------------------------------------------------- 1. emptied or missing store


def _with_backup(demo_dir: Path) -> Path:
    with Clinic.open(demo_dir, create=False) as clinic:
        return clinic.backup(reason="daily")


def test_an_emptied_store_is_damaged_never_new_and_its_backups_stay(demo_dir: Path) -> None:
    good = _with_backup(demo_dir)
    (demo_dir / store.STORE_FILE).write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        Path(str(demo_dir / store.STORE_FILE) + suffix).unlink(missing_ok=True)
    with pytest.raises(StoreError, match="empty") as caught:
        Clinic.open(demo_dir)
    assert caught.value.kind == "damaged"
    assert (demo_dir / store.STORE_FILE).stat().st_size == 0  # not set up afresh
    assert Clinic.latest_good_backup(demo_dir) == good
    used, _kept = Clinic.recover_from_backup(demo_dir)
    assert used == good
    with Clinic.open(demo_dir, create=False) as clinic:
        assert clinic.practice().ods_code == "Y99999"
        # The emptied file kept "as found" does not stand in for today's backup.
        for path in (demo_dir / "backups").glob("*-daily.db"):
            path.unlink()
        assert clinic.ensure_daily_backup() is not None


def test_a_store_file_with_no_tables_is_damaged(demo_dir: Path) -> None:
    import os as _os

    _with_backup(demo_dir)
    db = demo_dir / store.STORE_FILE
    db.unlink()
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    conn = store._keyed_connection(db, _os.environ[store.KEY_ENV])
    conn.execute("PRAGMA user_version = 1")  # a keyed file with no tables at all
    conn.close()
    with pytest.raises(StoreError, match="empty") as caught:
        Clinic.open(demo_dir)
    assert caught.value.kind == "damaged"


def test_a_missing_store_beside_store_json_is_not_set_up_afresh(demo_dir: Path) -> None:
    _with_backup(demo_dir)
    for path in demo_dir.glob(store.STORE_FILE + "*"):
        path.unlink()
    with pytest.raises(StoreError, match="missing") as caught:
        Clinic.open(demo_dir)
    assert caught.value.kind == "damaged"
    assert not (demo_dir / store.STORE_FILE).exists()
    used, kept = Clinic.recover_from_backup(demo_dir)
    assert kept is None and used.exists()
    with Clinic.open(demo_dir, create=False) as clinic:
        assert clinic.practice() is not None


def test_a_folder_with_only_backups_is_not_set_up_afresh(demo_dir: Path) -> None:
    _with_backup(demo_dir)
    for path in demo_dir.glob(store.STORE_FILE + "*"):
        path.unlink()
    (demo_dir / store.META_FILE).unlink()
    with pytest.raises(StoreError, match="missing"):
        Clinic.open(demo_dir)
    assert not (demo_dir / store.STORE_FILE).exists()


def test_a_store_with_no_practice_is_never_a_good_backup_nor_rotates_one_out(
    tmp_path: Path, demo_dir: Path
) -> None:
    good = _with_backup(demo_dir)
    # A store with a schema and no practice (a first run not finished), under the same key.
    empty_dir = tmp_path / "no-practice"
    with Clinic.open(empty_dir) as empty:
        assert empty.ensure_daily_backup() is None  # no daily backup of nothing
        newest = demo_dir / "backups" / "groupclinic-20990101-000000-manual.db"
        empty.backup(newest)
        # Nine old good backups in its own folder: its backup rotates none of them out.
        empty.location.backup_dir.mkdir(exist_ok=True)
        for n in range(1, 10):
            shutil.copy(good, empty.location.backup_dir / f"groupclinic-2020010{n}-120000-daily.db")
        empty.backup(reason="manual")
        assert len(list(empty.location.backup_dir.glob("groupclinic-2020*"))) == 9
    with pytest.raises(StoreError, match="holds no practice"):
        store.verify_backup(newest, os.environ[store.KEY_ENV])
    assert Clinic.latest_good_backup(demo_dir) == good


def test_a_store_emptied_of_its_practice_is_damaged_not_a_first_run(
    demo_dir: Path, tmp_path: Path
) -> None:
    good = _with_backup(demo_dir)
    # A store made afresh (a schema, no practice) put in place of the practice's.
    with Clinic.open(tmp_path / "fresh"):
        pass
    for path in demo_dir.glob(store.STORE_FILE + "*"):
        path.unlink()
    shutil.copy(tmp_path / "fresh" / store.STORE_FILE, demo_dir / store.STORE_FILE)
    with pytest.raises(StoreError, match="holds no practice") as caught:
        Clinic.open(demo_dir)
    assert caught.value.kind == "damaged"
    assert Clinic.latest_good_backup(demo_dir) == good


def test_check_on_an_emptied_store_fails_with_one_line(demo_dir: Path) -> None:
    from groupclinic_desktop.cli import main

    (demo_dir / store.STORE_FILE).write_bytes(b"")
    assert main(["--data-dir", str(demo_dir), "check"]) == 1
    assert main(["--data-dir", str(demo_dir), "backup"]) == 1
    assert not (demo_dir / "backups").exists() or not list((demo_dir / "backups").iterdir())


# ----------------------------------------------------------------- 2. keys of any characters


@pytest.mark.parametrize(
    "key",
    ['pa"ss', 'back\\slash', "with spaces  in it", "naïve-ключ-鍵", "'single'", '"', "x'00'"],
)
def test_a_passphrase_of_any_characters_opens_the_store_on_every_path(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.setenv(store.KEY_ENV, key)
    with Clinic.open(data_dir) as clinic, clinic.acting_as(SYSTEM):
        clinic.create_practice("Y12345", "Test Practice")
        made = clinic.backup(reason="daily")
    # Every way in: the engine, the probe, the first look, the quick check, backups, recovery.
    with Clinic.open(data_dir, create=False) as clinic:
        assert clinic.check() == []
    from groupclinic_desktop.core import glance

    assert glance.take(data_dir) is None or glance.take(data_dir).practice_name == "Test Practice"
    store.verify_backup(made, key)
    assert Clinic.latest_good_backup(data_dir) == made
    with Clinic.open(data_dir, read_only=True) as clinic:
        assert clinic.practice().name == "Test Practice"
    Clinic.recover_from_backup(data_dir)
    with Clinic.open(data_dir, create=False) as clinic:
        assert clinic.practice().name == "Test Practice"


def test_cli_with_a_quoted_passphrase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from groupclinic_desktop.cli import main

    monkeypatch.setenv(store.KEY_ENV, 'pa"ss \\ ü')
    folder = tmp_path / "quoted"
    assert main(["--data-dir", str(folder), "demo"]) == 0
    assert main(["--data-dir", str(folder), "check"]) == 0
    assert main(["--data-dir", str(folder), "backup"]) == 0
    assert main(["--data-dir", str(folder), "recover", "--list"]) == 0


# ----------------------------------------------------------------- 3. private files


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_data_and_backup_folders_and_their_files_are_the_owners_alone(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = os.umask(0o022)  # the usual umask, which made everything readable by others
    try:
        with Clinic.open(data_dir) as clinic, clinic.acting_as(SYSTEM):
            clinic.create_practice("Y12345", "Test Practice")
            clinic.backup(reason="daily")
            clinic.backup(reason="manual")
        with Clinic.open(data_dir, create=False):
            pass
    finally:
        os.umask(old)
    for folder in (data_dir, data_dir / "backups"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name == store.STORE_FILE for p in files)
    assert any(p.parent.name == "backups" for p in files)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_log_folder_and_file_are_the_owners_alone(tmp_path: Path) -> None:
    import logging

    from groupclinic_desktop import logs

    old = os.umask(0o022)
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = logs.setup_logging(logging.INFO, tmp_path / "logs")
        logging.getLogger("test").info("a line")
    finally:
        os.umask(old)
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# ----------------------------------------------------------------- 4. the wrong backup


def _newer(backup: Path, key: str) -> None:
    conn = store._keyed_connection(backup, key)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.close()


def _other_practice(backup: Path, key: str) -> None:
    conn = store._keyed_connection(backup, key)
    conn.execute("UPDATE practice SET ods_code = 'Y11111', name = 'Another Practice'")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [(_newer, "newer version"), (_other_practice, "another practice")],
)
def test_restore_and_recover_refuse_a_newer_or_another_practices_backup(
    demo_dir: Path, tmp_path: Path, spoil, reason: str,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from groupclinic_desktop.cli import main

    key = os.environ[store.KEY_ENV]
    with Clinic.open(demo_dir, create=False) as clinic:
        wrong = clinic.backup(tmp_path / "wrong.db")
    spoil(wrong, key)
    db = demo_dir / store.STORE_FILE
    before = db.read_bytes()
    with (
        Clinic.open(demo_dir, create=False) as clinic,
        clinic.acting_as(SYSTEM),
        pytest.raises(StoreError, match=reason),
    ):
        clinic.restore(wrong)
    with pytest.raises(StoreError, match=reason):
        Clinic.recover_from_backup(demo_dir, wrong)
    assert db.read_bytes() == before
    import io

    # From the command line too (its sign-in writes its own audit entry, and nothing else).
    signed = ["--data-dir", str(demo_dir), "--user", "Alex Turner", "--pin-stdin"]
    for command in (["restore", str(wrong)], ["recover", "--from", str(wrong)]):
        monkeypatch.setattr("sys.stdin", io.StringIO("9753\n"))
        assert main([*signed, *command]) == 1
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert reason in line
    with Clinic.open(demo_dir, create=False) as clinic:
        assert clinic.practice().ods_code == "Y99999"
    # Nor is it ever "the latest good backup".
    (demo_dir / "backups").mkdir(exist_ok=True)
    shutil.copy(wrong, demo_dir / "backups" / "groupclinic-20990101-000000-daily.db")
    assert Clinic.latest_good_backup(demo_dir) != demo_dir / "backups" / (
        "groupclinic-20990101-000000-daily.db"
    )


def test_recover_knows_the_practice_from_its_backups_when_store_json_does_not_say(
    demo_dir: Path, tmp_path: Path
) -> None:
    import json

    key = os.environ[store.KEY_ENV]
    _with_backup(demo_dir)
    with Clinic.open(demo_dir, create=False) as clinic:
        wrong = clinic.backup(tmp_path / "wrong.db")
    _other_practice(wrong, key)
    meta = demo_dir / store.META_FILE
    meta.write_text(json.dumps({"store_id": json.loads(meta.read_text())["store_id"]}))
    (demo_dir / store.STORE_FILE).write_bytes(b"")
    with pytest.raises(StoreError, match="another practice"):
        Clinic.recover_from_backup(demo_dir, wrong)
    assert (demo_dir / store.STORE_FILE).stat().st_size == 0


def test_a_first_opening_that_fails_leaves_nothing_so_a_retry_sets_up(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    keyring.set_keyring(NoKeyring())
    with pytest.raises(StoreError, match="keyring"):
        Clinic.open(data_dir)
    assert not (data_dir / store.META_FILE).exists()
    assert not (data_dir / store.STORE_FILE).exists()
    monkeypatch.setenv(store.KEY_ENV, "d" * 64)
    with Clinic.open(data_dir) as clinic:
        assert clinic.practice() is None
