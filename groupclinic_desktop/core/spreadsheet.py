"""Cells that a spreadsheet cannot run: CSV-injection neutralising, as OWASP advises.

A cell that begins with = + - @, a tab or a carriage return can be read by Excel or LibreOffice
as a formula (OWASP "CSV Injection"). Such a cell gets a leading apostrophe, so it shows as the
text that was typed. A plain number ("-3.5") is left alone: it cannot be a formula.
Every CSV and clipboard text the app makes from people's entries passes through `safe_cell`.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(text: object) -> str:
    """The cell's text, with an apostrophe in front when it could start a formula."""
    # NUL is refused at input; one saved before that check is dropped, not passed on.
    value = "" if text is None else str(text).replace("\x00", "")
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
