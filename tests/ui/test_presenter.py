"""The presenter view: live from check-in, nothing private, blank while the laptop is locked."""

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind
from groupclinic_desktop.ui.phases.base import SessionBus
from groupclinic_desktop.ui.phases.checkin import CheckInPage
from groupclinic_desktop.ui.presenter import PAUSED, PresenterWindow, pick_screen

TODAY = date.today()


@pytest.fixture
def session(demo: Clinic) -> int:
    sid = demo.sessions(day=TODAY)[0].id
    assert sid is not None
    jo = next(u for u in demo.staff() if u.name == "Jo Morgan")
    demo.sign_in(jo.id, "2468")  # type: ignore[arg-type]
    demo.start_session(sid)
    for entry in demo.roster(sid):
        pid = entry.patient.id
        demo.set_attendance(sid, pid, AttendanceStatus.ATTENDED)  # type: ignore[arg-type]
        share = entry.patient.given_name != "Tariq"
        demo.set_consent(sid, pid, ConsentKind.SHARE_RESULTS, share)  # type: ignore[arg-type]
    return sid


@pytest.fixture
def presenter(qtbot, demo: Clinic, session: int):  # type: ignore[no-untyped-def]
    bus = SessionBus()
    window = PresenterWindow(demo, session, bus)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    return window


def test_pick_screen_prefers_a_screen_that_is_not_the_laptops() -> None:
    laptop, projector, tv = "laptop", "projector", "tv"
    assert pick_screen([laptop, projector], laptop) == projector
    assert pick_screen([laptop], laptop) == laptop  # one screen only: still show it
    assert pick_screen([laptop, projector, tv], laptop, current=tv) == tv  # stays put
    assert pick_screen([laptop, tv], laptop, current=projector) == tv  # projector unplugged
    assert pick_screen([], None) is None


def test_value_typed_at_check_in_appears_without_a_restart(
    qtbot, demo: Clinic, session: int
) -> None:
    bus = SessionBus()
    presenter = PresenterWindow(demo, session, bus)
    qtbot.addWidget(presenter)
    presenter.show()
    checkin = CheckInPage(demo, session, bus)
    qtbot.addWidget(checkin)
    checkin.show()
    maggie = next(p for p in demo.patients() if p.given_name == "Margaret")
    row = [r.label for r in presenter.board.rows].index("Maggie")  # type: ignore[union-attr]
    bp_col = 1 + [c.key for c in presenter.board.columns].index("blood_pressure")  # type: ignore[union-attr]
    before = presenter.table.item(row, bp_col).text()
    other = presenter.table.item(row + 1, bp_col)
    painted = presenter.cells_painted

    checkin.select(maggie.id)  # type: ignore[arg-type]
    edit = checkin.rows["blood_pressure"].edit
    edit.setFocus()
    qtbot.keyClicks(edit, "128/76")
    qtbot.keyClick(edit, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: presenter.table.item(row, bp_col).text() != before)
    assert presenter.table.item(row, bp_col).text() == "128/76 ✓"
    # Only Maggie's cells were repainted; the next person's cell is the same item as before.
    assert presenter.cells_painted - painted == len(presenter.board.columns)  # type: ignore[union-attr]
    assert presenter.table.item(row + 1, bp_col) is other
    assert demo.latest_measurement(maggie.id, "systolic_bp").value == 128  # type: ignore[arg-type,union-attr]


def test_nothing_private_is_on_the_presenter_view(presenter, demo: Clinic) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(presenter.texts())
    tariq = next(p for p in demo.patients() if p.given_name == "Tariq")
    assert "Tariq" not in text
    for p in demo.patients():
        assert p.family_name not in text
        assert p.nhs_number not in text
        assert f"{p.date_of_birth:%d %b %Y}" not in text
    assert presenter.board.row_for(tariq.id).code in text
    assert "Sugar level (HbA1c)" in text  # plain words, not the clinical label alone
    # No editing controls.
    assert not presenter.findChildren(QLineEdit)
    # Only the facilitator's two controls: put the board away.
    assert {b.text() for b in presenter.findChildren(QPushButton)} == {"Blank (B)", "Close (Esc)"}
    assert not presenter.findChildren(QComboBox)


def test_hide_setting_leaves_people_without_consent_off_entirely(
    qtbot, demo: Clinic, session: int
) -> None:
    with demo.acting_as(SYSTEM):
        demo.set_setting("board_non_consented", "hide")
    window = PresenterWindow(demo, session, SessionBus())
    qtbot.addWidget(window)
    tariq = next(p for p in demo.patients() if p.given_name == "Tariq")
    assert window.board.row_for(tariq.id) is None  # type: ignore[union-attr]
    assert window.table.rowCount() == 10  # nine people and the group line
    assert "1 more people" in " ".join(window.texts())


def test_lock_blanks_the_room_screen_and_unlock_brings_it_back(presenter) -> None:  # type: ignore[no-untyped-def]
    presenter.bus.locked.emit(True)
    assert presenter.stack.currentWidget() is presenter.paused
    shown = presenter.texts()
    assert PAUSED in shown
    assert "Maggie" not in " ".join(shown)
    # A value saved while locked is not painted, and appears after unlocking.
    first = presenter.board.rows[0].patient_id
    presenter.clinic.record_measurement(
        first, "blood_pressure", "131/77", session_id=presenter.session_id, confirmed=True
    )
    assert presenter.table.rowCount() == 0
    presenter.bus.locked.emit(False)
    assert presenter.stack.currentIndex() == 0
    assert "Maggie" in " ".join(presenter.texts())
    assert any("131/77" in text for text in presenter.texts())


def test_consent_withdrawn_mid_session_turns_the_name_into_a_code(presenter, demo: Clinic) -> None:  # type: ignore[no-untyped-def]
    maggie = next(p for p in demo.patients() if p.given_name == "Margaret")
    demo.set_consent(presenter.session_id, maggie.id, ConsentKind.SHARE_RESULTS, False)
    text = " ".join(presenter.texts())
    assert "Maggie" not in text and "Margaret" not in text
