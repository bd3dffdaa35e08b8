"""Text in the scripts the clinic prints and draws: where each font file is, and right-to-left
lines in the order they are drawn.

Shared by the PDFs (export/print_kit.py) and the charts (core/views/board_look.py), so paper and
screen use the same fonts. Imports neither Qt nor reportlab; arabic-reshaper and python-bidi only
when a right-to-left line is drawn.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

from groupclinic_desktop.resources import resource

# Where font files are looked for, after resources/fonts/ (bundled) and before fc-match.
SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/truetype/wqy"),
    Path("/usr/share/fonts/truetype/ancient-scripts"),
    Path("/usr/share/fonts/truetype/symbola"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".fonts",
    Path("C:/Windows/Fonts"),
)
# Arabic-script letters (Arabic, Urdu, Persian), including the joined presentation forms.
ARABIC_LETTERS = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
# A left-to-right phrase inside right-to-left text: "48 mmol/mol", "140/90 mmHg", "HbA1c".
LATIN = "0-9A-Za-z\u00c0-\u024f"  # ASCII and the accented Latin letters (Zoë, Łucja, Şükrü)
LATIN_PHRASE = re.compile(
    rf"\([{LATIN} .,/²%:+\u2212-]+\)"
    rf"|[+\u2212-]?[{LATIN}][{LATIN} .,/²%:+\u2212-]*[{LATIN}²%]|[{LATIN}]"
)
LRI, PDI = "\u2066", "\u2069"  # left-to-right isolate and its end


class FontMissing(FileNotFoundError):
    """A script's font is not installed (Debian: fonts-noto-core)."""


def _matplotlib_fonts() -> Path | None:
    """matplotlib's own copy of DejaVu Sans (always installed with the app), found without
    importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


@functools.cache
def find_font(*names: str, pattern: str = "") -> Path | None:
    """The first of these font files found: bundled, then the system's folders, then
    matplotlib's copy, then fontconfig (`pattern`, when given); None when none is."""
    folders = [resource("fonts"), *SYSTEM_FONT_DIRS]
    bundled = _matplotlib_fonts()
    if bundled is not None:
        folders.append(bundled)
    for name in names:
        for folder in folders:
            if (folder / name).is_file():
                return folder / name
    found = _fc_match(pattern) if pattern else None
    return found if found is not None and found.name in names else None


def font_file(name: str, pattern: str = "") -> Path:
    """As find_font, but a missing font is an error that says what to install."""
    found = find_font(name, pattern=pattern)
    if found is None:
        raise FontMissing(
            f"Font: {name} is not installed; install fonts-noto-core (Debian) or put it in "
            f"{resource('fonts')}."
        )
    return found


def _fc_match(pattern: str) -> Path | None:
    import shutil
    import subprocess  # only when no font file was found where we look first

    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out) if out else None


def visual(text: str) -> str:
    """One line of logical-order text as it is drawn: letters joined, right-to-left order."""
    import arabic_reshaper
    from bidi import get_display

    # Isolating each Latin phrase keeps "48 mmol/mol" in that order (the bidi algorithm would
    # otherwise treat the space after a number as right-to-left and swap the two).
    marked = LATIN_PHRASE.sub(lambda m: f"{LRI}{m.group(0)}{PDI}", text)
    drawn = get_display(arabic_reshaper.reshape(marked), base_dir="R")
    return str(drawn).replace(LRI, "").replace(PDI, "")


def drawn_line(line: str) -> str:
    """A line with Arabic-script letters as drawn: joined, and in right-to-left order when the
    line starts in Arabic script; a line that starts in Latin keeps a left-to-right base."""
    if not ARABIC_LETTERS.search(line):
        return line
    first = next((c for c in line if c.isalpha()), "")
    if ARABIC_LETTERS.match(first):
        return visual(line)
    import arabic_reshaper
    from bidi import get_display

    return str(get_display(arabic_reshaper.reshape(line), base_dir="L"))
