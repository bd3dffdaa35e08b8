"""Building and painting the biometric board: 15 people x 6 measurements, with its charts.

Baseline: a bare matplotlib figure of the same size drawn with savefig (Agg, PNG in memory).
"""

from __future__ import annotations

import io

from bench import DEMO, TEN_YEARS, Context, Figure, open_clinic, prepare_session, timed
from bench.phases import SIZE, painted, qt_app, sign_in

BUDGET_S = 0.250


def bare_figure() -> None:
    from matplotlib.figure import Figure as MplFigure

    figure = MplFigure(figsize=(SIZE[0] / 100, SIZE[1] / 100), dpi=100)
    figure.add_subplot()
    figure.savefig(io.BytesIO(), format="png")


def run(ctx: Context, regulars: dict[str, list[int]]) -> list[Figure]:
    from groupclinic_desktop.core.views.board import build_board
    from groupclinic_desktop.ui import charts
    from groupclinic_desktop.ui.phases.base import SessionBus
    from groupclinic_desktop.ui.phases.board import BoardPage

    qt_app()
    charts.load_now()  # the board's charts wait for matplotlib otherwise
    figures: list[Figure] = []
    runs = ctx.repeats(15, 2)
    for store in (DEMO, TEN_YEARS):
        with open_clinic(ctx.copy_store(store, "board")) as clinic:
            sid = prepare_session(clinic, regulars=regulars.get(store))
            sign_in(clinic, "facilitator", "2468")
            board = build_board(clinic, sid)
            cells = sum(1 for row in board.rows for cell in row.cells if cell.has_value)
            page = BoardPage(clinic, sid, SessionBus())
            page.resize(*SIZE)
            page.show()
            painted(page)
            bare_figure()  # matplotlib's first-use costs are paid before timing, as the page's

            def build_and_paint() -> None:
                page.rebuild()  # every cell and both charts (refresh() repaints what changed)
                painted(page)

            app, base, model = [], [], []
            for _ in range(runs):
                app.append(timed(build_and_paint))
                base.append(timed(bare_figure))
                model.append(timed(lambda: build_board(clinic, sid)))
            page.close()
        figure = Figure("board build + paint (15 x 6)", store, app,
                        baseline="bare matplotlib figure savefig", baseline_samples=base,
                        budget="< 250 ms", extra={"rows": len(board.rows),
                                                  "columns": len(board.columns),
                                                  "cells_with_values": cells})
        figure.within_budget = figure.median < BUDGET_S
        figures.append(figure)
        figures.append(Figure("board model only (core.build_board)", store, model,
                              baseline="bare matplotlib figure savefig", baseline_samples=base))
    return figures
