"""Phase pages built in idle time: ready when first shown, never shown out of date, and a page
that is not on screen catches up in a quiet moment instead of holding up the one that is."""

import pytest
from PySide6.QtWidgets import QApplication

from groupclinic_desktop.core.programmes import PHASES
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind
from groupclinic_desktop.ui import charts
from groupclinic_desktop.ui.phases.base import IdleWork
from groupclinic_desktop.ui.phases.board import BoardPage
from groupclinic_desktop.ui.session_window import SessionWindow
from tests.ui.test_checkin import type_into

SETTLE_MS = 60_000  # the first matplotlib import on a machine builds its font list


@pytest.fixture
def session(qtbot, running):  # type: ignore[no-untyped-def]
    """The running session with three people checked in (sharing their results), left idle
    until every page is built and every chart drawn."""
    window = running.session_window
    clinic, sid = running.clinic, window.session_id
    people = [e.patient.id for e in clinic.roster(sid)][:3]
    for pid in people:
        clinic.set_attendance(sid, pid, AttendanceStatus.ATTENDED)
        clinic.set_consent(sid, pid, ConsentKind.SHARE_RESULTS, True)
    window.current_page().refresh()
    qtbot.waitUntil(window.settled, timeout=SETTLE_MS)
    return window, people


def cell(board: BoardPage, patient_id: int, column: str) -> str:
    assert board.board is not None
    row = [r.patient_id for r in board.board.rows].index(patient_id)
    return board.table.item(row, [c.key for c in board.board.columns].index(column)).text()


def test_every_page_is_built_in_idle_time_without_being_shown(session) -> None:  # type: ignore[no-untyped-def]
    window, _people = session
    assert set(window.pages) == set(PHASES)
    assert window.stack.currentWidget() is window.pages["checkin"]
    board = window.pages["board"]
    assert not board.isVisible()
    assert board.group_chart.draws == 1 and not board.group_chart.pending  # drawn off screen


def test_a_value_saved_in_check_in_is_on_the_prebuilt_board_when_shown(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    window, people = session
    board = window.pages["board"]
    checkin = window.current_page()
    checkin.select(people[0])
    type_into(qtbot, checkin.rows["blood_pressure"].edit, "128/76")
    assert checkin.rows["blood_pressure"].status.text() == "✓ saved"
    # The board has not caught up yet (it waits for a quiet moment): showing it must.
    assert window.idle_work.queued(board.catch_up_job)
    window.go_to("board")
    assert cell(board, people[0], "blood_pressure").startswith("128/76")
    assert not window.idle_work.queued(board.catch_up_job)


def test_a_value_saved_through_the_facade_alone_is_on_the_board_when_shown(session) -> None:  # type: ignore[no-untyped-def]
    window, people = session
    board = window.pages["board"]
    # Saved through the facade alone, no page involved: the core's notice tells the hidden
    # board, which catches up in a quiet moment, or when shown.
    window.clinic.record_measurement(
        people[1], "weight", "77.7", session_id=window.session_id, confirmed=True
    )
    assert window.idle_work.queued(board.catch_up_job)
    window.go_to("board")
    assert cell(board, people[1], "weight").startswith("77.7")


def test_a_hidden_board_catches_up_in_idle_time_then_showing_it_repaints_nothing(
    qtbot, session
) -> None:  # type: ignore[no-untyped-def]
    window, people = session
    board = window.pages["board"]
    painted = board.cells_painted
    checkin = window.current_page()
    checkin.select(people[2])
    type_into(qtbot, checkin.rows["blood_pressure"].edit, "131/79")
    assert board.cells_painted == painted  # saving did not wait for the hidden board
    qtbot.waitUntil(lambda: not window.idle_work.busy, timeout=SETTLE_MS)
    assert not board.isVisible()
    assert cell(board, people[2], "blood_pressure").startswith("131/79")
    assert board.cells_painted == painted + len(board.board.columns)  # that person's row only
    draws = (board.group_chart.draws, board.trend_chart.draws)
    painted = board.cells_painted
    window.go_to("board")
    assert board.cells_painted == painted
    assert (board.group_chart.draws, board.trend_chart.draws) == draws


def test_a_page_shown_again_unchanged_repaints_nothing(session) -> None:  # type: ignore[no-untyped-def]
    window, _people = session
    board = window.pages["board"]
    window.go_to("board")
    before = (board.cells_painted, board.group_chart.draws, board.trend_chart.draws)
    window.go_to("agenda")
    window.go_to("board")
    assert (board.cells_painted, board.group_chart.draws, board.trend_chart.draws) == before


def test_without_prebuild_only_the_current_page_is_built(qtbot, running) -> None:  # type: ignore[no-untyped-def]
    clinic, sid = running.clinic, running.session_window.session_id
    window = SessionWindow(clinic, sid, prebuild=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.wait(600)
    assert set(window.pages) == {"checkin"}
    window.go_to("agenda")
    assert set(window.pages) == {"checkin", "agenda"}


# ---------------------------------------------------------------------------- the idle queue


def test_idle_jobs_run_in_order_one_per_turn_and_a_name_queued_again_keeps_its_place(
    qtbot,
) -> None:  # type: ignore[no-untyped-def]
    idle = IdleWork()
    ran: list[str] = []
    idle.add("a", lambda: ran.append("a"))
    idle.add("b", lambda: ran.append("b"))
    idle.add("a", lambda: ran.append("a again"))  # replaces the job, keeps its place
    idle.add("c", lambda: ran.append("c"))
    assert ran == []  # nothing runs until the event loop turns
    QApplication.processEvents()
    assert len(ran) <= 1  # one job per turn, never the whole queue at once
    qtbot.waitUntil(lambda: not idle.busy)
    assert ran == ["a again", "b", "c"]
    assert [name for name, _took in idle.took] == ["a", "b", "c"]


def test_idle_jobs_wait_their_time_and_for_a_pause_to_end(qtbot) -> None:  # type: ignore[no-untyped-def]
    idle = IdleWork()
    ran: list[str] = []
    idle.add("later", lambda: ran.append("later"), wait_ms=300)
    qtbot.wait(100)
    assert ran == []
    idle.pause(True)
    qtbot.wait(400)
    assert ran == [] and idle.busy
    idle.pause(False)
    qtbot.waitUntil(lambda: ran == ["later"])
    idle.add("x", lambda: ran.append("x"))
    idle.discard("x")
    idle.add("y", lambda: ran.append("y"))
    idle.run_all()
    assert ran == ["later", "y"]


# ---------------------------------------------------------------------------- charts


def test_a_hidden_chart_draws_in_idle_time_and_at_once_when_shown(qtbot) -> None:  # type: ignore[no-untyped-def]
    charts.load_now()
    idle = IdleWork()
    chart = charts.TrendChart(idle=idle)
    qtbot.addWidget(chart)
    chart.resize(600, 300)
    chart.show_trend([])
    assert chart.draws == 0 and chart.pending  # not on screen: a quiet moment will do
    qtbot.waitUntil(lambda: not idle.busy)
    assert chart.draws == 1 and not chart.pending
    chart.show_trend([])
    assert chart.draws == 1  # the same data is not drawn again
    chart.hide()
    chart.draw(("something else",), lambda ax: ax.plot([1, 2], [3, 4]))
    assert chart.draws == 1
    chart.show()  # shown before its quiet moment: drawn now, never out of date
    assert chart.draws == 2 and not chart.pending


def test_a_chart_on_screen_says_preparing_until_matplotlib_is_loaded(
    qtbot, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    charts.load_now()
    monkeypatch.setattr(charts, "loaded", lambda: False)
    monkeypatch.setattr(charts, "preload", lambda: None)
    chart = charts.TrendChart(idle=IdleWork())
    qtbot.addWidget(chart)
    chart.resize(600, 300)
    chart.show()
    chart.show_trend([])
    assert chart.draws == 0 and chart.preparing.isVisible()
    assert chart.preparing.text() == charts.PREPARING
    monkeypatch.setattr(charts, "loaded", lambda: True)
    charts._notifier().done.emit()  # what the loading thread does when it has finished
    qtbot.waitUntil(lambda: chart.draws == 1)
    assert not chart.preparing.isVisible()


def test_a_closed_presenter_does_no_work_until_it_is_shown_again(qtbot, demo) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from groupclinic_desktop.ui.phases.base import SessionBus
    from groupclinic_desktop.ui.presenter import PresenterWindow

    sid = demo.sessions(day=date.today())[0].id
    jo = next(u for u in demo.staff() if u.name == "Jo Morgan")
    demo.sign_in(jo.id, "2468")
    demo.start_session(sid)
    maggie = next(e.patient for e in demo.roster(sid) if e.patient.given_name == "Margaret")
    demo.set_attendance(sid, maggie.id, AttendanceStatus.ATTENDED)
    demo.set_consent(sid, maggie.id, ConsentKind.SHARE_RESULTS, True)
    bus = SessionBus()
    presenter = PresenterWindow(demo, sid, bus)
    qtbot.addWidget(presenter)
    presenter.show()
    presenter.close()
    painted = presenter.cells_painted
    demo.record_measurement(maggie.id, "blood_pressure", "127/75", session_id=sid)
    assert presenter.cells_painted == painted  # closed: nothing repainted
    presenter.show()
    assert any("127/75" in text for text in presenter.texts())  # shown: current at once
