"""`groupclinic --selftest`: prove an installed copy works on this laptop, without patient data.

IT teams run it after deploying the app (and the bundle smoke test runs it with no Python on the
PATH). It makes a throwaway encrypted store with its own random key, so no keyring is needed and
the practice's real store is never touched, runs a tiny session of the demo practice through the
Clinic facade, renders a PDF and a board image, checks them, prints a short report and exits
0 (all passed) or 1 (anything failed).
"""

import os
import secrets
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from groupclinic_desktop import __version__
from groupclinic_desktop.core.store import KEY_ENV

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PDF_HEADER = b"%PDF-"


@dataclass
class SelfTest:
    """The state the checks share: a temporary folder, the open store and what was made."""

    folder: Path
    clinic: object | None = None
    session_id: int | None = None
    patient_id: int | None = None
    made: dict[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    name: str
    passed: bool
    detail: str
    seconds: float


class CheckFailed(Exception):
    """A check found something wrong; the message says what, with no patient data."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


# ----------------------------------------------------------------- the checks


def check_store(t: SelfTest) -> str:
    from groupclinic_desktop.core.clinic import Clinic

    clinic = Clinic.open(t.folder / "store", create=True)
    t.clinic = clinic
    problems = clinic.check()
    _require(not problems, "; ".join(problems[:3]))
    return "new encrypted store made, migrations ran, integrity check passed"


def check_session(t: SelfTest) -> str:
    from groupclinic_desktop.core.clinic import Clinic
    from groupclinic_desktop.core.demo import DEMO_STAFF, create_demo
    from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind, Role

    clinic = t.clinic
    assert isinstance(clinic, Clinic)
    create_demo(clinic, today=date.today())
    today = clinic.sessions(day=date.today())
    _require(len(today) == 1, f"expected one demo session today, found {len(today)}")
    sid = today[0].id
    assert sid is not None
    facilitator = next(s for s in DEMO_STAFF if s.role == Role.FACILITATOR)
    user = next(u for u in clinic.staff() if u.name == facilitator.name)
    clinic.sign_in(user.id, facilitator.pin)  # type: ignore[arg-type]
    try:
        clinic.start_session(sid)
        pid = clinic.roster(sid)[0].patient.id
        assert pid is not None
        clinic.set_attendance(sid, pid, AttendanceStatus.ATTENDED)
        clinic.set_consent(sid, pid, ConsentKind.CONFIDENTIALITY, True)
        clinic.set_consent(sid, pid, ConsentKind.SHARE_RESULTS, True)
        clinic.record_measurement(pid, "weight", "82.4", session_id=sid, confirmed=True)
        clinic.set_phase(sid, "goals")
        clinic.set_goal(sid, pid, "Walk for 20 minutes after lunch", confidence=7)
        finishing = time.time()
        clinic.finish_session(sid)
    finally:
        clinic.sign_out()
    saved = clinic.measurements(session_id=sid)
    _require(any(m.type_key == "weight" for m in saved), "the weight was not saved")
    _require(len(clinic.goals(session_id=sid)) == 1, "the goal was not saved")
    _require(clinic.session(sid).status.value == "finished", "the session did not finish")
    _require(not clinic.verify_audit(), "the audit trail does not verify")
    backups = clinic.location.backup_dir.glob("*session-finished*.db")
    _require(
        any(b.stat().st_mtime >= finishing - 1 for b in backups),
        "no backup was made when the session finished",
    )
    t.session_id, t.patient_id = sid, pid
    return "demo session run: attendance, weight, goal, finished and backed up"


def check_pdf(t: SelfTest) -> str:
    target = t.folder / "summary.pdf"
    _summary_pdf(t, target)
    data = target.read_bytes()
    _require(data.startswith(PDF_HEADER), "the PDF has no PDF header")
    _require(b"%%EOF" in data[-1024:], "the PDF is cut short")
    t.made["pdf"] = target
    return f"GP-record notes PDF rendered ({len(data) // 1024 or 1} KB)"


def check_board_image(t: SelfTest) -> str:
    target = t.folder / "board.png"
    _board_png(t, target)
    data = target.read_bytes()
    _require(data.startswith(PNG_SIGNATURE), "the board image is not a PNG")
    _require(len(data) > 2000, "the board image is suspiciously small")
    t.made["board"] = target
    return f"board image rendered ({len(data) // 1024 or 1} KB)"


def check_qt(t: SelfTest) -> str:
    # A bundle can miss a Qt platform plugin or library; this finds that before a clinic does.
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication, QLabel

    app = QCoreApplication.instance() or QApplication([sys.argv[0]])
    if isinstance(app, QApplication):
        label = QLabel(f"GroupClinic {__version__}")
        label.resize(240, 40)
        image = label.grab().toImage()
    else:  # a host process already runs a GUI-less Qt app: paint without widgets instead
        image = _painted_text(f"GroupClinic {__version__}")
    _require(not image.isNull() and image.width() > 0, "Qt could not draw a window")
    _require(len({image.pixel(x, 20) for x in range(image.width())}) > 1, "Qt drew nothing")
    return f"Qt {_qt_version()} draws windows ({app.platformName()} platform)"


# (name, check, needs the checks before it): the store, session and renderings build on each
# other; Qt stands alone, so a broken store still tells IT whether the screen side works.
CHECKS: tuple[tuple[str, Callable[[SelfTest], str], bool], ...] = (
    ("store", check_store, True),
    ("session", check_session, True),
    ("pdf", check_pdf, True),
    ("board", check_board_image, True),
    ("qt", check_qt, False),
)


# ----------------------------------------------------------------- rendering


def _summary_pdf(t: SelfTest, target: Path) -> None:
    """The demo person's GP-record notes, rendered by the real export (reportlab and its fonts)."""
    from groupclinic_desktop.core.clinic import Clinic
    from groupclinic_desktop.core.views.session_record import build_session_record
    from groupclinic_desktop.export.notes_pdf import person_pdf

    clinic = t.clinic
    assert isinstance(clinic, Clinic) and t.session_id is not None and t.patient_id is not None
    record = build_session_record(clinic, t.session_id)
    pdf = person_pdf(
        record.person(t.patient_id),
        generated_at=datetime.now(UTC),
        generated_by="GroupClinic self-test",
    )
    target.write_bytes(pdf)


# The board's status colours (NHS identity palette), keyed by Cell.shown_status.
BOARD_COLOURS = {
    "on_target": "#a8d5b5",
    "close": "#ffe29a",
    "off_target": "#f3a59e",
    "stale": "#d8dde0",
    "empty": "#ffffff",
    "no_target": "#ffffff",
}


def _board_png(t: SelfTest, target: Path) -> None:
    """The session's biometric board (core.views.board) drawn as a table with matplotlib's Agg."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from groupclinic_desktop.core.clinic import Clinic
    from groupclinic_desktop.core.views.board import build_board

    clinic = t.clinic
    assert isinstance(clinic, Clinic) and t.session_id is not None
    board = build_board(clinic, t.session_id)
    _require(bool(board.rows), "the board has no rows")
    _require(any(c.has_value for r in board.rows for c in r.cells), "the board shows no values")
    figure = Figure(figsize=(8, 0.6 + 0.35 * len(board.rows)), dpi=100)
    axes = figure.add_subplot()
    axes.set_axis_off()
    table = axes.table(
        cellText=[[c.text for c in row.cells] for row in board.rows],
        cellColours=[
            [BOARD_COLOURS.get(c.shown_status, "#ffffff") for c in row.cells] for row in board.rows
        ],
        rowLabels=[row.label for row in board.rows],
        colLabels=[column.plain_label for column in board.columns],
        loc="center",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    figure.savefig(target, format="png", bbox_inches="tight")


def _painted_text(text: str):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter

    image = QImage(240, 40, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return image


def _qt_version() -> str:
    from PySide6.QtCore import qVersion

    return qVersion()


# ----------------------------------------------------------------- running


def run_selftest(out: TextIO | None = None) -> int:
    """Run every check, print one line each and a verdict; 0 when all passed, else 1."""
    out = out or sys.stdout
    started = time.perf_counter()
    print(f"GroupClinic {__version__} self-test ({_where()})", file=out)
    folder = Path(tempfile.mkdtemp(prefix="groupclinic-selftest-"))
    old_key = os.environ.get(KEY_ENV)
    # Its own random key: the self-test never needs, reads or writes the system keyring.
    os.environ[KEY_ENV] = secrets.token_hex(32)
    state = SelfTest(folder)
    outcomes: list[Outcome] = []
    try:
        for name, check, chained in CHECKS:
            skip = chained and any(not o.passed for o in outcomes)
            outcomes.append(_run_one(name, check, state, skip=skip))
            outcome = outcomes[-1]
            mark = "ok  " if outcome.passed else "FAIL"
            print(f"  {mark} {name:<8} {outcome.detail} ({outcome.seconds:.1f} s)", file=out)
    finally:
        if state.clinic is not None:
            state.clinic.close()  # type: ignore[attr-defined]
        if old_key is None:
            os.environ.pop(KEY_ENV, None)
        else:
            os.environ[KEY_ENV] = old_key
        shutil.rmtree(folder, ignore_errors=True)
    failed = [o.name for o in outcomes if not o.passed]
    total = time.perf_counter() - started
    if failed:
        print(f"FAILED: {', '.join(failed)} ({total:.1f} s)", file=out)
        return 1
    print(f"PASSED: {len(outcomes)} checks ({total:.1f} s)", file=out)
    return 0


def _run_one(
    name: str, check: Callable[[SelfTest], str], state: SelfTest, *, skip: bool
) -> Outcome:
    if skip:
        return Outcome(name, False, "not run: an earlier check failed", 0.0)
    started = time.perf_counter()
    try:
        detail = check(state)
        return Outcome(name, True, detail, time.perf_counter() - started)
    except CheckFailed as exc:
        return Outcome(name, False, str(exc), time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - a self-test reports every failure, never crashes
        # The last frame tells IT where it broke; the data is the demo's, never a patient's.
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        return Outcome(
            name, False, f"{type(exc).__name__}: {exc} (at {where})", time.perf_counter() - started
        )


def _where() -> str:
    if getattr(sys, "frozen", False):
        return f"bundled app in {Path(sys.executable).parent}"
    return f"Python {sys.version.split()[0]} at {sys.executable}"
