"""Planning a series in one step; moving or cancelling one session of it."""

from datetime import date, time, timedelta

import pytest

from groupclinic_desktop.core.clinic import Actor, Clinic
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.schema import Role, SessionStatus


def as_role(clinic: Clinic, role: Role) -> Actor:
    user = next(u for u in clinic.staff() if u.role == role)
    return Actor(user.id, user.name, user.role)


def next_monday() -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday())


def test_weekly_for_8_weeks_in_one_step(demo: Clinic) -> None:
    pid = demo.programmes()[0].id
    already = len(demo.sessions())
    clinician = as_role(demo, Role.CLINICIAN)
    first = next_monday()
    with demo.acting_as(as_role(demo, Role.FACILITATOR)) as c:
        series = c.plan_series(
            pid,  # type: ignore[arg-type]
            first,
            time(14, 0),
            "Library meeting room",
            every="week",
            count=8,
            facilitator_id=c.actor.id,  # type: ignore[union-attr]
            clinician_ids=[clinician.id],  # type: ignore[list-item]
        )
    assert [s.day for s in series] == [first + timedelta(weeks=n) for n in range(8)]
    assert len({s.series_uid for s in series}) == 1
    # Numbering carries on after the demo's three sessions.
    assert [s.session_number for s in series] == list(range(already + 1, already + 9))
    assert all(s.start_time == time(14) and s.place == "Library meeting room" for s in series)
    assert demo.series(series[0].series_uid) == series  # type: ignore[arg-type]
    assert [u.name for u in demo.session_clinicians(series[3].id)] == [clinician.name]  # type: ignore[arg-type]
    sent = [e for e in demo.outbox_events() if e.type == "session"]
    assert {s.uid for s in series} <= {e.payload["session_uid"] for e in sent}


def test_monthly_keeps_the_day_of_the_month_and_clamps_short_months(demo: Clinic) -> None:
    pid = demo.programmes()[0].id
    year = date.today().year + 1
    with demo.acting_as(as_role(demo, Role.ADMIN)) as c:
        series = c.plan_series(pid, date(year, 1, 31), time(10), "Hall", every="month", count=6)  # type: ignore[arg-type]
    assert [s.day for s in series] == [
        date(year, 1, 31),
        date(year, 2, 29 if year % 4 == 0 else 28),
        date(year, 3, 31),
        date(year, 4, 30),
        date(year, 5, 31),
        date(year, 6, 30),
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"every": "yearly"}, "Repeat"),
        ({"count": 0}, "Number of sessions"),
        ({"count": 53}, "Number of sessions"),
        ({"first_day": date.today() - timedelta(days=1)}, "in the past"),
        ({"place": " "}, "Place"),
        ({"clinician_ids": [1]}, "Clinicians"),
    ],
)
def test_a_bad_series_is_refused_whole(demo: Clinic, changes: dict, message: str) -> None:
    pid = demo.programmes()[0].id
    before = len(demo.sessions())
    args = {"first_day": next_monday(), "place": "Hall", "every": "week", "count": 4}
    args.update(changes)
    with demo.acting_as(as_role(demo, Role.ADMIN)) as c, pytest.raises(InvalidInput, match=message):
        c.plan_series(pid, args.pop("first_day"), time(10), args.pop("place"), **args)  # type: ignore[arg-type]
    assert len(demo.sessions()) == before


def test_move_one_session_of_a_series(demo: Clinic) -> None:
    pid = demo.programmes()[0].id
    with demo.acting_as(as_role(demo, Role.FACILITATOR)) as c:
        series = c.plan_series(pid, next_monday(), time(10), "Hall", every="week", count=3)  # type: ignore[arg-type]
        moved = c.move_session(
            series[1].id,  # type: ignore[arg-type]
            series[1].day + timedelta(days=2),
            time(13, 30),
            "Church hall",
        )
    assert (moved.day, moved.start_time, moved.place) == (
        series[1].day + timedelta(days=2),
        time(13, 30),
        "Church hall",
    )
    assert demo.session(series[0].id).day == series[0].day  # type: ignore[arg-type]
    entry = [e for e in demo.audit_entries() if e.entity == "clinic_session"][-1]
    assert entry.before["place"] == "Hall" and entry.after["place"] == "Church hall"


def test_cancel_one_session_keeps_the_reason_and_tells_the_icb(demo: Clinic) -> None:
    pid = demo.programmes()[0].id
    with demo.acting_as(as_role(demo, Role.FACILITATOR)) as c:
        series = c.plan_series(pid, next_monday(), time(10), "Hall", every="week", count=3)  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="Reason"):
            c.cancel_session(series[2].id, "")  # type: ignore[arg-type]
        cancelled = c.cancel_session(series[2].id, "Room flooded")  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="only a planned session"):
            c.move_session(series[2].id, next_monday() + timedelta(days=30))  # type: ignore[arg-type]
    assert cancelled.status == SessionStatus.CANCELLED
    entry = [e for e in demo.audit_entries() if e.action == "cancel"][-1]
    assert entry.after["cancel_reason"] == "Room flooded"
    event = [e for e in demo.outbox_events() if e.type == "session"][-1]
    assert event.payload["status"] == "cancelled"
    assert "Room flooded" not in str(event.payload)  # free text never leaves the laptop


def test_a_finished_session_cannot_be_moved_or_cancelled(demo: Clinic) -> None:
    past = demo.sessions(status=SessionStatus.FINISHED)[0]
    with demo.acting_as(as_role(demo, Role.ADMIN)) as c:
        with pytest.raises(InvalidInput, match="finished"):
            c.move_session(past.id, next_monday())  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="finished"):
            c.cancel_session(past.id, "typo")  # type: ignore[arg-type]
