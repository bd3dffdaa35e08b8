"""ui/tasks.py: work off the UI thread, its result or error back on it; a bug also goes to the
last-resort path; nothing the work held is let go of on the worker thread."""

import sys
import threading

from PySide6.QtCore import QObject

from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.ui import tasks


def _on_which_thread(log: list[tuple[str, object]], what: str):  # type: ignore[no-untyped-def]
    def record(value: object) -> None:
        log.append((what, value))
        log.append(("thread", threading.current_thread()))

    return record


def test_the_result_comes_back_on_the_ui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    worked_on: list[threading.Thread] = []
    log: list[tuple[str, object]] = []

    def work() -> int:
        worked_on.append(threading.current_thread())
        return 42

    task = tasks.run(work, done=_on_which_thread(log, "done"), name="answer")
    qtbot.waitUntil(lambda: task.delivered, timeout=5000)
    assert worked_on[0].name == "answer" and worked_on[0] is not threading.main_thread()
    assert log == [("done", 42), ("thread", threading.main_thread())]


def test_an_expected_error_goes_to_failed_only(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    reported: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, _e, _tb: reported.append(kind))
    log: list[tuple[str, object]] = []

    def refuse() -> None:
        raise InvalidInput("Weight: 900 kg is outside 20-350 kg.")

    task = tasks.run(refuse, failed=_on_which_thread(log, "failed"))
    qtbot.waitUntil(lambda: task.delivered, timeout=5000)
    assert [type(v) for k, v in log if k == "failed"] == [InvalidInput]
    assert ("thread", threading.main_thread()) in log
    assert reported == []


def test_a_bug_goes_to_the_last_resort_path_and_then_to_failed(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    reported: list[tuple[type[BaseException], threading.Thread]] = []
    monkeypatch.setattr(
        sys, "excepthook",
        lambda kind, _e, _tb: reported.append((kind, threading.current_thread())),
    )
    failed: list[BaseException] = []
    task = tasks.run(lambda: 1 / 0, failed=failed.append)
    qtbot.waitUntil(lambda: task.delivered, timeout=5000)
    assert reported == [(ZeroDivisionError, threading.main_thread())]
    assert [type(e) for e in failed] == [ZeroDivisionError]


def test_callbacks_of_an_owner_that_is_gone_are_not_called(qtbot) -> None:  # type: ignore[no-untyped-def]
    owner = QObject()
    go = threading.Event()
    heard: list[object] = []
    task = tasks.run(lambda: go.wait(5) and "late", done=heard.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(owner), timeout=5000)
    go.set()
    qtbot.waitUntil(lambda: task.delivered, timeout=5000)
    assert heard == []


class _Held:
    """Something the work holds the only reference to (a dialog, in the app)."""

    def __init__(self, freed_on: list[threading.Thread]) -> None:
        self.freed_on = freed_on

    def __del__(self) -> None:
        self.freed_on.append(threading.current_thread())


def test_what_the_work_held_is_let_go_of_on_the_ui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    freed_on: list[threading.Thread] = []
    held = _Held(freed_on)

    def work(held: _Held = held) -> int:
        return len(held.freed_on)

    task = tasks.run(work)
    del held, work
    task.wait()
    assert freed_on == [], "let go of on the worker thread"
    qtbot.waitUntil(lambda: task.delivered, timeout=5000)
    assert freed_on == [threading.main_thread()]


def test_to_main_makes_a_call_from_any_thread_on_the_ui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    calls: list[tuple[int, int, threading.Thread]] = []
    progress = tasks.to_main(
        lambda done, total: calls.append((done, total, threading.current_thread()))
    )
    worker = threading.Thread(target=lambda: [progress(n, 3) for n in (1, 2, 3)])
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(calls) == 3, timeout=5000)
    assert [(d, t) for d, t, _ in calls] == [(1, 3), (2, 3), (3, 3)]
    assert {thread for _d, _t, thread in calls} == {threading.main_thread()}
