"""Text for the hand-out PDFs in any shipped language: embedded fonts, and right-to-left lines.

reportlab draws glyphs in the order it is given and does not join Arabic letters by itself, so
for Urdu we join the letters first (arabic-reshaper turns them into their connected forms) and
put each line into visual order (python-bidi, the Unicode bidi algorithm), breaking lines
ourselves in reading order so a wrapped sentence still reads from the top right. Arabic-script
runs use Noto Naskh Arabic; digits, Latin names and symbols use DejaVu Sans, so a line can mix
them. Fonts come from resources/fonts/ when bundled, else the system (fc-match, Debian paths).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from groupclinic_desktop import __version__
from groupclinic_desktop.core.i18n import Language, Words
from groupclinic_desktop.resources import resource

# (file name, fontconfig pattern) for each script and weight.
FONT_FILES: dict[tuple[str, bool], tuple[str, str]] = {
    ("latin", False): ("DejaVuSans.ttf", "DejaVu Sans"),
    ("latin", True): ("DejaVuSans-Bold.ttf", "DejaVu Sans:bold"),
    ("arabic", False): ("NotoNaskhArabic-Regular.ttf", "Noto Naskh Arabic"),
    ("arabic", True): ("NotoNaskhArabic-Bold.ttf", "Noto Naskh Arabic:bold"),
}
SYSTEM_FONT_DIRS = (
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/dejavu",
)
REGISTERED = {
    ("latin", False): "GCSans",
    ("latin", True): "GCSans-Bold",
    ("arabic", False): "GCArabic",
    ("arabic", True): "GCArabic-Bold",
}
ARABIC_LETTERS = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
# A left-to-right phrase inside right-to-left text: "48 mmol/mol", "140/90 mmHg", "HbA1c".
LATIN = "0-9A-Za-z\u00c0-\u024f"  # ASCII and the accented Latin letters (Zoë, Łucja, Şükrü)
LATIN_PHRASE = re.compile(
    rf"\([{LATIN} .,/²%:+\u2212-]+\)"
    rf"|[+\u2212-]?[{LATIN}][{LATIN} .,/²%:+\u2212-]*[{LATIN}²%]|[{LATIN}]"
)
LRI, PDI = "\u2066", "\u2069"  # left-to-right isolate and its end
# Naskh letters look smaller than Latin ones at the same point size; this evens them out.
SCRIPT_SCALE = 1.15


class FontMissing(FileNotFoundError):
    """A script's font is not installed (Debian: fonts-noto-core)."""


@functools.cache
def font_file(script: str, bold: bool = False) -> Path:
    """The font file for a script, from the bundle, the system, or (DejaVu) matplotlib."""
    name, pattern = FONT_FILES[(script, bold)]
    places = [resource("fonts") / name, *(Path(d) / name for d in SYSTEM_FONT_DIRS)]
    if script == "latin":
        import matplotlib

        places.append(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name)
    for place in places:
        if place.is_file():
            return place
    found = _fc_match(pattern)
    if found is not None and found.name == name:
        return found
    raise FontMissing(
        f"Font: {name} is not installed; install fonts-noto-core (Debian) or put it in "
        f"{resource('fonts')}."
    )


def _fc_match(pattern: str) -> Path | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out) if out else None


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
    """Embed the fonts a language needs (once per process) and return their names."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    script = lang.script if lang is not None and lang.script in ("arabic",) else "latin"
    needed = {("latin", False), ("latin", True), (script, False), (script, True)}
    known = set(pdfmetrics.getRegisteredFontNames())
    for key in sorted(needed):
        name = REGISTERED[key]
        if name in known:
            continue
        path = str(font_file(*key))
        if key[0] == "arabic":
            # Already joined by arabic-reshaper: reportlab must not shape it a second time.
            try:
                font = TTFont(name, path, shapable=False)
            except TypeError:  # reportlab before shaping support
                font = TTFont(name, path)
        else:
            font = TTFont(name, path)
        pdfmetrics.registerFont(font)
    return Fonts(
        regular=REGISTERED[("latin", False)],
        bold=REGISTERED[("latin", True)],
        script_regular=REGISTERED[(script, False)],
        script_bold=REGISTERED[(script, True)],
    )


# ------------------------------------------------------------------------------- right to left


def visual(text: str) -> str:
    """One line of logical-order text as it is drawn: letters joined, right-to-left order."""
    import arabic_reshaper
    from bidi import get_display

    # Isolating each Latin phrase keeps "48 mmol/mol" in that order (the bidi algorithm would
    # otherwise treat the space after a number as right-to-left and swap the two).
    marked = LATIN_PHRASE.sub(lambda m: f"{LRI}{m.group(0)}{PDI}", text)
    drawn = get_display(arabic_reshaper.reshape(marked), base_dir="R")
    return str(drawn).replace(LRI, "").replace(PDI, "")


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


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markup(text: str, fonts: Fonts, *, bold: bool, size: float) -> str:
    """Paragraph markup for a drawn line: Arabic-script runs in the script's font."""
    parts = []
    for piece, arabic in runs(text):
        if arabic:
            big = round(size * SCRIPT_SCALE, 1)
            parts.append(f'<font name="{fonts.script(bold)}" size="{big}">{escape(piece)}</font>')
        else:
            parts.append(escape(piece))
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
        from reportlab.platypus import Paragraph

        if self.rtl:
            return _rtl_flowable_class()(text, style, self.fonts)
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    def cell(self, value: str, style: Any) -> Any:
        """A table cell: the plain string where the table's own styling draws it right (any
        left-to-right language, or numbers and names), a paragraph where letters must join."""
        if self.rtl and ARABIC_LETTERS.search(value):
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


def embedded_font_files() -> dict[str, str]:
    """Which file each registered hand-out font came from (for the About box and checks)."""
    found = {}
    for key, name in REGISTERED.items():
        try:
            found[name] = os.fspath(font_file(*key))
        except FontMissing:
            continue
    return found
