"""The 4Ms in print: the hand-out, the progress PDF and the outcomes report, read back."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.schema import Role
from groupclinic_desktop.core.views.outcomes import programme_outcomes
from groupclinic_desktop.export.handouts import personal_pdf
from groupclinic_desktop.export.outcomes_report import write_pdf
from groupclinic_desktop.export.progress_pdf import progress_pdf

from ..four_ms_scenario import four_ms_scenario, staff

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")
# Screens are saved for a person to look at, outside the repository (docs/screenshots holds
# the copies that were looked at).
SHOTS = Path(os.environ.get("GROUPCLINIC_SHOTS", tempfile.gettempdir())) / "groupclinic-screens"


def text_of(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True)
    return " ".join(out.stdout.split())


@needs_poppler
def test_the_hand_out_has_our_4ms_with_the_group_and_my_own_scores(
    demo: Clinic, tmp_path: Path
) -> None:
    case = four_ms_scenario(demo)
    ben = case.patient_ids[1]
    with demo.acting_as(staff(demo, Role.FACILITATOR)):
        pdf = personal_pdf(demo, case.now_id, ben, tmp_path / "ben.pdf")
    text = text_of(pdf)
    assert "Our 4Ms" in text
    # Group confidence 8, up 3; Ben's own 8; his own mood score (raw 21 -> 19.25).
    assert "Confidence 8 up 3 8" in text
    assert "Mood score 25.03 up 5.78 19.25" in text
    assert "Grip strength 25.0 up 1.0 25.0" in text
    png = tmp_path / "handout"
    pages = ["-f", "2", "-l", "2"]  # the 4Ms follow the person's own numbers
    subprocess.run(["pdftoppm", "-png", "-r", "60", *pages, str(pdf), str(png)], check=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(sorted(tmp_path.glob("handout*.png"))[0], SHOTS / "4ms-handout.png")


@needs_poppler
def test_the_progress_pdf_has_my_4ms_from_the_start(demo: Clinic, tmp_path: Path) -> None:
    case = four_ms_scenario(demo)
    with demo.acting_as(staff(demo, Role.FACILITATOR)):
        pdf = progress_pdf(demo, case.patient_ids[0], case.programme_id, tmp_path / "ada.pdf")
    text = text_of(pdf)
    assert "My 4Ms" in text
    assert "Confidence 4" in text and "7" in text
    assert "What matters to me" in text and "My own goal" in text


@needs_poppler
def test_the_outcomes_report_groups_the_changes_by_4m_and_suppresses_small_numbers(
    demo: Clinic, tmp_path: Path
) -> None:
    case = four_ms_scenario(demo, finish_now=True)
    with demo.acting_as(staff(demo, Role.ADMIN)):
        demo.set_setting("outcomes_suppress_below", 3)
        report = programme_outcomes(demo, case.programme_id)
    pdf = write_pdf(report, tmp_path / "outcomes.pdf")
    text = text_of(pdf)
    assert "The 4Ms: movement, mood, motivation and what matters" in text
    # Confidence rose by 3 for each of the three people: median +3, 3 people.
    assert report.change("confidence").median.value == 3
    assert "Confidence +3.00 3" in text
    with demo.acting_as(staff(demo, Role.ADMIN)):
        demo.set_setting("outcomes_suppress_below", 5)
        hidden = programme_outcomes(demo, case.programme_id)
    assert not hidden.change("confidence").median.shown
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "page")],
        check=True,
    )
