"""A session run with a library template (new measures and questionnaires) syncs to the real
ICB service with nothing refused: what is outside the dataset never leaves the laptop."""

from __future__ import annotations

from datetime import date, time

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind, Role
from groupclinic_desktop.sync.engine import Syncer
from tests.four_ms_scenario import staff
from tests.sync.conftest import FAST, IcbServer, outbox_ids, point_at


def test_a_frailty_session_with_library_measures_syncs_with_nothing_refused(
    demo: Clinic, icb: IcbServer
) -> None:
    admin, facilitator = staff(demo, Role.ADMIN), staff(demo, Role.FACILITATOR)
    with demo.acting_as(admin):
        programme = demo.create_programme_from_template("frailty", "Steady and strong")
        session = demo.plan_session(programme.id, date.today(), time(10), "Hall")  # type: ignore[arg-type]
        patient = demo.add_patient("9990000344", "Flo", "Marsh", "1938-09-09", sex="female")
        demo.enrol(patient.id, programme.id)  # type: ignore[arg-type]
        demo.invite(session.id, patient.id)  # type: ignore[arg-type]
    sid, pid = session.id, patient.id
    with demo.acting_as(facilitator):
        demo.start_session(sid)  # type: ignore[arg-type]
        demo.set_attendance(sid, pid, AttendanceStatus.ATTENDED)  # type: ignore[arg-type]
        demo.set_consent(sid, pid, ConsentKind.SHARE_RESULTS, True)  # type: ignore[arg-type]
        demo.record_measurement(pid, "grip_strength", "18.5", session_id=sid)  # type: ignore[arg-type]
        demo.record_measurement(pid, "falls_12m", "2", session_id=sid)  # type: ignore[arg-type]
        demo.record_measurement(pid, "pain_score", "6", session_id=sid)  # type: ignore[arg-type]
        demo.record_questionnaire(sid, pid, "confidence", {"confidence": 6})  # type: ignore[arg-type]
        demo.record_questionnaire(sid, pid, "matters_to_me", {"rating": 7})  # type: ignore[arg-type]
        demo.record_questionnaire(sid, pid, "napc_self_management", {"rating": 3})  # type: ignore[arg-type]
        demo.finish_session(sid)  # type: ignore[arg-type]
    produced = outbox_ids(demo)
    point_at(demo, icb.url, icb.token)

    report = Syncer(demo, FAST).run_pass()

    assert report.result == "done", report.reason
    assert report.needs_attention == 0, [e.last_error for e in demo.needs_attention_events()]
    assert sorted(icb.event_ids()) == sorted(produced)
    stored = icb.all_text()
    assert "frailty" in stored  # the new programme key is in the dataset's list
    assert "grip_strength" in stored
    for kept in ("falls_12m", "pain_score", "matters_to_me", "napc_self_management"):
        assert kept not in stored, f"{kept} left the laptop"
