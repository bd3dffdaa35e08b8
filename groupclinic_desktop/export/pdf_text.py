"""Text for the hand-out PDFs in any shipped language: embedded fonts, and right-to-left lines.

reportlab draws glyphs in the order it is given and does not join Arabic letters by itself, so
for Urdu we join the letters first (arabic-reshaper turns them into their connected forms) and
put each line into visual order (python-bidi, the Unicode bidi algorithm), breaking lines
ourselves in reading order so a wrapped sentence still reads from the top right. Arabic-script
runs use Noto Naskh Arabic; digits, Latin names and symbols use DejaVu Sans, so a line can mix
them. Fonts, styles and escaping come from the print kit (export/print_kit.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from groupclinic_desktop import __version__
from groupclinic_desktop.core.i18n import Language, Words
from groupclinic_desktop.export import print_kit
from groupclinic_desktop.script_text import ARABIC_LETTERS, visual

# Naskh letters look smaller than Latin ones at the same point size; this evens them out.
SCRIPT_SCALE = 1.15


@dataclass(frozen=True)
class Fonts:
    """reportlab font names: Latin regular/bold, and the language's own script regular/bold."""

    regular: str
    bold: str
    script_regular: str
    script_bold: str

    def script(self, bold: bool) -> str:
        return self.script_bold if bold else self.script_regular


def register_fonts(lang: Language | None = None) -> Fonts:
    """The print kit's fonts, with the language's own script where it has one (Urdu)."""
    regular, bold = print_kit.fonts()
    if lang is not None and lang.script == "arabic":
        return Fonts(regular, bold, *print_kit.script_fonts("arabic"))
    return Fonts(regular, bold, regular, bold)


# ------------------------------------------------------------------------------- right to left


def runs(text: str) -> list[tuple[str, bool]]:
    """Split text into (piece, is_arabic) runs; spaces stay with the run they follow."""
    found: list[tuple[str, bool]] = []
    for char in text:
        arabic = bool(ARABIC_LETTERS.match(char))
        if found and (char.isspace() or found[-1][1] == arabic):
            found[-1] = (found[-1][0] + char, found[-1][1])
        else:
            found.append((char, arabic))
    return found


def markup(text: str, fonts: Fonts, *, bold: bool, size: float) -> str:
    """Paragraph markup for a drawn line: Arabic-script runs in the script's font."""
    parts = []
    for piece, arabic in runs(text):
        if arabic:
            big = round(size * SCRIPT_SCALE, 1)
            shown = print_kit.xml(piece)  # drawn whole by the script's own font
            parts.append(f'<font name="{fonts.script(bold)}" size="{big}">{shown}</font>')
        else:
            parts.append(print_kit.escape(piece))
    return "".join(parts)


def line_width(text: str, fonts: Fonts, size: float, *, bold: bool) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    latin = fonts.bold if bold else fonts.regular
    drawn = visual(text)
    return sum(
        stringWidth(piece, fonts.script(bold), size * SCRIPT_SCALE)
        if arabic
        else stringWidth(piece, latin, size)
        for piece, arabic in runs(drawn)
    )


def break_lines(text: str, width: float, fonts: Fonts, size: float, *, bold: bool) -> list[str]:
    """Break logical-order text into lines that fit, in reading order ("\n" forces a break)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split(" "):
            trial = f"{current} {word}" if current else word
            if current and line_width(trial, fonts, size, bold=bold) > width:
                lines.append(current)
                current = word
            else:
                current = trial
        lines.append(current)
    return lines


def _rtl_flowable_class() -> type:
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.platypus import Flowable, Paragraph

    class RtlText(Flowable):
        """A right-to-left paragraph whose lines are broken for the width it is given."""

        def __init__(self, text: str, style: Any, fonts: Fonts) -> None:
            super().__init__()
            self.text = text
            self.style = style.clone(
                style.name + "-rtl",
                alignment=TA_CENTER if style.alignment == TA_CENTER else TA_RIGHT,
                # Naskh's tall letters and marks need more room between lines than Latin.
                leading=max(style.leading, style.fontSize * SCRIPT_SCALE * 1.3)
                if ARABIC_LETTERS.search(text)
                else style.leading,
            )
            self.fonts = fonts
            self.bold = style.fontName == fonts.bold
            self._para: Any = None

        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            lines = break_lines(
                self.text, avail_width - 1, self.fonts, self.style.fontSize, bold=self.bold
            )
            drawn = "<br/>".join(
                markup(visual(line), self.fonts, bold=self.bold, size=self.style.fontSize)
                for line in lines
            )
            self._para = Paragraph(drawn, self.style)
            self.width, self.height = self._para.wrap(avail_width, avail_height)
            return self.width, self.height

        def draw(self) -> None:
            self._para.drawOn(self.canv, 0, 0)

        def getSpaceBefore(self) -> float:  # noqa: N802 (reportlab's name)
            return float(self.style.spaceBefore)

        def getSpaceAfter(self) -> float:  # noqa: N802
            return float(self.style.spaceAfter)

    return RtlText


# ------------------------------------------------------------------------------- one document


class PdfText:
    """Makes the flowables of one document in one language: Paragraphs for left-to-right
    languages, right-to-left paragraphs (and mirrored tables) for Urdu."""

    def __init__(self, words: Words) -> None:
        self.words = words
        self.fonts = register_fonts(words.language)
        self.rtl = words.rtl

    def para(self, text: str, style: Any) -> Any:
        """Plain text (not markup); "\n" starts a new line."""
        if self.rtl:
            return _rtl_flowable_class()(text, style, self.fonts)
        return print_kit.paragraph(text, style)

    def cell(self, value: str, style: Any) -> Any:
        """A table cell: the plain string where the table's own styling draws it right (any
        left-to-right language, or numbers and names), a paragraph where letters must join or
        need a font of their own (a name in Chinese), or a character must show as a stand-in."""
        if self.rtl and ARABIC_LETTERS.search(value):
            return self.para(value, style)
        if print_kit.escape(value) != print_kit.xml(value):
            return self.para(value, style)
        return value

    def row(self, cells: Sequence[Any]) -> list[Any]:
        return list(reversed(cells)) if self.rtl else list(cells)

    def table(
        self, data: Sequence[Sequence[Any]], widths: Sequence[float], commands: Sequence[Any]
    ) -> tuple[list[list[Any]], list[float], list[tuple[Any, ...]]]:
        """Mirror a table for a right-to-left language: the first column goes on the right."""
        if not self.rtl:
            return [list(r) for r in data], list(widths), [tuple(c) for c in commands]
        n = len(widths)

        def flip(c: int) -> int:
            return n - 1 - (c if c >= 0 else n + c)

        flipped = []
        for name, start, end, *rest in commands:
            flipped.append((name, (flip(end[0]), start[1]), (flip(start[0]), end[1]), *rest))
        return [list(reversed(r)) for r in data], list(reversed(widths)), flipped

    def grid(
        self,
        data: Sequence[Sequence[Any]],
        widths: Sequence[float],
        more: Sequence[Any] = (),
    ) -> Any:
        """A table in the hand-outs' grid with a shaded header row, and any `more` style
        commands (in left-to-right columns: mirrored with the table for a right-to-left
        language)."""
        from reportlab.lib import colors
        from reportlab.platypus import Table, TableStyle

        commands = [
            ("GRID", (0, 0), (-1, -1), 0.75, colors.HexColor(print_kit.GRID_LINE)),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(print_kit.HEADER_SHADE)),
            *more,
        ]
        rows, shown_widths, shown_commands = self.table(data, widths, commands)
        table = Table(rows, colWidths=shown_widths, repeatRows=1)
        table.setStyle(TableStyle(shown_commands))
        return table

    def footer(self) -> Any:
        """The page-footer callback: the app's version, and the unconfirmed-translation note,
        in small print."""

        note = self.words.review_note
        regular = self.fonts.regular

        def draw(canvas: Any, doc: Any) -> None:
            canvas.saveState()
            canvas.setFont(regular, 9)
            canvas.setFillGray(0.25)
            if note:
                canvas.drawString(doc.leftMargin, doc.bottomMargin / 2, note)
            width = canvas._pagesize[0]
            canvas.drawRightString(
                width - doc.rightMargin, doc.bottomMargin / 2, f"GroupClinic {__version__}"
            )
            canvas.restoreState()

        return draw
