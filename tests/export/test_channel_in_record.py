"""The GP record says how each person attended a hybrid session: the PDF and the FHIR
narrative in words (with the identity and private-place checks for video and phone), the
Encounter's class by channel (AMB in the room, VR by video or phone), checked by the validator."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.views.session_record import build_session_record
from groupclinic_desktop.export.batch import export_session
from groupclinic_desktop.export.notes_pdf import person_pdf

from .conftest import exported
from .fhir_validator.check import assert_valid

LINK = "https://meet.example.nhs.uk/riverside/hybrid-group"


def hybrid_session(clinic: Clinic) -> tuple[int, list[int]]:
    with clinic.acting_as(SYSTEM):
        programme = clinic.programmes()[0].id
        session = clinic.plan_session(programme, date.today(), time(14), "Riverside room 2",  # type: ignore[arg-type]
                                      mode="hybrid", joining_link=LINK)
        sid = session.id
        people = [p.id for p in clinic.enrolled(programme)][:3]  # type: ignore[arg-type]
        for pid in people:
            clinic.invite(sid, pid)  # type: ignore[arg-type]
        clinic.start_session(sid)  # type: ignore[arg-type]
        clinic.set_attendance(sid, people[0], "attended", channel="in_room")  # type: ignore[arg-type]
        clinic.set_attendance(sid, people[1], "attended", channel="video",  # type: ignore[arg-type]
                              identity_confirmed=True, private_place=True)
        clinic.set_attendance(sid, people[2], "attended", channel="phone",  # type: ignore[arg-type]
                              identity_confirmed=True)
        for pid in people:
            clinic.record_measurement(pid, "weight", "80", session_id=sid, confirmed=True)
        clinic.finish_session(sid)  # type: ignore[arg-type]
    return sid, people  # type: ignore[return-value]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")
def test_the_pdf_says_how_each_person_joined(demo: Clinic, tmp_path: Path) -> None:
    sid, people = hybrid_session(demo)
    record = build_session_record(demo, sid)
    said = {}
    for person in record.people:
        path = tmp_path / f"{person.patient.id}.pdf"
        path.write_bytes(person_pdf(person, generated_at=datetime.now(UTC),
                                    generated_by="Alex Turner"))
        text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
        said[person.patient.id] = " ".join(text.split())
    assert "Mode Hybrid (in the room and remote)" in said[people[0]]
    assert "attended the group consultation in person." in said[people[0]]
    assert ("attended the group consultation by video (identity confirmed; in a private "
            "place).") in said[people[1]]
    assert ("attended the group consultation by telephone (identity confirmed; private place "
            "NOT confirmed).") in said[people[2]]
    assert all(LINK not in text for text in said.values())


def test_the_fhir_encounter_class_and_narrative_follow_the_channel(
    demo: Clinic, tmp_path: Path
) -> None:
    sid, people = hybrid_session(demo)
    with demo.acting_as(SYSTEM):
        export_session(demo, sid, tmp_path / "out")
    bundles = exported(tmp_path / "out")
    nhs_of = {pid: demo.patient(pid).nhs_number for pid in people}
    found = {}
    for bundle in bundles:
        resources = [e["resource"] for e in bundle["entry"]]
        patient = next(r for r in resources if r["resourceType"] == "Patient")
        encounter = next(r for r in resources if r["resourceType"] == "Encounter")
        composition = next(r for r in resources if r["resourceType"] == "Composition")
        attendance = composition["section"][0]["text"]["div"]
        found[patient["identifier"][0]["value"]] = (encounter["class"]["code"], attendance)
    assert found[nhs_of[people[0]]][0] == "AMB"
    assert found[nhs_of[people[1]]][0] == "VR" and found[nhs_of[people[2]]][0] == "VR"
    assert "Attended group consultation in person" in found[nhs_of[people[0]]][1]
    assert "Attended group consultation by video (identity confirmed; in a private place)" in (
        found[nhs_of[people[1]]][1])
    assert "by telephone" in found[nhs_of[people[2]]][1]
    assert_valid(bundles)
