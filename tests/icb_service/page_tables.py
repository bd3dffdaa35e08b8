"""The dashboard's tables as a reader sees them, read from the HTML without a browser."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("table", "ul") and found.get("data-table"):
            self._table = str(found["data-table"])
            self.tables[self._table] = []
        elif self._table and tag in ("tr", "li"):
            self.tables[self._table].append([])
            if tag == "li":  # a headline card: its label, then its figure
                self.tables[self._table][-1].append(str(found.get("data-row", "")))
        elif self._table and tag in ("th", "td") or self._table and (
            tag == "span" and "figure" in str(found.get("class", ""))
        ):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("table", "ul") and self._table:
            self._table = None
        elif self._cell is not None and tag in ("th", "td", "span") and self._table:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    """Each table (and headline list) by its data-table name: header row first for tables."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def figure(html: str, table: str, row: str, column: int = 1) -> str:
    """One cell's text: the row whose first cell is `row`, the column counted from 0."""
    rows = [r for r in page_tables(html)[table] if r and r[0] == row]
    assert rows, f"{row!r} not in {table}"
    return rows[0][column]
