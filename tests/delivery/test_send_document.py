"""GP record delivery against NHS Digital's MESH sandbox, through the command line: a hub's session
mixing two practices is sent, each receiving GP system reads its own inbox, checks the messages
against GP Connect Send Document and answers with ITK3 acknowledgements, which the app records."""

import os
import subprocess
import sys
from pathlib import Path

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.schema import DeliveryStatus
from groupclinic_desktop.delivery.routing import automated_address
from tests.delivery import gp_system
from tests.delivery.conftest import BROOKSIDE, HILLSIDE, configure_mesh, make_hub
from tests.delivery.sandbox import BROOKSIDE_MAILBOX, HILLSIDE_MAILBOX, HUB_MAILBOX

MAILBOX_OF = {HILLSIDE[0]: HILLSIDE_MAILBOX, BROOKSIDE[0]: BROOKSIDE_MAILBOX}


def groupclinic(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "groupclinic_desktop.cli", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=300,
    )


def hub_store(demo_dir: Path, url: str) -> tuple[int, dict[str, list[int]], dict[int, object]]:
    with Clinic.open(demo_dir, create=False) as clinic:
        session_id, split = make_hub(clinic)
        configure_mesh(clinic, url)
        patients = {p.id: p for p in clinic.patients()}
    return session_id, split, patients  # type: ignore[return-value]


def states(demo_dir: Path) -> dict[int, tuple[DeliveryStatus, str | None, bool]]:
    with Clinic.open(demo_dir, create=False) as clinic:
        return {r.patient_id: (r.status, r.reason, r.needs_attention) for r in clinic.deliveries()}


def test_a_mixed_session_reaches_each_practice_and_their_acknowledgements_come_back(
    demo_dir: Path, sandbox  # type: ignore[no-untyped-def]
) -> None:
    session_id, split, patients = hub_store(demo_dir, sandbox.url)
    done = groupclinic(demo_dir, "send", "--session", str(session_id))
    assert done.returncode == 0, done.stderr + done.stdout
    people = sum(len(ids) for ids in split.values())
    assert f"Session {session_id}: {people} queued" in done.stdout
    assert f"Sent {people}, failed 0" in done.stdout

    received: dict[str, list[gp_system.Received]] = {}
    for ods, mailbox in MAILBOX_OF.items():
        inbox = gp_system.fetch_inbox(sandbox.url, mailbox)
        received[ods] = inbox
        expected = {patients[pid].nhs_number for pid in split[ods]}  # type: ignore[attr-defined]
        got = [m.patient["identifier"][0]["value"] for m in inbox]
        assert sorted(got) == sorted(expected)  # exactly its own people, each once
        for message in inbox:
            assert gp_system.validate(message) == []
            assert message.sender == HUB_MAILBOX and message.recipient == mailbox
            assert message.workflow_id == "GPFED_CONSULT_REPORT"
            assert message.local_id == "Y99999"  # the sender's ODS code (CS-080)
            nhs = message.patient["identifier"][0]["value"]
            person = next(p for p in patients.values() if p.nhs_number == nhs)  # type: ignore[attr-defined]
            assert person.registered_ods == ods  # type: ignore[attr-defined]
            # The fields production routes on (Mex-To GPPROVIDER_), carried by the message.
            assert gp_system.routing_fields(message) == automated_address(
                person.nhs_number, person.date_of_birth, person.family_name  # type: ignore[attr-defined]
            )
            assert f"NHS Number {nhs}" in message.subject
    assert gp_system.fetch_inbox(sandbox.url, HUB_MAILBOX) == []

    # Each practice answers: technically valid, then matched and filed; one person is not
    # known at Brookside.
    not_known = received[BROOKSIDE[0]][0]
    for ods, inbox in received.items():
        for message in inbox:
            gp_system.send_acknowledgement(sandbox.url, MAILBOX_OF[ods], message, "20013")
            business = "30002" if message is not_known else "30001"
            gp_system.send_acknowledgement(sandbox.url, MAILBOX_OF[ods], message, business)
    collected = groupclinic(demo_dir, "send")
    assert collected.returncode == 1  # one needs attention
    assert f"acknowledgements recorded {2 * people}" in collected.stdout
    now = states(demo_dir)
    nhs_not_known = not_known.patient["identifier"][0]["value"]
    pid_not_known = next(
        pid for pid, p in patients.items() if p.nhs_number == nhs_not_known  # type: ignore[attr-defined]
    )
    for pid, (status, reason, attention) in now.items():
        if pid == pid_not_known:
            assert status == DeliveryStatus.FAILED and attention
            assert reason == "ITK 30002: the patient is not known at that practice"
        else:
            assert (status, attention) == (DeliveryStatus.FILED, False)
    status = groupclinic(demo_dir, "send", "--status")
    assert status.returncode == 1
    rows = status.stdout.splitlines()[1:-1]
    assert sum(1 for line in rows if line.split()[-1] == "filed") == people - 1
    (failed,) = [line for line in rows if "failed !" in line]
    assert failed.endswith("ITK 30002: the patient is not known at that practice")
    assert status.stdout.splitlines()[-1] == "filed 8, failed 1, needs attention 1"
    # Acknowledgements were taken from MESH only after they were recorded.
    assert gp_system.fetch_inbox(sandbox.url, HUB_MAILBOX) == []

    # Sending the same session again sends nothing twice.
    again = groupclinic(demo_dir, "send", "--session", str(session_id))
    assert f"0 queued, {people} already sent or queued" in again.stdout
    assert "Sent 0," in again.stdout
    for mailbox in MAILBOX_OF.values():
        assert gp_system.fetch_inbox(sandbox.url, mailbox) == []


def test_mesh_down_then_back_sends_each_person_once(demo_dir: Path, sandbox) -> None:  # type: ignore[no-untyped-def]
    session_id, split, _ = hub_store(demo_dir, sandbox.url)
    people = sum(len(ids) for ids in split.values())
    sandbox.stop()
    down = groupclinic(demo_dir, "send", "--session", str(session_id))
    assert down.returncode == 1
    assert "Stopped: MESH could not be reached" in down.stdout
    assert {s for s, _, _ in states(demo_dir).values()} == {DeliveryStatus.QUEUED}
    sandbox.start()
    back = groupclinic(demo_dir, "send")
    assert back.returncode == 0, back.stdout + back.stderr
    assert f"Sent {people}, failed 0" in back.stdout
    for ods, mailbox in MAILBOX_OF.items():
        assert len(gp_system.fetch_inbox(sandbox.url, mailbox)) == len(split[ods])
    assert {s for s, _, _ in states(demo_dir).values()} == {DeliveryStatus.SENT}


def test_a_message_mesh_refuses_waits_for_an_admin_then_goes_once(
    demo_dir: Path, sandbox  # type: ignore[no-untyped-def]
) -> None:
    session_id, split, _ = hub_store(demo_dir, sandbox.url)
    # Brookside without an explicit mailbox: automated routing, which the sandbox cannot route.
    assert groupclinic(demo_dir, "mesh", "practice", BROOKSIDE[0], "--automated").returncode == 0
    first = groupclinic(demo_dir, "send", "--session", str(session_id))
    assert first.returncode == 1
    now = states(demo_dir)
    for pid in split[BROOKSIDE[0]]:
        status, reason, attention = now[pid]
        assert status == DeliveryStatus.FAILED and attention
        assert reason is not None and reason.startswith("MESH refused the message")
    for pid in split[HILLSIDE[0]]:
        assert now[pid][0] == DeliveryStatus.SENT
    # Nothing failed is sent again by itself...
    assert "Sent 0," in groupclinic(demo_dir, "send").stdout
    assert gp_system.fetch_inbox(sandbox.url, BROOKSIDE_MAILBOX) == []
    # ...until an admin fixes the cause and resends.
    groupclinic(demo_dir, "mesh", "practice", BROOKSIDE[0], "--mailbox", BROOKSIDE_MAILBOX)
    with Clinic.open(demo_dir, create=False) as clinic:
        failed = [r.id for r in clinic.deliveries(needs_attention=True)]
    for delivery_id in failed:
        resent = groupclinic(demo_dir, "send", "--resend", str(delivery_id))
        assert f"Delivery {delivery_id} queued again." in resent.stdout
    assert resent.returncode == 0  # the last one: nothing needs attention any more
    assert len(gp_system.fetch_inbox(sandbox.url, BROOKSIDE_MAILBOX)) == len(split[BROOKSIDE[0]])
    assert {s for s, _, _ in states(demo_dir).values()} == {DeliveryStatus.SENT}


def test_a_mesh_error_report_fails_that_person_only(demo_dir: Path, sandbox) -> None:  # type: ignore[no-untyped-def]
    session_id, split, _ = hub_store(demo_dir, sandbox.url)
    assert groupclinic(demo_dir, "send", "--session", str(session_id)).returncode == 0
    with Clinic.open(demo_dir, create=False) as clinic:
        victim = clinic.deliveries()[0]
    sandbox.inject_report(
        mailbox_id=HUB_MAILBOX,
        code="EPL-151",
        description="No mailbox matched",
        workflow_id="GPFED_CONSULT_REPORT",
        status="error",
        linked_message_id=victim.mesh_message_id,
    )
    result = groupclinic(demo_dir, "send")
    assert "MESH error reports 1" in result.stdout
    now = states(demo_dir)
    assert now[victim.patient_id] == (
        DeliveryStatus.FAILED,
        "MESH could not deliver it (EPL-151: No mailbox matched)",
        True,
    )
    assert sum(1 for s, _, _ in now.values() if s == DeliveryStatus.SENT) == len(now) - 1
