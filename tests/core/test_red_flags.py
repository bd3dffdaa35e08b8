"""Red flags: the table's rules, and a flag that a clinician must acknowledge before finishing."""

from datetime import date

import pytest

from groupclinic_desktop.core import red_flags
from groupclinic_desktop.core.clinic import Actor, Clinic
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed
from groupclinic_desktop.core.schema import AttendanceStatus, Role

TODAY = date.today()


@pytest.mark.parametrize(
    ("reading", "rules"),
    [
        ({"systolic_bp": 179, "diastolic_bp": 119}, []),
        ({"systolic_bp": 180, "diastolic_bp": 80}, ["severe_hypertension"]),
        ({"systolic_bp": 150, "diastolic_bp": 120}, ["severe_hypertension"]),
        ({"systolic_bp": 215, "diastolic_bp": 125}, ["severe_hypertension"]),
        ({"systolic_bp": 219, "diastolic_bp": 100}, ["severe_hypertension"]),
        ({"systolic_bp": 220, "diastolic_bp": 100}, ["severe_hypertension", "news2_systolic"]),
        ({"systolic_bp": 91, "diastolic_bp": 60}, []),
        ({"systolic_bp": 90, "diastolic_bp": 60}, ["news2_systolic"]),
        ({"pulse": 41}, []),
        ({"pulse": 40}, ["news2_pulse"]),
        ({"pulse": 130}, []),
        ({"pulse": 131}, ["news2_pulse"]),
        ({"spo2": 92}, []),
        ({"spo2": 91}, ["news2_spo2"]),
        ({"weight": 150}, []),
    ],
)
def test_each_rule_fires_at_its_level_and_not_just_inside(
    reading: dict[str, float], rules: list[str]
) -> None:
    assert sorted(f.key for f in red_flags.flags_for_reading(reading)) == sorted(rules)


def test_every_rule_has_a_source_words_to_say_and_waits_for_the_safety_officer() -> None:
    for rule in red_flags.rules():
        assert rule.source and rule.say and rule.clinician
        assert rule.confirmed is False  # until the practice's Clinical Safety Officer signs


def test_a_misspelt_table_is_refused_naming_the_rule(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "red_flags.toml"
    path.write_text(
        '[[rule]]\nkey = "x"\ntitle = "X"\nmeasures = ["pulze"]\nat_or_above = { pulze = 1 }\n'
        'say = "s"\nclinician = "c"\nsource = "s"\nconfirmed = false\n'
    )
    with pytest.raises(red_flags.RedFlagTableError, match=r"rule 1 \(x\): pulze"):
        red_flags.load_rules(path)


def staff(clinic: Clinic, role: Role) -> Actor:
    user = next(u for u in clinic.staff() if u.role == role)
    return Actor(user.id, user.name, user.role)


def test_a_flag_blocks_finishing_until_a_clinician_acknowledges_it(demo: Clinic) -> None:
    sid = demo.sessions(day=TODAY)[0].id
    assert sid is not None
    facilitator, clinician = staff(demo, Role.FACILITATOR), staff(demo, Role.CLINICIAN)
    pid = demo.roster(sid)[0].patient.id
    assert pid is not None
    with demo.acting_as(facilitator):
        demo.start_session(sid)
        demo.set_attendance(sid, pid, AttendanceStatus.ATTENDED)
        demo.record_measurement(pid, "blood_pressure", "215/125", session_id=sid, confirmed=True)
    flags = demo.red_flags(sid)
    assert [(f.patient_id, f.rule_key, f.text, f.acknowledged) for f in flags] == [
        (pid, "severe_hypertension", "215/125", False)
    ]
    with demo.acting_as(facilitator), pytest.raises(InvalidInput, match="Red flags: 1 not yet"):
        demo.finish_session(sid)
    assert demo.session(sid).status.value == "running"
    with demo.acting_as(facilitator), pytest.raises(NotAllowed):
        demo.acknowledge_red_flag(sid, flags[0].measurement_id, flags[0].rule_key)
    before = len(demo.audit_entries(patient_id=pid))
    with demo.acting_as(clinician):
        demo.acknowledge_red_flag(sid, flags[0].measurement_id, "severe_hypertension", "seen")
    after = demo.audit_entries(patient_id=pid)
    assert len(after) == before + 1 and after[-1].action == "acknowledge"
    flag = demo.red_flags(sid)[0]
    assert flag.acknowledged and flag.acknowledged_by == clinician.name and flag.note == "seen"
    with demo.acting_as(facilitator):
        demo.finish_session(sid)
    assert demo.session(sid).status.value == "finished"
