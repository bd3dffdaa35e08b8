"""Names and notes in any script, very long or with control characters: stored exactly, and
printed exactly in the GP-record PDF, each script in a font that draws it (and where no
installed font can, visibly replaced - never silently dropped, since a name missing a letter
can be taken for someone else's)."""

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.schema import SessionStatus
from groupclinic_desktop.core.views.session_record import build_session_record
from groupclinic_desktop.export.notes_pdf import person_pdf
from groupclinic_desktop.export.print_kit import REPLACEMENT, fonts, printable

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")

SCRIPTS = {
    "polish": "Zażółć Gęślą-Jaźń",
    "turkish_irish": "Şükrü Ó Dálaigh",
    "greek_cyrillic": "Ελένη Пётр",
    "arabic": "مرحبا بالعالم",
    "urdu": "آپ کیسے ہیں",
    "bengali": "আমি ভালো আছি",
    "chinese": "你好世界",
    "emoji": "Ali 😀👍",
    "controls": "Ann\x01e\x7f Bo\x1bb",
    "long": "Lorem ipsum dolor sit amet " * 370,  # just under 10,000 characters
}
# Drawn with DejaVu Sans and read back exactly by pdftotext.
PRINTS_EXACTLY = ("polish", "turkish_irish", "greek_cyrillic")


def pdf_text(clinic: Clinic, tmp_path: Path, given: str, family: str) -> str:
    (session,) = clinic.sessions(status=SessionStatus.FINISHED)
    person = build_session_record(clinic, session.id).people[0]
    person.patient.given_name, person.patient.family_name = given, family
    path = tmp_path / "notes.pdf"
    path.write_bytes(person_pdf(person, generated_at=datetime.now(UTC), generated_by="Alex Turner"))
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return out.stdout.decode("utf-8")


@pytest.mark.parametrize("kind", sorted(SCRIPTS))
def test_names_and_notes_are_stored_and_read_back_exactly(demo: Clinic, kind: str) -> None:
    text = SCRIPTS[kind]
    with demo.acting_as(SYSTEM):
        # Names are at most 100 characters (tests/core/test_hostile_text.py).
        person = demo.add_patient("999 000 0115", text[:100], f"{text[:90]} Family", "1970-01-01")
        session = demo.sessions(status=SessionStatus.PLANNED)[0]
        demo.invite(session.id, person.id)
        demo.start_session(session.id)
        demo.set_attendance(session.id, person.id, "attended")
        demo.save_review(session.id, person.id, notes=text + "\nsecond line")
    demo.close()
    with Clinic.open(demo.location.data_dir, create=False) as again:
        stored = again.patient(person.id)
        assert stored.given_name == text[:100].strip()
        assert stored.family_name == f"{text[:90]} Family".strip()
        assert again.review(session.id, person.id).notes == text + "\nsecond line"
        assert again.check() == []


@needs_pdftotext
@pytest.mark.parametrize("kind", PRINTS_EXACTLY)
def test_european_scripts_print_exactly_in_the_notes_pdf(
    demo: Clinic, tmp_path: Path, kind: str
) -> None:
    given, family = SCRIPTS[kind].split(" ", 1)
    text = pdf_text(demo, tmp_path, given, family)
    assert f"{given} {family}" in text
    assert REPLACEMENT not in text and "■" not in text


@needs_pdftotext
def test_control_characters_are_shown_visibly_not_dropped(demo: Clinic, tmp_path: Path) -> None:
    text = pdf_text(demo, tmp_path, "Ann\x01e\x7f", "Bo\x1bb")
    assert "Ann\\x01e\\x7f Bo\\x1bb" in text


def fonts_in(clinic: Clinic, tmp_path: Path, given: str, family: str) -> str:
    pdf_text(clinic, tmp_path, given, family)
    out = subprocess.run(
        ["pdffonts", str(tmp_path / "notes.pdf")], capture_output=True, text=True, check=True
    )
    return out.stdout


@needs_pdftotext
def test_chinese_names_print_exactly_in_a_cjk_font(demo: Clinic, tmp_path: Path) -> None:
    given, family = "你好", "世界"
    assert f"{given} {family}" in pdf_text(demo, tmp_path, given, family)
    assert "WenQuanYiMicroHei" in fonts_in(demo, tmp_path, given, family)


@needs_pdftotext
def test_bengali_names_print_shaped_with_every_letter(demo: Clinic, tmp_path: Path) -> None:
    """Shaped by HarfBuzz in Noto Sans Bengali: pdftotext reads the glyphs back in drawing
    order (vowel signs before their consonant), so compare the letters, not their order."""
    import unicodedata
    from collections import Counter

    given, family = SCRIPTS["bengali"].split(" ", 1)
    text = pdf_text(demo, tmp_path, given, family)
    assert REPLACEMENT not in text
    letters = Counter(unicodedata.normalize("NFD", f"{given}{family}").replace(" ", ""))
    found = Counter(unicodedata.normalize("NFD", text))
    assert all(found[c] >= n for c, n in letters.items())
    assert "NotoSansBengali" in fonts_in(demo, tmp_path, given, family)


@needs_pdftotext
def test_emoji_are_drawn_not_replaced(demo: Clinic, tmp_path: Path) -> None:
    text = pdf_text(demo, tmp_path, "Ali", "😀👍")
    assert REPLACEMENT not in text
    assert "Symbola" in fonts_in(demo, tmp_path, "Ali", "😀👍")


def test_a_letter_no_installed_font_draws_is_replaced_visibly_one_for_one() -> None:
    # A private-use code point: no font we know draws it, so it must show as U+FFFD, in place.
    shown = printable("Ann \U0010fffd Bo", fallbacks=True)
    assert shown == f"Ann {REPLACEMENT} Bo"


@needs_pdftotext
@pytest.mark.parametrize("kind", ["arabic", "urdu"])
def test_right_to_left_names_print_joined_and_in_reading_order(
    demo: Clinic, tmp_path: Path, kind: str
) -> None:
    """The PDF draws the joined letter forms right to left, in a font that has every one of
    them; read back (pdftotext puts right-to-left runs in reading order) and folded to plain
    letters, they are the name exactly as it was typed."""
    import unicodedata

    given, family = SCRIPTS[kind].split(" ", 1)
    text = pdf_text(demo, tmp_path, given, family)
    assert REPLACEMENT not in text
    assert any(0xFB50 <= ord(c) <= 0xFEFF for c in text), "letters are drawn in joined forms"
    assert f"{given} {family}" in unicodedata.normalize("NFKC", text)


def test_a_truetype_font_is_used_when_one_is_installed() -> None:
    if not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").exists():
        pytest.skip("fonts-dejavu-core is not installed")
    assert fonts()[0] != "Helvetica"
