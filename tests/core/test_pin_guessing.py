"""PIN guessing is slow, never forgotten, and seen by an admin; easy PINs are refused (issue 21,
point 5; issue 20, point 8 through the facade)."""

from datetime import timedelta
from pathlib import Path

import pytest

from groupclinic_desktop.core import sign_in_guard
from groupclinic_desktop.core.clinic import Actor, Clinic
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed, SignInRefused
from groupclinic_desktop.core.schema import Role, StaffUser, utcnow

FACILITATOR_PIN = "2468"


def facilitator(clinic: Clinic) -> StaffUser:
    return next(u for u in clinic.staff() if u.role == Role.FACILITATOR)


def admin(clinic: Clinic) -> Actor:
    user = next(u for u in clinic.staff() if u.role == Role.ADMIN)
    return Actor(user.id, user.name, user.role)


def wrong(clinic: Clinic, staff_id: int) -> SignInRefused:
    with pytest.raises(SignInRefused) as caught:
        clinic.sign_in(staff_id, "5050")
    return caught.value


def end_lock(clinic: Clinic, staff_id: int) -> None:
    """Let the lock-out run out, as time would (the count is left as it is)."""
    with clinic._write() as s:
        user = s.get(StaffUser, staff_id)
        user.locked_until = utcnow() - timedelta(seconds=1)
        s.add(user)


def test_a_wrong_pin_says_whose_and_warns_how_many_are_left(demo: Clinic) -> None:
    user = facilitator(demo)
    first = wrong(demo, user.id)
    assert str(first) == "That PIN is not right for Jo Morgan."
    wrong(demo, user.id)
    third = wrong(demo, user.id)
    assert third.tries_left == 2 and "2 more wrong PINs" in str(third)
    assert "1 more wrong PIN " in str(wrong(demo, user.id))
    fifth = wrong(demo, user.id)
    assert fifth.locked_until is not None and "locked for 5 minutes" in str(fifth)
    with pytest.raises(SignInRefused, match="Too many wrong PINs for Jo Morgan") as caught:
        demo.sign_in(user.id, FACILITATOR_PIN)  # even the right PIN waits
    assert caught.value.locked_until == fifth.locked_until


def test_the_lock_out_doubles_and_failures_are_not_reset_by_it(demo: Clinic) -> None:
    user = facilitator(demo)
    spans = []
    for _round in range(4):
        for _ in range(4):
            wrong(demo, user.id)
        refusal = wrong(demo, user.id)
        assert refusal.locked_until is not None
        spans.append(round((refusal.locked_until - utcnow()).total_seconds() / 60))
        end_lock(demo, user.id)
    assert spans == [5, 10, 20, 40]
    assert sign_in_guard.lock_for(5 * 30) == timedelta(days=1)  # never more than a day
    # 20 guesses now cost 75 minutes, not 20 minutes; the right PIN resets the count.
    demo.sign_in(user.id, FACILITATOR_PIN)
    assert str(wrong(demo, user.id)) == "That PIN is not right for Jo Morgan."


def test_failures_survive_a_restart(demo_dir: Path) -> None:
    with Clinic.open(demo_dir, create=False) as clinic:
        user = facilitator(clinic)
        for _ in range(4):
            wrong(clinic, user.id)
    with Clinic.open(demo_dir, create=False) as clinic:
        assert wrong(clinic, user.id).locked_until is not None


def test_read_only_opens_keep_failures_and_the_next_normal_open_counts_them(
    demo_dir: Path,
) -> None:
    with Clinic.open(demo_dir, create=False) as clinic:
        user = facilitator(clinic)
    for _ in range(2):
        with Clinic.open(demo_dir, read_only=True) as clinic:
            wrong(clinic, user.id)
            wrong(clinic, user.id)
    with Clinic.open(demo_dir, read_only=True) as clinic:
        assert wrong(clinic, user.id).locked_until is not None  # the fifth, across three opens
        with pytest.raises(SignInRefused, match="Too many"):
            clinic.sign_in(user.id, FACILITATOR_PIN)
    with Clinic.open(demo_dir, create=False) as clinic:
        with pytest.raises(SignInRefused, match="Too many"):
            clinic.sign_in(user.id, FACILITATOR_PIN)
        with clinic.acting_as(admin(clinic)):
            (seen,) = clinic.sign_in_troubles()
        assert seen.name == "Jo Morgan" and seen.failed_sign_ins == 5


def test_an_admin_sees_the_failures_and_unlocks_a_colleague_audited(demo: Clinic) -> None:
    user = facilitator(demo)
    for _ in range(5):
        wrong(demo, user.id)
    with demo.acting_as(admin(demo)):
        (seen,) = demo.sign_in_troubles()
        assert seen.id == user.id and seen.failed_sign_ins == 5 and seen.locked_until
        demo.unlock_staff(user.id)
        assert demo.sign_in_troubles() == []
    assert demo.sign_in(user.id, FACILITATOR_PIN).name == "Jo Morgan"
    unlock = [e for e in demo.audit_entries() if e.action == "unlock"]
    assert len(unlock) == 1 and unlock[0].user_name == "Alex Turner"
    assert str(unlock[0].entity_id) == str(user.id)
    with demo.acting_as(Actor(user.id, user.name, user.role)), pytest.raises(NotAllowed):
        demo.unlock_staff(user.id)


@pytest.mark.parametrize("pin", ["0000", "1111", "1234", "4321", "7890", "0987", "123456", "1212"])
def test_easy_pins_are_refused_when_set(demo: Clinic, pin: str) -> None:
    before = len(demo.staff())
    with demo.acting_as(admin(demo)), pytest.raises(InvalidInput, match="PIN: too easy"):
        demo.add_staff("New Colleague", Role.FACILITATOR, pin)
    assert len(demo.staff()) == before


def test_first_admins_pin_is_checked_too(clinic: Clinic) -> None:
    with pytest.raises(InvalidInput, match="too easy"):
        clinic.set_up_practice("A81001", "Hillside", "Sam Patel", "9999")
    assert clinic.practice() is None
    clinic.set_up_practice("A81001", "Hillside", "Sam Patel", "2468")
