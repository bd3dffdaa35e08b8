"""Fixtures for the export tests: the demo practice, its finished session, an admin signed in."""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.demo import DEMO_STAFF
from groupclinic_desktop.core.schema import Role, SessionStatus
from groupclinic_desktop.core.views.session_record import build_session_record

if TYPE_CHECKING:
    from .sessions import Built


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


@pytest.fixture
def built(demo: Clinic) -> "Built":
    """Today's demo session, run through the facade with every kind of item (sessions.py)."""
    from .sessions import build_full_session

    return build_full_session(demo)


def exported(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.fhir.json"))]


@pytest.fixture
def every_bundle(demo: Clinic, finished_id: int, built: "Built", tmp_path: Path) -> list[dict]:
    """The demo session's bundles (and its DNA), a correction, today's session with every
    measurement type, a red flag and a DNA, and a session with no staff: all as exported."""
    from groupclinic_desktop.core.clinic import SYSTEM
    from groupclinic_desktop.export.batch import export_session

    from .sessions import build_session_without_staff

    with demo.acting_as(SYSTEM):
        export_session(demo, finished_id, tmp_path / "demo")
        person = build_session_record(demo, finished_id).people[0]
        demo.correct_review(finished_id, person.patient_id, "Wrong finding", notes="Corrected.")
        export_session(demo, finished_id, tmp_path / "correction", correction=True)
        export_session(demo, built.session_id, tmp_path / "today")
        export_session(demo, build_session_without_staff(demo), tmp_path / "no-staff")
    bundles = []
    for name in ("demo", "correction", "today", "no-staff"):
        found = exported(tmp_path / name)
        assert found, name
        bundles += found
    return bundles
