"""The role rules live in the facade: each role calls each kind of write, and is refused where it
should be, whatever the UI shows."""

import tempfile
from datetime import date, time
from pathlib import Path

import pytest

from groupclinic_desktop.core.clinic import Actor, Clinic
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed
from groupclinic_desktop.core.schema import Role

# What each role may do; True = allowed.
MATRIX = {
    #  action               facilitator clinician admin  co-facilitator
    "set_attendance":      (True,  True,  False, True),
    "set_consent":         (True,  True,  False, True),
    "record_measurement":  (True,  True,  False, True),
    "record_questionnaire": (True, True,  False, True),
    "add_agenda_item":     (True,  True,  False, True),
    "set_goal":            (True,  True,  False, True),
    "review_own_name":     (False, True,  False, False),
    "review_on_behalf":    (True,  True,  False, False),  # a clinician naming themselves: own name
    "read_reviews":        (True,  True,  True,  False),
    "plan_session":        (True,  True,  True,  False),
    "add_patient":         (True,  True,  True,  False),
    "add_staff":           (False, False, True,  False),
    "start_session":       (True,  True,  False, False),
    "export_audit_trail":  (False, False, True,  False),
    "change_care_plan":    (True,  True,  True,  True),
    "due_list":            (True,  False, True,  False),
}
# Reads leave no audit entry; every other allowed action does.
READS = {"read_reviews", "due_list"}
ROLES = (Role.FACILITATOR, Role.CLINICIAN, Role.ADMIN, Role.CO_FACILITATOR)


def act(clinic: Clinic, action: str, session_id: int, patient_id: int, clinician_id: int) -> None:
    calls = {
        "set_attendance": lambda: clinic.set_attendance(session_id, patient_id, "attended"),
        "set_consent": lambda: clinic.set_consent(session_id, patient_id, "share_results", True),
        "record_measurement": lambda: clinic.record_measurement(
            patient_id, "weight", "81", session_id=session_id, confirmed=True),
        "record_questionnaire": lambda: clinic.record_questionnaire(
            session_id, patient_id, "confidence", {"confidence": 6}),
        "add_agenda_item": lambda: clinic.add_agenda_item(session_id, "A question"),
        "set_goal": lambda: clinic.set_goal(session_id, patient_id, "Walk", confidence=5),
        "review_own_name": lambda: clinic.save_review(session_id, patient_id, notes="n"),
        "review_on_behalf": lambda: clinic.save_review(
            session_id, patient_id, notes="n", on_behalf_of_id=clinician_id),
        "plan_session": lambda: clinic.plan_session(
            clinic.programmes()[0].id, date(2030, 1, 1), time(9), "Hall"),
        "add_patient": lambda: clinic.add_patient("999 000 0123", "New", "Person", "1970-01-01"),
        "add_staff": lambda: clinic.add_staff("New Person", Role.FACILITATOR, "5827"),
        "start_session": lambda: clinic.start_session(session_id),
        "read_reviews": lambda: clinic.reviews(session_id),
        "change_care_plan": lambda: clinic.update_care_plan(patient_id, what_matters="Family"),
        "due_list": lambda: clinic.due_list(),
        "export_audit_trail": lambda: clinic.export_audit_trail(
            Path(tempfile.mkdtemp()) / "audit.csv"
        ),
    }
    calls[action]()


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize(
    "role_index", [0, 1, 2, 3], ids=["facilitator", "clinician", "admin", "co_facilitator"]
)
def test_role_matrix(demo: Clinic, action: str, role_index: int) -> None:
    role = ROLES[role_index]
    user = next(u for u in demo.staff() if u.role == role)
    clinician = next(u for u in demo.staff() if u.role == Role.CLINICIAN)
    session = demo.sessions(day=date.today())[0]
    with demo.acting_as(Actor(clinician.id, clinician.name, Role.CLINICIAN)):
        if action != "start_session":
            demo.start_session(session.id)
    patient = demo.roster(session.id)[0].patient
    audit_before = len(demo.audit_entries())
    with demo.acting_as(Actor(user.id, user.name, role)):
        if MATRIX[action][role_index]:
            act(demo, action, session.id, patient.id, clinician.id)
            if action not in READS:
                assert len(demo.audit_entries()) > audit_before
        else:
            with pytest.raises(NotAllowed):
                act(demo, action, session.id, patient.id, clinician.id)
            assert len(demo.audit_entries()) == audit_before


def test_nobody_can_change_their_own_role(demo: Clinic) -> None:
    """There is no facade call that changes a role; an admin adding staff cannot add themselves
    again under a new role with the same name."""
    admin = next(u for u in demo.staff() if u.role == Role.ADMIN)
    facilitator = next(u for u in demo.staff() if u.role == Role.FACILITATOR)
    assert not any("role" in name for name in dir(Clinic) if not name.startswith("_")
                   and name not in {"backup_rotation"})
    with demo.acting_as(Actor(facilitator.id, facilitator.name, Role.FACILITATOR)), \
            pytest.raises(NotAllowed):
        demo.add_staff(facilitator.name + " (admin)", Role.ADMIN, "1111")
    with demo.acting_as(Actor(admin.id, admin.name, Role.ADMIN)), pytest.raises(InvalidInput):
        demo.add_staff(admin.name, Role.CLINICIAN, "5827")
