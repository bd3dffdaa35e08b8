"""The practice's encrypted store: where it lives, its key, its engine, migrations and backups.

One SQLCipher file per practice under the platform's user data folder. The key is 32 random bytes
kept in the OS keyring; GROUPCLINIC_DB_KEY always wins, for headless machines and IT scripts.
"""

import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3

from groupclinic_desktop.core.errors import StoreError

if TYPE_CHECKING:
    # Alembic is imported only when a migration question needs it: importing it costs about
    # 0.2 s of every start (bench/README.md), and a current store never needs it.
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from filelock import FileLock

    # SQLAlchemy too is imported only to make an engine: the app's first paint reads the staff
    # names through the driver alone (core/glance.py), and importing it costs about 0.3 s.
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

APP_NAME = "GroupClinic"
KEYRING_SERVICE = "GroupClinic Desktop"
KEY_ENV = "GROUPCLINIC_DB_KEY"
STORE_FILE = "groupclinic.db"
META_FILE = "store.json"
SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def default_data_dir() -> Path:
    # secrets, shutil, uuid and platformdirs are imported where used, as here: the app's first
    # paint imports this module and needs none of them when the folder is given (~10 ms).
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class StoreLocation:
    """The folder of one practice's store: the encrypted file and a small plain metadata file.

    store.json holds only a random store id (to name the keyring entry) and no patient data.
    """

    data_dir: Path

    @property
    def db_path(self) -> Path:
        return self.data_dir / STORE_FILE

    @property
    def meta_path(self) -> Path:
        return self.data_dir / META_FILE

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    def exists(self) -> bool:
        return self.db_path.exists()

    def store_id(self, create: bool = False) -> str:
        if self.meta_path.exists():
            try:
                return str(json.loads(self.meta_path.read_text("utf-8"))["store_id"])
            except (ValueError, KeyError) as exc:
                raise StoreError(
                    f"The store's metadata file {self.meta_path} is damaged.", kind="key"
                ) from exc
        if not create:
            raise StoreError(
                f"No GroupClinic store in {self.data_dir} (store.json is missing).", kind="key"
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        import uuid

        store_id = uuid.uuid4().hex
        self.meta_path.write_text(json.dumps({"store_id": store_id}, indent=2), "utf-8")
        return store_id

    @property
    def keyring_user(self) -> str:
        return f"store-key-{self.store_id()}"


NO_KEYRING = (
    "No system keyring is available to keep the store's key. Set the environment variable "
    f"{KEY_ENV} to the store's key (see README) or install a keyring backend."
)


def lock_instance(location: StoreLocation) -> "FileLock":
    """Hold the store for this process: a second app or CLI on the same store is refused.

    The lock is a singleton per path, so one process may open the same store twice (tests, a
    restore that reopens); the OS drops it when the process dies, so a crash never leaves it stuck.
    """
    # Imported here: filelock takes ~18 ms to import, and the first paint does not need it.
    from filelock import FileLock, Timeout

    location.data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(location.data_dir / ".instance.lock", is_singleton=True, thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise StoreError(
            f"The store in {location.data_dir} is already open in another GroupClinic window or "
            "command. Close it there first, then try again.",
            kind="locked",
        ) from None
    return lock


def _keyring_get(user: str) -> str | None:
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, user)
    except NoKeyringError:
        raise StoreError(NO_KEYRING, kind="key") from None
    except KeyringError as exc:
        raise StoreError(
            f"The system keyring could not be read: {type(exc).__name__}.", kind="key"
        ) from None


def _keyring_set(user: str, secret: str) -> None:
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, user, secret)
    except NoKeyringError:
        raise StoreError(NO_KEYRING) from None
    except KeyringError as exc:
        raise StoreError(
            f"The system keyring could not be written: {type(exc).__name__}."
        ) from None


def keyring_secret(name: str, *, create: bool) -> str | None:
    """A named secret of the app in the keyring (sync token, pseudonymisation secret...)."""
    value = _keyring_get(name)
    if value is None and create:
        import secrets

        value = secrets.token_hex(32)
        _keyring_set(name, value)
    return value


def resolve_key(location: StoreLocation, *, create: bool) -> str:
    env_key = os.environ.get(KEY_ENV)
    if env_key:
        return env_key
    user = location.keyring_user
    key = _keyring_get(user)
    if key:
        return key
    if not create:
        raise StoreError(
            "The key for this store is not in the system keyring. If the store was moved from "
            f"another laptop, set {KEY_ENV} to its key (see docs/deployment.md).",
            kind="key",
        )
    import secrets

    key = secrets.token_hex(32)
    _keyring_set(user, key)
    return key


def _pragma_key(key: str) -> str:
    # A 64-hex-digit key is used as the raw key: no slow key derivation on every connection.
    if len(key) == 64 and all(c in "0123456789abcdefABCDEF" for c in key):
        return f"x'{key}'"
    return key


def make_engine(db_path: Path, key: str, *, read_only: bool = False) -> "Engine":
    from sqlalchemy import URL, create_engine, event
    from sqlalchemy.pool import QueuePool

    url = URL.create("sqlite+pysqlcipher", password=_pragma_key(key), database=str(db_path))
    # hide_parameters: SQL errors must never carry patient data into messages or logs.
    # QueuePool, not the dialect's per-thread pool: the sync worker's thread and the UI share
    # the engine, and a per-thread pool cannot be disposed safely while another thread uses it.
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        hide_parameters=True,
        poolclass=QueuePool,
        # The most recently used connection first: its page cache is warm and nobody else has
        # written since (each page read from disk is decrypted and checked again).
        pool_use_lifo=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event, not the driver, start transactions (see _on_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA cipher_log_level = NONE")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        if read_only:
            # SQLite itself refuses every write on this connection, whatever code asks.
            cur.execute("PRAGMA query_only=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock up front so the audit chain's "last hash" cannot race.
        if conn.get_execution_options().get("immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def _keyed_connection(db_path: Path, key: str) -> Any:
    conn = sqlcipher3.connect(str(db_path))
    # SQLCipher would print its own lines to stderr on a wrong key; our message says it better.
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f'PRAGMA key="{_pragma_key(key)}"')
    return conn


def refuse_plain_file(db_path: Path) -> None:
    with db_path.open("rb") as fh:
        header = fh.read(16)
    if header == SQLITE_HEADER:
        raise StoreError(
            f"{db_path} is a plain, unencrypted SQLite file, not a GroupClinic store. "
            "It was not opened.",
            kind="plain",
        )


def probe_file(db_path: Path, key: str) -> None:
    """Open the file with the key and read its schema; every failure becomes a clear StoreError."""
    refuse_plain_file(db_path)
    conn = _keyed_connection(db_path, key)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        # SQLCipher cannot tell a wrong key from a damaged first page. When a backup in the
        # folder opens with this key, the key is right, so the file must be damaged.
        damaged = latest_good_backup(db_path.parent, key) is not None
        raise StoreError(
            f"Cannot open the store at {db_path}: the key does not match this file, or the file "
            "is damaged. Nothing was changed.",
            kind="damaged" if damaged else "key",
        ) from None
    finally:
        conn.close()


def alembic_config(engine: "Engine | None" = None) -> "Config":
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def _scripts() -> "ScriptDirectory":
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None
    return head


_REVISION_LINE = re.compile(r"^(down_revision|revision)\b[^=]*=\s*['\"]?([\w-]+|None)", re.M)


@cache
def _head_on_disk() -> str | None:
    """The single head of the migration scripts, read from their `revision` lines without
    importing Alembic; None when that is not clear-cut (Alembic then decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(m.groups() for m in _REVISION_LINE.finditer(script.read_text("utf-8")))
        if "revision" not in found:
            return None
        revisions.add(found["revision"])
        parents.add(found.get("down_revision", "None"))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(engine: "Engine") -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _stored_revision(engine: "Engine") -> str | None:
    with engine.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).first()
        if found is None:
            return None
        rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
    return rows[0][0] if len(rows) == 1 else None


def migration_state(engine: "Engine") -> str:
    """'current', 'behind' (needs upgrading) or 'newer' (made by a newer app)."""
    head = _head_on_disk()
    if head is not None and _stored_revision(engine) == head:
        return "current"  # the everyday case, answered without Alembic
    current = current_revision(engine)
    script = _scripts()
    if current == script.get_current_head():
        return "current"
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        return "newer"
    return "behind"


def upgrade(engine: "Engine") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def quick_check(engine: "Engine") -> list[str]:
    """SQLite's quick check (no index cross-checks), fast enough to run on every start."""
    with engine.connect() as conn:
        rows = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check").fetchall()]
    return [r for r in rows if r != "ok"]


def integrity_check(engine: "Engine") -> list[str]:
    """Problems SQLite finds in the file; an empty list means it is sound."""
    with engine.connect() as conn:
        rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
        fk = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    problems = [r for r in rows if r != "ok"]
    problems += [f"foreign key problem in table {r[0]} row {r[1]}" for r in fk]
    return problems


def backup_to(engine: "Engine", target: Path, key: str) -> Path:
    """A consistent encrypted copy made with SQLite's online backup API, then checked."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".partial")
    if tmp.exists():
        tmp.unlink()
    dest = _keyed_connection(tmp, key)
    try:
        raw = engine.raw_connection()
        try:
            raw.driver_connection.backup(dest)  # type: ignore[union-attr]
        finally:
            raw.close()
        dest.execute("PRAGMA journal_mode=DELETE")
        ok = dest.execute("PRAGMA integrity_check").fetchone()
    finally:
        dest.close()
    if not ok or ok[0] != "ok":
        tmp.unlink(missing_ok=True)
        raise StoreError("The backup failed its integrity check and was not kept.")
    os.replace(tmp, target)
    return target


def backup_name(reason: str, when: datetime | None = None) -> str:
    stamp = (when or datetime.now()).strftime(BACKUP_STAMP)
    return f"groupclinic-{stamp}-{reason}.db"


DEFAULT_ROTATION = {"daily": 7, "weekly": 5, "monthly": 12}
BACKUP_STAMP = "%Y%m%d-%H%M%S"
SAFETY_BACKUP_DAYS = 30


def _backup_time(path: Path) -> datetime | None:
    # groupclinic-YYYYmmdd-HHMMSS-reason.db
    parts = path.name.split("-")
    if len(parts) < 4 or parts[0] != "groupclinic":
        return None
    try:
        return datetime.strptime(f"{parts[1]}-{parts[2]}", BACKUP_STAMP)
    except ValueError:
        return None


def _dated_backups(folder: Path) -> list[tuple[datetime, Path]]:
    if not folder.is_dir():
        return []
    found = [(_backup_time(p), p) for p in folder.glob("groupclinic-*.db")]
    return sorted(((t, p) for t, p in found if t is not None), reverse=True)


def has_backup_on(folder: Path, day: date) -> bool:
    return any(t.date() == day for t, _ in _dated_backups(folder))


def rotate_backups(folder: Path, *, daily: int, weekly: int, monthly: int) -> list[Path]:
    """Keep the newest backup of each of the last `daily` days, `weekly` ISO weeks and `monthly`
    months that have one; delete the rest. Returns what was deleted."""
    keep: set[Path] = set()
    for count, bucket in (
        (daily, lambda t: t.date()),
        (weekly, lambda t: t.isocalendar()[:2]),
        (monthly, lambda t: (t.year, t.month)),
    ):
        seen: list[object] = []
        for when, path in _dated_backups(folder):
            key = bucket(when)
            if key not in seen:
                if len(seen) >= count:
                    break
                seen.append(key)
                keep.add(path)
    # Safety copies made before a migration, restore or import are kept for 30 days whatever
    # the counts say: they may be the only copy of the store as it was.
    cutoff = datetime.now() - timedelta(days=SAFETY_BACKUP_DAYS)
    removed = []
    for when, path in _dated_backups(folder):
        if "-before-" in path.name and when > cutoff:
            continue
        if path not in keep:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def verify_backup(path: Path, key: str) -> None:
    """Refuse a backup that is not a sound GroupClinic store under this key."""
    if not Path(path).is_file():
        raise StoreError(f"No backup file at {path}.")
    probe_file(Path(path), key)
    conn = _keyed_connection(Path(path), key)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    if not ok or ok[0] != "ok":
        raise StoreError(f"The backup {path} is damaged (integrity check failed).")
    if "practice" not in tables or "alembic_version" not in tables:
        raise StoreError(f"{path} is not a GroupClinic store.")


def replace_store(location: StoreLocation, backup: Path) -> None:
    """Put a checked backup in place of the store file; the caller has closed its engine."""
    for suffix in ("-wal", "-shm"):
        Path(str(location.db_path) + suffix).unlink(missing_ok=True)
    import shutil

    tmp = location.db_path.with_name(location.db_path.name + ".restoring")
    shutil.copyfile(backup, tmp)
    os.replace(tmp, location.db_path)


def _backup_revision(path: Path, key: str) -> str | None:
    conn = _keyed_connection(path, key)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        conn.close()
    return row[0] if row else None


def latest_good_backup(data_dir: Path, key: str) -> Path | None:
    """The newest backup in data_dir/backups that opens with this key, passes its integrity check
    and was written by this version of the app or an older one; None when there is none."""
    known = {rev.revision for rev in _scripts().walk_revisions()}
    for _when, path in _dated_backups(StoreLocation(Path(data_dir)).backup_dir):
        try:
            verify_backup(path, key)
            if _backup_revision(path, key) in known:
                return path
        except (StoreError, sqlcipher3.DatabaseError):
            continue
    return None


def keep_damaged_copy(location: StoreLocation) -> Path:
    """Copy the store file as it is (with its WAL) into the backups folder before replacing it.

    A damaged file cannot go through the backup API, so the bytes are copied; the name marks it
    as a safety copy so rotation keeps it for 30 days.
    """
    import shutil

    location.backup_dir.mkdir(parents=True, exist_ok=True)
    target = location.backup_dir / backup_name("before-restore-as-found")
    shutil.copyfile(location.db_path, target)
    wal = Path(str(location.db_path) + "-wal")
    if wal.exists():
        shutil.copyfile(wal, Path(str(target) + "-wal"))
    return target
