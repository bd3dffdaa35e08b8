"""The private progress PDF: the person's own numbers over the programme, large plain words."""

import subprocess
from datetime import timedelta

import pytest

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.schema import SessionStatus
from groupclinic_desktop.core.views.progress import person_progress
from groupclinic_desktop.export.progress_pdf import change_words, progress_pdf


def pdf_text(path) -> str:  # type: ignore[no-untyped-def]
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_progress_pdf_has_plain_labels_change_and_goal(demo: Clinic, tmp_path) -> None:  # type: ignore[no-untyped-def]
    programme = demo.programmes()[0]
    person = demo.patients()[0]
    path = progress_pdf(demo, person.id, programme.id, tmp_path / "progress.pdf")  # type: ignore[arg-type]
    text = pdf_text(path)
    assert f"My progress: {person.board_name}" in text
    assert "Sugar level" in text  # plain words from plain_labels.toml, not "HbA1c" alone
    assert "Mood score" in text
    assert "private" in text
    hba1c = [m.value for m in demo.measurements(patient_id=person.id, type_key="hba1c")]
    change = hba1c[-1] - hba1c[0]
    if change:
        assert f"{'up' if change > 0 else 'down'} {abs(change):.0f}" in text
    goal = demo.goals(patient_id=person.id)[0]
    assert goal.text.split()[0] in text
    assert person.nhs_number not in text and person.family_name not in text


def test_a_person_with_two_sessions_sees_both_on_the_chart_data(demo: Clinic) -> None:
    """A later session's weight becomes the 'now' value and the change from the start."""
    programme = demo.programmes()[0]
    today = [s for s in demo.sessions() if s.status == SessionStatus.PLANNED][0]
    person = demo.roster(today.id)[0].patient  # type: ignore[arg-type]
    first = demo.measurements(patient_id=person.id, type_key="weight")[0]
    with demo.acting_as(SYSTEM):
        demo.start_session(today.id)  # type: ignore[arg-type]
        demo.set_attendance(today.id, person.id, "attended")  # type: ignore[arg-type]
        demo.record_measurement(
            person.id,
            "weight",
            f"{first.value - 2.5:.1f}",
            session_id=today.id,
            confirmed=True,  # type: ignore[arg-type]
        )
    weight = person_progress(demo, person.id, programme.id).measure("weight")  # type: ignore[arg-type]
    assert [p.value for p in weight.points] == [first.value, pytest.approx(first.value - 2.5)]
    assert weight.change == pytest.approx(-2.5)
    assert change_words(weight) == "down 2.5 kg since the start"
    assert weight.points[0].taken_on > today.day - timedelta(days=120)
