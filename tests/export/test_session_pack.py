"""The printed session pack and invitation letters: what is on the pages, read back from the PDF."""

import shutil
import subprocess
from pathlib import Path

import pytest

from groupclinic_desktop.core import invitations, programmes
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.schema import InvitationStatus, SessionStatus
from groupclinic_desktop.export.letters import invitation_letters
from groupclinic_desktop.export.session_pack import board_columns, session_pack

FIXTURES = Path(__file__).parent.parent / "fixtures" / "cohort"
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")


@pytest.fixture
def prepared(demo: Clinic) -> tuple[Clinic, int, list[int]]:
    """The demo practice with the EMIS fixture imported and invited to the next session."""
    with demo.acting_as(SYSTEM):
        programme_id = demo.programmes()[0].id
        assert programme_id is not None
        outcome = demo.import_cohort_file(FIXTURES / "emis_search.csv", programme_id)
        assert outcome.result is not None
        session = demo.sessions(status=SessionStatus.PLANNED)[-1]
        assert session.id is not None
        ids = list(outcome.result.patient_ids)
        invitations.enrol_and_invite(demo, ids, programme_id, session.id)
        yield demo, session.id, ids


def pages_text(pdf: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.split("\f")[:-1]


@needs_poppler
def test_pack_has_every_part_for_everyone_still_coming(
    prepared: tuple[Clinic, int, list[int]], tmp_path: Path
) -> None:
    clinic, session_id, ids = prepared
    with clinic.acting_as(SYSTEM):
        clinic.set_invitation(session_id, ids[0], InvitationStatus.DECLINED)
    declined = clinic.patient(ids[0])
    coming = invitations.still_coming(clinic, session_id)
    pdf = session_pack(clinic, session_id, tmp_path / "pack.pdf")
    pages = pages_text(pdf)
    text = "\n".join(pages)
    assert "Facilitator's run sheet" in pages[0]
    # Phase timings follow the programme from the session's start time (10:00 in the demo).
    session = clinic.session(session_id)
    template = programmes.template_from_dict(session.programme_snapshot or {})
    for card in programmes.cue_cards(template).values():
        assert card.title in text
    start = session.start_time.strftime("%H:%M")
    assert start in pages[0] and f"{template.total_minutes}" in pages[0]
    assert "Attendance register" in text
    consent_pages = [p for p in pages if "Signature" in p]
    assert len(consent_pages) == len(coming) + 2  # one each, and two spares
    assert "Results board (paper)" in text
    for entry in coming:
        assert entry.patient.full_name in text  # consent form
        assert entry.patient.board_name in text  # badge
    assert declined.full_name not in text
    # Every page says it holds personal details.
    assert all("Confidential" in p for p in pages)


@needs_poppler
def test_practice_wording_replaces_the_default(
    prepared: tuple[Clinic, int, list[int]], tmp_path: Path
) -> None:
    clinic, session_id, _ = prepared
    with clinic.acting_as(SYSTEM):
        clinic.set_consent_wording(
            {"title": "Riverside group agreement", "consents": {"share_results": "Board: yes?"}}
        )
        with pytest.raises(InvalidInput, match="unknown field"):
            clinic.set_consent_wording({"titel": "typo"})
    text = "\n".join(pages_text(session_pack(clinic, session_id, tmp_path / "p.pdf")))
    assert "Riverside group agreement" in text and "Board: yes?" in text
    # Fields the practice did not change keep the default wording.
    assert "I agree to keep what is said" in text


def test_blank_board_writes_blood_pressure_as_one_reading() -> None:
    columns = board_columns(["hba1c", "systolic_bp", "diastolic_bp", "weight"])
    headings = [h for h, _ in columns]
    assert len(columns) == 3 and headings[1] == "Blood pressure"
    assert columns[1][1] == "below 140/90 mmHg"


@needs_poppler
def test_letters_only_for_people_without_a_mobile(
    prepared: tuple[Clinic, int, list[int]], tmp_path: Path
) -> None:
    clinic, session_id, _ = prepared
    no_mobile = invitations.without_mobile(clinic, session_id)
    pdf, count = invitation_letters(clinic, session_id, tmp_path / "letters.pdf")
    pages = pages_text(pdf)
    assert count == len(no_mobile) == len(pages)
    session = clinic.session(session_id)
    for page, person in zip(pages, no_mobile, strict=True):
        assert f"Dear {person.full_name}" in page
        assert session.place in page and session.day.strftime("%d %B %Y") in page


def test_no_letters_when_everyone_has_a_mobile(
    prepared: tuple[Clinic, int, list[int]], tmp_path: Path
) -> None:
    clinic, session_id, _ = prepared
    with pytest.raises(InvalidInput, match="no letters needed"):
        invitation_letters(clinic, session_id, tmp_path / "x.pdf", people=[])


@needs_poppler
def test_names_in_other_european_scripts_print_exactly(
    prepared: tuple[Clinic, int, list[int]], tmp_path: Path
) -> None:
    clinic, session_id, ids = prepared
    with clinic.acting_as(SYSTEM):
        person = clinic.add_patient(
            "9990200017", "Łucja", "Wiśniewska", "1961-04-02", preferred_name="Łucja"
        )
        assert person.id is not None
        clinic.invite(session_id, person.id)
    text = "\n".join(pages_text(session_pack(clinic, session_id, tmp_path / "p.pdf")))
    assert "Łucja Wiśniewska" in text  # consent form
    assert "Wiśniewska, Łucja" in text  # register
