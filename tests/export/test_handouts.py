"""Hand-outs: the board PNG, the room PDF and a person's own PDF, read back as text."""

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind
from groupclinic_desktop.core.views.board import build_board
from groupclinic_desktop.core.views.board_look import board_figure, board_png, figure_texts
from groupclinic_desktop.export import handouts

TODAY = date.today()
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


@pytest.fixture
def session(demo: Clinic) -> int:
    """Everyone arrived; Tariq did not agree to share his results."""
    sid = demo.sessions(day=TODAY)[0].id
    assert sid is not None
    with demo.acting_as(SYSTEM):
        demo.start_session(sid)
        for entry in demo.roster(sid):
            pid = entry.patient.id
            demo.set_attendance(sid, pid, AttendanceStatus.ATTENDED)  # type: ignore[arg-type]
            share = entry.patient.given_name != "Tariq"
            demo.set_consent(sid, pid, ConsentKind.SHARE_RESULTS, share)  # type: ignore[arg-type]
            demo.record_measurement(pid, "blood_pressure", "142/88", session_id=sid)  # type: ignore[arg-type]
    return sid


def tariq(clinic: Clinic):  # type: ignore[no-untyped-def]
    return next(p for p in clinic.patients() if p.given_name == "Tariq")


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def word_heights(path: Path) -> list[float]:
    """Each word's box height in points (about 1.16 x the font size for DejaVu Sans), leaving
    out the small-print footer band (the app's version, a translation note)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    import re

    from groupclinic_desktop import __version__

    words = re.findall(r">([^<]+)</word>", html)
    assert __version__ in words, "every hand-out names the app's version in its footer"
    page_height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', html).group(1))  # type: ignore[union-attr]
    boxes = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', html)
    return [
        float(y2) - float(y1)
        for y1, y2, word in boxes
        if word.strip() and float(y1) < page_height - 30
    ]


def test_board_png_draws_no_name_of_a_person_without_consent(
    demo: Clinic, session: int, tmp_path: Path
) -> None:
    board = build_board(demo, session, today=TODAY)
    path = board_png(board, tmp_path / "board.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    texts = " ".join(figure_texts(board_figure(board)))
    person = tariq(demo)
    assert person.given_name not in texts and person.family_name not in texts
    assert board.row_for(person.id).code in texts  # type: ignore[union-attr]
    assert "Maggie" in texts and "Sugar level (HbA1c)" in texts
    assert "~ close" in texts  # 142/88 is close for an under-80: the status is written


@needs_poppler
def test_room_pdf_is_one_page_large_print_and_consent_aware(
    demo: Clinic, session: int, tmp_path: Path
) -> None:
    board = build_board(demo, session, today=TODAY)
    path = handouts.room_pdf(board, tmp_path / "room.pdf")
    text = pdf_text(path)
    person = tariq(demo)
    assert person.given_name not in text and person.family_name not in text
    assert board.row_for(person.id).code in text  # type: ignore[union-attr]
    for p in demo.patients():
        assert p.family_name not in text and p.nhs_number not in text
    assert "Maggie" in text and "Weight" in text and "142/88 ~" in text
    assert "✓ on target" in text and "! off target" in text  # the key, for black-and-white
    assert text.count("\f") == 1  # one page
    assert min(word_heights(path)) >= 18  # nothing smaller than 18 pt


@needs_poppler
def test_personal_pdf_holds_only_that_persons_numbers_in_plain_words(
    demo: Clinic, session: int, tmp_path: Path
) -> None:
    person = tariq(demo)
    with demo.acting_as(SYSTEM):
        demo.set_goal(session, person.id, "Walk to the mosque and back", confidence=8)  # type: ignore[arg-type]
    path = handouts.personal_pdf(demo, session, person.id, tmp_path / "own.pdf")  # type: ignore[arg-type]
    text = pdf_text(path)
    # His own sheet names him even though the room board does not.
    assert "Tariq" in text and "private" in text
    assert "Sugar level" in text and "(HbA1c)" in text and "142/88" in text
    assert "Walk to the mosque and back" in text and "8 out of 10" in text
    others = [p for p in demo.patients() if p.id != person.id]
    for p in others:
        assert (p.preferred_name or p.given_name) not in text
    assert person.nhs_number not in text and person.family_name not in text
    assert min(word_heights(path)) >= 18
