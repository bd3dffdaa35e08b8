"""Carers: their own confidentiality agreement, goal and wellbeing, kept apart from the person
they care for and exported only to their own record when registered here."""

from datetime import date

import pytest

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.schema import AttendanceStatus
from groupclinic_desktop.core.views.session_record import build_session_record

PINS = {"facilitator": "2468", "clinician": "1357", "admin": "9753"}


def sign_in(clinic: Clinic, role: str) -> None:
    user = next(u for u in clinic.staff() if u.role == role)
    clinic.sign_in(user.id, PINS[role])


@pytest.fixture
def running(demo: Clinic) -> int:
    session = demo.sessions(day=date.today())[0]
    sign_in(demo, "facilitator")
    demo.start_session(session.id)
    for entry in demo.roster(session.id)[:3]:
        demo.set_attendance(session.id, entry.patient.id, AttendanceStatus.ATTENDED)
    return session.id


def test_a_carer_must_agree_to_confidentiality(demo: Clinic, running: int) -> None:
    cared_for = demo.roster(running)[0].patient
    with pytest.raises(InvalidInput, match="Confidentiality: a carer joins"):
        demo.add_carer_visit(running, cared_for.id, "Sam Carer", confidentiality_agreed=False)
    assert demo.carer_visits(session_id=running) == []


def test_an_unregistered_carer_is_kept_local_and_marks_the_carer_present(
    demo: Clinic, running: int
) -> None:
    cared_for = demo.roster(running)[0].patient
    visit = demo.add_carer_visit(running, cared_for.id, "Sam Carer", confidentiality_agreed=True)
    demo.set_carer_wellbeing(
        visit.id, goal="Walk the dog daily", goal_confidence=7, swemwbs_score=24
    )
    assert visit.carer_patient_id is None
    attendance = next(e.attendance for e in demo.roster(running) if e.patient.id == cared_for.id)
    assert attendance.carer_present
    saved = demo.carer_visits(cares_for_patient_id=cared_for.id)[0]
    assert (saved.goal, saved.goal_confidence, saved.swemwbs_score) == ("Walk the dog daily", 7, 24)
    # None of the carer's own data is filed under the cared-for person's audit trail.
    mine = demo.audit_entries(patient_id=cared_for.id)
    assert not any(a.entity == "carer_visit" for a in mine)
    assert demo.goals(patient_id=cared_for.id, session_id=running) == []


def test_carer_wellbeing_values_are_checked(demo: Clinic, running: int) -> None:
    cared_for = demo.roster(running)[0].patient
    visit = demo.add_carer_visit(running, cared_for.id, "Sam", confidentiality_agreed=True)
    with pytest.raises(InvalidInput, match="SWEMWBS total\\): 36 is not a whole number from 7"):
        demo.set_carer_wellbeing(visit.id, swemwbs_score=36)
    with pytest.raises(InvalidInput, match="a goal needs a confidence"):
        demo.set_carer_wellbeing(visit.id, goal="Rest more")


def test_a_registered_carers_data_goes_only_to_their_own_record(demo: Clinic, running: int) -> None:
    roster = demo.roster(running)
    cared_for = roster[0].patient
    # A carer registered at the practice who is not in this group.
    carer = demo.add_patient("9990001006", "Sam", "Carer", "1960-05-01")
    with pytest.raises(InvalidInput, match="that is the person being cared for"):
        demo.add_carer_visit(
            running,
            cared_for.id,
            "x",
            confidentiality_agreed=True,
            carer_nhs_number=cared_for.nhs_number,
        )
    visit = demo.add_carer_visit(
        running,
        cared_for.id,
        carer.full_name,
        confidentiality_agreed=True,
        carer_nhs_number=carer.nhs_number,
    )
    demo.set_carer_wellbeing(
        visit.id, goal="An hour for myself each week", goal_confidence=6, swemwbs_score=21
    )
    assert demo.patient(carer.id).is_carer is True
    record = build_session_record(demo, running)
    own = record.person(carer.id)
    assert own.carer_only and [v.goal for v in own.carer_visits] == ["An hour for myself each week"]
    cared = record.person(cared_for.id)
    assert cared.carer_visits == ()
    assert any(a.entity == "carer_visit" for a in demo.audit_entries(patient_id=carer.id))


def test_an_unknown_carer_nhs_number_is_refused(demo: Clinic, running: int) -> None:
    cared_for = demo.roster(running)[0].patient
    with pytest.raises(InvalidInput, match="nobody with this NHS number"):
        demo.add_carer_visit(
            running, cared_for.id, "Sam", confidentiality_agreed=True, carer_nhs_number="9434765919"
        )
