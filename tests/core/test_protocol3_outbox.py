"""Protocol 3 in the outbox: each person's review minutes, the staff questions' rules, and the
practice's outcomes report with the people's and the staff's answers, small numbers hidden."""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date, time
from pathlib import Path

import pytest

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.schema import AttendanceStatus, Role
from groupclinic_desktop.core.views.outcomes import figure_rows, programme_outcomes
from icb_service.disclosure import derivable


def running_session(clinic: Clinic, people: int = 3) -> int:
    today = clinic.sessions(day=date.today())[0]
    assert today.id is not None
    clinic.start_session(today.id)
    for entry in clinic.roster(today.id)[:people]:
        clinic.set_attendance(today.id, entry.patient.id, AttendanceStatus.ATTENDED)  # type: ignore[arg-type]
    return today.id


def reviews_of(clinic: Clinic, sid: int) -> dict[int, dict]:
    uid = clinic.session(sid).uid
    latest: dict[int, dict] = {}
    for e in clinic.outbox_events():
        if e.type == "review" and e.payload["session_uid"] == uid:
            assert e.schema_version == 2
            latest[e.payload["patient_id"]] = e.payload
    return latest


def test_each_persons_review_minutes_are_added_up_rounded_and_null_when_untimed(
    demo: Clinic,
) -> None:
    with demo.acting_as(SYSTEM):
        sid = running_session(demo)
        gp = next(u for u in demo.staff() if u.name == "Dr Priya Shah")
        first, second, third = [e.patient.id for e in demo.roster(sid)[:3]]
    with demo.acting_as(demo.sign_in(gp.id, "1357")):  # type: ignore[arg-type]
        demo.save_review(sid, first, notes="BP reviewed.", seconds_spent=200)  # type: ignore[arg-type]
        demo.save_review(sid, second, notes="Feet checked.")  # type: ignore[arg-type]
        # The timer keeps running while the GP talks: 200 s then 290 s is 3 then 5 minutes.
        demo.save_review(sid, first, seconds_spent=290)  # type: ignore[arg-type]
        demo.save_review(sid, third, seconds_spent=50)  # type: ignore[arg-type]
    # A practice nurse reviews the first person too: their minutes add up.
    with demo.acting_as(SYSTEM):
        nurse = demo.add_staff("Kim Ahmed", Role.CLINICIAN, "4826", "practice_nurse")
    with demo.acting_as(demo.sign_in(nurse.id, "4826")):  # type: ignore[arg-type]
        demo.save_review(sid, first, notes="Foot check by the nurse.", seconds_spent=185)  # type: ignore[arg-type]

    latest = reviews_of(demo, sid)
    assert latest[first]["reviews"] == 2 and latest[first]["minutes_spent"] == round(475 / 60)
    assert sorted(latest[first]["professions"]) == ["gp", "practice_nurse"]
    assert latest[second]["minutes_spent"] is None  # nobody timed it
    assert third not in latest  # a timer alone, with nothing written, is not a review


def test_staff_questions_are_for_a_finished_session_and_checked(demo: Clinic) -> None:
    with demo.acting_as(SYSTEM):
        sid = running_session(demo)
        with pytest.raises(InvalidInput, match="once the session is finished"):
            demo.record_staff_experience(sid, role="clinician", profession="gp",
                                         answers={"satisfying": 4})
        demo.finish_session(sid)
        with pytest.raises(InvalidInput, match="Workload manageable: '6'"):
            demo.record_staff_experience(sid, role="clinician", profession="gp",
                                         answers={"workload": 6})
        with pytest.raises(InvalidInput, match="Answering as"):
            demo.record_staff_experience(sid, role="admin", profession="gp",
                                         answers={"workload": 3})
        before = len(demo.outbox_events())
        demo.record_staff_experience(sid, role="facilitator", profession="Care coordinator",
                                     answers={"workload": 3, "satisfying": None})
    event = demo.outbox_events()[before]
    assert event.payload["profession"] == "care_coordinator"
    assert event.payload["answers"] == {"workload": 3}
    # Dated when the session finished: the time of answering is not kept anywhere it is sent.
    assert event.occurred_at == demo.session(sid).finished_at


def staff_and_people_answers(clinic: Clinic, sets: list[dict[str, int]], feelings: list[int]
                             ) -> int:
    """Sessions held today, each with staff answer sets and people's experience answers."""
    programme = clinic.programmes()[0]
    with clinic.acting_as(SYSTEM):
        people = [e.patient for e in clinic.roster(clinic.sessions(day=date.today())[0].id)]  # type: ignore[arg-type]
        s = clinic.plan_session(programme.id, date.today(), time(15), "Room 2")  # type: ignore[arg-type]
        clinic.start_session(s.id)  # type: ignore[arg-type]
        for person, value in zip(people, feelings, strict=False):
            clinic.invite(s.id, person.id)  # type: ignore[arg-type]
            clinic.set_attendance(s.id, person.id, AttendanceStatus.ATTENDED)  # type: ignore[arg-type]
            clinic.record_questionnaire(s.id, person.id, "experience", {"overall": value})  # type: ignore[arg-type]
        clinic.finish_session(s.id)  # type: ignore[arg-type]
        for answers in sets:
            clinic.record_staff_experience(s.id, role="clinician", profession="practice_nurse",  # type: ignore[arg-type]
                                           answers=answers)
    return programme.id  # type: ignore[return-value]


def test_the_outcomes_report_shows_the_answers_with_small_numbers_hidden(demo: Clinic) -> None:
    sets = [{"satisfying": 5, "workload": 4}] * 6 + [{"satisfying": 2, "workload": 4}]
    # Seven "very good" and three "poor"; the demo's earlier session adds its own answers.
    pid = staff_and_people_answers(demo, sets, [1] * 7 + [4] * 3)
    o = programme_outcomes(demo, pid)

    staff = {q.key: q for q in o.staff_experience}
    satisfying = dict(staff["satisfying"].answers)
    assert satisfying["Very"].value == 6 and staff["satisfying"].total.value == 7
    # One "A little" is hidden; with the total shown, so is another cell, never one alone.
    assert satisfying["A little"].value is None
    shown = {("total",): staff["satisfying"].total.value,
             **{(label,): f.value for label, f in staff["satisfying"].answers}}
    assert derivable(shown, [list(shown)]) == []
    assert dict(staff["workload"].answers)["Mostly"].value == 7
    assert staff["time_well_used"].total.value is None  # nobody answered it: 0 is hidden too

    experience = o.experience
    assert experience is not None
    answers = dict(experience.answers)
    assert answers["Very good"].value is not None and answers["Very good"].value >= 7
    assert answers["Poor"].value is None  # three people: suppressed
    published = {("total",): experience.total.value,
                 **{(label,): f.value for label, f in experience.answers}}
    assert derivable(published, [list(published)]) == []

    rows = {(section, item, group): figure for section, item, group, _, _, figure
            in figure_rows(o)}
    assert rows[("staff experience", "Very", "Satisfying to deliver")].value == 6
    assert rows[("patient experience", "Poor", "")].text() == "suppressed"


def test_the_pdf_and_csv_carry_the_answers(demo: Clinic, tmp_path: Path) -> None:
    from groupclinic_desktop.export.outcomes_report import write_csv, write_pdf

    pid = staff_and_people_answers(demo, [{"satisfying": 5}] * 5, [2] * 6)
    o = programme_outcomes(demo, pid)
    with (write_csv(o, tmp_path / "o.csv")).open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert ["staff experience", "Very", "Satisfying to deliver", "count", "5", "5", ""] in rows
    # The demo's earlier session adds its own people's answers to these six.
    good = next(r for r in rows if r[:3] == ["patient experience", "Good", ""])
    assert int(good[4]) >= 6 and good[5] == good[4]
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = write_pdf(o, tmp_path / "o.pdf")
    words = " ".join(subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True,
                                    text=True, check=True).stdout.split())
    assert "What people said about the sessions" in words
    assert "What the staff who ran them said" in words
    assert "How manageable was the workload?" in words


def test_every_programme_template_has_a_usual_appointment_length_with_its_status() -> None:
    from groupclinic_desktop.core import appointments, programmes

    table = appointments._table()["programmes"]
    for key in programmes.templates():
        assert key in table, f"{key}: no usual appointment minutes in appointments.toml"
        usual = appointments.default_for(key)
        assert 1 <= usual.minutes <= 120 and usual.status in ("sourced", "ours")
        # A sourced figure names its source; ours says so in words.
        assert usual.source if usual.status == "sourced" else "our own figure" in usual.words()
