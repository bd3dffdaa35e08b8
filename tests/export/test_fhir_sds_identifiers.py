"""Staff SDS identifiers: validated and audited when an admin sets them, and named on the
Practitioner and PractitionerRole of the R4 GP-record bundle, which still passes the validator."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from groupclinic_desktop.core import store
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError, InvalidInput
from groupclinic_desktop.core.schema import Role
from groupclinic_desktop.export.fhir import person_bundle

from .conftest import sign_in
from .fhir_validator.check import assert_valid

SDS_USER = "https://fhir.nhs.uk/Id/sds-user-id"
SDS_ROLE = "https://fhir.nhs.uk/Id/sds-role-profile-id"


def staff_named(clinic: Clinic, name: str) -> int:
    (user,) = [u for u in clinic.staff(active_only=False) if u.name == name]
    assert user.id is not None
    return user.id


def test_an_admin_sets_sds_ids_checked_and_audited(admin: Clinic) -> None:
    shah = staff_named(admin, "Dr Priya Shah")
    user = admin.set_staff_sds_ids(shah, " 1111 2222 3333 ", "555086415105")
    assert (user.sds_user_id, user.sds_role_profile_id) == ("111122223333", "555086415105")
    entry = admin.audit_entries()[-1]
    assert (entry.action, entry.entity, entry.user_name) == ("update", "staff_user", "Alex Turner")
    assert entry.before["sds_user_id"] is None  # type: ignore[index]
    assert entry.after["sds_user_id"] == "111122223333"  # type: ignore[index]
    assert entry.after["sds_role_profile_id"] == "555086415105"  # type: ignore[index]

    audited = len(admin.audit_entries())
    for user_id, role_id, message in [
        ("11112222333X", None, "SDS user ID: '11112222333X' must be digits only."),
        ("12345678", None, "SDS user ID: '12345678' has 8 digits; an SDS ID has 9 to 12."),
        (None, "5550864151050", "SDS role profile ID: '5550864151050' has 13 digits; an SDS ID "
                                "has 9 to 12."),
        ("１１１１２２２２３３", None, "SDS user ID: '１１１１２２２２３３' must be digits only."),
    ]:
        with pytest.raises(InvalidInput) as refused:
            admin.set_staff_sds_ids(shah, user_id, role_id)
        assert str(refused.value) == message
        assert "\n" not in str(refused.value)
    # Refused input leaves the store exactly as it was.
    kept = next(u for u in admin.staff() if u.id == shah)
    assert (kept.sds_user_id, kept.sds_role_profile_id) == ("111122223333", "555086415105")
    assert len(admin.audit_entries()) == audited
    # A blank clears them.
    cleared = admin.set_staff_sds_ids(shah, "", "  ")
    assert (cleared.sds_user_id, cleared.sds_role_profile_id) == (None, None)


def test_only_an_admin_sets_sds_ids(demo: Clinic) -> None:
    sign_in(demo, Role.CLINICIAN)
    with pytest.raises(ClinicError):
        demo.set_staff_sds_ids(staff_named(demo, "Dr Priya Shah"), "111122223333", None)


def test_the_r4_bundle_names_sds_ids_and_passes_the_validator(
    admin: Clinic, finished_id: int
) -> None:
    before = admin.session_record(finished_id).people[0]
    plain = person_bundle(before, generated_at=datetime.now(UTC), generated_by="Alex Turner",
                          version=1)
    for entry in plain["entry"]:
        assert "identifier" not in entry["resource"] or entry["resource"]["resourceType"] not in (
            "Practitioner", "PractitionerRole")  # nothing set, nothing named
    ids = {}
    for n, user in enumerate(admin.staff(), start=1):
        assert user.id is not None
        ids[user.name] = (f"11112222{n:04d}", f"55508641{n:04d}")
        admin.set_staff_sds_ids(user.id, *ids[user.name])
    bundles = [
        person_bundle(person, generated_at=datetime.now(UTC), generated_by="Alex Turner",
                      version=1)
        for person in admin.session_record(finished_id).people
    ]
    named = 0
    for b in bundles:
        resources = {e["fullUrl"]: e["resource"] for e in b["entry"]}
        for resource in resources.values():
            if resource["resourceType"] == "Practitioner":
                name = resource["name"][0]["text"]
                assert resource["identifier"] == [{"system": SDS_USER, "value": ids[name][0]}]
                named += 1
            if resource["resourceType"] == "PractitionerRole":
                name = resources[resource["practitioner"]["reference"]]["name"][0]["text"]
                assert resource["identifier"] == [{"system": SDS_ROLE, "value": ids[name][1]}]
    assert named
    assert_valid(bundles)


def test_the_migration_keeps_every_staff_row(demo_dir, demo: Clinic) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    before = [(u.id, u.name, u.role, u.pin_hash, u.profession)
              for u in demo.staff(active_only=False)]
    command.downgrade(store.alembic_config(demo.engine), "0007")
    demo.close()
    with Clinic.open(demo_dir, create=False) as clinic:  # opening migrates it up again
        assert store.current_revision(clinic.engine) == store.head_revision()
        after = clinic.staff(active_only=False)
        assert [(u.id, u.name, u.role, u.pin_hash, u.profession) for u in after] == before
        assert {(u.sds_user_id, u.sds_role_profile_id) for u in after} == {(None, None)}
