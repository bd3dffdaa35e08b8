"""The demo practice's outcome report, checked number by number against figures worked out here.

The expected figures are computed from the demo's stored data with plain Python (the targets
written out from NICE NG28/NG136 and NHS.uk as the catalogue cites them), not with
core/views/outcomes.py, so a mistake in the report's logic shows as a mismatch.
"""

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.schema import (
    Attendance,
    AttendanceStatus,
    Patient,
    SessionStatus,
    Sex,
)
from groupclinic_desktop.core.views.outcomes import (
    FLAG_RATIO,
    equity_rows,
    ethnic_group,
    imd_quintile,
    programme_outcomes,
)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass
class Expected:
    held: int
    invited: int
    attended: int
    dna_rate: float
    hba1c_at_target: tuple[float, float]
    bp_at_target: tuple[float, float]
    bmi_at_target: tuple[float, float]
    cholesterol_at_target: tuple[float, float]
    hba1c_median_change: float
    hba1c_people: int
    goals_set: int
    goals_achieved: float
    female: tuple[int, float]  # invited, attendance rate
    age_bands: dict[str, int]


def by_hand(clinic: Clinic) -> Expected:
    programme = clinic.programmes()[0]
    held = [
        s
        for s in clinic.sessions()
        if s.programme_id == programme.id and s.status == SessionStatus.FINISHED
    ]
    assert len(held) == 1
    past = held[0]
    roster = clinic.roster(past.id)  # type: ignore[arg-type]
    came = [e.patient for e in roster if e.attendance.status in ("attended", "late")]
    dna = [e.patient for e in roster if e.attendance.status == "did_not_attend"]

    def values(p: Patient, key: str) -> list[float]:
        start = past.day - timedelta(days=91 if key == "hba1c" else 183 if "bp" in key else 365)
        rows = [
            m
            for m in clinic.measurements(patient_id=p.id, type_key=key)
            if m.taken_at.date() >= start
        ]
        return [m.value for m in sorted(rows, key=lambda m: m.taken_at)]

    def share(flags: list[bool]) -> float:
        return sum(flags) / len(flags)

    def hba1c_ok(p: Patient, v: float) -> bool:
        return v <= (53 if p.hypo_risk else 48)

    def bp_ok(p: Patient, sys: float, dia: float, on: date) -> bool:
        return sys < (150 if age_on(p.date_of_birth, on) >= 80 else 140) and dia < 90

    hb = {p.id: values(p, "hba1c") for p in came}
    today = date.today()
    bp = [
        bp_ok(p, values(p, "systolic_bp")[0], values(p, "diastolic_bp")[0], past.day) for p in came
    ]
    bmi = [18.5 <= values(p, "bmi")[0] <= 24.9 for p in came]
    chol = [values(p, "total_cholesterol")[0] < 5 for p in came]
    goals = clinic.goals(session_id=past.id)
    bands: dict[str, int] = {}
    for e in roster:
        age = age_on(e.patient.date_of_birth, past.day)
        band = "80+" if age >= 80 else f"{age // 10 * 10}-{age // 10 * 10 + 9}"
        bands[band] = bands.get(band, 0) + 1
    women = [e for e in roster if e.patient.sex == "female"]
    assert today >= past.day
    return Expected(
        held=1,
        invited=len(roster),
        attended=len(came),
        dna_rate=len(dna) / len(roster),
        hba1c_at_target=(
            share([hba1c_ok(p, hb[p.id][0]) for p in came]),
            share([hba1c_ok(p, hb[p.id][-1]) for p in came]),
        ),
        bp_at_target=(share(bp), share(bp)),  # one reading each so far: baseline is now
        bmi_at_target=(share(bmi), share(bmi)),
        cholesterol_at_target=(share(chol), share(chol)),
        hba1c_median_change=statistics.median(v[-1] - v[0] for v in hb.values()),
        hba1c_people=sum(1 for v in hb.values() if len(v) >= 2),
        goals_set=len(goals),
        goals_achieved=0.0,
        female=(
            len(women),
            sum(1 for e in women if e.attendance.status in ("attended", "late")) / len(women),
        ),
        age_bands=bands,
    )


def test_demo_outcomes_match_the_hand_computed_figures(demo: Clinic) -> None:
    expected = by_hand(demo)
    o = programme_outcomes(demo, demo.programmes()[0].id)  # type: ignore[arg-type]

    assert o.threshold == 5
    assert o.sessions_held == expected.held == 1
    assert o.sessions_planned == 2
    assert o.invited.value == expected.invited == 10
    assert o.attended.value == expected.attended == 9
    assert o.dna_rate.value == pytest.approx(expected.dna_rate) == 0.1
    for key, want in (
        ("hba1c", expected.hba1c_at_target),
        ("blood_pressure", expected.bp_at_target),
        ("bmi", expected.bmi_at_target),
        ("total_cholesterol", expected.cholesterol_at_target),
    ):
        figure = o.target(key)
        assert (figure.baseline.value, figure.now.value) == pytest.approx(want), key
    assert [t.key for t in o.targets] == ["hba1c", "blood_pressure", "bmi", "total_cholesterol"]
    assert o.change("hba1c").median.value == pytest.approx(expected.hba1c_median_change)
    assert o.change("hba1c").median.people == expected.hba1c_people == 9
    assert o.goals_set.value == expected.goals_set == 9
    assert o.goals_achieved.value == expected.goals_achieved


def test_one_reading_so_far_gives_no_change_and_says_why(demo: Clinic) -> None:
    o = programme_outcomes(demo, demo.programmes()[0].id)  # type: ignore[arg-type]
    for key in ("systolic_bp", "weight", "swemwbs", "confidence"):
        figure = o.change(key).median
        assert figure.value is None
        assert "baseline and a later value" in figure.reason
    # The experience rating describes a day, not a person: no change is reported for it.
    assert all(c.key != "experience" for c in o.changes)


def test_equity_breakdown_of_the_demo_with_small_groups_suppressed(demo: Clinic) -> None:
    expected = by_hand(demo)
    o = programme_outcomes(demo, demo.programmes()[0].id)  # type: ignore[arg-type]
    rows = {(r.dimension, r.group): r for r in o.equity}
    female = rows[("Sex", "Female")]
    assert (female.invited.value, female.attendance_rate.value) == pytest.approx(expected.female)
    assert rows[("Sex", "Male")].attendance_rate.value == 1.0
    # Nobody's ethnic group or deprivation is recorded in the demo: one "Not stated" group.
    assert rows[("Ethnic group", "Not stated")].invited.value == 10
    assert rows[("IMD quintile", "Not stated")].dna_rate.value == pytest.approx(0.1)
    for band, n in expected.age_bands.items():
        row = rows[("Age band", band)]
        assert row.invited.value == (n if n >= 5 else None), band
        if n < 5:
            assert "suppressed" in row.invited.reason
    assert o.flagged() == []


def test_the_threshold_comes_from_settings(demo: Clinic) -> None:
    with demo.acting_as(SYSTEM):
        demo.set_setting("outcomes_suppress_below", 10)
    o = programme_outcomes(demo, demo.programmes()[0].id)  # type: ignore[arg-type]
    assert o.threshold == 10
    assert o.invited.value == 10  # ten people: shown
    assert o.attended.value is None and "fewer than 10" in o.attended.reason
    assert o.dna_rate.value == pytest.approx(0.1)  # a rate about the ten invited
    assert o.target("hba1c").now.value is None  # about the nine who came
    assert o.change("hba1c").median.value is None
    assert o.goals_set.value is None


def _visit(pid: int, status: str, *, sex: str = "male", ethnic: str | None = None):  # type: ignore[no-untyped-def]
    patient = Patient(
        id=pid,
        nhs_number=str(pid),
        given_name="A",
        family_name="B",
        date_of_birth=date(1960, 1, 1),
        sex=Sex(sex),
        ethnic_category=ethnic,
    )
    return (
        None,
        Attendance(session_id=1, patient_id=pid, status=AttendanceStatus(status)),
        patient,
    )


def test_a_group_attending_much_less_than_the_rest_is_flagged() -> None:
    # Ten Asian people invited, four came (40%); ten White people, nine came (90%).
    visits = [_visit(i, "attended" if i < 4 else "did_not_attend", ethnic="H") for i in range(10)]
    visits += [
        _visit(100 + i, "attended" if i < 9 else "did_not_attend", ethnic="A") for i in range(10)
    ]
    rows = {(r.dimension, r.group): r for r in equity_rows(visits, date(2026, 1, 1), 5)}
    asian = rows[("Ethnic group", "Asian or Asian British")]
    assert asian.flagged and FLAG_RATIO * 0.9 > 0.4
    assert not rows[("Ethnic group", "White")].flagged
    assert asian.dna_rate.value == pytest.approx(0.6)


def test_a_small_group_is_never_flagged_or_shown() -> None:
    visits = [_visit(i, "did_not_attend", ethnic="M") for i in range(3)]
    visits += [_visit(100 + i, "attended", ethnic="A") for i in range(10)]
    rows = {(r.dimension, r.group): r for r in equity_rows(visits, date(2026, 1, 1), 5)}
    black = rows[("Ethnic group", "Black or Black British")]
    assert not black.flagged
    assert black.attendance_rate.value is None


def test_groups_follow_the_nhs_data_dictionary_letters_and_imd_deciles() -> None:
    assert ethnic_group("K") == "Asian or Asian British"
    assert ethnic_group("n") == "Black or Black British"
    assert ethnic_group(None) == ethnic_group("Z") == "Not stated"
    assert imd_quintile(1) == imd_quintile(2) == "1 (most deprived)"
    assert imd_quintile(10) == "5 (least deprived)"
    assert imd_quintile(None) == "Not stated"


def test_signposting_counts_reach_the_outcome_report_with_suppression(demo) -> None:
    from datetime import date

    from groupclinic_desktop.core.clinic import SYSTEM
    from groupclinic_desktop.core.views.outcomes import figure_rows, programme_outcomes

    with demo.acting_as(SYSTEM):
        walk = demo.add_resource("Tuesday walking group", kind="walking_group")
        peers = demo.add_resource("Diabetes peer support", kind="peer_support")
        session = demo.sessions(day=date.today())[0]
        demo.start_session(session.id)
        people = [e.patient.id for e in demo.roster(session.id)]
        for pid in people[:6]:
            demo.set_attendance(session.id, pid, "attended")
            demo.signpost(session.id, pid, walk.id, "signposted")
        demo.set_attendance(session.id, people[6], "attended")
        demo.signpost(session.id, people[6], peers.id, "referred")
        demo.finish_session(session.id)
    report = programme_outcomes(demo, demo.programmes()[0].id)
    by_name = {e.name: e for e in report.signposting}
    assert by_name["Tuesday walking group"].signposted.value == 6
    # One referral is fewer than the threshold of 5: suppressed, with the reason.
    assert by_name["Diabetes peer support"].referred.value is None
    assert "suppressed" in by_name["Diabetes peer support"].referred.reason
    rows = [r for r in figure_rows(report) if r[0] == "community"]
    assert ("community", "people signposted", "Tuesday walking group") in {r[:3] for r in rows}


def test_equity_rows_break_down_the_change_in_each_measurement(demo) -> None:
    """Men (5 who came) show their median HbA1c change; women (4 who came) are suppressed."""
    import statistics

    report = programme_outcomes(demo, demo.programmes()[0].id)
    rows = {(r.dimension, r.group): r for r in report.equity}
    men = {c.key: c for c in rows[("Sex", "Male")].changes}
    women = {c.key: c for c in rows[("Sex", "Female")].changes}
    by_hand = []
    for person in demo.patients():
        if person.sex.value != "male":
            continue
        values = [m.value for m in demo.measurements(patient_id=person.id, type_key="hba1c")]
        by_hand.append(values[-1] - values[0])
    assert len(by_hand) == 5
    assert men["hba1c"].median.value == statistics.median(by_hand)
    assert women["hba1c"].median.value is None and "suppressed" in women["hba1c"].median.reason
