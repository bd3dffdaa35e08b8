"""Opening the running session and switching between its phases, painted.

Baseline: showing a prebuilt QWidget of the same size (and, for switches, flipping a
QStackedWidget between prebuilt pages), painted the same way.
"""

from __future__ import annotations

from typing import Any

from bench import DEMO, TEN_YEARS, Context, Figure, open_clinic, prepare_session, timed

BUDGET_S = 0.050
SIZE = (1366, 720)


def qt_app() -> Any:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["bench"])


def painted(widget: Any) -> None:
    """Let layouts settle, then paint now: what the person sees is on screen."""
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    widget.repaint()


def sign_in(clinic: Any, role: str, pin: str) -> None:
    user = next(u for u in clinic.staff() if u.role.value == role)
    clinic.sign_in(user.id, pin)


def run(ctx: Context, regulars: dict[str, list[int]]) -> list[Figure]:
    from PySide6.QtWidgets import QStackedWidget, QWidget

    from groupclinic_desktop.core.programmes import PHASES
    from groupclinic_desktop.ui.session_window import SessionWindow

    qt_app()
    figures: list[Figure] = []
    runs = ctx.repeats(5, 1)
    for store in (DEMO, TEN_YEARS):
        with open_clinic(ctx.copy_store(store, "phases")) as clinic:
            sid = prepare_session(clinic, regulars=regulars.get(store))
            sign_in(clinic, "facilitator", "2468")

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

            window = SessionWindow(clinic, sid)
            window.resize(*SIZE)
            window.show()
            painted(window)
            stack = QStackedWidget()
            pages = [QWidget() for _ in PHASES]
            for page in pages:
                stack.addWidget(page)
            stack.resize(*SIZE)
            stack.show()
            first, again, flips = [], [], []
            order = list(PHASES[1:]) + [PHASES[0]]
            for round_number in range(runs + 1):
                for index, phase in enumerate(order):
                    took = timed(lambda p=phase: (window.go_to(p), painted(window)))
                    if window.stack.currentWidget() is not window.pages.get(phase):
                        raise RuntimeError(f"the session did not move to {phase}")
                    (first if round_number == 0 and phase != PHASES[0] else again).append(took)
                    flips.append(timed(lambda i=index: (stack.setCurrentWidget(pages[i]),
                                                        painted(stack))))
            window.close()
            stack.close()
            for name, samples in (("phase switch, page first shown", first),
                                  ("phase switch, page shown before", again)):
                figure = Figure(name, store, samples, baseline="flip between prebuilt QWidgets",
                                baseline_samples=flips, budget="< 50 ms")
                figure.within_budget = figure.median < BUDGET_S
                figures.append(figure)
    return figures
