"""The print kit every PDF in export/ uses: its fonts, its paragraph styles and its escaping.

Fonts. reportlab's built-in Helvetica draws only Latin-1, so a Polish or Turkish name would print
as boxes. Every PDF embeds DejaVu Sans (fonts-dejavu-core, else matplotlib's own copy), falling
back to Helvetica only when no copy is found. Letters DejaVu lacks are drawn in a fallback font
where one is installed: Noto Naskh Arabic (shipped in resources/fonts), Noto Sans Bengali (shaped
by HarfBuzz), WenQuanYi Micro Hei for Chinese, Japanese and Korean, Symbola for emoji and
symbols. The translated hand-outs draw their whole script in its own font (`script_fonts`).

Escaping. Text becomes Paragraph markup through `escape` (or `paragraph`) only: anything no font
can draw, and control characters, print as visible stand-ins (U+FFFD, or \\xNN) rather than being
dropped, since a name with a missing letter could be taken for somebody else's.

Styles. One sheet per kind of print, from one table of sizes: the GP record's notes (compact),
normal print (forms, letters, reports: nothing under 12 pt) and large print (hand-outs: 18 pt).

reportlab is imported inside the functions: the app should not pay for it at start-up.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import TYPE_CHECKING, Any

from groupclinic_desktop.script_text import ARABIC_LETTERS, drawn_line, find_font, font_file

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

REGULAR, BOLD = "GroupClinicSans", "GroupClinicSans-Bold"
LATIN_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
ARABIC, ARABIC_BOLD = "GroupClinicArabic", "GroupClinicArabic-Bold"
# A script's own fonts for the translated hand-outs: (regular, bold) -> (file, fontconfig pattern).
SCRIPT_FILES = {
    "arabic": (
        (ARABIC, "NotoNaskhArabic-Regular.ttf", "Noto Naskh Arabic"),
        (ARABIC_BOLD, "NotoNaskhArabic-Bold.ttf", "Noto Naskh Arabic:bold"),
    ),
}
# (reportlab name, file names, shaped by HarfBuzz): tried in this order for letters DejaVu lacks.
# Arabic script is joined by arabic-reshaper before drawing, so its font is never shaped again.
FALLBACKS = (
    (ARABIC, ("NotoNaskhArabic-Regular.ttf",), False),
    ("GroupClinicBengali", ("NotoSansBengali-Regular.ttf",), True),
    ("GroupClinicCJK", ("wqy-microhei.ttc",), False),
    ("GroupClinicSymbols", ("Symbola_hint.ttf", "Symbola.ttf"), False),
)
REPLACEMENT = "\ufffd"
# Table lines and the header row's shade: dark and light enough for a mono printer.
GRID_LINE = "#555555"
HEADER_SHADE = "#F2F2F2"

# Sizes in points: normal print never under 12 pt; large print (hand-outs) never under 18 pt.
NORMAL_PT = 13
LARGE_PT = 18
NOTES, NORMAL, LARGE = "notes", "normal", "large"


# ------------------------------------------------------------------------------- fonts


def _register(name: str, path: str, *, shaped: bool = False) -> Any:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if name in pdfmetrics.getRegisteredFontNames():
        return pdfmetrics.getFont(name)
    font = TTFont(name, path, subfontIndex=0, shapable=shaped)
    pdfmetrics.registerFont(font)
    return font


@functools.cache
def fonts() -> tuple[str, str]:
    """(regular, bold) for every PDF, registered once as a family so <b> works in paragraphs."""
    from reportlab.pdfbase import pdfmetrics

    paths = {name: find_font(file) for name, file in LATIN_FILES.items()}
    if not all(paths.values()):
        return "Helvetica", "Helvetica-Bold"
    for name, path in paths.items():
        _register(name, str(path))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR,
                                  boldItalic=BOLD)
    return REGULAR, BOLD


def script_fonts(script: str) -> tuple[str, str]:
    """(regular, bold) that draw a whole script for a translated hand-out ("arabic"); raises
    FontMissing, saying what to install, when the script's font is not found."""
    found = []
    for name, file, pattern in SCRIPT_FILES[script]:
        _register(name, str(font_file(file, pattern)))
        found.append(name)
    return found[0], found[1]


@functools.cache
def fallback_fonts() -> tuple[tuple[str, frozenset[int], bool], ...]:
    """(name, code points it draws, shaped) for each fallback font found; registered once."""
    found = []
    for name, files, shaped in FALLBACKS:
        path = find_font(*files)
        if path is None:
            continue
        font = _register(name, str(path), shaped=shaped)
        found.append((name, frozenset(font.face.charToGlyph), shaped))
    return tuple(found)


@functools.cache
def _covered(font: str) -> frozenset[int] | None:
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(font).face
    char_widths = getattr(face, "charToGlyph", None)
    return frozenset(char_widths) if char_widths else None


def font_for(char: str) -> str | None:
    """The fallback font that draws a character DejaVu lacks (Arabic script always in the
    Arabic font, so a word is not drawn in two styles), or None."""
    if not ARABIC_LETTERS.match(char):
        # DejaVu's own letters first: the fallback fonts (CJK and symbols are megabytes each,
        # ~35 MB of memory once parsed) are loaded only for text that needs one of them.
        regular = fonts()[0]
        base = _covered(regular) if regular == REGULAR else None
        if base is not None and ord(char) in base:
            return None
    fallbacks = fallback_fonts()
    if ARABIC_LETTERS.match(char) and any(f[0] == ARABIC and ord(char) in f[1] for f in fallbacks):
        return ARABIC
    regular = fonts()[0]
    base = _covered(regular) if regular == REGULAR else None
    if base is not None and ord(char) in base:
        return None
    return next((name for name, covered, _ in fallbacks if ord(char) in covered), None)


# ------------------------------------------------------------------------------- escaping


def printable(text: str, font: str | None = None, *, fallbacks: bool = False) -> str:
    """The text with control characters shown as \\xNN and undrawable characters as U+FFFD.

    Newlines and tabs are kept (the caller lays them out). With no TrueType font (Helvetica),
    anything outside Latin-1 is undrawable. fallbacks: the caller draws with `escape` below, so
    letters a fallback font has are kept too.
    """
    font = font or fonts()[0]
    covered = _covered(font) if font.startswith("GroupClinic") else None
    out = []
    for char in text:
        code = ord(char)
        if char in "\n\t":
            out.append(char)
        elif unicodedata.category(char) in ("Cc", "Cs") or code in (0xFFFE, 0xFFFF):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        elif fallbacks and (
            (covered is not None and code in covered) or font_for(char) is not None
        ):
            out.append(char)
        elif code > 0xFFFF:
            out.append(REPLACEMENT)
        elif covered is None and font.startswith("Helvetica"):
            out.append(char if code < 0x100 else REPLACEMENT)
        elif covered is not None and code not in covered and unicodedata.category(char) != "Cf":
            out.append(REPLACEMENT)
        else:
            out.append(char)
    return "".join(out)


def xml(text: str) -> str:
    """Only the three characters Paragraph markup reads; for text already made printable."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _markup(text: str) -> tuple[str, bool]:
    """Markup for printable text: runs DejaVu lacks wrapped in their fallback font.

    Also says whether the paragraph should be shaped by HarfBuzz: when it has a run that needs
    shaping (Bengali) and no run in another fallback font, because reportlab cannot shape a
    paragraph that mixes a shaped font with those (it fails); mixed, Bengali prints unshaped
    but with every letter."""
    parts: list[str] = []
    current: str | None = None
    run = ""
    used: set[str] = set()
    for char in text + "\0":
        font = None if char in "\0\n" or char.isspace() else font_for(char)
        if char.isspace() and char != "\n" and current is not None:
            font = current  # spaces stay inside the run they are part of
        if font != current or char == "\0":
            if run:
                if current is None:
                    parts.append(xml(run))
                else:
                    parts.append(f'<font name="{current}">{xml(run)}</font>')
                    used.add(current)
            run, current = "", font
        if char != "\0":
            run += char
    shaped_fonts = {name for name, _, shaped in fallback_fonts() if shaped} if used else set()
    needs_shaping = bool(used & shaped_fonts) and used <= shaped_fonts
    return "".join(parts).replace("\n", "<br/>"), needs_shaping


def _prepared(text: str) -> tuple[str, bool]:
    shown = printable(text, fallbacks=True)
    # Arabic-script text is joined and put in right-to-left order line by line before drawing.
    return _markup("\n".join(drawn_line(line) for line in shown.split("\n")))


def escape(text: str) -> str:
    """Plain text as Paragraph markup, to stand alone or inside markup of our own ("<b>…</b>"):
    every character drawn by a font that has it, or shown as a visible stand-in."""
    return _prepared(text)[0]


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of plain text ("\\n" starts a new line), shaped where its letters need it."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    body, needs_shaping = _prepared(text)
    if needs_shaping:
        style = ParagraphStyle(f"{style.name}-shaped", parent=style, shaping=1)
    return Paragraph(body, style)


# ------------------------------------------------------------------------------- styles

# name: (bold, size, leading, more) for each kind of print.
SHEETS: dict[str, dict[str, tuple[bool, float, float, dict[str, Any]]]] = {
    # The notes filed in the GP record: compact, like the record around them.
    NOTES: {
        "title": (True, 15, 19, {"spaceBefore": 6, "spaceAfter": 2}),
        "subtitle": (False, 10.5, 14, {"spaceBefore": 6, "spaceAfter": 3}),
        "heading": (True, 11.5, 15, {"spaceBefore": 9, "spaceAfter": 4}),
        "body": (False, 9.5, 12.5, {"spaceBefore": 6, "spaceAfter": 3}),
        "cell": (False, 9, 11, {"spaceBefore": 6}),
        "cell_bold": (True, 9, 11, {"spaceBefore": 6}),
        "banner": (True, 10.5, 14, {"spaceBefore": 6, "spaceAfter": 3}),
    },
    # Forms, letters and reports, read by people without their glasses.
    NORMAL: {
        "title": (True, 20, 25, {"spaceAfter": 8}),
        "heading": (True, 15, 19, {"spaceBefore": 10, "spaceAfter": 4}),
        "body": (False, NORMAL_PT, 18, {"spaceAfter": 6}),
        "small": (False, 12, 15, {}),
        "cell": (False, 12, 15, {}),
        "say": (False, NORMAL_PT, 18, {"leftIndent": 14, "spaceAfter": 3}),
        "bullet": (False, NORMAL_PT, 18, {"leftIndent": 14, "bulletIndent": 2, "spaceAfter": 2}),
        "badge": (True, 40, 46, {"alignment": 1}),
    },
    # The room's board and each person's own sheets.
    LARGE: {
        "title": (True, LARGE_PT + 8, LARGE_PT + 12, {}),
        "body": (False, LARGE_PT, LARGE_PT * 1.25, {}),
        "bold": (True, LARGE_PT, LARGE_PT * 1.25, {}),
        "cell": (False, LARGE_PT, LARGE_PT * 1.15, {"alignment": 1}),
        "head": (True, LARGE_PT, LARGE_PT * 1.15, {"alignment": 1}),
    },
}


@functools.cache
def styles(kind: str = NORMAL) -> dict[str, ParagraphStyle]:
    """The paragraph styles of one kind of print (NOTES, NORMAL or LARGE), in the kit's fonts.
    Shared: clone one to change it."""
    from reportlab.lib.styles import ParagraphStyle

    regular, bold = fonts()
    return {
        name: ParagraphStyle(
            name, fontName=bold if heavy else regular, fontSize=size, leading=leading, **more
        )
        for name, (heavy, size, leading, more) in SHEETS[kind].items()
    }


@functools.cache
def large_print(body_pt: float) -> dict[str, ParagraphStyle]:
    """Large print with a bigger body than the kit's 18 pt (e.g. 20 pt for a care plan that
    people keep): every style scaled alike from LARGE, so headings stay in proportion."""
    scale = body_pt / LARGE_PT
    return {
        name: style.clone(name, fontSize=style.fontSize * scale, leading=style.leading * scale)
        for name, style in styles(LARGE).items()
    }

