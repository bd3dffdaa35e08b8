"""Editing a programme: admin only, checked, versioned; past sessions keep their version."""

from datetime import date, time, timedelta

import pytest

from groupclinic_desktop.core.clinic import Actor, Clinic
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed
from groupclinic_desktop.core.schema import Role, SessionStatus
from groupclinic_desktop.core.views.board import build_board
from groupclinic_desktop.ui.phases.checkin import measurement_fields

DIABETES_BOARD = ["hba1c", "blood_pressure", "weight", "bmi", "total_cholesterol"]


def staff(clinic: Clinic, role: Role) -> Actor:
    user = next(u for u in clinic.staff() if u.role == role)
    return Actor(user.id, user.name, user.role)


def test_a_session_run_under_version_1_still_shows_version_1_after_an_edit(demo: Clinic) -> None:
    programme = demo.programmes()[0]
    past = demo.sessions(status=SessionStatus.FINISHED)[0]
    assert past.programme_version == 1
    before_board = [c.key for c in build_board(demo, past.id).columns]  # type: ignore[arg-type]
    assert before_board == DIABETES_BOARD

    with demo.acting_as(staff(demo, Role.ADMIN)):
        edited = demo.update_programme(
            programme.id,  # type: ignore[arg-type]
            measurements=["hba1c", "weight", "waist", "activity_minutes"],
        )
        later = demo.plan_session(
            programme.id,
            date.today() + timedelta(days=60),
            time(10),
            "Room 2",  # type: ignore[arg-type]
        )
    assert edited.version == 2

    # The past session: the board and the check-in list are version 1's.
    past = demo.session(past.id)  # type: ignore[arg-type]
    assert past.programme_version == 1
    assert [c.key for c in build_board(demo, past.id).columns] == before_board  # type: ignore[arg-type]
    assert [f.key for f in measurement_fields(past)] == [
        "hba1c",
        "blood_pressure",
        "weight",
        "bmi",
        "total_cholesterol",
    ]
    # A session planned after the edit runs under version 2.
    assert later.programme_version == 2
    assert [f.key for f in measurement_fields(later)] == [
        "hba1c",
        "weight",
        "waist",
        "activity_minutes",
    ]
    assert [c.key for c in build_board(demo, later.id).columns] == [  # type: ignore[arg-type]
        "hba1c",
        "weight",
        "waist",
        "activity_minutes",
    ]


def test_only_an_admin_changes_a_programme(demo: Clinic) -> None:
    pid = demo.programmes()[0].id
    for role in (Role.FACILITATOR, Role.CLINICIAN):
        with demo.acting_as(staff(demo, role)), pytest.raises(NotAllowed, match="admin"):
            demo.update_programme(pid, name="Renamed")  # type: ignore[arg-type]
    assert demo.programme(pid).version == 1  # type: ignore[arg-type]


def test_edits_are_checked_against_the_catalogue_and_questionnaires(demo: Clinic) -> None:
    pid = demo.programmes()[0].id
    with demo.acting_as(staff(demo, Role.ADMIN)):
        with pytest.raises(InvalidInput, match="'sugar' is not in the catalogue"):
            demo.update_programme(pid, measurements=["hba1c", "sugar"])  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="questionnaire 'mood' does not exist"):
            demo.update_programme(pid, questionnaires={"mood": "every"})  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="schedule"):
            demo.update_programme(pid, questionnaires={"swemwbs": "sometimes"})  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="minutes"):
            demo.update_programme(pid, phase_minutes={"agenda": -5})  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="HbA1c target: 900"):
            demo.update_programme(  # type: ignore[arg-type]
                pid, targets={"hba1c": {"below": 900, "source": "local policy"}}
            )
        with pytest.raises(InvalidInput, match="needs a source"):
            demo.update_programme(pid, targets={"hba1c": {"below": 58}})  # type: ignore[arg-type]
    assert demo.programme(pid).version == 1  # type: ignore[arg-type]


def test_an_edit_changes_only_what_it_names_and_is_audited(demo: Clinic) -> None:
    pid = demo.programmes()[0].id
    old = demo.programme(pid).definition  # type: ignore[arg-type]
    with demo.acting_as(staff(demo, Role.ADMIN)):
        row = demo.update_programme(  # type: ignore[arg-type]
            pid,
            name="Diabetes group (Tuesdays)",
            topics=["Food", "Feet", "  "],
            phase_minutes={"agenda": 15, "one_to_ones": 35},
            targets={"hba1c": {"below": 58, "source": "Local frailty policy 2026"}},
            questionnaires={"swemwbs": "first_and_every_3", "activity": "every"},
        )
        again = demo.update_programme(pid, topics=["Food", "Feet"])  # type: ignore[arg-type]
    assert row.name == "Diabetes group (Tuesdays)" and row.version == 2
    assert again.version == 2  # nothing changed, no new version
    d = row.definition
    assert d["topics"] == ["Food", "Feet"]
    assert d["phase_minutes"]["agenda"] == 15 and d["phase_minutes"]["checkin"] == 15
    assert d["measurements"] == old["measurements"]
    assert d["targets"]["hba1c"]["below"] == 58
    assert list(d["questionnaires"]) == ["swemwbs", "activity"]
    entry = [e for e in demo.audit_entries() if e.entity == "programme"][-1]
    assert entry.action == "update" and entry.before["version"] == 1
    assert entry.after["version"] == 2


def test_removing_a_measurement_drops_its_target_and_stale_window(demo: Clinic) -> None:
    pid = demo.programmes()[0].id
    with demo.acting_as(staff(demo, Role.ADMIN)):
        demo.update_programme(  # type: ignore[arg-type]
            pid, targets={"total_cholesterol": {"below": 4, "source": "NICE NG238 (local)"}}
        )
        row = demo.update_programme(pid, measurements=["weight", "total_cholesterol"])  # type: ignore[arg-type]
    assert row.definition["stale_after_days"] == {}  # hba1c's 91 days went with it
    assert row.definition["targets"] == {
        "total_cholesterol": {"below": 4, "source": "NICE NG238 (local)"}
    }


def test_a_new_programme_from_a_template_needs_its_own_name(demo: Clinic) -> None:
    with demo.acting_as(staff(demo, Role.ADMIN)):
        hf = demo.create_programme_from_template("heart_failure", "Heart failure: WELLbeing Works")
        with pytest.raises(InvalidInput, match="already used"):
            demo.create_programme_from_template("hypertension", "Heart failure: WELLbeing Works")
    assert hf.version == 1 and hf.definition["key"] == "heart_failure"
    with demo.acting_as(staff(demo, Role.FACILITATOR)), pytest.raises(NotAllowed):
        demo.create_programme_from_template("hypertension", "BP group")
