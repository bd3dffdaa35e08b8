"""The Send Document message names the clinician's SDS user ID on the Practitioner (the sdsUserID
slice, GP Connect CS-036) and their SDS role profile ID on a PractitionerRole, once an admin has
recorded them; read back from the MESH sandbox as the receiving GP system would."""

from pathlib import Path

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from tests.delivery import gp_system
from tests.delivery.sandbox import BROOKSIDE_MAILBOX, HILLSIDE_MAILBOX
from tests.delivery.test_send_document import groupclinic, hub_store

SDS_USER = "https://fhir.nhs.uk/Id/sds-user-id"
SDS_ROLE = "https://fhir.nhs.uk/Id/sds-role-profile-id"


def test_the_message_names_the_clinicians_sds_ids(demo_dir: Path, sandbox) -> None:  # type: ignore[no-untyped-def]
    session_id, split, _ = hub_store(demo_dir, sandbox.url)
    with Clinic.open(demo_dir, create=False) as clinic, clinic.acting_as(SYSTEM):
        for user in clinic.staff():
            assert user.id is not None
            clinic.set_staff_sds_ids(user.id, f"1111222{user.id:05d}", f"5550864{user.id:05d}")
        ids = {u.name: (u.sds_user_id, u.sds_role_profile_id) for u in clinic.staff()}
    done = groupclinic(demo_dir, "send", "--session", str(session_id))
    assert done.returncode == 0, done.stderr + done.stdout

    inbox = [m for box in (HILLSIDE_MAILBOX, BROOKSIDE_MAILBOX)
             for m in gp_system.fetch_inbox(sandbox.url, box)]
    assert len(inbox) == sum(len(people) for people in split.values())
    for message in inbox:
        assert gp_system.validate(message) == []  # STU3 structure and Send Document rules
        document = {e["fullUrl"]: e["resource"] for e in message.document["entry"]}
        (practitioner,) = [r for r in document.values() if r["resourceType"] == "Practitioner"]
        (role,) = [r for r in document.values() if r["resourceType"] == "PractitionerRole"]
        name = practitioner["name"][0]["text"]
        assert practitioner["identifier"] == [{"system": SDS_USER, "value": ids[name][0]}]
        assert role["identifier"] == [{"system": SDS_ROLE, "value": ids[name][1]}]
        assert document[role["practitioner"]["reference"]] is practitioner
        assert document[role["organization"]["reference"]]["resourceType"] == "Organization"
        assert role["meta"]["profile"] == [
            "https://fhir.hl7.org.uk/STU3/StructureDefinition/CareConnect-PractitionerRole-1"]
        # The Composition's author is the Practitioner, never the role (STU3 allows no role).
        composition = message.document["entry"][0]["resource"]
        assert [a["reference"] for a in composition["author"]] == [
            next(url for url, r in document.items() if r is practitioner)]


def test_without_sds_ids_the_practitioner_carries_the_name_only(demo_dir: Path, sandbox) -> None:  # type: ignore[no-untyped-def]
    session_id, _, _ = hub_store(demo_dir, sandbox.url)
    done = groupclinic(demo_dir, "send", "--session", str(session_id))
    assert done.returncode == 0, done.stderr + done.stdout
    (message, *_) = gp_system.fetch_inbox(sandbox.url, HILLSIDE_MAILBOX)
    assert gp_system.validate(message) == []
    kinds = [e["resource"]["resourceType"] for e in message.document["entry"]]
    assert "PractitionerRole" not in kinds
    (practitioner,) = [e["resource"] for e in message.document["entry"]
                       if e["resource"]["resourceType"] == "Practitioner"]
    assert "identifier" not in practitioner
