"""The biometric board model: targets and status, personal targets, staleness, consent, summary."""

import dataclasses
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from groupclinic_desktop.core.catalogue import Status
from groupclinic_desktop.core.clinic import SYSTEM, Actor, Clinic
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind, Role
from groupclinic_desktop.core.views.board import build_board

TODAY = date.today()


def staff(clinic: Clinic, role: Role) -> Actor:
    user = next(u for u in clinic.staff() if u.role == role)
    return Actor(user.id, user.name, user.role)


@pytest.fixture
def session(demo: Clinic) -> int:
    """Today's demo session, started, with everyone arrived and sharing except Tariq."""
    sid = demo.sessions(day=TODAY)[0].id
    assert sid is not None
    with demo.acting_as(staff(demo, Role.FACILITATOR)):
        demo.start_session(sid)
        for entry in demo.roster(sid):
            pid = entry.patient.id
            demo.set_attendance(sid, pid, AttendanceStatus.ATTENDED)  # type: ignore[arg-type]
            share = entry.patient.given_name != "Tariq"
            demo.set_consent(sid, pid, ConsentKind.SHARE_RESULTS, share)  # type: ignore[arg-type]
    return sid


def person(clinic: Clinic, given_name: str) -> int:
    return next(p.id for p in clinic.patients() if p.given_name == given_name)  # type: ignore[misc]


def record(clinic: Clinic, sid: int, pid: int, key: str, text: str) -> None:
    with clinic.acting_as(staff(clinic, Role.FACILITATOR)):
        clinic.record_measurement(pid, key, text, session_id=sid, confirmed=True)


def cell(clinic: Clinic, sid: int, pid: int, column: str):  # type: ignore[no-untyped-def]
    row = build_board(clinic, sid, today=TODAY).row_for(pid)
    assert row is not None
    return row.cell(column)


# Maggie is 75 and not on a drug that can cause hypos: the standard targets apply.
@pytest.mark.parametrize(
    ("key", "column", "text", "expected"),
    [
        # HbA1c: 48 mmol/mol or below (NICE NG28), close within 5
        ("hba1c", "hba1c", "47", Status.ON_TARGET),
        ("hba1c", "hba1c", "48", Status.ON_TARGET),
        ("hba1c", "hba1c", "49", Status.CLOSE),
        ("hba1c", "hba1c", "53", Status.CLOSE),
        ("hba1c", "hba1c", "54", Status.OFF_TARGET),
        # Clinic BP: below 140/90 under 80 (NICE NG136): 140 itself is not on target
        ("blood_pressure", "blood_pressure", "139/80", Status.ON_TARGET),
        ("blood_pressure", "blood_pressure", "140/80", Status.CLOSE),
        ("blood_pressure", "blood_pressure", "141/80", Status.CLOSE),
        ("blood_pressure", "blood_pressure", "151/80", Status.OFF_TARGET),
        ("blood_pressure", "blood_pressure", "130/89", Status.ON_TARGET),
        ("blood_pressure", "blood_pressure", "130/90", Status.CLOSE),
        ("blood_pressure", "blood_pressure", "130/101", Status.OFF_TARGET),
        # The worse half decides: systolic on target, diastolic off
        ("blood_pressure", "blood_pressure", "120/101", Status.OFF_TARGET),
        # Total cholesterol: below 5 mmol/L
        ("total_cholesterol", "total_cholesterol", "4.9", Status.ON_TARGET),
        ("total_cholesterol", "total_cholesterol", "5.0", Status.CLOSE),
        ("total_cholesterol", "total_cholesterol", "5.1", Status.CLOSE),
        ("total_cholesterol", "total_cholesterol", "5.6", Status.OFF_TARGET),
    ],
)
def test_status_at_just_below_and_just_above_each_target(
    demo: Clinic, session: int, key: str, column: str, text: str, expected: Status
) -> None:
    maggie = person(demo, "Margaret")
    record(demo, session, maggie, key, text)
    found = cell(demo, session, maggie, column)
    assert found.text == text
    assert found.status is expected
    assert found.source_text == "today"


def test_bmi_range_target_at_its_edges(demo: Clinic, session: int) -> None:
    maggie = person(demo, "Margaret")
    record(demo, session, maggie, "height", "170")
    for weight, expected in (("71.9", Status.ON_TARGET), ("72.5", Status.CLOSE)):
        record(demo, session, maggie, "weight", weight)  # BMI 24.9 then 25.1
        assert cell(demo, session, maggie, "bmi").status is expected


def test_older_people_and_hypo_risk_get_the_relaxed_guideline_level(
    demo: Clinic, session: int
) -> None:
    bob, dave, maggie = (person(demo, n) for n in ("Robert", "David", "Margaret"))
    for pid in (bob, maggie):
        record(demo, session, pid, "blood_pressure", "145/80")
    assert cell(demo, session, bob, "blood_pressure").status is Status.ON_TARGET  # 80 or over
    assert cell(demo, session, maggie, "blood_pressure").status is Status.CLOSE
    record(demo, session, dave, "hba1c", "52")  # on a drug that can cause hypos: 53
    assert cell(demo, session, dave, "hba1c").status is Status.ON_TARGET


def test_a_clinicians_personal_target_overrides_the_guideline(demo: Clinic, session: int) -> None:
    maggie = person(demo, "Margaret")
    record(demo, session, maggie, "hba1c", "56")
    assert cell(demo, session, maggie, "hba1c").status is Status.OFF_TARGET

    with demo.acting_as(staff(demo, Role.FACILITATOR)), pytest.raises(NotAllowed):
        demo.set_personal_target(maggie, "hba1c", below=58, reason="Frailty")
    with demo.acting_as(staff(demo, Role.CLINICIAN)):
        with pytest.raises(InvalidInput, match="reason"):
            demo.set_personal_target(maggie, "hba1c", below=58, reason="  ")
        with pytest.raises(InvalidInput, match="plausible"):
            demo.set_personal_target(maggie, "hba1c", below=500, reason="Frailty")
        demo.set_personal_target(maggie, "hba1c", below=53, reason="Frailty")
        demo.set_personal_target(maggie, "hba1c", below=58, reason="Frailty, falls")

    found = cell(demo, session, maggie, "hba1c")
    assert found.status is Status.ON_TARGET
    assert found.personal_target
    targets = demo.personal_targets(maggie)
    assert [(t.below, t.reason) for t in targets] == [(58.0, "Frailty, falls")]
    actions = [(e.action, e.entity) for e in demo.audit_entries(patient_id=maggie)]
    assert actions.count(("create", "personal_target")) == 2
    assert ("update", "personal_target") in actions  # the first one was retired, on the record
    # Nobody else's status moved.
    aga = person(demo, "Agnieszka")
    assert not cell(demo, session, aga, "hba1c").personal_target


def test_old_values_are_shown_as_stale_and_left_out_of_the_summary(
    demo: Clinic, session: int
) -> None:
    later = TODAY + timedelta(days=120)  # today's HbA1c bloods are 130 days old by then (91)
    board = build_board(demo, session, today=later)
    hba1c = [row.cell("hba1c") for row in board.rows]
    assert hba1c and all(c.stale for c in hba1c)
    assert all(c.status_text == "stale" and c.shown_status == "stale" for c in hba1c)
    assert board.summary("hba1c").with_value == 0
    # Weight is stale only after a year: still current.
    assert not any(row.cell("weight").stale for row in board.rows if row.cell("weight").values)
    assert board.summary("weight").with_value > 0


def _strings(value: object) -> list[str]:
    return [str(leaf) for leaf in _leaves(dataclasses.asdict(value))]  # type: ignore[call-overload]


def _leaves(value: object):  # type: ignore[no-untyped-def]
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _leaves(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def test_a_person_without_consent_never_appears_by_name(demo: Clinic, session: int) -> None:
    tariq = demo.patient(person(demo, "Tariq"))
    board = build_board(demo, session, today=TODAY)
    row = board.row_for(tariq.id)  # type: ignore[arg-type]
    assert row is not None and not row.named and row.label == row.code
    assert row.code.startswith("P")
    text = " ".join(_strings(board))
    assert "Tariq" not in text and "Hussain" not in text

    hidden = build_board(demo, session, today=TODAY, hide_non_consented=True)
    assert hidden.row_for(tariq.id) is None and hidden.hidden == 1  # type: ignore[arg-type]
    with demo.acting_as(SYSTEM):
        demo.set_setting("board_non_consented", "hide")
    assert build_board(demo, session, today=TODAY).row_for(tariq.id) is None  # type: ignore[arg-type]


def test_board_never_holds_surnames_nhs_numbers_or_dates_of_birth(
    demo: Clinic, session: int
) -> None:
    board = build_board(demo, session, today=TODAY)
    text = " ".join(_strings(board))
    for p in demo.patients():
        assert p.family_name not in text
        assert p.nhs_number not in text
        assert p.date_of_birth.isoformat() not in text
    labels = {row.label for row in board.rows}
    assert "Maggie" in labels and "Dave" in labels  # preferred first names for those who share


def test_codes_stay_put_when_someone_drops_in(demo: Clinic, session: int) -> None:
    before = {r.patient_id: r.code for r in build_board(demo, session, today=TODAY).rows}
    with demo.acting_as(SYSTEM):
        newcomer = demo.add_patient("9990000115", "Nia", "Evans", "1966-02-02")
        demo.set_attendance(session, newcomer.id, AttendanceStatus.DROP_IN)  # type: ignore[arg-type]
    board = build_board(demo, session, today=TODAY)
    after = {r.patient_id: r.code for r in board.rows}
    assert {pid: after[pid] for pid in before} == before
    assert board.row_for(newcomer.id).label == after[newcomer.id]  # type: ignore[arg-type,union-attr]


def test_only_people_present_are_rows(demo: Clinic, session: int) -> None:
    helen = person(demo, "Helen")
    with demo.acting_as(SYSTEM):
        demo.set_attendance(session, helen, AttendanceStatus.DID_NOT_ATTEND)
    board = build_board(demo, session, today=TODAY)
    assert board.row_for(helen) is None
    assert len(board.rows) == 9


def test_change_since_previous_value_and_group_summary(demo: Clinic, session: int) -> None:
    maggie = person(demo, "Margaret")
    previous = demo.latest_measurement(maggie, "systolic_bp")
    assert previous is not None
    record(demo, session, maggie, "blood_pressure", f"{previous.value - 6:.0f}/80")
    found = cell(demo, session, maggie, "blood_pressure")
    assert found.change is not None and found.change[0] == -6
    assert found.change_text.startswith("\u22126/")

    board = build_board(demo, session, today=TODAY)
    summary = board.summary("hba1c")
    values = sorted(r.cell("hba1c").values[0] for r in board.rows)
    assert summary.with_value == 10
    assert summary.on_target == sum(
        1 for r in board.rows if r.cell("hba1c").status is Status.ON_TARGET
    )
    mid = (values[4] + values[5]) / 2
    assert summary.median == (mid,)
    # The previous session's median is of the HbA1c taken before it (people present then).
    assert summary.previous_median is not None and summary.change is not None
    assert summary.change[0] == pytest.approx(mid - summary.previous_median[0])


def test_columns_follow_the_programme_with_bp_as_one_column(demo: Clinic, session: int) -> None:
    board = build_board(demo, session, today=TODAY)
    assert [c.key for c in board.columns] == [
        "hba1c",
        "blood_pressure",
        "weight",
        "bmi",
        "total_cholesterol",
    ]
    bp = board.column("blood_pressure")
    assert bp.parts == ("systolic_bp", "diastolic_bp")
    assert bp.target_text == "below 140/90 mmHg"
    assert board.column("hba1c").plain_label == "Sugar level (HbA1c)"
    assert board.column("hba1c").label == "HbA1c"


def test_building_the_board_is_fast(demo: Clinic, session: int) -> None:
    build_board(demo, session, today=TODAY)
    started = time.perf_counter()
    for _ in range(5):
        build_board(demo, session, today=TODAY)
    # 10 people x 5 columns; generous so a busy CI machine does not fail it (about 10 ms here).
    assert (time.perf_counter() - started) / 5 < 0.25


def test_values_taken_after_the_board_day_are_not_on_it(demo: Clinic, session: int) -> None:
    maggie = person(demo, "Margaret")
    past = demo.sessions()[0]
    board = build_board(demo, past.id)  # type: ignore[arg-type]
    row = board.row_for(maggie)
    assert row is not None
    cell_ = row.cell("hba1c")
    assert cell_.taken_on is not None and cell_.taken_on < past.day
    assert datetime.now(UTC).date() > past.day
