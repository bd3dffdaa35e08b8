"""Fonts for GP-record PDFs, and text made safe to print exactly.

reportlab's built-in Helvetica draws only Latin-1, so a Polish or Turkish name would print as
boxes. We embed DejaVu Sans (Debian: fonts-dejavu-core) when it is installed, and fall back to
Helvetica only when it is not. Characters the chosen font cannot draw, and control characters,
are printed as visible stand-ins (U+FFFD, or \\xNN) rather than silently dropped: a name with a
missing letter could be taken for somebody else's.
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
def _covered(font: str) -> frozenset[int] | None:
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(font).face
    char_widths = getattr(face, "charToGlyph", None)
    return frozenset(char_widths) if char_widths else None


def printable(text: str, font: str | None = None, *, arabic_ok: bool = False) -> str:
    """The text with control characters shown as \\xNN and undrawable characters as U+FFFD.

    Newlines and tabs are kept (the caller lays them out). With no TrueType font (Helvetica),
    anything outside Latin-1 is undrawable. arabic_ok: the caller draws Arabic-script letters
    in a font of their own (export/pdf_text.py), so they are kept.
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
        elif code > 0xFFFF:
            # reportlab's TrueType subsetting handles the Basic Multilingual Plane only.
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
