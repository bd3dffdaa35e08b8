"""Screenshots of the room's view and the hand-outs in Polish and in Urdu (right to left).

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/take_language_screenshots.py

Builds the demo practice in a temporary folder, checks everyone in with a blood pressure, then
for each language: chooses it on the board page, grabs the presenter view, and renders page one
of a person's own hand-out and of the room PDF with pdftoppm. Look at every picture: Urdu must
read right to left with joined letters.
"""

import os
import secrets
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["GROUPCLINIC_DB_KEY"] = secrets.token_hex(32)  # a throwaway key for a throwaway store
for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ.setdefault(name, tempfile.mkdtemp(prefix="groupclinic-shots-"))

from PySide6.QtWidgets import QApplication  # noqa: E402

from groupclinic_desktop.core.clinic import Clinic  # noqa: E402
from groupclinic_desktop.core.demo import create_demo  # noqa: E402
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind  # noqa: E402
from groupclinic_desktop.core.views.board import build_board  # noqa: E402

HERE = Path(__file__).resolve().parent
READINGS = ["138/84", "152/92", "128/78", "144/90", "131/79", "149/88", "126/80", "141/86"]


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def pdf_page_png(pdf: Path, name: str) -> None:
    target = HERE / name
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(target.with_suffix("")),
        ],
        check=True,
    )
    print(f"wrote docs/screenshots/{name}")


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    from groupclinic_desktop.ui.charts import load_now

    load_now()  # else the board's charts say "Preparing the chart…" until matplotlib has loaded
    from groupclinic_desktop.export.handouts import personal_pdf, room_pdf
    from groupclinic_desktop.ui.phases.base import SessionBus
    from groupclinic_desktop.ui.phases.board import BoardPage
    from groupclinic_desktop.ui.presenter import PresenterWindow

    with tempfile.TemporaryDirectory(prefix="groupclinic-demo-") as folder:
        clinic = Clinic.open(Path(folder) / "practice")
        create_demo(clinic, today=date.today())
        jo = next(u for u in clinic.staff() if u.name == "Jo Morgan")
        clinic.sign_in(jo.id, "2468")  # type: ignore[arg-type]
        sid = clinic.sessions(day=date.today())[0].id
        assert sid is not None
        clinic.start_session(sid)
        for n, entry in enumerate(clinic.roster(sid)):
            pid = entry.patient.id
            assert pid is not None
            clinic.set_attendance(sid, pid, AttendanceStatus.ATTENDED)
            clinic.set_consent(sid, pid, ConsentKind.SHARE_RESULTS, n != 3)
            if n < len(READINGS):
                clinic.record_measurement(pid, "blood_pressure", READINGS[n], session_id=sid)
        page = BoardPage(clinic, sid, SessionBus())
        page.resize(1366, 768)
        page.show()
        # A window of a projector's shape (full screen offscreen would be the 800x800 default).
        presenter = PresenterWindow(clinic, sid, page.bus, laptop=page)
        page.presenter = presenter
        presenter.resize(1600, 900)
        presenter.show()
        board = build_board(clinic, sid)
        person = board.rows[0].patient_id
        for code in ("pl", "ur"):
            page.choose_language(code)
            settle(app)
            presenter.grab().save(str(HERE / f"presenter-{code}.png"))
            print(f"wrote docs/screenshots/presenter-{code}.png")
            with tempfile.TemporaryDirectory() as out:
                own = personal_pdf(clinic, sid, person, Path(out) / "own.pdf", language=code)
                pdf_page_png(own, f"handout-{code}.png")
                room = room_pdf(board, Path(out) / "room.pdf", words=clinic.words(code))
                pdf_page_png(room, f"room-{code}.png")
        page.grab().save(str(HERE / "board-page-language.png"))
        print("wrote docs/screenshots/board-page-language.png")
        presenter.close()
        page.close()
        clinic.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
