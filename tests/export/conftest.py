"""Fixtures for the export tests: the demo practice, its finished session, an admin signed in."""

import pytest

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.demo import DEMO_STAFF
from groupclinic_desktop.core.schema import Role, SessionStatus


def sign_in(clinic: Clinic, role: Role) -> None:
    person = next(p for p in DEMO_STAFF if p.role == role)
    user = next(u for u in clinic.staff() if u.name == person.name)
    clinic.sign_in(user.id, person.pin)  # type: ignore[arg-type]


@pytest.fixture
def admin(demo: Clinic) -> Clinic:
    """The demo practice with its admin (Alex Turner) signed in."""
    sign_in(demo, Role.ADMIN)
    return demo


@pytest.fixture
def finished_id(demo: Clinic) -> int:
    (session,) = demo.sessions(status=SessionStatus.FINISHED)
    assert session.id is not None
    return session.id
