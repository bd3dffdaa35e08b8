"""A first look into the practice store, for the main window's first paint, and its quick check.

The sign-in page shows only the practice's name and its staff names. Reading them through the
driver with the store's key takes milliseconds, where opening the Clinic facade (SQLAlchemy,
SQLModel, the schema, about half a second) and the start-up quick check (a second and more on a
store ten years old) take far longer. The app paints with a Glance, then opens the facade and runs
`QuickCheck` behind it (ui/opening.py). Nothing here imports SQLAlchemy, and nothing here writes.
"""

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlcipher3

from groupclinic_desktop.core import store
from groupclinic_desktop.core.errors import StoreError

log = logging.getLogger(__name__)

# The settings the window needs before the facade is open: only how it looks.
GLANCE_SETTINGS = ("display.theme",)


@dataclass(frozen=True)
class StaffName:
    """One active staff member as the sign-in page lists them."""

    id: int
    name: str
    role: str  # the Role's value: "facilitator", "clinician" or "admin"
    profession: str = ""  # its words from resources/professions.toml, "" when none recorded


@dataclass
class Glance:
    """What the first paint shows, read straight from the store (and nothing else: it holds no
    lock). The store's instance lock is taken by the facade as it opens behind the window; a
    store open in another window or command is reported then, on the store-problem screen.
    (Taking it here meant importing filelock before the first paint: 18 ms of a 150 ms budget.)
    """

    location: store.StoreLocation
    key: str
    practice_name: str
    is_demo: bool
    staff: tuple[StaffName, ...]
    settings: dict[str, Any] = field(default_factory=dict)

    def setting(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, default)


def take(data_dir: Path | None) -> Glance | None:
    """The practice and its staff, read directly; None when the store needs the full way in.

    The full way in (Clinic.open and the store-problem screens) is left to every case that is not
    the everyday one: no store yet, no practice or staff yet, no key, a file that cannot be read
    with the key, or a schema that is not the current one. (A store open elsewhere is found when
    the facade takes the instance lock, behind the first paint.)
    """
    location = store.StoreLocation(Path(data_dir) if data_dir else store.default_data_dir())
    if not location.exists():
        return None
    try:
        return _read(location)
    except (StoreError, sqlcipher3.Error, OSError, ValueError, KeyError, TypeError) as exc:
        # The full way in meets the same problem and explains it; only its kind is logged here.
        log.info("first look at the store left to the full opening (%s)", type(exc).__name__)
        return None


def _read(location: store.StoreLocation) -> Glance | None:
    store.refuse_plain_file(location.db_path)
    key = store.resolve_key(location, create=False)
    head = store._head_on_disk()
    conn = store._keyed_connection(location.db_path, key)
    try:
        # query_only: this connection can never write, whatever it is asked.
        conn.execute("PRAGMA query_only = ON")
        versions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        if head is None or versions != [(head,)]:
            return None  # a migration question: Clinic.open answers it
        practice = conn.execute("SELECT name, is_demo FROM practice LIMIT 1").fetchone()
        # The same list and order as Clinic.staff(): active staff by name.
        rows = conn.execute(
            "SELECT id, name, role, profession FROM staff_user WHERE active = 1 ORDER BY name"
        ).fetchall()
        marks = ", ".join("?" for _ in GLANCE_SETTINGS)
        settings = conn.execute(
            f"SELECT key, value FROM setting WHERE key IN ({marks})", GLANCE_SETTINGS
        ).fetchall()
    finally:
        conn.close()
    if practice is None or not rows:
        return None  # first run: the first-run screen needs the facade
    # SQLAlchemy keeps an enum by its member's name (FACILITATOR); the value is the name in lower
    # case (tests/core/test_glance.py holds the two ways of reading to the same answer).
    words = profession_words()
    staff = tuple(
        StaffName(int(i), str(name), str(role).lower(), words.get(str(job), "") if job else "")
        for i, name, role, job in rows
    )
    return Glance(
        location=location,
        key=key,
        practice_name=str(practice[0]),
        is_demo=bool(practice[1]),
        staff=staff,
        settings={k: json.loads(v) if v is not None else None for k, v in settings},
    )


class QuickCheck:
    """The start-up quick check (PRAGMA quick_check) on a connection of its own, in a thread.

    The driver lets go of the GIL while SQLite reads, so the window stays responsive while a big
    store is read end to end. `on_done(problems)` is called on the checking thread with the
    problems found ([] when the store is sound), or None when the check was cancelled.
    """

    def __init__(
        self, db_path: Path, key: str, on_done: Callable[[list[str] | None], None]
    ) -> None:
        self._db_path = db_path
        self._key = key
        self._on_done = on_done
        self._conn: Any = None
        self._cancelled = False
        self._guard = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="store-quick-check", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        """Stop a check under way (the app is closing); on_done then gets None."""
        with self._guard:
            self._cancelled = True
            if self._conn is not None:
                self._conn.interrupt()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        problems: list[str] | None
        try:
            with self._guard:
                if self._cancelled:
                    raise _Cancelled
                self._conn = store._keyed_connection(self._db_path, self._key)
            rows = self._conn.execute("PRAGMA quick_check").fetchall()
            problems = [str(r[0]) for r in rows if r[0] != "ok"]
        except _Cancelled:
            problems = None
        except Exception as exc:  # noqa: BLE001 - on_done must hear of every ending
            # A page that cannot be read at all is a failed check too, unless we interrupted it;
            # so is a check that could not run: nothing may write before a clean verdict.
            problems = None
            if not self._cancelled:
                log.warning("the quick check stopped with %s", type(exc).__name__)
                problems = [f"the check stopped ({type(exc).__name__})"]
        finally:
            with self._guard:
                if self._conn is not None:
                    self._conn.close()
                    self._conn = None
        if self._cancelled:
            problems = None
        self._on_done(problems)


class _Cancelled(Exception):
    pass


def profession_words() -> dict[str, str]:
    """Each profession's short words (as core.professions.label gives them), read without the
    schema module: the sign-in page shows them before the facade has loaded."""
    import tomllib

    from groupclinic_desktop.resources import resource

    data = tomllib.loads(resource("professions.toml").read_text(encoding="utf-8"))
    return {p["key"]: p.get("short", p["label"]) for p in data["professions"]}
