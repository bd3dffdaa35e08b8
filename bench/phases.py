"""Opening the running session and switching between its phases, painted.

Baseline: showing a prebuilt QWidget of the same size (and, for switches, flipping a
QStackedWidget between prebuilt pages), painted the same way.

The session window builds the pages of the other phases in idle time after it is shown, one per
turn of the event loop. So "page first shown" is measured as a person meets it who has looked at
the screen for a moment: the window is left idle until it has settled (every page built, laid
out and painted off screen, every chart drawn), and then each page is shown for the first time.
Three more figures keep that honest: each idle job (how long it held the event loop, which is how
long a click could wait), the time from showing the window until it has settled, and a switch to
a page not built yet (a window made with prebuild=False: what a person sees who moves at once).
"""

from __future__ import annotations

import time
from typing import Any

from bench import DEMO, TEN_YEARS, Context, Figure, open_clinic, prepare_session, timed

BUDGET_S = 0.050
SIZE = (1366, 720)
SETTLE_TIMEOUT_S = 120  # the first run on a machine builds matplotlib's font list


def qt_app() -> Any:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["bench"])


def painted(widget: Any) -> None:
    """Let layouts settle, then paint now: what the person sees is on screen."""
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    widget.repaint()


def settle(window: Any) -> float:
    """Run the event loop until the window's idle work is done; the seconds it took."""
    from PySide6.QtWidgets import QApplication

    start = time.perf_counter()
    while not window.settled():
        if time.perf_counter() - start > SETTLE_TIMEOUT_S:
            raise RuntimeError("the session window's idle work never finished")
        QApplication.processEvents()
        time.sleep(0.002)  # an idle event loop sleeps too; this leaves the CPU to the work
    return time.perf_counter() - start


def sign_in(clinic: Any, role: str, pin: str) -> None:
    user = next(u for u in clinic.staff() if u.role.value == role)
    clinic.sign_in(user.id, pin)


def run(ctx: Context, regulars: dict[str, list[int]]) -> list[Figure]:
    from PySide6.QtWidgets import QStackedWidget, QWidget

    from groupclinic_desktop.core.programmes import PHASES
    from groupclinic_desktop.ui.app import settle_memory
    from groupclinic_desktop.ui.session_window import SessionWindow

    qt_app()
    figures: list[Figure] = []
    runs = ctx.repeats(5, 1)
    for store in (DEMO, TEN_YEARS):
        with open_clinic(ctx.copy_store(store, "phases")) as clinic:
            sid = prepare_session(clinic, regulars=regulars.get(store))
            sign_in(clinic, "facilitator", "2468")
            settle_memory()  # as the app does once the store is open (ui/app.py)

            def open_session() -> None:
                window = SessionWindow(clinic, sid)
                window.resize(*SIZE)
                window.show()
                painted(window)
                window.close()
                window.deleteLater()

            prebuilt = QWidget()
            prebuilt.resize(*SIZE)

            def show_prebuilt() -> None:
                prebuilt.show()
                painted(prebuilt)
                prebuilt.hide()

            opens, shows = [], []
            for _ in range(runs):
                opens.append(timed(open_session))
                shows.append(timed(show_prebuilt))
            figures.append(Figure("open running session", store, opens,
                                  baseline="show a prebuilt QWidget", baseline_samples=shows))

            stack = QStackedWidget()
            pages = [QWidget() for _ in PHASES]
            for page in pages:
                stack.addWidget(page)
            stack.resize(*SIZE)
            stack.show()
            flips: list[float] = []

            def flip(index: int) -> None:
                flips.append(timed(lambda: (stack.setCurrentWidget(pages[index]),
                                            painted(stack))))

            def switch(window: Any, phase: str) -> float:
                took = timed(lambda: (window.go_to(phase), painted(window)))
                if window.stack.currentWidget() is not window.pages.get(phase):
                    raise RuntimeError(f"the session did not move to {phase}")
                return took

            # Each run: a new window, left idle until it has settled, then every phase once
            # (pages first shown); the last window then goes round again (pages shown before).
            # The order starts after check-in, where the session is, and comes back to it.
            order = list(PHASES[1:]) + [PHASES[0]]
            first, again, steps, settling = [], [], [], []
            window: Any = None
            for number in range(runs):
                if window is not None:
                    window.close()
                    window.deleteLater()
                window = SessionWindow(clinic, sid)
                window.resize(*SIZE)
                window.show()
                painted(window)
                settling.append(settle(window))
                # Jobs that found nothing left to do (a chart drawn meanwhile) are left out.
                steps += [took for _job, took in window.idle_work.took if took > 5e-5]
                for index, phase in enumerate(order):
                    took = switch(window, phase)
                    # Check-in was built with the window and shown when it opened.
                    (first if phase != PHASES[0] else again).append(took)
                    flip(index)
                if number == runs - 1:
                    for _ in range(runs):
                        for index, phase in enumerate(order):
                            again.append(switch(window, phase))
                            flip(index)
            window.close()

            # A person who moves at once finds the pages not built yet: each is built on its
            # first visit (matplotlib is loaded by now; before that the board's charts say
            # "Preparing the chart…" and draw when it is).
            cold: list[float] = []
            for _ in range(runs):
                fresh = SessionWindow(clinic, sid, prebuild=False)
                fresh.resize(*SIZE)
                fresh.show()
                painted(fresh)
                for index, phase in enumerate(order[:-1]):
                    cold.append(switch(fresh, phase))
                    flip(index)
                switch(fresh, order[-1])  # back to check-in, where each run starts
                fresh.close()
                fresh.deleteLater()
            stack.close()
            for name, samples in (("phase switch, page first shown", first),
                                  ("phase switch, page shown before", again),
                                  ("phase switch, page not built yet", cold)):
                figure = Figure(name, store, samples, baseline="flip between prebuilt QWidgets",
                                baseline_samples=flips, budget="< 50 ms")
                figure.within_budget = figure.median < BUDGET_S
                figures.append(figure)
            # No budget of its own; its maximum is how long a click can wait behind idle work.
            figures.append(Figure("idle work, one job in the event loop", store, steps))
            figures.append(Figure("idle work, shown until all pages ready", store, settling))
    return figures
