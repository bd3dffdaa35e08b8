"""The figures the dashboard shows, as tables: one source for the page, its charts and its CSV.

Every number on the page lives in a Table; a chart is drawn from a table's column, and the CSV
download writes every table's cells, so the three can never disagree.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Literal

Kind = Literal["count", "percent", "number", "hours", "minutes", "text"]
# The one word a hidden figure shows, everywhere; the page's legend says what it means.
HIDDEN = "hidden"
NO_DATA = "no data"


@dataclass(frozen=True)
class Cell:
    """One figure: a value, or hidden to protect privacy, or none because nothing was recorded."""

    value: float | None
    hidden: bool = False
    kind: Kind = "count"
    words: str = ""  # a cell of words rather than a number (a funnel position, a PCN's name)

    @property
    def text(self) -> str:
        if self.words:
            return self.words
        if self.hidden:
            return HIDDEN
        if self.value is None:
            return NO_DATA
        return format_value(self.value, self.kind)

    @property
    def shown(self) -> bool:
        return not self.hidden and self.value is not None


def format_value(value: float, kind: Kind) -> str:
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "hours":
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"
    return f"{value:,.1f}"


@dataclass
class Row:
    label: str
    cells: list[Cell]
    key: str = ""  # a code behind the label (an ODS code, a month), for links and the CSV


@dataclass
class Table:
    """A table as an analyst reads it: a caption, a heading over the row labels, columns."""

    ident: str
    caption: str
    row_heading: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    section: str = ""

    def column(self, name: str) -> list[Cell]:
        index = self.columns.index(name)
        return [row.cells[index] for row in self.rows]

    @property
    def has_hidden(self) -> bool:
        return any(cell.hidden for row in self.rows for cell in row.cells)


def table_html(table: Table, caption_visible: bool = True) -> str:
    """Numbers right-aligned; hidden figures as a word with the legend's mark."""
    head = "".join(
        f'<th scope="col">{escape(name)}</th>' for name in (table.row_heading, *table.columns)
    )
    body = []
    for row in table.rows:
        cells = "".join(
            f'<td class="{"words" if cell.words else "number"}'
            f'{" hidden-figure" if cell.hidden else ""}">'
            f"{escape(cell.text)}</td>"
            for cell in row.cells
        )
        body.append(f'<tr data-row="{escape(row.label)}"><th scope="row">{escape(row.label)}</th>'
                    f"{cells}</tr>")
    caption_class = "" if caption_visible else ' class="visually-hidden"'
    # Months ("Aug 2025") read badly broken over two lines.
    months = table.rows and all(len(row.key) == 7 and row.key[4] == "-" for row in table.rows)
    table_class = ' class="by-month"' if months else ""
    return (
        f'<table id="{escape(table.ident)}-table" data-table="{escape(table.ident)}"'
        f"{table_class}>"
        f"<caption{caption_class}>{escape(table.caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


CSV_COLUMNS = (
    "from", "to", "level", "programme", "area",
    "section", "table", "row", "row_code", "column", "shown", "value", "hidden",
)


def tables_csv(tables: Iterable[Table], selection: Sequence[str]) -> str:
    """Every table on the page in long form: one figure a row, with the filters that made it.

    `shown` is the text on screen; `value` the unrounded number (empty when hidden or absent).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for table in tables:
        for row in table.rows:
            for name, cell in zip(table.columns, row.cells, strict=True):
                value = "" if cell.hidden or cell.value is None else _raw(cell)
                writer.writerow([*selection, table.section, table.caption, row.label, row.key,
                                 name, cell.text, value, "true" if cell.hidden else "false"])
    return buffer.getvalue()


def _raw(cell: Cell) -> str:
    assert cell.value is not None
    return f"{cell.value:.0f}" if cell.kind == "count" else f"{cell.value:.6g}"
