"""The board phase page: repaint per person, charts, second screen and hand-outs (audited)."""

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind
from groupclinic_desktop.ui.phases.base import SessionBus
from groupclinic_desktop.ui.phases.board import BoardPage

TODAY = date.today()


@pytest.fixture
def page(qtbot, demo: Clinic):  # type: ignore[no-untyped-def]
    sid = demo.sessions(day=TODAY)[0].id
    jo = next(u for u in demo.staff() if u.name == "Jo Morgan")
    demo.sign_in(jo.id, "2468")  # type: ignore[arg-type]
    demo.start_session(sid)  # type: ignore[arg-type]
    for entry in demo.roster(sid):  # type: ignore[arg-type]
        pid = entry.patient.id
        demo.set_attendance(sid, pid, AttendanceStatus.ATTENDED)  # type: ignore[arg-type]
        share = entry.patient.given_name != "Tariq"
        demo.set_consent(sid, pid, ConsentKind.SHARE_RESULTS, share)  # type: ignore[arg-type]
    board_page = BoardPage(demo, sid, SessionBus())  # type: ignore[arg-type]
    qtbot.addWidget(board_page)
    board_page.resize(1280, 800)
    board_page.show()
    # The charts draw once matplotlib has loaded in the background; from then on, at once.
    # (60 s: on a fresh machine matplotlib's first import builds its font list.)
    qtbot.waitUntil(
        lambda: board_page.group_chart.draws and board_page.trend_chart.draws, timeout=60_000
    )
    yield board_page
    if board_page.presenter is not None:
        board_page.presenter.close()


def displays(clinic: Clinic) -> list[str]:
    return [e.after["how"] for e in clinic.audit_entries() if e.action == "board_display"]  # type: ignore[index]


def test_board_shows_everyone_present_with_status_in_words(page) -> None:  # type: ignore[no-untyped-def]
    assert page.table.rowCount() == 11  # ten people and the group line
    labels = [page.table.verticalHeaderItem(r).text() for r in range(10)]
    assert "Maggie" in labels and "Tariq" not in labels
    texts = [page.table.item(r, c).text() for r in range(10) for c in range(5)]
    assert any("! off target" in t for t in texts)  # words, not colour alone
    assert "on target" in page.table.item(10, 0).text()  # the group line


def test_a_new_value_repaints_only_that_persons_row(qtbot, page, demo: Clinic) -> None:  # type: ignore[no-untyped-def]
    maggie = next(p for p in demo.patients() if p.given_name == "Margaret")
    row = [r.patient_id for r in page.board.rows].index(maggie.id)
    untouched = page.table.item((row + 1) % 10, 0)
    painted, group_draws = page.cells_painted, page.group_chart.draws

    demo.record_measurement(maggie.id, "hba1c", "47", session_id=page.session_id)  # announced

    assert page.table.item(row, 0).text().startswith("47")
    assert "✓ on target" in page.table.item(row, 0).text()
    assert page.cells_painted - painted == 5
    assert page.table.item((row + 1) % 10, 0) is untouched
    assert page.group_chart.draws == group_draws + 1


def test_choosing_a_cell_charts_that_person_and_measurement(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    page.table.setCurrentCell(0, 1)
    assert page.measure.currentData() == "blood_pressure"
    assert page.board.rows[0].label in page.person_label.text()
    lines = page.trend_chart.figure.axes[0].get_lines()
    assert len(lines) >= 2  # top and bottom numbers


def test_png_room_pdf_and_hand_outs_are_written_and_audited(
    page, demo: Clinic, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    png = page.save_png(tmp_path / "board.png")
    pdf = page.save_room_pdf(tmp_path / "room.pdf")
    assert png.stat().st_size > 0 and pdf.read_bytes().startswith(b"%PDF")
    written = page.handouts_button and page.save_handouts(tmp_path)
    assert len(written) == 10 and all(p.name.startswith("my-numbers-P") for p in written)
    assert displays(demo) == ["png", "room_pdf", "handout"]


def test_second_screen_opens_the_presenter_and_is_audited(qtbot, page, demo: Clinic) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(page.second_screen, Qt.MouseButton.LeftButton)
    assert page.presenter is not None and page.presenter.isVisible()
    assert displays(demo) == ["second_screen"]
    entry = next(e for e in demo.audit_entries() if e.action == "board_display")
    assert entry.user_name == "Jo Morgan"
    assert len(entry.after["named"]) == 9 and len(entry.after["coded"]) == 1  # type: ignore[index]
