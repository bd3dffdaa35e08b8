"""Fixtures for GP record delivery: the demo store turned into a neighbourhood hub whose finished
session mixes people registered at two member practices."""

import pytest

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.schema import OrganisationKind, SessionStatus

# The ICB service on loopback, for the monitoring test (the same fixture the sync tests use).
from tests.sync.conftest import icb_sqlite, sqlite_url  # noqa: F401

HILLSIDE = ("Y99901", "Hillside Surgery")
BROOKSIDE = ("Y99902", "Brookside Health Centre")


def make_hub(clinic: Clinic) -> tuple[int, dict[str, list[int]]]:
    """The demo practice runs a PCN hub; its finished session's people are split between two
    member practices. Returns the session id and the patient ids per practice ODS code."""
    with clinic.acting_as(SYSTEM):
        clinic.set_organisation(OrganisationKind.HUB, pcn_ods_code="U99990")
        clinic.add_member_practice(*HILLSIDE)
        clinic.add_member_practice(*BROOKSIDE)
        (session,) = clinic.sessions(status=SessionStatus.FINISHED)
        assert session.id is not None
        present = [e.patient for e in clinic.roster(session.id) if e.attendance.status.present]
        split: dict[str, list[int]] = {HILLSIDE[0]: [], BROOKSIDE[0]: []}
        for index, patient in enumerate(present):
            ods = HILLSIDE[0] if index % 2 == 0 else BROOKSIDE[0]
            assert patient.id is not None
            clinic.set_registered_practice(patient.id, ods)
            split[ods].append(patient.id)
    return session.id, split


@pytest.fixture
def hub(demo: Clinic) -> tuple[Clinic, int, dict[str, list[int]]]:
    session_id, split = make_hub(demo)
    return demo, session_id, split


# ---- the MESH sandbox


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from tests.delivery.sandbox import Sandbox

    server = Sandbox(tmp_path_factory.mktemp("mesh-sandbox"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The sandbox, emptied; the hub's MESH password and shared key in the environment."""
    from tests.delivery.sandbox import PASSWORD, SHARED_KEY

    if sandbox_server.process is None:  # a fault test stopped it
        sandbox_server.start()
    sandbox_server.reset()
    monkeypatch.setenv("GROUPCLINIC_MESH_PASSWORD", PASSWORD)
    monkeypatch.setenv("GROUPCLINIC_MESH_SHARED_KEY", SHARED_KEY)
    monkeypatch.delenv("MESH_CLIENT_SHARED_KEY", raising=False)
    return sandbox_server


def configure_mesh(clinic: Clinic, url: str) -> None:
    """The hub's mailbox and an explicit mailbox per member practice (the sandbox cannot route
    GPPROVIDER_ addresses)."""
    from tests.delivery.sandbox import BROOKSIDE_MAILBOX, HILLSIDE_MAILBOX, HUB_MAILBOX

    with clinic.acting_as(SYSTEM):
        clinic.set_delivery_settings(url=url, mailbox=HUB_MAILBOX)
        clinic.set_practice_mailbox(HILLSIDE[0], HILLSIDE_MAILBOX)
        clinic.set_practice_mailbox(BROOKSIDE[0], BROOKSIDE_MAILBOX)
