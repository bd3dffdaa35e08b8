"""Benchmarks for GroupClinic Desktop: every figure against a baseline measured in the same run.

`python -m bench [--quick] [--json FILE]`. Each area module has `run(ctx) -> list[Figure]`.
The shared pieces live here: figures, timing, the bench's own stores and the bench session.
Nothing here is imported by the app; the app is measured through its own doors (the Clinic
facade, its windows, its CLI), never through shortcuts.
"""

from __future__ import annotations

import os
import secrets
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(__file__).resolve().parent / ".cache"
DEMO = "demo"
TEN_YEARS = "ten-years"
SESSION_SIZE = 15


@dataclass
class Figure:
    """One row of the table: repeated timings of the app, and of its baseline in the same run."""

    name: str
    store: str | None
    samples: list[float]
    baseline: str | None = None
    baseline_samples: list[float] = field(default_factory=list)
    budget: str | None = None
    within_budget: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def baseline_median(self) -> float | None:
        return statistics.median(self.baseline_samples) if self.baseline_samples else None

    @property
    def ratio(self) -> float | None:
        base = self.baseline_median
        return self.median / base if base else None

    def as_json(self) -> dict[str, Any]:
        base = self.baseline_median
        return {
            "name": self.name,
            "store": self.store,
            "median_s": round(self.median, 6),
            "min_s": round(min(self.samples), 6),
            "max_s": round(max(self.samples), 6),
            "runs": len(self.samples),
            "baseline": self.baseline,
            "baseline_median_s": None if base is None else round(base, 6),
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "budget": self.budget,
            "within_budget": self.within_budget,
            **self.extra,
        }


@dataclass
class Context:
    """What every benchmark gets: the run's size, a scratch folder and the two stores."""

    quick: bool
    scratch: Path
    stores: dict[str, Path]
    say: Callable[[str], None] = print

    def repeats(self, full: int, quick: int = 2) -> int:
        return quick if self.quick else full

    def copy_store(self, store: str, name: str | None = None) -> Path:
        """A private copy of a bench store, so a benchmark's writes never touch the cache."""
        target = self.scratch / f"{store}-{name or secrets.token_hex(4)}"
        copy_store(self.stores[store], target)
        return target


def copy_store(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("backups", ".instance.lock"))


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def interleaved(
    runs: int, app: Callable[[], Any], baseline: Callable[[], Any]
) -> tuple[list[float], list[float]]:
    """Alternate app and baseline so that drift in machine load hits both alike."""
    app_times: list[float] = []
    base_times: list[float] = []
    for _ in range(runs):
        app_times.append(timed(app))
        base_times.append(timed(baseline))
    return app_times, base_times


# ---------------------------------------------------------------------------- the environment


class _MemoryKeyring:
    """The OS keyring stand-in the tests use too: secrets live for the run only."""

    def __init__(self) -> None:
        from keyring.backend import KeyringBackend

        secrets_held: dict[tuple[str, str], str] = {}

        class Backend(KeyringBackend):
            priority = 1  # type: ignore[assignment]

            def get_password(self, service: str, username: str) -> str | None:
                return secrets_held.get((service, username))

            def set_password(self, service: str, username: str, password: str) -> None:
                secrets_held[(service, username)] = password

            def delete_password(self, service: str, username: str) -> None:
                secrets_held.pop((service, username), None)

        self.backend = Backend()


def bench_key() -> str:
    """One key for every bench store (fictional data only), kept beside the cache."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / "bench.key"
    if not path.exists():
        path.write_text(secrets.token_hex(32), "utf-8")
    return path.read_text("utf-8").strip()


def prepare_environment(scratch: Path) -> dict[str, str]:
    """Headless Qt, the bench key, an in-memory keyring and private XDG folders.

    Returns the environment for child processes (cold start, memory)."""
    import keyring

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["GROUPCLINIC_DB_KEY"] = bench_key()
    for name in ("DATA", "STATE", "CONFIG", "CACHE"):
        os.environ[f"XDG_{name}_HOME"] = str(scratch / f"xdg-{name.lower()}")
    keyring.set_keyring(_MemoryKeyring().backend)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    return env


def make_demo_store(target: Path) -> Path:
    from groupclinic_desktop.core.clinic import Clinic
    from groupclinic_desktop.core.demo import create_demo

    if target.exists():
        shutil.rmtree(target)
    with Clinic.open(target) as clinic:
        create_demo(clinic)
    return target


@contextmanager
def open_clinic(data_dir: Path) -> Iterator[Clinic]:
    from groupclinic_desktop.core.clinic import Clinic

    clinic = Clinic.open(data_dir, create=False)
    try:
        yield clinic
    finally:
        clinic.close()


@contextmanager
def scratch_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="groupclinic-bench-") as folder:
        yield Path(folder)


# ---------------------------------------------------------------------------- the bench session


def staff_actor(clinic: Clinic, role: str) -> Any:
    from groupclinic_desktop.core.clinic import Actor

    user = next(u for u in clinic.staff() if u.role.value == role)
    return Actor(user.id, user.name, user.role)


def prepare_session(clinic: Clinic, *, regulars: list[int] | None = None) -> int:
    """Today's session with 15 people checked in: attendance, consents, and six numbers each
    on the board (HbA1c, BP, weight, BMI, cholesterol), all written through the facade.

    Returns the session's id; it is left running, in check-in."""
    from groupclinic_desktop.core.clinic import SYSTEM
    from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind, SessionStatus, Source

    today = date.today()
    with clinic.acting_as(SYSTEM):
        programme = clinic.programmes()[0]
        planned = [
            s
            for s in clinic.sessions()
            if s.day == today and s.status in (SessionStatus.PLANNED, SessionStatus.RUNNING)
        ]
        if planned:
            session = planned[0]
        else:
            session = clinic.plan_session(
                programme.id, today, clock(10, 0), "Bench room"  # type: ignore[arg-type]
            )
        sid = session.id
        assert sid is not None
        invited = {entry.patient.id for entry in clinic.roster(sid)}
        wanted = list(regulars or [])
        people = [p for p in wanted if p not in invited][: max(0, SESSION_SIZE - len(invited))]
        missing = max(0, SESSION_SIZE - len(invited) - len(people))
        for number, nhs in enumerate(nhs_numbers(800_000, missing), start=1):
            person = clinic.add_patient(nhs, f"Bench{number}", "Person", date(1960, 1, number))
            clinic.enrol(person.id, programme.id)  # type: ignore[arg-type]
            people.append(person.id)  # type: ignore[arg-type]
        for pid in people:
            clinic.invite(sid, pid)
        roster = [entry.patient.id for entry in clinic.roster(sid)][:SESSION_SIZE]
        if session.status == SessionStatus.PLANNED:
            clinic.start_session(sid)
        bloods = datetime.combine(today - timedelta(days=10), clock(9), tzinfo=UTC)
        for index, pid in enumerate(roster):
            assert pid is not None
            clinic.set_attendance(sid, pid, AttendanceStatus.ATTENDED)
            for kind in ConsentKind:
                clinic.set_consent(sid, pid, kind, True)
            for key, value in (("hba1c", 48 + index), ("total_cholesterol", 4.0 + index / 10)):
                clinic.record_measurement(
                    pid, key, str(value), taken_at=bloods, source=Source.GP_RECORD,
                    confirmed=True,
                )
            clinic.record_measurement(
                pid, "blood_pressure", f"{128 + index}/{78 + index % 9}", session_id=sid,
                confirmed=True,
            )
            clinic.record_measurement(pid, "height", str(160 + index), session_id=sid,
                                      confirmed=True)
            clinic.record_measurement(pid, "weight", f"{70 + index * 1.5:.1f}", session_id=sid,
                                      confirmed=True)
    return sid


def finish_session(clinic: Clinic, sid: int) -> None:
    """Reviews, goals and the end of the session, so its notes can be exported."""
    from groupclinic_desktop.core.clinic import SYSTEM

    people = [e.patient.id for e in clinic.roster(sid) if e.attendance.status.present]
    with clinic.acting_as(SYSTEM):
        clinic.set_phase(sid, "one_to_ones")
    with clinic.acting_as(staff_actor(clinic, "clinician")):
        for pid in people:
            clinic.save_review(
                sid, pid,  # type: ignore[arg-type]
                notes="Reviewed results with the group; keen to walk more.",
                findings=[{"code": "", "term": "Diabetic review done in group consultation"}],
                medication_changes=[],
                actions=[{"text": "Repeat HbA1c", "owner": "Practice nurse",
                          "due": (date.today() + timedelta(days=84)).isoformat()}],
                safety_netting="Seek help the same day for very high sugars with vomiting.",
                seconds_spent=240,
            )
    with clinic.acting_as(SYSTEM):
        clinic.set_phase(sid, "goals")
        for pid in people:
            clinic.set_goal(sid, pid, "Walk to the shops three days a week", confidence=7)  # type: ignore[arg-type]
        clinic.set_phase(sid, "wrapup")
        clinic.finish_session(sid)


def nhs_numbers(first: int, count: int) -> list[str]:
    """`count` valid (Modulus 11) fictional NHS numbers in the 999 range, from serial `first`
    upwards; serials whose check digit would be 10 are skipped, as the NHS does."""
    found: list[str] = []
    serial = first
    while len(found) < count:
        body = f"999{serial:06d}"
        serial += 1
        total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check != 10:
            found.append(body + str(check))
    return found
