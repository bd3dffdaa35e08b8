"""The practice's encrypted store: where it lives, its key, its engine, migrations and backups.

One SQLCipher file per practice under the platform's user data folder. The key is 32 random bytes
kept in the OS keyring; GROUPCLINIC_DB_KEY always wins, for headless machines and IT scripts.
"""

import errno
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

# On POSIX the data, log and backup folders are the user's alone (0700) and so are their files
# (0600): another account on the laptop must not read the store, its backups or the log.
from groupclinic_desktop.core.private_files import keep_private, private_dir, private_file

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


# ----------------------------------------------------------------- a full disk

DISK_FULL_TEXT = "database or disk is full"
# Below this much free room a failed write is taken to be the disk's fault, not the file's.
LOW_SPACE_BYTES = 4 * 1024 * 1024


def free_bytes(folder: Path) -> int | None:
    import shutil

    folder = Path(folder)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def disk_full(folder: Path, exc: BaseException | None = None) -> bool:
    """Whether a failure in `folder` comes from its disk having no room left."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    if exc is not None and DISK_FULL_TEXT in str(exc).lower():
        return True
    free = free_bytes(folder)
    return free is not None and free < LOW_SPACE_BYTES


def disk_full_error(folder: Path) -> StoreError:
    free = free_bytes(folder) or 0
    return StoreError(
        f"The disk holding the GroupClinic data is full ({free // 1_000_000} MB free); free some "
        "space. Nothing was changed.",
        kind="disk_full",
    )


# What SQLite says (its messages are fixed English text, never data) and what the person at the
# laptop is told, by the StoreError kind the pages and the start-up screen know.
_REFUSALS = (
    (("database is locked", "database table is locked", "busy"), "locked",
     "The store is busy (another program is holding it); nothing was saved. Wait a moment and "
     "try again."),
    (("readonly", "read-only", "read only"), "read_only",
     "The store cannot be written to (the file or its disk is read-only); nothing was saved. "
     "Ask your IT contact to make the GroupClinic folder writable."),
    (("malformed", "not a database", "corrupt"), "damaged",
     "The store is damaged; nothing was saved. Restore the latest good backup "
     "(groupclinic recover)."),
)
DISK_TROUBLE = (
    "The disk holding the store could not be read or written; nothing was saved. Check the disk "
    "or USB drive is connected and working, then try again."
)


def operational_error(location: "StoreLocation", exc: BaseException) -> StoreError:
    """The app's own store error for a database error met while using an open store."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    for words, kind, sentence in _REFUSALS:
        if any(word in text for word in words):
            return StoreError(sentence, kind=kind)
    if disk_full(location.data_dir, exc):
        return disk_full_error(location.data_dir)
    if "i/o" in text or "disk" in text:
        return StoreError(DISK_TROUBLE, kind="other")
    cause = type(getattr(exc, "orig", None) or exc).__name__
    return StoreError(
        f"The store refused this change ({cause}); nothing was saved. Try again; if it happens "
        "again, tell your practice's IT contact.",
        kind="other",
    )


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

    def was_set_up(self) -> bool:
        """Whether a store was ever made here: store.json or a backup is in the folder.

        Such a folder is never set up afresh, even when the store file is missing."""
        return self.meta_path.exists() or bool(_dated_backups(self.backup_dir))

    def meta(self) -> dict[str, Any]:
        try:
            value = json.loads(self.meta_path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except ValueError as exc:
            raise StoreError(
                f"The store's metadata file {self.meta_path} is damaged.", kind="key"
            ) from exc
        if not isinstance(value, dict):
            raise StoreError(f"The store's metadata file {self.meta_path} is damaged.", kind="key")
        return value

    def _write_meta(self, value: dict[str, Any]) -> None:
        private_dir(self.data_dir)
        tmp = self.meta_path.with_name(META_FILE + ".new")
        tmp.unlink(missing_ok=True)
        private_file(tmp)
        tmp.write_text(json.dumps(value, indent=2), "utf-8")
        os.replace(tmp, self.meta_path)

    def practice_code(self) -> str | None:
        """The ODS code of the practice this folder's store belongs to, once it is known."""
        code = self.meta().get("ods_code")
        return str(code) if code else None

    def remember_practice(self, ods_code: str) -> None:
        """Note which practice the store holds, so a restore can refuse another's backup.
        An ODS code is a public organisation code, not patient data."""
        value = self.meta()
        if value.get("ods_code") != ods_code:
            value["ods_code"] = ods_code
            self._write_meta(value)

    def store_id(self, create: bool = False) -> str:
        if self.meta_path.exists():
            try:
                return str(self.meta()["store_id"])
            except KeyError as exc:
                raise StoreError(
                    f"The store's metadata file {self.meta_path} is damaged.", kind="key"
                ) from exc
        if not create:
            raise StoreError(
                f"No GroupClinic store in {self.data_dir} (store.json is missing).", kind="key"
            )
        import uuid

        store_id = uuid.uuid4().hex
        self._write_meta({"store_id": store_id})
        return store_id

    def forget_unfinished_store(self) -> None:
        """Remove what a failed first opening made here (only ever called for a new store)."""
        for path in (self.db_path, Path(str(self.db_path) + "-wal"),
                     Path(str(self.db_path) + "-shm"), self.meta_path):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                log.warning("could not remove an unfinished store file")

    def keep_private(self) -> None:
        """The folder, the store and its companions readable by their owner alone (POSIX)."""
        private_dir(self.data_dir)
        for path in (self.db_path, self.meta_path, self.data_dir / ".instance.lock"):
            keep_private(path)
        for suffix in ("-wal", "-shm"):
            keep_private(Path(str(self.db_path) + suffix))
        if self.backup_dir.is_dir():
            private_dir(self.backup_dir)
            for path in self.backup_dir.iterdir():
                if path.is_file():
                    keep_private(path)

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

    private_dir(location.data_dir)
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


# The keyring library's own backend for each platform. Naming it spares the start the scan of
# every installed backend's entry point (~90 ms); keyring's detection is still used whenever
# this one cannot answer (bench/README.md). On Linux the key is first asked of the Secret
# Service directly (core/os_keyring.py), and this is the way when that has no plain answer.
PLATFORM_BACKENDS = {
    "linux": "keyring.backends.SecretService.Keyring",
    "win32": "keyring.backends.Windows.WinVaultKeyring",
    "darwin": "keyring.backends.macOS.Keyring",
}
_named_backend: list[Any] = []  # [the platform's backend] once found viable, [None] when not


def _platform_backend() -> Any:
    """The platform's own keyring backend when nothing else is chosen, else None.

    None (keyring's own choice applies) when a backend was set in this process
    (keyring.set_keyring), named in PYTHON_KEYRING_BACKEND or a keyring config file, when the
    platform has no known backend, or when it is not usable here (no Secret Service running)."""
    import sys

    chosen = sys.modules.get("keyring.core")
    if chosen is not None and getattr(chosen, "_keyring_backend", None) is not None:
        return None
    if _named_backend:
        return _named_backend[0]
    name = PLATFORM_BACKENDS.get(sys.platform)
    if name is None or os.environ.get("PYTHON_KEYRING_BACKEND"):
        _named_backend.append(None)
        return None
    import keyring.core

    try:
        # A keyring config file names the backend: keyring's own reading of it applies.
        configured = keyring.core._config_path().exists()
        backend = None if configured else keyring.core.load_keyring(name)  # raises if unusable
    except Exception:  # noqa: BLE001 - any failure means "let keyring choose", as before
        backend = None
    _named_backend.append(backend)
    return backend


def _keyring_get(user: str) -> str | None:
    from groupclinic_desktop.core import os_keyring

    if os_keyring.applies():
        # Linux with keyring's choice left to it: ask the Secret Service directly (no keyring
        # import before the first paint); anything but a plain answer goes to keyring below.
        try:
            return os_keyring.read_secret(KEYRING_SERVICE, user)
        except os_keyring.Unanswered as exc:
            log.debug("keyring asked for the store key (%s)", exc)
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    try:
        named = _platform_backend()
        if named is not None:
            found = named.get_password(KEYRING_SERVICE, user)
            if found is not None:
                return found
            # Not there: perhaps keyring's detection chose another backend when it was saved.
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


class KeyReader:
    """The store's key read from the keyring on a thread of its own, started before Qt loads
    (cli.py), so the keyring's import and its round trip to the OS keyring overlap the window's
    start instead of coming before the first paint. resolve_key takes its answer."""

    def __init__(self, location: StoreLocation) -> None:
        import threading

        self.user = location.keyring_user
        self._result: tuple[str | None, StoreError | None] | None = None
        self._thread = threading.Thread(target=self._run, name="store-key", daemon=True)

    def start(self) -> "KeyReader":
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._result = (_keyring_get(self.user), None)
        except StoreError as exc:
            self._result = (None, exc)
        except Exception:  # noqa: BLE001 - left to the ordinary read, which reports it
            self._result = None

    def answer(self) -> tuple[str | None, StoreError | None] | None:
        self._thread.join()
        return self._result


_key_reader: list[KeyReader] = []


def read_key_ahead(data_dir: Path | None) -> None:
    """Start reading the store's key from the keyring now (the app's plain start, cli.py); does
    nothing when the key comes from the environment or there is no store to open."""
    if os.environ.get(KEY_ENV):
        return
    try:
        location = StoreLocation(Path(data_dir) if data_dir else default_data_dir())
        if not location.exists() or not location.meta_path.exists():
            return
        _key_reader[:] = [KeyReader(location).start()]
    except (OSError, StoreError, ValueError):
        return  # the ordinary way in meets the problem and explains it


def _key_read_ahead(user: str) -> str | None:
    """The key read ahead for this keyring entry (raising what the read raised), or None."""
    if not _key_reader or _key_reader[0].user != user:
        return None
    reader = _key_reader.pop()
    answer = reader.answer()
    if answer is None:
        return None
    key, error = answer
    if error is not None:
        raise error
    return key


def resolve_key(location: StoreLocation, *, create: bool) -> str:
    env_key = os.environ.get(KEY_ENV)
    if env_key:
        return env_key
    user = location.keyring_user
    key = _key_read_ahead(user) or _keyring_get(user)
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


def key_statement(key: str) -> str:
    """The one PRAGMA key statement for this key, on every connection the app makes.

    The key is quoted as SQLite quotes an identifier (a `"` doubled), exactly as the engine's
    dialect quotes the password it is given (make_engine), so a passphrase with quotes,
    backslashes, spaces or any other character opens the store on every path alike."""
    quoted = _pragma_key(key).replace('"', '""')
    return f'PRAGMA key="{quoted}"'


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
    conn.execute(key_statement(key))
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
    """Open the file with the key and read its schema; every failure becomes a clear StoreError.

    A file that is there but empty, or that holds no tables, is a damaged store, never a new
    one: opening it as new would show the first-run screen and let its empty copies push the
    good backups out."""
    refuse_plain_file(db_path)
    if db_path.stat().st_size == 0:
        raise _emptied(db_path)
    companions = [Path(str(db_path) + suffix) for suffix in ("-wal", "-shm")]
    there = [path.exists() for path in companions]
    try:
        conn = _keyed_connection(db_path, key)
    except sqlcipher3.DatabaseError as exc:
        if disk_full(db_path.parent, exc):
            _drop_new_companions(companions, there)
            raise disk_full_error(db_path.parent) from None
        raise
    try:
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlcipher3.DatabaseError as exc:
        if disk_full(db_path.parent, exc):
            conn.close()
            _drop_new_companions(companions, there)
            raise disk_full_error(db_path.parent) from None
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
    if not tables:
        raise _emptied(db_path)


def _drop_new_companions(companions: list[Path], there: list[bool]) -> None:
    # A WAL file that this failed opening made holds nothing (nor does its index): no partial
    # file is left behind. One that was there before is never touched.
    wal, shm = companions
    if not there[0] and wal.exists() and wal.stat().st_size == 0:
        _discard(wal)
        if not there[1]:
            _discard(shm)


def _emptied(db_path: Path) -> StoreError:
    return StoreError(
        f"The store at {db_path} is empty: it holds none of the practice's records, so it is "
        "damaged, not new. Restore the latest good backup (groupclinic recover); nothing was "
        "changed.",
        kind="damaged",
    )


def missing_store_error(location: "StoreLocation") -> StoreError:
    return StoreError(
        f"The store file {location.db_path} is missing, but this folder held a GroupClinic "
        "store (store.json or backups are here), so it was not set up afresh. Restore the latest "
        "good backup (groupclinic recover); nothing was changed.",
        kind="damaged",
    )


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
        found: dict[str, str] = {
            m[1]: m[2] for m in _REVISION_LINE.finditer(script.read_text("utf-8"))
        }
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
    tmp = target.with_name(target.name + ".partial")
    try:
        private_dir(target.parent)
        tmp.unlink(missing_ok=True)
        private_file(tmp)  # SQLCipher fills an empty file: never readable by others
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
    except (OSError, sqlcipher3.DatabaseError) as exc:
        # Never a partial file left behind, and the caller rotates nothing.
        _discard(tmp)
        if disk_full(target.parent, exc):
            raise disk_full_error(target.parent) from None
        raise
    if not ok or ok[0] != "ok":
        _discard(tmp)
        raise StoreError("The backup failed its integrity check and was not kept.")
    os.replace(tmp, target)
    return target


def copy_as_is(engine: "Engine", db_path: Path, target: Path, key: str) -> Path:
    """A byte-for-byte copy of the encrypted store as last committed, for the safety copy
    taken just before a large write (a cohort import).

    backup_to decrypts and re-encrypts every page and then reads the copy end to end again:
    about 9 s on a store ten years old, longer than the import itself. Here the file and its
    write-ahead log are copied as they are, while a BEGIN IMMEDIATE of ours holds SQLite's
    writer lock (the caller holds the facade's lock too), so nothing commits or checkpoints
    meanwhile; the log is then folded into the copy. The copy is opened with the key and its
    schema read; the full integrity check is made when a backup is restored (verify_backup).
    """
    import shutil

    target = Path(target)
    tmp = target.with_name(target.name + ".partial")
    tmp_wal = Path(str(tmp) + "-wal")
    wal = Path(str(db_path) + "-wal")
    try:
        private_dir(target.parent)
        for path in (tmp, tmp_wal):
            path.unlink(missing_ok=True)
        raw = engine.raw_connection()
        try:
            connection = raw.driver_connection
            connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
            try:
                private_file(tmp)
                shutil.copyfile(db_path, tmp)
                if wal.exists():
                    private_file(tmp_wal)
                    shutil.copyfile(wal, tmp_wal)
            finally:
                connection.execute("ROLLBACK")  # type: ignore[union-attr]
        finally:
            raw.close()
        dest = _keyed_connection(tmp, key)
        try:
            mode = dest.execute("PRAGMA journal_mode=DELETE").fetchone()
            tables = dest.execute("SELECT count(*) FROM sqlite_master").fetchone()
            versions = dest.execute("SELECT version_num FROM alembic_version").fetchall()
        finally:
            dest.close()
    except (OSError, sqlcipher3.DatabaseError) as exc:
        _discard(tmp)
        tmp_wal.unlink(missing_ok=True)
        if disk_full(target.parent, exc):
            raise disk_full_error(target.parent) from None
        raise
    if not mode or str(mode[0]).lower() != "delete" or not tables or not tables[0] or not versions:
        _discard(tmp)
        tmp_wal.unlink(missing_ok=True)
        raise StoreError("The safety copy could not be read back and was not kept.")
    os.replace(tmp, target)
    return target


def _discard(path: Path) -> None:
    for each in (path, Path(str(path) + "-journal")):
        try:
            each.unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove an unfinished file")


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
    # A damaged store's copy kept "as found" is not a backup of the store: it never stands in
    # for the day's backup.
    return any(
        t.date() == day and not p.name.endswith("-as-found.db") for t, p in _dated_backups(folder)
    )


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


def verify_backup(path: Path, key: str, *, ods_code: str | None = None) -> None:
    """Refuse a backup that is not a sound GroupClinic store under this key, that holds no
    practice, that a newer version of the app wrote, or (ods_code given) that is another
    practice's. Each refusal is one line, and nothing is changed."""
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"No backup file at {path}.")
    try:
        probe_file(path, key)
    except StoreError as exc:
        if exc.kind == "disk_full":
            raise
        raise StoreError(
            f"The backup {path.name} cannot be used: it does not open with this store's key or "
            "is damaged. Nothing was changed."
        ) from None
    conn = _keyed_connection(path, key)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "practice" not in tables or "alembic_version" not in tables:
            raise StoreError(f"{path.name} is not a GroupClinic store. Nothing was changed.")
        revisions = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
        practices = [r[0] for r in conn.execute("SELECT ods_code FROM practice")]
    finally:
        conn.close()
    if not ok or ok[0] != "ok":
        raise StoreError(f"The backup {path.name} is damaged (integrity check failed).")
    if not practices:
        raise StoreError(
            f"The backup {path.name} holds no practice, so it is not a good backup. Nothing was "
            "changed."
        )
    known = _known_revisions()
    if len(revisions) != 1 or revisions[0] not in known:
        raise StoreError(
            f"The backup {path.name} was made by a newer version of GroupClinic; install that "
            "version to restore it. Nothing was changed.",
            kind="newer",
        )
    if ods_code and practices[0] != ods_code:
        raise StoreError(
            f"The backup {path.name} belongs to another practice ({practices[0]}), not this "
            f"store's ({ods_code}). Nothing was changed."
        )


def _known_revisions() -> set[str]:
    return {rev.revision for rev in _scripts().walk_revisions()}


def backup_practice(path: Path, key: str) -> str | None:
    """The ODS code of the practice in a backup, or None (no practice, or it cannot be read)."""
    try:
        conn = _keyed_connection(Path(path), key)
        try:
            row = conn.execute("SELECT ods_code FROM practice LIMIT 1").fetchone()
        finally:
            conn.close()
    except sqlcipher3.DatabaseError:
        return None
    return str(row[0]) if row else None


def replace_store(location: StoreLocation, backup: Path) -> None:
    """Put a checked backup in place of the store file; the caller has closed its engine."""
    import shutil

    tmp = location.db_path.with_name(location.db_path.name + ".restoring")
    try:
        tmp.unlink(missing_ok=True)
        private_file(tmp)
        shutil.copyfile(backup, tmp)
    except OSError as exc:
        _discard(tmp)
        if disk_full(location.data_dir, exc):
            raise disk_full_error(location.data_dir) from None
        raise
    # Only once the whole copy is on disk does anything of the store change.
    for suffix in ("-wal", "-shm"):
        Path(str(location.db_path) + suffix).unlink(missing_ok=True)
    os.replace(tmp, location.db_path)


def latest_good_backup(data_dir: Path, key: str) -> Path | None:
    """The newest backup in data_dir/backups that opens with this key, passes its integrity check,
    holds a practice (this store's, once known) and was written by this version of the app or
    an older one; None when there is none."""
    location = StoreLocation(Path(data_dir))
    try:
        ods_code = location.practice_code()
    except StoreError:
        ods_code = None
    for _when, path in _dated_backups(location.backup_dir):
        try:
            verify_backup(path, key, ods_code=ods_code)
            return path
        except (StoreError, sqlcipher3.DatabaseError):
            continue
    return None


def keep_damaged_copy(location: StoreLocation) -> Path | None:
    """Copy the store file as it is (with its WAL) into the backups folder before replacing it.

    A damaged file cannot go through the backup API, so the bytes are copied; the name marks it
    as a safety copy so rotation keeps it for 30 days.
    """
    import shutil

    private_dir(location.backup_dir)
    target = location.backup_dir / backup_name("before-restore-as-found")
    if not location.db_path.exists():
        return None  # a missing store leaves nothing to keep
    try:
        shutil.copyfile(location.db_path, private_file(target))
        wal = Path(str(location.db_path) + "-wal")
        if wal.exists():
            shutil.copyfile(wal, private_file(Path(str(target) + "-wal")))
    except OSError as exc:
        _discard(target)
        _discard(Path(str(target) + "-wal"))
        if disk_full(location.data_dir, exc):
            raise disk_full_error(location.data_dir) from None
        raise
    return target
