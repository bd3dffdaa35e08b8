"""Issue 11's third check: a person with every equity field "not stated" goes through a whole
session, the GP-record export and the ICB upload without error - with signposting and a carer."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind
from groupclinic_desktop.export.batch import export_session
from groupclinic_desktop.sync.engine import Syncer
from tests.sync.conftest import FAST, IcbServer, point_at

PINS = {"facilitator": "2468", "clinician": "1357", "admin": "9753"}


def sign_in(clinic: Clinic, role: str) -> None:
    user = next(u for u in clinic.staff() if u.role == role)
    clinic.sign_in(user.id, PINS[role])  # type: ignore[arg-type]


def test_not_stated_person_flows_through_session_export_and_sync(
    demo: Clinic, icb: IcbServer, tmp_path: Path
) -> None:
    sign_in(demo, "admin")
    walk = demo.add_resource("Riverside Strollers", kind="walking_group", when_where="Tue 10am")
    session = demo.sessions(day=date.today())[0]
    sid = session.id
    assert sid is not None
    person = demo.roster(sid)[0].patient
    demo.update_patient_details(
        person.id,  # type: ignore[arg-type]
        ethnic_category=None,
        imd_decile=None,
        imd_quintile=None,
        preferred_language=None,
        interpreter_needed=None,
        is_carer=None,
    )
    pid = person.id
    assert pid is not None

    sign_in(demo, "facilitator")
    demo.start_session(sid)
    demo.set_attendance(sid, pid, AttendanceStatus.ATTENDED)
    for kind in ConsentKind:
        demo.set_consent(sid, pid, kind, True)
    demo.record_measurement(pid, "blood_pressure", "138/84", session_id=sid)
    demo.record_measurement(pid, "weight", "82.4", session_id=sid, confirmed=True)
    demo.add_carer_visit(sid, pid, "Sam", confidentiality_agreed=True)
    sign_in(demo, "clinician")
    demo.save_review(sid, pid, notes="Doing well.")
    demo.signpost(sid, pid, walk.id, "signposted", "Will try next Tuesday")  # type: ignore[arg-type]
    demo.set_goal(sid, pid, "Walk twice a week", confidence=7)
    demo.finish_session(sid)

    sign_in(demo, "admin")
    result = export_session(demo, sid, tmp_path / "out")
    assert result.people >= 1
    bundles = list((tmp_path / "out").rglob("*.json"))
    mine = [b for b in bundles if person.family_name.lower() in b.name.lower()]
    assert mine, [b.name for b in bundles]
    text = mine[0].read_text(encoding="utf-8")
    assert "Riverside Strollers" in text and "ServiceRequest" in text
    assert "Sam" not in json.loads(text)["entry"][0]["resource"]["title"]

    point_at(demo, icb.url, icb.token)
    report = Syncer(demo, FAST).run_pass()
    assert report.result == "done", report.reason
    assert report.needs_attention == 0, [e.last_error for e in demo.needs_attention_events()]
    stored = icb.all_text()
    assert "physical_activity" in stored  # the signposting's kind, never the group's name
    assert "Riverside Strollers" not in stored and "Will try" not in stored
