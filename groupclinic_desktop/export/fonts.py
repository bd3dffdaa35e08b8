"""Fonts for GP-record PDFs, and text made safe to print exactly.

reportlab's built-in Helvetica draws only Latin-1, so a Polish or Turkish name would print as
boxes. We embed DejaVu Sans (Debian: fonts-dejavu-core) when it is installed, and fall back to
Helvetica only when it is not. Letters DejaVu lacks are drawn in a fallback font where one is
installed: Noto Naskh Arabic (also shipped in resources/fonts), Noto Sans Bengali (shaped with
HarfBuzz), WenQuanYi Micro Hei for Chinese, Japanese and Korean, Symbola for emoji and symbols.
Anything no font can draw, and control characters, are printed as visible stand-ins (U+FFFD, or
\\xNN) rather than silently dropped: a name with a missing letter could be taken for somebody
else's.
"""

import functools
import re
import unicodedata
from pathlib import Path

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".fonts",
    Path("C:/Windows/Fonts"),
)
REGULAR, BOLD = "GroupClinicSans", "GroupClinicSans-Bold"
FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
REPLACEMENT = "\ufffd"
# Arabic-script letters (Arabic, Urdu, Persian), as export/pdf_text.py draws them.
ARABIC_BLOCKS = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")


# (reportlab name, file names, shaped by HarfBuzz): tried in this order for letters DejaVu lacks.
FALLBACKS = (
    ("GroupClinicArabic", ("NotoNaskhArabic-Regular.ttf",), False),
    ("GroupClinicBengali", ("NotoSansBengali-Regular.ttf",), True),
    ("GroupClinicCJK", ("wqy-microhei.ttc",), False),
    ("GroupClinicSymbols", ("Symbola_hint.ttf", "Symbola.ttf"), False),
)
FALLBACK_DIRS = (
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/truetype/wqy"),
    Path("/usr/share/fonts/truetype/ancient-scripts"),
    Path("/usr/share/fonts/truetype/symbola"),
)


def _find(name: str) -> Path | None:
    for folder in FONT_DIRS:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


@functools.cache
def pdf_fonts() -> tuple[str, str]:
    """(regular, bold) font names to use in reportlab styles; registered on first call."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    paths = {name: _find(file) for name, file in FILES.items()}
    if not all(paths.values()):
        return "Helvetica", "Helvetica-Bold"
    for name, path in paths.items():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    return REGULAR, BOLD


@functools.cache
def fallback_fonts() -> tuple[tuple[str, frozenset[int], bool], ...]:
    """(name, code points it draws, shaped) for each fallback font found; registered once."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from groupclinic_desktop.resources import resource

    found = []
    for name, files, shaped in FALLBACKS:
        path = next(
            (
                folder / file
                for file in files
                for folder in (resource("fonts"), *FALLBACK_DIRS)
                if (folder / file).is_file()
            ),
            None,
        )
        if path is None:
            continue
        font = TTFont(name, str(path), subfontIndex=0, shapable=shaped)
        pdfmetrics.registerFont(font)
        found.append((name, frozenset(font.face.charToGlyph), shaped))
    return tuple(found)


def font_for(char: str) -> str | None:
    """The fallback font that draws a character DejaVu lacks (Arabic script always in the
    Arabic font, so a word is not drawn in two styles), or None."""
    if not ARABIC_BLOCKS.match(char):
        # DejaVu's own letters first: the fallback fonts (CJK and symbols are megabytes each,
        # ~35 MB of memory once parsed) are loaded only for text that needs one of them.
        base = _covered(pdf_fonts()[0]) if pdf_fonts()[0].startswith("GroupClinic") else None
        if base is not None and ord(char) in base:
            return None
    fallbacks = fallback_fonts()
    if ARABIC_BLOCKS.match(char):
        arabic = [f for f in fallbacks if f[0] == "GroupClinicArabic" and ord(char) in f[1]]
        if arabic:
            return arabic[0][0]
    base = _covered(pdf_fonts()[0]) if pdf_fonts()[0].startswith("GroupClinic") else None
    if base is not None and ord(char) in base:
        return None
    return next((name for name, covered, _ in fallbacks if ord(char) in covered), None)


def markup(text: str) -> tuple[str, bool]:
    """Paragraph markup for printable text: runs DejaVu lacks wrapped in their fallback font.

    Also says whether the paragraph should be shaped by HarfBuzz: when it has a run that needs
    shaping (Bengali) and no run in another fallback font, because reportlab cannot shape a
    paragraph that mixes a shaped font with those (it fails); mixed, Bengali prints unshaped
    but with every letter."""
    from xml.sax.saxutils import escape

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
                    parts.append(escape(run))
                else:
                    parts.append(f'<font name="{current}">{escape(run)}</font>')
                    used.add(current)
            run, current = "", font
        if char != "\0":
            run += char
    shaped_fonts = {name for name, _, shaped in fallback_fonts() if shaped} if used else set()
    needs_shaping = bool(used & shaped_fonts) and used <= shaped_fonts
    return "".join(parts).replace("\n", "<br/>"), needs_shaping


@functools.cache
def _covered(font: str) -> frozenset[int] | None:
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(font).face
    char_widths = getattr(face, "charToGlyph", None)
    return frozenset(char_widths) if char_widths else None


def printable(
    text: str, font: str | None = None, *, arabic_ok: bool = False, fallbacks: bool = False
) -> str:
    """The text with control characters shown as \\xNN and undrawable characters as U+FFFD.

    Newlines and tabs are kept (the caller lays them out). With no TrueType font (Helvetica),
    anything outside Latin-1 is undrawable. arabic_ok: the caller draws Arabic-script letters
    in a font of their own (export/pdf_text.py), so they are kept. fallbacks: the caller draws
    with markup() below, so letters a fallback font has are kept too.
    """
    font = font or pdf_fonts()[0]
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
        elif arabic_ok and ARABIC_BLOCKS.match(char):
            out.append(char)
        elif covered is not None and code not in covered and unicodedata.category(char) != "Cf":
            out.append(REPLACEMENT)
        else:
            out.append(char)
    return "".join(out)
