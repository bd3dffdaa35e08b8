"""The room board under the facilitator's hand: readable, honest about dates, put away at once."""

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.ui.main_window import MainWindow
from groupclinic_desktop.ui.phases.base import SessionBus
from groupclinic_desktop.ui.phases.board import BoardPage
from groupclinic_desktop.ui.presenter import DEMO_MARK, PAUSED, PresenterWindow
from groupclinic_desktop.ui.single_instance import Listener, ask_running_app
from tests.ui.test_checkin import answer_dialog
from tests.ui.test_full_session import page_of
from tests.ui.test_presenter import session  # noqa: F401 (fixture)

TODAY = date.today()


def room(qtbot, demo: Clinic, sid: int) -> PresenterWindow:  # type: ignore[no-untyped-def]
    window = PresenterWindow(demo, sid, SessionBus())
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_values_are_at_least_48_px_and_as_large_as_names_at_1366_by_768(
    qtbot, demo: Clinic, session: int  # noqa: F811
) -> None:
    window = room(qtbot, demo, session)
    table = window.table
    assert table.rowCount() > 1
    names = [QFontInfo(table.item(r, 0).font()).pixelSize() for r in range(table.rowCount())]
    values = [
        QFontInfo(table.item(r, c).font()).pixelSize()
        for r in range(table.rowCount() - 1)
        for c in range(1, table.columnCount())
    ]
    assert min(values) >= 48
    assert min(values) >= max(names)
    assert window.demo_mark.isVisible() and window.demo_mark.text() == DEMO_MARK


def test_a_value_not_from_today_carries_its_date(qtbot, demo: Clinic, session: int) -> None:  # noqa: F811
    people = [e.patient for e in demo.roster(session)]
    demo.record_measurement(people[0].id, "blood_pressure", "128/78", session_id=session)  # type: ignore[arg-type]
    window = room(qtbot, demo, session)
    board = window.board
    assert board is not None
    column = [c.key for c in board.columns].index("blood_pressure") + 1
    today_row = [r.patient_id for r in board.rows].index(people[0].id)
    assert window.table.item(today_row, column).text() == "128/78 ✓"
    older = [
        (r, cell) for r, row in enumerate(board.rows)
        for cell in [row.cell("blood_pressure")] if cell.has_value and cell.taken_on != TODAY
    ]
    assert older
    for r, cell in older:
        text = window.table.item(r, column).text()
        assert f"from {cell.taken_on.day} " in text and str(cell.taken_on.year) in text


def test_esc_closes_b_blanks_and_shows_and_the_lock_blanks(
    qtbot, demo: Clinic, session: int  # noqa: F811
) -> None:
    window = room(qtbot, demo, session)
    name = window.board.rows[0].label  # type: ignore[union-attr]
    qtbot.keyClick(window, Qt.Key.Key_B)
    assert window.stack.currentWidget() is window.blank and window.is_blank
    qtbot.keyClick(window, Qt.Key.Key_B)
    assert window.stack.currentIndex() == 0
    window.bus.locked.emit(True)
    assert window.stack.currentWidget() is window.paused
    assert name not in " ".join(window.texts()) and PAUSED in window.texts()
    window.bus.locked.emit(False)
    assert name in " ".join(window.texts())
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_the_board_page_blanks_and_closes_the_room_screen(qtbot, running: MainWindow) -> None:
    board = page_of(running, "board", BoardPage)
    assert not board.blank_button.isEnabled()
    qtbot.mouseClick(board.second_screen, Qt.MouseButton.LeftButton)
    presenter = board.presenter
    assert presenter is not None and presenter.isVisible()
    qtbot.keyClick(board, Qt.Key.Key_B)
    assert presenter.is_blank and "blank" in board.room_state.text()
    qtbot.mouseClick(board.blank_button, Qt.MouseButton.LeftButton)
    assert not presenter.is_blank
    qtbot.mouseClick(board.close_room_button, Qt.MouseButton.LeftButton)
    assert not presenter.isVisible() and board.room_state.text() == "Room screen: not shown"


def test_closing_mid_session_asks_then_closes_the_room_screen(
    qtbot, running: MainWindow
) -> None:
    board = page_of(running, "board", BoardPage)
    qtbot.mouseClick(board.second_screen, Qt.MouseButton.LeftButton)
    presenter = board.presenter
    assert presenter is not None
    running.ask_before_closing = True  # as in the app
    answer_dialog("Keep working")
    running.close()
    assert running.isVisible() and presenter.isVisible()
    answer_dialog("Close GroupClinic")
    running.close()
    assert not running.isVisible() and not presenter.isVisible()
    running.ask_before_closing = False


def test_a_second_start_brings_the_running_window_forward(qtbot, running: MainWindow) -> None:
    name = f"groupclinic-test-{id(running):x}"
    listener = Listener(name, running.bring_forward, running)
    try:
        assert listener.listening
        running.showMinimized()
        assert ask_running_app(name)
        qtbot.waitUntil(lambda: not running.isMinimized(), timeout=5000)
    finally:
        listener.close()
    assert not ask_running_app(name)  # nobody listening: a normal start


def test_help_lists_the_shortcuts_and_the_idle_lock(qtbot, running: MainWindow) -> None:
    text = running.shortcuts_html()
    for keys in ("Ctrl+L", "Alt+Down / Alt+Up", "Esc, Q or Ctrl+W", "B"):
        assert f"<b>{keys}</b>" in text
    assert f"after {running.clinic.idle_lock_minutes()} minutes" in text
    actions = {a.text(): a for a in running.actions()}
    assert actions["Keyboard shortcuts"].shortcut().toString() == "F1"


def add_people(demo: Clinic, sid: int, total: int) -> None:
    """Drop-ins on the day until `total` people are here, each agreeing to be shown by name."""
    from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind
    from groupclinic_desktop.core.validation import nhs_check_digit

    serial = 0
    while len(demo.roster(sid)) < total:
        first9 = f"9990003{serial:02d}"
        serial += 1
        digit = nhs_check_digit(first9)
        if digit is None or digit == 10 or demo.patient_by_nhs_number(first9 + str(digit)):
            continue
        person = demo.add_new_drop_in(sid, first9 + str(digit), "Rhiannon", f"Hale{serial}",
                                      "02/03/1960")
        demo.set_attendance(sid, person.id, AttendanceStatus.ATTENDED)  # type: ignore[arg-type]
        demo.set_consent(sid, person.id, ConsentKind.SHARE_RESULTS, True)  # type: ignore[arg-type]


def test_a_room_of_twelve_to_fifteen_fits_1366_by_768_a_page_at_a_time(
    qtbot, demo: Clinic, session: int  # noqa: F811
) -> None:
    from PySide6.QtCore import QRect

    for total in (12, 15):
        add_people(demo, session, total)
        window = room(qtbot, demo, session)
        assert window.width() <= 1366 and window.height() <= 768
        table = window.table
        count = len(window.board.rows)  # type: ignore[union-attr]
        assert count == total
        assert len(window.pages) >= 2 and window.page_mark.isVisible()
        seen: list[int] = []
        for turn in range(len(window.pages)):
            assert window.page_mark.text().startswith(f"{turn + 1} / {len(window.pages)}")
            viewport = table.viewport().rect()
            shown = [r for r in range(count) if not table.isRowHidden(r)]
            assert shown == window.pages[turn]
            for r in [*shown, count]:  # each person on this page, and the group line
                top = table.rowViewportPosition(r)
                assert viewport.contains(QRect(0, top, viewport.width(), table.rowHeight(r)))
                name = QFontInfo(table.item(r, 0).font()).pixelSize()
                for c in range(1, table.columnCount()):
                    if r < count:
                        value = QFontInfo(table.item(r, c).font()).pixelSize()
                        assert value >= 48 and value >= name
            seen += shown
            qtbot.keyClick(window, Qt.Key.Key_PageDown)  # turned by hand
        assert sorted(seen) == list(range(count))  # everyone once, no one twice
        assert window.page == 0  # round again to the first page
        assert table.verticalScrollBar().maximum() == 0  # nothing to scroll to
        window.close()
