"""Garbage with widgets in it is collected on the UI thread, never on a worker's.

A collection on the store-opening thread once destroyed an earlier page's widgets there and
crashed the process (ui/collector.py). These tests start as a fresh process does, with Python's
automatic collection on, and check that the app's set-up takes it to the UI thread.
"""

import gc
import threading
import weakref
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QLabel, QWidget

from groupclinic_desktop.ui.app import settle_memory
from groupclinic_desktop.ui.collector import collect_on_ui_thread


class _Cycle:
    """Something a page's slot might hold: it points at the page, and the page points back."""

    page: QWidget | None = None
    me: "_Cycle | None" = None


@pytest.fixture
def fresh_process_gc() -> Iterator[None]:
    """Automatic collection on, as in a new process; the test suite's own setting afterwards."""
    gc.enable()
    yield
    gc.unfreeze()
    gc.disable()


def _page_in_a_cycle() -> list[int]:
    """A page with a label, left in a reference cycle; returns the threads it is freed on."""
    freed_on: list[int] = []
    page = QWidget()
    QLabel("Blood pressure", page)
    cycle = _Cycle()
    cycle.page, cycle.me = page, cycle
    page.cycle = cycle  # type: ignore[attr-defined]
    weakref.finalize(cycle, lambda: freed_on.append(threading.get_ident()))
    return freed_on


def _leave_cyclic_garbage(count: int) -> None:
    for _ in range(count):
        loop: list[object] = []
        loop.append(loop)


def _busy_worker() -> None:
    """A worker thread that leaves plenty of cyclic garbage, as an import or a sync batch does."""
    worker = threading.Thread(target=_leave_cyclic_garbage, args=(50_000,), name="worker")
    worker.start()
    worker.join()


def _freed_while_the_ui_works(freed_on: list[int]) -> bool:
    # Python collects once enough new objects outlive the old ones freed: the UI thread keeps
    # making some, as during a session (an earlier test's freed widgets can set the count back).
    _leave_cyclic_garbage(200)
    return bool(freed_on)


@pytest.mark.parametrize(
    "set_up",
    [collect_on_ui_thread, settle_memory],
    ids=["collect_on_ui_thread", "settle_memory once the store is open"],
)
def test_a_page_left_in_a_cycle_is_destroyed_on_the_ui_thread(
    qtbot, fresh_process_gc: None, set_up: Callable[[], None]  # type: ignore[no-untyped-def]
) -> None:
    set_up()
    assert not gc.isenabled()
    freed_on = _page_in_a_cycle()
    _busy_worker()
    assert freed_on == [], "the page was destroyed on the worker thread"
    qtbot.waitUntil(lambda: _freed_while_the_ui_works(freed_on), timeout=5000)
    assert freed_on == [threading.get_ident()]
