"""Screens refresh from the core's change notices: a value typed at check-in reaches the board
page and the room screen once, from one read of the board; a write on another thread reaches
the pages on the UI thread."""

import threading

from PySide6.QtCore import Qt

from groupclinic_desktop.ui.main_window import MainWindow
from groupclinic_desktop.ui.phases.board import BoardPage
from groupclinic_desktop.ui.phases.checkin import CheckInPage


def _pages(window: MainWindow) -> tuple[CheckInPage, BoardPage]:
    session_window = window.session_window
    assert session_window is not None
    checkin = session_window.current_page()
    assert isinstance(checkin, CheckInPage)
    board = session_window.pages.get("board") or session_window._build("board")
    assert isinstance(board, BoardPage)
    return checkin, board


def _cell(board: BoardPage, pid: int) -> tuple[int, int]:
    """Where a person's blood pressure is on the board page's table."""
    assert board.board is not None
    row = [r.patient_id for r in board.board.rows].index(pid)
    column = [c.key for c in board.board.columns].index("blood_pressure")
    return row, column


def _arrive(qtbot, checkin: CheckInPage) -> int:  # type: ignore[no-untyped-def]
    """The chosen person arrives and agrees to share (so the room screen shows them)."""
    qtbot.mouseClick(checkin.attendance_buttons[next(iter(checkin.attendance_buttons))],
                     Qt.MouseButton.LeftButton)
    for yes, _no, _state in checkin.consent_buttons.values():
        qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    assert checkin.patient_id is not None
    return checkin.patient_id


def test_a_value_typed_at_check_in_repaints_the_board_and_the_room_once_from_one_read(
    qtbot, running
) -> None:  # type: ignore[no-untyped-def]
    checkin, board = _pages(running)
    pid = _arrive(qtbot, checkin)
    board.show_on_second_screen()
    room = board.presenter
    assert room is not None and room.isVisible()
    bus = checkin.bus
    bus.idle_work.run_all()  # the board page has caught up with the arrival
    builds, board_refreshes, room_refreshes = (
        board.model.builds, board.refreshes, room.refreshes
    )

    row = checkin.rows["blood_pressure"]
    row.edit.setFocus()
    qtbot.keyClicks(row.edit, "133/79")
    qtbot.keyClick(row.edit, Qt.Key.Key_Return)
    assert row.status.text().startswith("✓ saved")
    bus.idle_work.run_all()  # the hidden board page catches up in a quiet moment

    assert board.model.builds == builds + 1  # one read of the board for both screens
    assert board.refreshes == board_refreshes + 1
    assert room.refreshes == room_refreshes + 1
    assert board.board is room.board  # the very same board
    assert board.table.item(*_cell(board, pid)).text().startswith("133/79")
    assert any("133/79" in text for text in room.texts())
    # Roster row repainted from the same notice: one of the typed fields is now measured.
    roster_row = checkin._row_of(pid)
    assert checkin.roster.item(roster_row, 2).text().startswith("1/")
    room.close()


def test_a_write_on_another_thread_reaches_the_pages_on_the_ui_thread(qtbot, running) -> None:  # type: ignore[no-untyped-def]
    checkin, board = _pages(running)
    pid = _arrive(qtbot, checkin)
    heard_on: list[threading.Thread] = []
    checkin.bus.changes.connect(lambda _changes: heard_on.append(threading.current_thread()))
    clinic, sid = running.clinic, checkin.session_id
    failures: list[BaseException] = []

    def elsewhere() -> None:
        try:
            clinic.record_measurement(pid, "blood_pressure", "129/81", session_id=sid)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    writer = threading.Thread(target=elsewhere, name="another-writer")
    writer.start()
    writer.join()
    assert failures == []
    qtbot.waitUntil(lambda: bool(heard_on), timeout=5000)
    assert heard_on == [threading.main_thread()]
    # The check-in card on screen shows it; the hidden board catches up.
    assert checkin.rows["blood_pressure"].edit.text() == "129/81"
    checkin.bus.idle_work.run_all()
    assert board.table.item(*_cell(board, pid)).text().startswith("129/81")


def test_one_save_at_check_in_reads_the_persons_values_and_flags_once_each(
    qtbot, running, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    checkin, _board = _pages(running)
    _arrive(qtbot, checkin)
    clinic = running.clinic
    reads: list[str] = []
    for name in ("measurements", "red_flags", "roster", "consents", "responses"):
        real = getattr(clinic, name)
        def counted(*a, _real=real, _name=name, **k):  # type: ignore[no-untyped-def]
            reads.append(_name)
            return _real(*a, **k)

        monkeypatch.setattr(clinic, name, counted)
    row = checkin.rows["blood_pressure"]
    row.edit.setFocus()
    qtbot.keyClicks(row.edit, "134/80")
    qtbot.keyClick(row.edit, Qt.Key.Key_Return)
    assert row.status.text().startswith("✓ saved")
    # Before the notices: measurements twice (the same read), red flags, roster and consents.
    assert sorted(reads) == ["measurements", "red_flags"]
