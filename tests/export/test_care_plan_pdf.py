"""The person's own copy of their care and support plan: large print, in their language (Polish
left to right, Urdu right to left with its own embedded font), their own words as they said them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.export.care_plan_pdf import plan_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def text_of(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    return " ".join(out.decode().split())


def fonts_of(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True).stdout.decode()


@pytest.fixture
def person(demo: Clinic) -> int:
    pid = demo.goals()[0].patient_id
    with demo.acting_as(SYSTEM):
        demo.add_plan_support(pid, "carer", "Tomasz (son)", detail="07700 900 456")
        demo.update_care_plan(pid, what_matters="Keeping up with my grandchildren")
    return pid


def test_the_copy_is_large_print_in_english_by_default(demo: Clinic, person: int,
                                                      tmp_path: Path) -> None:
    from tests.export.test_handouts import word_heights

    pdf = plan_pdf(demo, person, tmp_path / "plan.pdf")
    text = text_of(pdf)
    name = demo.patient(person).board_name
    assert f"My care and support plan: {name}" in text
    assert "What matters to me Keeping up with my grandchildren" in text
    assert "Carer: Tomasz (son)" in text
    # Large print: nothing outside the footer is smaller than 20 pt.
    assert min(word_heights(pdf)) >= 20


def test_polish_and_urdu_copies(demo: Clinic, person: int, tmp_path: Path) -> None:
    polish = text_of(plan_pdf(demo, person, tmp_path / "pl.pdf", language="pl"))
    assert "Mój plan opieki i wsparcia" in polish and "Opiekun: Tomasz (son)" in polish
    urdu = plan_pdf(demo, person, tmp_path / "ur.pdf", language="ur")
    assert "NotoNaskhArabic" in fonts_of(urdu)
    assert "Tomasz" in text_of(urdu)  # their words stay as they wrote them
