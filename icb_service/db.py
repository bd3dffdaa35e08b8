"""Opening the service's database (SQLite or PostgreSQL) and bringing its schema up to date."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from platformdirs import user_data_dir
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import StaticPool

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Memory each sort or hash of a PostgreSQL query may use before it spills to disk (see
# docs/deployment.md, "Running the service for a whole ICB"); empty keeps the server's own.
WORK_MEM_ENV = "GROUPCLINIC_ICB_WORK_MEM"
DEFAULT_WORK_MEM = "64MB"


def default_database_url() -> str:
    """DATABASE_URL if set, else a SQLite file in the user's data folder."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured
    folder = Path(user_data_dir("groupclinic-icb", appauthor=False))
    return f"sqlite:///{folder / 'icb.sqlite3'}"


def normalise_url(url: str) -> str:
    """Hosting platforms hand out postgres:// URLs; we only ship the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def one_connection(engine: Engine) -> bool:
    """Whether every thread shares one connection (an in-memory SQLite database)."""
    return isinstance(engine.pool, StaticPool)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        if not in_memory:
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # The web server answers from a thread pool; SQLite itself serialises the writes.
        connect_args = {"check_same_thread": False, "timeout": 30}
        if in_memory:
            engine = create_engine(url, connect_args=connect_args, poolclass=StaticPool)
        else:
            engine = create_engine(url, connect_args=connect_args)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, pool_pre_ping=True)
    work_mem = os.environ.get(WORK_MEM_ENV, DEFAULT_WORK_MEM).strip()

    def on_connect(connection: object, record: object) -> None:
        _postgres_settings(connection, record, work_mem)

    event.listen(engine, "connect", on_connect)
    return engine


def _postgres_settings(connection: object, _record: object, work_mem: str = "") -> None:
    # The summary statements of a batch are small but many; compiling each one (JIT) cost
    # 100 ms to 2 s a batch when the planner over-estimated them. Nothing here needs JIT.
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("SET jit = off")
    if work_mem:
        # The default 4 MB sent a whole ICB's suppression roll-up (175,000 rows) to disk.
        cursor.execute("SELECT set_config('work_mem', %s, false)", (work_mem,))
    cursor.close()
    connection.commit()  # type: ignore[attr-defined]


def _sqlite_pragmas(connection: object, _record: object) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
    # savepoints nest properly (the workaround SQLAlchemy documents for pysqlite).
    connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE takes the write lock up front, so two intakes wait for each other (busy timeout)
    # instead of failing when a reader later tries to write.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(engine: Engine) -> None:
    """Apply every pending migration; safe to call on each start."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_database(url: str | None = None) -> Engine:
    engine = make_engine(url or default_database_url())
    migrate(engine)
    return engine
