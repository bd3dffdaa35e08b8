"""Big changes since the person's previous value ask "Is that right?" before saving."""

from datetime import UTC, datetime, timedelta

import pytest

from groupclinic_desktop.core import validation
from groupclinic_desktop.core.clinic import Actor, Clinic
from groupclinic_desktop.core.errors import NeedsConfirmation
from groupclinic_desktop.core.schema import Role


def facilitator(clinic: Clinic) -> Actor:
    user = next(u for u in clinic.staff() if u.role == Role.FACILITATOR)
    return Actor(user.id, user.name, user.role)


def test_every_limit_names_its_source_and_waits_for_review() -> None:
    limits = validation.big_change_limits()
    assert {"weight", "hba1c", "systolic_bp"} <= set(limits)
    assert all(limit.source and limit.confirmed is False for limit in limits.values())


@pytest.mark.parametrize(
    ("key", "before", "now", "asks"),
    [
        ("weight", 98.4, 71.5, True),  # the typo
        ("weight", 98.4, 93.4, False),  # 5.0 kg: not more than 5
        ("weight", 98.4, 93.3, False),  # 5.1 kg is only 5.2 %: both limits must be passed
        ("weight", 150.0, 143.0, False),  # 7 kg but under 10 %
        ("weight", 150.0, 134.9, True),  # 15.1 kg, 10.1 %
        ("hba1c", 60, 80, False),
        ("hba1c", 60, 81, True),
        ("systolic_bp", 130, 170, False),
        ("systolic_bp", 130, 171, True),
        ("pulse", 60, 120, False),  # no limit for pulse
    ],
)
def test_a_change_beyond_its_limit_asks(key: str, before: float, now: float, asks: bool) -> None:
    day = datetime(2026, 12, 2, tzinfo=UTC).date()
    check = lambda: validation.check_big_change(  # noqa: E731
        key, now, before, day - timedelta(days=30), day
    )
    if asks:
        with pytest.raises(NeedsConfirmation, match="than last time .* Is that right"):
            check()
    else:
        check()


def test_an_old_previous_value_does_not_ask() -> None:
    day = datetime(2026, 12, 2, tzinfo=UTC).date()
    validation.check_big_change("weight", 71.5, 98.4, day - timedelta(days=200), day)


def test_saving_a_big_change_asks_then_keeps_the_confirmed_value(demo: Clinic) -> None:
    person = demo.patients()[0]
    assert person.id is not None
    with demo.acting_as(facilitator(demo)):
        demo.record_measurement(
            person.id, "weight", "98.4", taken_at=datetime.now(UTC) - timedelta(days=20),
            source="self_reported",
        )
        before = len(demo.measurements(patient_id=person.id))
        with pytest.raises(NeedsConfirmation, match=r"Weight: 71.5 kg is 26.9 kg less"):
            demo.record_measurement(person.id, "weight", "71.5")
        assert len(demo.measurements(patient_id=person.id)) == before  # nothing written
        demo.record_measurement(person.id, "weight", "71.5", confirmed=True)
    latest = demo.latest_measurement(person.id, "weight")
    assert latest is not None and latest.value == 71.5 and latest.confirmed_unusual
