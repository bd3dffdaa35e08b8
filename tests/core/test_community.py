"""Community directory, signposting and the patient-details facade, against a real store."""

from datetime import date
from pathlib import Path

import pytest

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed

PINS = {"facilitator": "2468", "clinician": "1357", "admin": "9753"}


def sign_in(clinic: Clinic, role: str) -> None:
    user = next(u for u in clinic.staff() if u.role == role)
    clinic.sign_in(user.id, PINS[role])


@pytest.fixture
def running(demo: Clinic) -> int:
    session = demo.sessions(day=date.today())[0]
    sign_in(demo, "facilitator")
    demo.start_session(session.id)
    return session.id


def test_directory_entry_is_added_edited_and_retired_with_audit(demo: Clinic) -> None:
    sign_in(demo, "admin")
    before = len(demo.audit_entries())
    walk = demo.add_resource(
        "Riverside Strollers",
        offers="Gentle 30-minute walks",
        when_where="Tuesdays 10am, from the library",
        contact="01632 960000",
        organisation="Riverside Trust",
        kind="Walking group",
    )
    assert walk.kind == "walking_group"
    demo.update_resource(walk.id, when_where="Tuesdays 11am, from the library")
    demo.deactivate_resource(walk.id)
    assert demo.community_resource(walk.id).when_where.startswith("Tuesdays 11am")
    assert demo.community_resources(active_only=True) == []
    assert len(demo.audit_entries()) == before + 3


def test_directory_refuses_a_nameless_entry_and_an_unknown_kind(demo: Clinic) -> None:
    sign_in(demo, "facilitator")
    with pytest.raises(InvalidInput, match="Name: must not be empty"):
        demo.add_resource("  ")
    with pytest.raises(InvalidInput, match="Kind: 'bingo' is not one of"):
        demo.add_resource("Bingo club", kind="bingo")


def test_a_clinician_cannot_change_the_directory(demo: Clinic) -> None:
    sign_in(demo, "clinician")
    with pytest.raises(NotAllowed, match="community directory"):
        demo.add_resource("Peer café")


def test_signposting_is_audited_and_sent_as_a_kind_not_a_name(demo: Clinic, running: int) -> None:
    sign_in(demo, "admin")
    entry = demo.add_resource("Carers Hub", kind="carers_support", organisation="Carers UK")
    sign_in(demo, "clinician")
    person = demo.roster(running)[0].patient
    events = len(demo.outbox_events())
    row = demo.signpost(running, person.id, entry.id, "referred", "Would like a carers' assessment")
    assert row.kind == "referred" and row.by_id is not None
    assert [s.id for s in demo.signposts(patient_id=person.id)] == [row.id]
    new = demo.outbox_events()[events:]
    assert [e.type for e in new] == ["signposting"]
    assert "Carers Hub" not in str(new[0].payload) and "assessment" not in str(new[0].payload)
    assert any(a.entity == "signposting" for a in demo.audit_entries(patient_id=person.id))


def test_signposting_to_a_retired_entry_or_with_a_made_up_kind_is_refused(
    demo: Clinic, running: int
) -> None:
    sign_in(demo, "admin")
    entry = demo.add_resource("Old group")
    demo.deactivate_resource(entry.id)
    sign_in(demo, "facilitator")
    person = demo.roster(running)[0].patient
    with pytest.raises(InvalidInput, match="no longer active"):
        demo.signpost(running, person.id, entry.id)
    sign_in(demo, "admin")
    live = demo.add_resource("New group")
    sign_in(demo, "facilitator")
    with pytest.raises(InvalidInput, match="not one of signposted, referred"):
        demo.signpost(running, person.id, live.id, "prescribed")


def test_signposting_counts_by_entry_for_the_programme(demo: Clinic, running: int) -> None:
    sign_in(demo, "admin")
    walk = demo.add_resource("Strollers", kind="walking_group")
    cafe = demo.add_resource("Peer café", kind="peer_support")
    sign_in(demo, "facilitator")
    people = [e.patient for e in demo.roster(running)]
    demo.signpost(running, people[0].id, walk.id)
    demo.signpost(running, people[1].id, walk.id)
    demo.signpost(running, people[1].id, cafe.id, "referred")
    programme_id = demo.session(running).programme_id
    assert demo.signposting_counts(programme_id) == {
        "Peer café": {"signposted": 0, "referred": 1},
        "Strollers": {"signposted": 2, "referred": 0},
    }


def test_csv_export_then_import_round_trips_and_updates_by_name(
    demo: Clinic, tmp_path: Path
) -> None:
    sign_in(demo, "admin")
    demo.add_resource("=Strollers", offers="Walks, with tea", kind="walking_group")
    demo.add_resource("Peer café", organisation="Diabetes UK", kind="peer_support")
    out = demo.export_resources_csv(tmp_path / "directory.csv")
    text = out.read_text(encoding="utf-8-sig")
    assert (
        text.splitlines()[0]
        == "Name,What it offers,When and where,Contact,Organisation,Kind,Active"
    )
    assert "'=Strollers" in text  # never a live spreadsheet formula
    edited = text.replace("Walks, with tea", "Walks and tea")
    (tmp_path / "edited.csv").write_text(
        edited + "Money Matters,Benefits advice,,,Citizens Advice,voluntary service,yes\r\n",
        encoding="utf-8",
    )
    counts = demo.import_resources_csv(tmp_path / "edited.csv")
    # "'=Strollers" reads back as a new name: the guard makes it plain text in spreadsheets.
    assert counts["created"] == 2 and counts["unchanged"] == 1
    names = [r.name for r in demo.community_resources()]
    assert "Money Matters" in names and "Peer café" in names


def test_csv_import_is_all_or_nothing_with_row_and_column_reasons(
    demo: Clinic, tmp_path: Path
) -> None:
    sign_in(demo, "admin")
    path = tmp_path / "bad.csv"
    path.write_text(
        "Name,Kind,Active,Colour\n"
        "Strollers,walking group,yes,red\n"
        ",peer support,yes,blue\n"
        "Café,knitting,maybe,\n",
        encoding="utf-8",
    )
    audit = len(demo.audit_entries())
    with pytest.raises(InvalidInput) as refused:
        demo.import_resources_csv(path)
    message = str(refused.value)
    assert "nothing was imported" in message
    assert "Row 1, column 'Colour'" in message
    assert "Row 3, column 'Name', value (empty): must not be empty" in message
    assert "Row 4, column 'Kind', value 'knitting'" in message
    assert "Row 4, column 'Active', value 'maybe'" in message
    assert demo.community_resources() == [] and len(demo.audit_entries()) == audit


def test_patient_details_not_stated_is_a_real_answer(demo: Clinic) -> None:
    sign_in(demo, "facilitator")
    person = demo.patients()[0]
    demo.update_patient_details(
        person.id,
        ethnic_category="k",
        imd_decile="3",
        preferred_language="Urdu",
        interpreter_needed="yes",
        is_carer=False,
    )
    row = demo.patient(person.id)
    assert (row.ethnic_category, row.imd_decile, row.imd_quintile) == ("K", 3, 2)
    assert (row.preferred_language, row.interpreter_needed, row.is_carer) == ("ur", True, False)
    demo.update_patient_details(
        person.id,
        ethnic_category="",
        imd_decile=None,
        imd_quintile=None,
        preferred_language="",
        interpreter_needed="not stated",
        is_carer=None,
    )
    row = demo.patient(person.id)
    stated = (row.ethnic_category, row.imd_decile, row.imd_quintile, row.preferred_language)
    assert stated == (None, None, None, None)
    assert row.interpreter_needed is None and row.is_carer is None
    updates = [a for a in demo.audit_entries(patient_id=person.id) if a.entity == "patient"]
    assert updates[-1].before["ethnic_category"] == "K" and updates[-1].after["imd_decile"] is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ethnic_category": "Q"}, "Ethnic category: 'Q' is not an NHS Data Dictionary"),
        ({"imd_decile": 11}, "IMD decile: '11' is not a whole number from 1 to 10"),
        ({"imd_quintile": "0"}, "IMD quintile: '0' is not a whole number from 1 to 5"),
        ({"imd_decile": 9, "imd_quintile": 1}, "IMD quintile: 1 does not match decile 9"),
        ({"preferred_language": "Klingon!"}, "Preferred language: 'klingon!' is not an ISO"),
        ({"interpreter_needed": "sometimes"}, "Interpreter needed: answer yes, no or not"),
        ({"nhs_number": "9990000018"}, "'nhs_number' is not a detail"),
        ({"given_name": " "}, "First name: must not be empty"),
    ],
)
def test_patient_details_refuse_bad_values_and_change_nothing(
    demo: Clinic, fields: dict[str, object], message: str
) -> None:
    sign_in(demo, "clinician")
    person = demo.patients()[0]
    audit = len(demo.audit_entries())
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace("!", "!")):
        demo.update_patient_details(person.id, **fields)
    assert len(demo.audit_entries()) == audit


def test_a_quintile_alone_is_sent_in_the_monitoring_dataset(demo: Clinic) -> None:
    from groupclinic_desktop.sync.payloads import imd_quintile

    sign_in(demo, "admin")
    person = demo.patients()[0]
    demo.update_patient_details(person.id, imd_decile=None, imd_quintile=4)
    row = demo.patient(person.id)
    assert imd_quintile(row.imd_decile, row.imd_quintile) == "4"


def test_the_signposting_coding_is_unconfirmed_so_exports_carry_text_only() -> None:
    from groupclinic_desktop.core.community import coding, monitoring_kind

    assert coding("referred").export_code == "" and coding("signposted").export_code == ""
    assert coding("referred").term
    assert monitoring_kind("walking_group") == "physical_activity"
    assert monitoring_kind("something new") == "other"
