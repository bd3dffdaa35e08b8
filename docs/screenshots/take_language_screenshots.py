"""Screenshots of the room's view and the hand-outs in Polish and in Urdu (right to left).

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/take_language_screenshots.py

Builds the demo practice in a temporary folder, checks everyone in with a blood pressure, then
for each language: chooses it on the board page, grabs the presenter view, and renders page one
of a person's own hand-out and of the room PDF with pdftoppm. Look at every picture: Urdu must
read right to left with joined letters.
"""

import sys
import tempfile
from datetime import date
from pathlib import Path

import throwaway  # the module beside this script

throwaway.prepare("offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402
from throwaway import HERE, pdf_page_png, settle  # noqa: E402

from groupclinic_desktop.core.clinic import Clinic  # noqa: E402
from groupclinic_desktop.core.demo import create_demo  # noqa: E402
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind  # noqa: E402
from groupclinic_desktop.core.views.board import build_board  # noqa: E402

READINGS = ["138/84", "152/92", "128/78", "144/90", "131/79", "149/88", "126/80", "141/86"]


def main() -> int:
    _app = QApplication.instance() or QApplication(sys.argv)  # kept: Qt needs it alive
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
            settle()
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
