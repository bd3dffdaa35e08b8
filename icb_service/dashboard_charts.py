"""Inline SVG charts for the dashboard, drawn on the server: bars, monthly trends, funnel plots.

No scripts and no external assets. Each chart is an image with a title and a one-line
description; its figures are also in a table (dashboard_tables) for screen readers and for
copying. Every mark carries data-row/data-column and the text the table shows, so a test can
check that chart and table agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from icb_service import funnel
from icb_service.dashboard_tables import HIDDEN, Cell, Table, format_value

INK = "#212b32"  # body text
MUTED = "#4c6272"  # secondary text: 7:1 on white
BLUE = "#005eb8"
# Series colours, each at least 3:1 against white and told apart by line style and marker too.
SERIES = (("#005eb8", "", "circle"), ("#8a1538", "6 4", "square"), ("#006747", "2 3", "diamond"),
          ("#5c2d91", "10 3 2 3", "triangle"))
FONT = 'font-family="system-ui, Arial, sans-serif"'


def _svg_open(ident: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg class="chart" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" data-chart="{ident}" {FONT}>',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]


def _fit(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"


def bar_chart(table: Table, column: str, title: str, percent: bool = False) -> str:
    """Horizontal bars, one per row; a hidden figure draws no bar and says "hidden"."""
    cells = table.column(column)
    ident = f"{table.ident}-chart"
    label_width, bar_width, row_height = 250, 330, 30
    largest = 1.0 if percent else max((c.value or 0 for c in cells if c.shown), default=0) or 1
    width = label_width + bar_width + 90
    height = row_height * len(cells) + 12
    desc = f"{column} by {table.row_heading.lower()}; the figures are in the table that follows."
    out = _svg_open(ident, title, desc, width, height)
    for index, (row, cell) in enumerate(zip(table.rows, cells, strict=True)):
        y = 6 + index * row_height
        out.append(
            f'<g class="mark" data-row="{escape(row.label)}" data-column="{escape(column)}" '
            f'data-shown="{escape(cell.text)}">'
        )
        out.append(f'<text x="0" y="{y + 19}" fill="{INK}" font-size="14">'
                   f"{escape(_fit(row.label, 34))}</text>")
        length = bar_width * min(max(cell.value or 0, 0) / largest, 1.0) if cell.shown else 0.0
        if length:
            out.append(f'<rect x="{label_width}" y="{y + 5}" width="{length:.1f}" height="20" '
                       f'fill="{BLUE}"/>')
        style = ' font-style="italic"' if cell.hidden else ""
        colour = MUTED if not cell.shown else INK
        out.append(f'<text x="{label_width + length + 6:.1f}" y="{y + 19}" fill="{colour}" '
                   f'font-size="14"{style}>{escape(cell.text)}</text></g>')
    out.append("</svg>")
    return "\n".join(out)


def _nice_top(value: float) -> float:
    """A round axis top at or above value: 1, 2, 2.5, 5 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "diamond":
        return (f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y:.1f}L{x:.1f} {y + 5:.1f}'
                f'L{x - 5:.1f} {y:.1f}Z" fill="{colour}"/>')
    if shape == "triangle":
        return (f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y + 4:.1f}L{x - 5:.1f} {y + 4:.1f}Z" '
                f'fill="{colour}"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def trend_chart(table: Table, columns: Sequence[str], title: str, percent: bool = False) -> str:
    """Monthly lines: one row of the table a month, one line a column; hidden months are gaps."""
    ident = f"{table.ident}-chart"
    width, height = 680, 300
    left, right, top, bottom = 64, 16, 44, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    months = [row.label for row in table.rows]
    series = [(name, table.column(name)) for name in columns]
    values = [c.value for _, cells in series for c in cells if c.shown and c.value is not None]
    y_top = 1.0 if percent else _nice_top(max(values, default=0))
    y_bottom = min(0.0, min(values, default=0))
    span = (y_top - y_bottom) or 1.0

    def x_at(i: int) -> float:
        return left + (plot_w / 2 if len(months) == 1 else plot_w * i / (len(months) - 1))

    def y_at(v: float) -> float:
        return top + plot_h * (1 - (v - y_bottom) / span)

    desc = (f"{', '.join(columns)} for each month from {months[0]} to {months[-1]}; "
            "gaps are months with a hidden figure or none; the figures are in the table."
            if months else "No months in this selection.")
    out = _svg_open(ident, title, desc, width, height)
    kind = "percent" if percent else "count"
    for step in range(5):
        v = y_bottom + span * step / 4
        y = y_at(v)
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="#d8dde0"/>')
        tick = f"{v * 100:.0f}%" if percent else format_value(v, "number" if span < 8 else kind)
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                   f'fill="{MUTED}">{escape(tick)}</text>')
    every = max(1, math.ceil(len(months) / 12))
    for i, month in enumerate(months):
        if i % every == 0 or i == len(months) - 1 and len(months) <= 12:
            out.append(f'<text x="{x_at(i):.1f}" y="{height - bottom + 18}" text-anchor="middle" '
                       f'font-size="12" fill="{MUTED}">{escape(month)}</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{y_at(y_bottom):.1f}" '
               f'y2="{y_at(y_bottom):.1f}" stroke="{MUTED}"/>')
    for number, (name, cells) in enumerate(series):
        colour, dash, shape = SERIES[number % len(SERIES)]
        runs: list[list[tuple[float, float]]] = [[]]
        for i, cell in enumerate(cells):
            if cell.shown and cell.value is not None:
                runs[-1].append((x_at(i), y_at(cell.value)))
            elif runs[-1]:
                runs.append([])
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                           f'stroke-width="2.5"{dash_attr}/>')
        for i, cell in enumerate(cells):
            attrs = (f'class="mark" data-row="{escape(months[i])}" data-column="{escape(name)}" '
                     f'data-shown="{escape(cell.text)}"')
            if cell.shown and cell.value is not None:
                out.append(f"<g {attrs}>{_marker(shape, x_at(i), y_at(cell.value), colour)}</g>")
            else:
                out.append(f"<g {attrs}></g>")
        # Legend across the top: the line's style and marker, then its name.
        lx = left + number * (plot_w / max(len(series), 1))
        out.append(f'<line x1="{lx:.1f}" x2="{lx + 28:.1f}" y1="16" y2="16" stroke="{colour}" '
                   f'stroke-width="2.5"{dash_attr}/>{_marker(shape, lx + 14, 16, colour)}')
        out.append(f'<text x="{lx + 34:.1f}" y="21" font-size="13" fill="{INK}">'
                   f"{escape(_fit(name, 40))}</text>")
    out.append("</svg>")
    return "\n".join(out)


@dataclass(frozen=True)
class FunnelPoint:
    label: str
    people: float  # the denominator
    proportion: float


def funnel_plot(
    table: Table, people_column: str, proportion_column: str, target: Cell, title: str,
    axis_words: str,
) -> str:
    """Each row's proportion against its number of people, with the selection's figure and
    95% and 99.8% control limits (funnel.py); rows with a hidden figure are not plotted."""
    ident = f"{table.ident}-chart"
    width, height = 680, 380
    left, right, top, bottom = 64, 20, 20, 84
    plot_w, plot_h = width - left - right, height - top - bottom
    points = [
        (row, FunnelPoint(row.label, n.value, p.value))
        for row, n, p in zip(table.rows, table.column(people_column),
                             table.column(proportion_column), strict=True)
        if n.shown and p.shown and n.value and p.value is not None
    ]
    p0 = target.value if target.shown and target.value is not None else None
    desc = (f"{axis_words} for each row that can be shown, against its number of people, with "
            "the figure for the whole selection and 95% and 99.8% control limits; the figures "
            "and each row's position are in the table.")
    out = _svg_open(ident, title, desc, width, height)
    if not points or p0 is None:
        out.append(f'<text x="{left}" y="{top + 30}" font-size="14" fill="{INK}">Not enough '
                   "figures that can be shown to draw the funnel.</text></svg>")
        return "\n".join(out)
    n_max = _nice_top(max(p.people for _, p in points) * 1.05)
    n_min = max(1.0, n_max / 200)
    outer = max(funnel.limits(), key=lambda limit: limit.z)
    lows = [funnel.band(p0, max(p.people, 1), outer.z)[0] for _, p in points]
    highs = [funnel.band(p0, max(p.people, 1), outer.z)[1] for _, p in points]
    y_low = math.floor(min([*lows, *(p.proportion for _, p in points), p0]) * 10) / 10
    y_high = math.ceil(max([*highs, *(p.proportion for _, p in points), p0]) * 10) / 10
    y_low, y_high = max(0.0, y_low), min(1.0, max(y_high, y_low + 0.1))

    def x_at(n: float) -> float:
        return left + plot_w * n / n_max

    def y_at(v: float) -> float:
        return top + plot_h * (1 - (min(max(v, y_low), y_high) - y_low) / (y_high - y_low))

    steps = int(round((y_high - y_low) * 10))
    for step in range(steps + 1):
        v = y_low + (y_high - y_low) * step / max(steps, 1)
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y_at(v):.1f}" '
                   f'y2="{y_at(v):.1f}" stroke="#d8dde0"/>')
        out.append(f'<text x="{left - 8}" y="{y_at(v) + 4:.1f}" text-anchor="end" '
                   f'font-size="12" fill="{MUTED}">{v * 100:.0f}%</text>')
    for step in range(5):
        n = n_max * step / 4
        out.append(f'<text x="{x_at(n):.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
                   f'font-size="12" fill="{MUTED}">{n:,.0f}</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h + 38}" text-anchor="middle" '
               f'font-size="13" fill="{INK}">Number of people (the denominator)</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" '
               f'y2="{top + plot_h}" stroke="{MUTED}"/>')
    styles = {outer.name: ""}
    for limit in funnel.limits():
        dash = styles.get(limit.name, "6 4")
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for side in (0, 1):
            samples = [n_min + (n_max - n_min) * (i / 80) ** 2 for i in range(81)]
            line = " ".join(
                f"{x_at(n):.1f},{y_at(funnel.band(p0, n, limit.z)[side]):.1f}" for n in samples
            )
            out.append(f'<polyline points="{line}" fill="none" stroke="{MUTED}" '
                       f'stroke-width="1.5"{dash_attr} data-limit="{escape(limit.name)}"/>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{y_at(p0):.1f}" y2="{y_at(p0):.1f}" '
               f'stroke="{INK}" stroke-width="2" data-target="{escape(target.text)}"/>')
    for row, point in points:
        x, y = x_at(point.people), y_at(point.proportion)
        where = funnel.position(point.proportion, p0, point.people)
        out.append(f'<g class="mark" data-row="{escape(row.label)}" '
                   f'data-column="{escape(proportion_column)}" '
                   f'data-shown="{escape(format_value(point.proportion, "percent"))}">'
                   f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5.5" fill="{BLUE}" stroke="white" '
                   f'stroke-width="1.5"/>')
        if "99.8" in where:  # name the points an analyst will ask about
            anchor = "end" if x > left + plot_w * 0.7 else "start"
            dx = -9 if anchor == "end" else 9
            out.append(f'<text x="{x + dx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" '
                       f'font-size="12" fill="{INK}">{escape(_fit(row.label, 30))}</text>')
        out.append("</g>")
    legend_y = height - 20
    out.append(
        f'<line x1="{left}" x2="{left + 28}" y1="{legend_y}" y2="{legend_y}" stroke="{INK}" '
        f'stroke-width="2"/><text x="{left + 34}" y="{legend_y + 4}" font-size="13" '
        f'fill="{INK}">Whole selection {escape(target.text)}</text>'
        f'<line x1="{left + 230}" x2="{left + 258}" y1="{legend_y}" y2="{legend_y}" '
        f'stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        f'<text x="{left + 264}" y="{legend_y + 4}" font-size="13" fill="{INK}">95% limits</text>'
        f'<line x1="{left + 360}" x2="{left + 388}" y1="{legend_y}" y2="{legend_y}" '
        f'stroke="{MUTED}" stroke-width="1.5"/><text x="{left + 394}" y="{legend_y + 4}" '
        f'font-size="13" fill="{INK}">99.8% limits</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


__all__ = ["HIDDEN", "bar_chart", "funnel_plot", "trend_chart"]
