"""Inline SVG charts for the dashboard, drawn on the server: bars, monthly trends, funnel plots.

No scripts and no external assets. Each chart is an image with a title and a one-line
description; its figures are also in a table (dashboard_tables) for screen readers and for
copying. Every mark carries data-row/data-column and the text the table shows, so a test can
check that chart and table agree.
"""

from __future__ import annotations

import math
import re
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


def _svg_open(ident: str, title: str, desc: str, width: int, height: int, kind: str
              ) -> list[str]:
    return [
        f'<svg class="chart" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" data-chart="{ident}" data-kind="{kind}" {FONT}>',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]


_ODS_CODE = re.compile(r" \([A-Z0-9]{3,10}\)$")


def _fit(label: str, limit: int) -> str:
    """Short enough for the chart. An organisation's ODS code is left to the table beside the
    chart, so that every name in a chart reads the same way."""
    label = _ODS_CODE.sub("", label)
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"


def bar_chart(table: Table, column: str, title: str, percent: bool = False,
              leave_out: tuple[str, ...] = (), reference: tuple[str, Cell] | None = None) -> str:
    """Horizontal bars, one per row (rows whose key is in leave_out, such as a total, are left
    to the table); a hidden figure draws no bar and says "hidden"; negative values go left of a
    zero line. `reference` draws a dashed line across the bars at a figure every row is read
    against (the whole selection's rate), named under the chart."""
    rows = [(row, c) for row, c in zip(table.rows, table.column(column), strict=True)
            if row.key not in leave_out]
    ident = f"{table.ident}-chart"
    label_width, bar_width, row_height = 235, 250, 30
    values = [c.value for _, c in rows if c.shown and c.value is not None]
    high = 1.0 if percent else max([*values, 0.0])
    low = min([*values, 0.0])
    span = (high - low) or 1.0
    zero = label_width + bar_width * (-low / span)
    width = label_width + bar_width + 75  # 560: a half-width block at 1366
    show_reference = reference is not None and reference[1].shown
    height = row_height * len(rows) + 12 + (26 if show_reference else 0)
    desc = f"{column} by {table.row_heading.lower()}; the figures are in the table that follows."
    if reference is not None and show_reference:
        desc = desc[:-1] + f", against {reference[0]} ({reference[1].text})."
    out = _svg_open(ident, title, desc, width, height, "bar")
    if low < 0:
        out.append(f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="2" y2="{height - 2}" '
                   f'stroke="{MUTED}"/>')
    for index, (row, cell) in enumerate(rows):
        y = 6 + index * row_height
        out.append(
            f'<g class="mark" data-row="{escape(row.label)}" data-column="{escape(column)}" '
            f'data-shown="{escape(cell.text)}">'
        )
        out.append(f'<text x="0" y="{y + 19}" fill="{INK}" font-size="14">'
                   f"{escape(_fit(row.label, 30))}</text>")
        value = cell.value if cell.shown and cell.value is not None else 0.0
        length = bar_width * min(abs(value) / span, 1.0)
        start = zero if value >= 0 else zero - length
        if length:
            out.append(f'<rect x="{start:.1f}" y="{y + 5}" width="{length:.1f}" height="20" '
                       f'fill="{BLUE}"/>')
        style = ' font-style="italic"' if cell.hidden else ""
        colour = MUTED if not cell.shown else INK
        # Figures in one column right of the bars: aligned, and clear of any reference line.
        text_x = label_width + bar_width + 8
        out.append(f'<text x="{text_x:.1f}" y="{y + 19}" fill="{colour}" '
                   f'font-size="14"{style}>{escape(cell.text)}</text></g>')
    if reference is not None and show_reference and reference[1].value is not None:
        words, figure = reference
        at = reference[1].value
        x = zero + bar_width * min(abs(at) / span, 1.0) * (1 if at >= 0 else -1)
        bottom = 6 + row_height * len(rows)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="2" y2="{bottom}" stroke="{INK}" '
                   f'stroke-width="2" stroke-dasharray="5 3" '
                   f'data-reference="{escape(figure.text)}"/>')
        out.append(f'<line x1="{label_width}" x2="{label_width}" y1="{bottom + 6}" '
                   f'y2="{bottom + 22}" stroke="{INK}" stroke-width="2" stroke-dasharray="5 3"/>'
                   f'<text x="{label_width + 8}" y="{bottom + 19}" font-size="13" fill="{INK}">'
                   f"{escape(words)}: {escape(figure.text)}</text>")
    out.append("</svg>")
    return "\n".join(out)


def _axis(low: float, high: float, steps: int = 4) -> tuple[float, float, float]:
    """Round axis ends and step covering low..high (low <= 0 <= high is kept when given)."""
    raw = (high - low) / steps or 1.0
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if raw <= m * power)
    if step < 1 and power >= 1:
        step = 1.0
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


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


def trend_chart(table: Table, columns: Sequence[str], title: str, percent: bool = False,
                bars: bool = False) -> str:
    """Months along the bottom, one row of the table a month: a line per column, or with
    `bars` a group of columns per month (for counts that are not every month, such as people
    counted in their first month). A hidden figure is a gap in a line, or a small open square
    on the baseline among the columns."""
    ident = f"{table.ident}-chart"
    bars = bars and len(table.rows) <= 36  # years of thin columns read worse than a line
    width, height = 560, 300
    left, right, top, bottom = 56, 14, 44, 54
    plot_w, plot_h = width - left - right, height - top - bottom
    months = [row.label for row in table.rows]
    series = [(name, table.column(name)) for name in columns]
    values = [c.value for _, cells in series for c in cells if c.shown and c.value is not None]
    if percent:
        y_bottom, y_top, step = 0.0, max(1.0, math.ceil(max(values, default=0) * 4) / 4), 0.25
    else:
        y_bottom, y_top, step = _axis(min([*values, 0.0]), max([*values, 1.0]))
    span = (y_top - y_bottom) or 1.0

    slot = plot_w / max(len(months), 1)

    def x_at(i: int) -> float:
        if bars:
            return left + slot * (i + 0.5)
        return left + (plot_w / 2 if len(months) == 1 else plot_w * i / (len(months) - 1))

    def y_at(v: float) -> float:
        return top + plot_h * (1 - (v - y_bottom) / span)

    gaps = ("an open square marks a hidden figure" if bars
            else "gaps are months with a hidden figure or none")
    desc = (f"{', '.join(columns)} for each month from {months[0]} to {months[-1]}; "
            f"{gaps}; the figures are in the table." if months else "No months in this selection.")
    out = _svg_open(ident, title, desc, width, height, "trend")
    out.append(f'<clipPath id="{ident}-plot"><rect x="{left - 6}" y="{top - 6}" '
               f'width="{plot_w + 12}" height="{plot_h + 12}"/></clipPath>')
    ticks = round((y_top - y_bottom) / step)
    for number in range(ticks + 1):
        v = y_bottom + step * number
        y = y_at(v)
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="{MUTED if abs(v) < 1e-9 else "#d8dde0"}"/>')
        tick = f"{v * 100:.0f}%" if percent else f"{v:,.{0 if step >= 1 else 1}f}"
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                   f'fill="{MUTED}">{escape(tick)}</text>')
    # Month names on the axis, the year under each January and under the first month.
    every = max(1, math.ceil(len(months) / 12))
    many = len(months) > 24  # years of months: each January's year, and no month names
    for i, row in enumerate(table.rows):
        key = row.key or row.label
        year, month = (key.split("-") + [""])[:2]
        if many:
            if month == "01" or i == 0:
                out.append(f'<text x="{x_at(i):.1f}" y="{height - bottom + 18}" '
                           f'text-anchor="middle" font-size="12" fill="{INK}">{escape(year)}'
                           "</text>")
            continue
        if i % every == 0:
            name = row.label.split()[0] if every == 1 else row.label.split()[0][:3]
            out.append(f'<text x="{x_at(i):.1f}" y="{height - bottom + 18}" '
                       f'text-anchor="middle" font-size="12" fill="{MUTED}">{escape(name)}</text>')
        if i == 0 or month == "01":
            out.append(f'<text x="{x_at(i):.1f}" y="{height - bottom + 34}" '
                       f'text-anchor="middle" font-size="12" fill="{INK}">{escape(year)}</text>')
    width_each = slot * 0.8 / max(len(series), 1)
    # Legend across the top, each entry as wide as its words (about 7 px a character at 13 px).
    legend_x = [float(left)]
    for name, _ in series:
        legend_x.append(legend_x[-1] + (20 if bars else 34) + 7 * len(_fit(name, 40)) + 18)
    for number, (name, cells) in enumerate(series):
        colour, dash, shape = SERIES[number % len(SERIES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        if bars:
            for i, cell in enumerate(cells):
                attrs = (f'class="mark" data-row="{escape(months[i])}" '
                         f'data-column="{escape(name)}" data-shown="{escape(cell.text)}"')
                x = x_at(i) - slot * 0.4 + number * width_each
                base = y_at(max(y_bottom, 0.0))
                if cell.shown and cell.value is not None:
                    y = y_at(cell.value)
                    out.append(f'<g {attrs}><rect x="{x:.1f}" y="{min(y, base):.1f}" '
                               f'width="{max(width_each - 1, 1):.1f}" '
                               f'height="{abs(base - y):.1f}" fill="{colour}"/></g>')
                elif cell.hidden:
                    side = min(7.0, max(width_each - 2, 3))
                    out.append(f'<g {attrs}><rect x="{x + (width_each - side) / 2:.1f}" '
                               f'y="{base - side - 1:.1f}" width="{side:.1f}" '
                               f'height="{side:.1f}" fill="white" stroke="{MUTED}"/></g>')
                else:
                    out.append(f"<g {attrs}></g>")
            lx = legend_x[number]
            out.append(f'<rect x="{lx:.1f}" y="9" width="14" height="14" fill="{colour}"/>'
                       f'<text x="{lx + 20:.1f}" y="21" font-size="13" fill="{INK}">'
                       f"{escape(_fit(name, 40))}</text>")
            continue
        runs: list[list[tuple[float, float]]] = [[]]
        for i, cell in enumerate(cells):
            if cell.shown and cell.value is not None:
                runs[-1].append((x_at(i), y_at(cell.value)))
            elif runs[-1]:
                runs.append([])
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                           f'stroke-width="2.5"{dash_attr} clip-path="url(#{ident}-plot)"/>')
        for i, cell in enumerate(cells):
            attrs = (f'class="mark" data-row="{escape(months[i])}" data-column="{escape(name)}" '
                     f'data-shown="{escape(cell.text)}"')
            if cell.shown and cell.value is not None:
                out.append(f"<g {attrs}>{_marker(shape, x_at(i), y_at(cell.value), colour)}</g>")
            else:
                out.append(f"<g {attrs}></g>")
        # Legend across the top: the line's style and marker, then its name.
        lx = legend_x[number]
        out.append(f'<line x1="{lx:.1f}" x2="{lx + 28:.1f}" y1="16" y2="16" stroke="{colour}" '
                   f'stroke-width="2.5"{dash_attr}/>{_marker(shape, lx + 14, 16, colour)}')
        out.append(f'<text x="{lx + 34:.1f}" y="21" font-size="13" fill="{INK}">'
                   f"{escape(_fit(name, 40))}</text>")
    if bars and any(c.hidden for _, cells in series for c in cells):
        lx = legend_x[-1]
        out.append(f'<rect x="{lx:.1f}" y="10" width="12" height="12" fill="white" '
                   f'stroke="{MUTED}"/><text x="{lx + 20:.1f}" y="21" font-size="13" '
                   f'fill="{INK}">hidden</text>')
    out.append("</svg>")
    return "\n".join(out)


@dataclass(frozen=True)
class FunnelPoint:
    label: str
    people: float  # the denominator
    proportion: float


def funnel_plot(
    table: Table, people_column: str, proportion_column: str, target: Cell, title: str,
    axis_words: str, target_name: str = "whole selection",
) -> str:
    """Each row's proportion against its number of people, with the selection's figure and
    95% and 99.8% control limits (funnel.py); rows with a hidden figure are not plotted."""
    ident = f"{table.ident}-chart"
    width, height = 560, 386
    left, right, top, bottom = 52, 14, 16, 100
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
    out = _svg_open(ident, title, desc, width, height, "funnel")
    if not points or p0 is None:
        out.append(f'<text x="{left}" y="{top + 30}" font-size="14" fill="{INK}">Not enough '
                   "figures that can be shown to draw the funnel.</text></svg>")
        return "\n".join(out)
    _, n_max, n_step = _axis(0.0, max(p.people for _, p in points) * 1.05)
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
        return top + plot_h * (1 - (v - y_low) / (y_high - y_low))

    out.append(f'<clipPath id="{ident}-plot"><rect x="{left}" y="{top}" width="{plot_w}" '
               f'height="{plot_h}"/></clipPath>')

    steps = int(round((y_high - y_low) * 10))
    for step in range(steps + 1):
        v = y_low + (y_high - y_low) * step / max(steps, 1)
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y_at(v):.1f}" '
                   f'y2="{y_at(v):.1f}" stroke="#d8dde0"/>')
        out.append(f'<text x="{left - 8}" y="{y_at(v) + 4:.1f}" text-anchor="end" '
                   f'font-size="12" fill="{MUTED}">{v * 100:.0f}%</text>')
    for step in range(round(n_max / n_step) + 1):
        n = n_step * step
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
                       f'stroke-width="1.5"{dash_attr} data-limit="{escape(limit.name)}" '
                       f'clip-path="url(#{ident}-plot)"/>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{y_at(p0):.1f}" y2="{y_at(p0):.1f}" '
               f'stroke="{INK}" stroke-width="2" data-target="{escape(target.text)}"/>')
    named: list[tuple[tuple[float, float], float]] = []  # labels placed: x span, y
    labels: list[str] = []
    for row, point in points:
        x, y = x_at(point.people), y_at(point.proportion)
        where = funnel.position(point.proportion, p0, point.people)
        out.append(f'<g class="mark" data-row="{escape(row.label)}" '
                   f'data-column="{escape(proportion_column)}" '
                   f'data-shown="{escape(format_value(point.proportion, "percent"))}">'
                   f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5.5" fill="{BLUE}" stroke="white" '
                   f'stroke-width="1.5"/>')
        if "99.8" in where:  # name the points an analyst will ask about, where there is room
            name = _fit(row.label, 30)
            anchor = "end" if x > left + plot_w * 0.7 else "start"
            dx = -9 if anchor == "end" else 9
            span_x = (x + dx - 6.5 * len(name), x + dx) if anchor == "end" else (
                x + dx, x + dx + 6.5 * len(name))
            if not any(abs(y - other_y) < 14 and span_x[0] < other[1] and other[0] < span_x[1]
                       for other, other_y in named):
                named.append((span_x, y))
                # Drawn after every point, with a white edge, so no dot covers a name.
                labels.append(f'<text x="{x + dx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" '
                              f'font-size="12" fill="{INK}" stroke="white" stroke-width="3" '
                              f'paint-order="stroke">{escape(name)}</text>')
        out.append("</g>")
    out += labels
    # Two rows: what the line across is, then the limits.
    first, second = height - 36, height - 14
    out.append(
        f'<line x1="{left}" x2="{left + 28}" y1="{first}" y2="{first}" stroke="{INK}" '
        f'stroke-width="2"/><text x="{left + 34}" y="{first + 4}" font-size="13" '
        f'fill="{INK}">{escape(_fit(target_name[:1].upper() + target_name[1:], 60))}: '
        f"{escape(target.text)}</text>"
        f'<line x1="{left}" x2="{left + 28}" y1="{second}" y2="{second}" '
        f'stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        f'<text x="{left + 34}" y="{second + 4}" font-size="13" fill="{INK}">95% limits</text>'
        f'<line x1="{left + 140}" x2="{left + 168}" y1="{second}" y2="{second}" '
        f'stroke="{MUTED}" stroke-width="1.5"/><text x="{left + 174}" y="{second + 4}" '
        f'font-size="13" fill="{INK}">99.8% limits</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


__all__ = ["HIDDEN", "bar_chart", "funnel_plot", "trend_chart"]
