"""The per-person PDF notes, read back with pdftotext as a person reading the page would."""

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.validation import format_nhs_number
from groupclinic_desktop.core.views.session_record import PersonRecord, build_session_record
from groupclinic_desktop.export.notes_pdf import person_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def pdf_text(person: PersonRecord, tmp_path: Path, **kwargs: object) -> str:
    data = person_pdf(
        person,
        generated_at=datetime.now(UTC),
        generated_by="Alex Turner",
        **kwargs,  # type: ignore[arg-type]
    )
    path = tmp_path / f"{person.patient_id}.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def test_the_notes_hold_every_value_code_term_goal_and_the_header(
    demo: Clinic, finished_id: int, tmp_path: Path
) -> None:
    record = build_session_record(demo, finished_id)
    person = record.people[0]
    text = pdf_text(person, tmp_path)
    patient = person.patient
    for expected in (
        "Riverside Medical Practice (DEMO)",
        patient.full_name,
        f"{patient.date_of_birth:%d/%m/%Y}",
        format_nhs_number(patient.nhs_number),  # 3-3-4
        f"{record.info.day:%d %B %Y}",
        "10:00",
        "Type 2 diabetes group clinic",
        "Riverside Community Room",
        "Face to face",
        "Jo Morgan",
        "Dr Priya Shah",
        "Page 1 of ",
        "Generated",
        "by Alex Turner",
        "GroupClinic Desktop 0.1.0",
    ):
        assert expected in text, expected
    for m in person.session_measurements:
        mtype = catalogue().get(m.type_key)
        assert f"{m.value:.{mtype.decimals}f}" in text, m.type_key
        assert mtype.snomed_term in text  # type: ignore[operator]
        assert mtype.snomed_code in text  # type: ignore[operator]
    for goal in person.goals:
        assert goal.text in text
        assert f"{goal.confidence}/10" in text
        assert f"{goal.review_date:%d/%m/%Y}" in text
    review = person.review
    assert review is not None
    assert review.notes in text
    assert "Metformin" in text and "1 g twice daily" in text
    assert "Repeat HbA1c" in text and "Practice nurse" in text
    assert review.safety_netting in text
    for item in record.info.covered_topics:
        assert item.text in text
    for score in ("Short Warwick-Edinburgh Mental Wellbeing Scale", "Confidence to manage"):
        assert score in text
    assert "Group confidentiality agreement Yes" in text


def test_nothing_about_another_person_is_in_someones_notes(
    demo: Clinic, finished_id: int, tmp_path: Path
) -> None:
    people = build_session_record(demo, finished_id).people
    for person in people:
        text = pdf_text(person, tmp_path)
        for other in people:
            if other is person:
                continue
            assert other.patient.family_name not in text
            assert other.patient.given_name not in text
            assert format_nhs_number(other.patient.nhs_number) not in text


def test_a_correction_says_so_on_every_page(demo: Clinic, finished_id: int, tmp_path: Path) -> None:
    person = build_session_record(demo, finished_id).people[0]
    text = pdf_text(person, tmp_path, version=2, correction_reasons=["weight typed wrongly"])
    assert "CORRECTION - version 2" in text
    assert "Reason: weight typed wrongly" in text
    assert text.count("CORRECTION version 2") == text.count("Page ")
