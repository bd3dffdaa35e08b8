"""The group's language: catalogues that are complete and compiled, and PDFs that read in Polish
and in Urdu (right to left, letters joined, fonts embedded), in large print."""

import re
import shutil
import subprocess
import sys
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from groupclinic_desktop.core import i18n
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind
from groupclinic_desktop.core.views.board import build_board
from groupclinic_desktop.export import handouts
from groupclinic_desktop.export.progress_pdf import progress_pdf

ROOT = Path(__file__).resolve().parents[2]
TODAY = date.today()
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def session(demo: Clinic) -> int:
    sid = demo.sessions(day=TODAY)[0].id
    assert sid is not None
    with demo.acting_as(SYSTEM):
        demo.start_session(sid)
        for entry in demo.roster(sid):
            pid = entry.patient.id
            demo.set_attendance(sid, pid, AttendanceStatus.ATTENDED)  # type: ignore[arg-type]
            demo.set_consent(sid, pid, ConsentKind.SHARE_RESULTS, True)  # type: ignore[arg-type]
            demo.record_measurement(pid, "blood_pressure", "142/88", session_id=sid)  # type: ignore[arg-type]
    return sid


def raw_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return BIDI_MARKS.sub("", out)


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces as single spaces (cells wrap their words)."""
    return " ".join(text.split())


def logical_words(path: Path) -> set[str]:
    """The words of a PDF in reading order, with Arabic letters back to their plain forms."""
    text = unicodedata.normalize("NFKC", raw_text(path))
    return set(re.findall(r"[^\s:،۔,.()]+", text))


def words_of(phrase: str) -> set[str]:
    return set(re.findall(r"[^\s:،۔,.()]+", phrase))


def fonts_in(path: Path) -> str:
    return subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout


def print_sizes(path: Path) -> list[float]:
    """Each word's box height in points, leaving out the small-print footer line."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    page_height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', html).group(1))  # type: ignore[union-attr]
    boxes = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', html)
    return [
        float(y2) - float(y1)
        for y1, y2, word in boxes
        if word.strip() and float(y1) < page_height - 30
    ]


# ------------------------------------------------------------------------------- catalogues


def test_compiled_catalogues_are_current_with_their_sources() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "installers" / "build_translations.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_patient_facing_string_is_translated_in_each_shipped_language() -> None:
    shipped = [lang.code for lang in i18n.languages() if not lang.is_source]
    assert {"pl", "ur"} <= set(shipped)
    sources = i18n.source_strings()
    assert "Sugar level (HbA1c)" in sources and "Mood score" in sources  # plain labels too
    for code in shipped:
        table = i18n.catalogue(code)
        untranslated = [s for s in sources if not table.get(s)]
        assert untranslated == [], (code, untranslated)
        for source in sources:  # placeholders survive translation, or formatting would fail
            assert set(re.findall(r"{(\w+)}", source)) == set(re.findall(r"{(\w+)}", table[source]))


def test_a_language_not_shipped_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="Language: 'xx'"):
        i18n.words("xx")
    assert i18n.normalise("Polish") == "pl" and i18n.normalise("ur-PK") == "ur"
    assert i18n.normalise("ro") is None  # offered as a preferred language, not translated yet


# ------------------------------------------------------------------------------- room PDF


@needs_poppler
def test_room_pdf_in_polish_has_the_polish_labels_and_the_review_note(
    demo: Clinic, session: int, tmp_path: Path
) -> None:
    board = build_board(demo, session, today=TODAY)
    words = demo.words("pl")
    path = handouts.room_pdf(board, tmp_path / "room-pl.pdf", words=words)
    text = flat(raw_text(path))
    assert words.missing == set()
    for label in ("Poziom cukru", "Ciśnienie krwi", "Waga", "Grupa", "poniżej 140/90 mmHg"):
        assert label in text
    assert "Sugar level" not in text and "Group" not in text.split()
    assert "Polish translation: needs review by a native speaker." in text
    assert raw_text(path).count("\f") == 1  # still one page
    assert min(print_sizes(path)) >= 17.99  # 18 pt, give or take rounding

    with demo.acting_as(SYSTEM):
        demo.confirm_language("pl")
    confirmed = handouts.room_pdf(board, tmp_path / "ok.pdf", words=demo.words("pl"))
    assert "needs review" not in raw_text(confirmed)


@needs_poppler
def test_room_pdf_in_urdu_reads_right_to_left_with_joined_letters_and_an_embedded_font(
    demo: Clinic, session: int, tmp_path: Path
) -> None:
    import arabic_reshaper

    board = build_board(demo, session, today=TODAY)
    words = demo.words("ur")
    path = handouts.room_pdf(board, tmp_path / "room-ur.pdf", words=words)
    assert words.missing == set()
    assert "NotoNaskhArabic" in fonts_in(path)
    found = logical_words(path)
    for phrase in ("شوگر کی سطح", "بلڈ پریشر", "وزن", "گروپ", "ہدف سے باہر"):
        assert words_of(phrase) <= found, phrase
    # Joined letters (contextual forms), not isolated ones: the word as shaped is in the text.
    assert arabic_reshaper.reshape("پریشر") in raw_text(path)
    assert "Blood pressure" not in raw_text(path)
    assert raw_text(path).count("\f") == 1
    assert min(print_sizes(path)) >= 17.99  # 18 pt, give or take rounding


# ------------------------------------------------------------------------------- own PDFs


@needs_poppler
def test_each_persons_own_pdf_is_in_their_language_else_the_sessions_else_english(
    demo: Clinic, session: int, tmp_path: Path
) -> None:
    board = build_board(demo, session, today=TODAY)
    first, second = board.rows[0].patient_id, board.rows[1].patient_id
    with demo.acting_as(SYSTEM):
        demo.update_patient_details(first, preferred_language="pl")
    english = handouts.personal_pdf(demo, session, second, tmp_path / "en.pdf")
    assert "My numbers" in raw_text(english) and "needs review" not in raw_text(english)

    with demo.acting_as(SYSTEM):
        assert demo.set_session_language(session, "ur") == "ur"
    assert demo.session_language(session) == "ur"
    polish = handouts.personal_pdf(demo, session, first, tmp_path / "pl.pdf")
    text = flat(raw_text(polish))
    assert "Moje wyniki" in text and "Mój wynik" in text and "Poziom cukru (HbA1c)" in text
    assert "My numbers" not in text

    urdu = handouts.personal_pdf(demo, session, second, tmp_path / "ur.pdf")
    assert words_of("میرے نمبر") <= logical_words(urdu)
    assert words_of("شوگر کی سطح") <= logical_words(urdu)
    assert "Urdu translation: needs review by a native speaker." in flat(raw_text(urdu))
    assert min(print_sizes(urdu)) >= 17.99  # 18 pt, give or take rounding


@needs_poppler
def test_progress_pdf_in_urdu_and_polish(demo: Clinic, tmp_path: Path) -> None:
    programme = demo.programmes()[0]
    person = demo.patients()[0]
    urdu = progress_pdf(demo, person.id, programme.id, tmp_path / "ur.pdf", language="ur")  # type: ignore[arg-type]
    assert words_of("میری پیش رفت") <= logical_words(urdu)
    assert "NotoNaskhArabic" in fonts_in(urdu)
    assert min(print_sizes(urdu)) >= 17.99  # 18 pt, give or take rounding
    polish = progress_pdf(demo, person.id, programme.id, tmp_path / "pl.pdf", language="pl")  # type: ignore[arg-type]
    text = flat(raw_text(polish))
    assert "Moje postępy" in text and "Na początku" in text and "Samopoczucie" in text
    assert "My progress" not in text


def test_the_room_language_is_for_whoever_runs_the_session_and_is_audited(
    demo: Clinic, session: int
) -> None:
    from groupclinic_desktop.core.errors import InvalidInput, NotAllowed

    admin = next(u for u in demo.staff() if u.name == "Alex Turner")
    demo.sign_in(admin.id, "9753")  # type: ignore[arg-type]
    with pytest.raises(NotAllowed):
        demo.set_session_language(session, "pl")
    jo = next(u for u in demo.staff() if u.name == "Jo Morgan")
    demo.sign_in(jo.id, "2468")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="Language"):
        demo.set_session_language(session, "klingon")
    demo.set_session_language(session, "Polish")
    assert demo.session_language(session) == "pl"
    assert not demo.language_confirmed("pl") and demo.language_confirmed("en")
    changed = [e for e in demo.audit_entries() if "session_language" in str(e.after)]
    assert changed
