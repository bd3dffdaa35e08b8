"""The FHIR R4 document bundles: valid, coded from the catalogue, one person each."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fhir.resources.R4B.bundle import Bundle  # R4B models used for R4 (no plain R4 in 8.x)

from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.views.session_record import PersonRecord, build_session_record
from groupclinic_desktop.export.fhir import person_bundle

SCHEMA = json.loads((Path(__file__).parent / "document_bundle.schema.json").read_text())
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"


def bundle_for(person: PersonRecord, version: int = 1) -> dict[str, Any]:
    return person_bundle(
        person, generated_at=datetime.now(UTC), generated_by="Alex Turner", version=version
    )


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def codes(concept: dict[str, Any], system: str) -> list[str]:
    return [c["code"] for c in concept.get("coding", []) if c["system"] == system]


@pytest.fixture
def people(demo: Clinic, finished_id: int) -> tuple[PersonRecord, ...]:
    return build_session_record(demo, finished_id).people


def test_every_bundle_validates_with_the_r4b_models_and_the_json_schema(people) -> None:  # type: ignore[no-untyped-def]
    assert len(people) == 9  # ten invited, one did not attend
    for person in people:
        for version in (1, 2):
            bundle = bundle_for(person, version)
            jsonschema.Draft202012Validator(SCHEMA).validate(bundle)
            parsed = Bundle.model_validate(bundle)
            assert parsed.type == "document"
            assert parsed.entry[0].resource.get_resource_type() == "Composition"


def test_patient_organisation_and_encounter_carry_the_nhs_identifiers(people) -> None:  # type: ignore[no-untyped-def]
    person = people[0]
    bundle = bundle_for(person)
    (patient,) = resources(bundle, "Patient")
    assert patient["identifier"] == [
        {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": person.patient.nhs_number}
    ]
    assert patient["birthDate"] == person.patient.date_of_birth.isoformat()
    (org,) = resources(bundle, "Organization")
    assert org["identifier"][0] == {
        "system": "https://fhir.nhs.uk/Id/ods-organization-code",
        "value": "Y99999",
    }
    (encounter,) = resources(bundle, "Encounter")
    assert encounter["status"] == "finished"
    names = {p["name"][0]["text"] for p in resources(bundle, "Practitioner")}
    assert {"Jo Morgan", "Dr Priya Shah"} <= names


def test_blood_pressure_is_one_observation_with_two_coded_components(people) -> None:  # type: ignore[no-untyped-def]
    person = people[0]
    bundle = bundle_for(person)
    bp = [o for o in resources(bundle, "Observation") if "75367002" in codes(o["code"], SNOMED)]
    assert len(bp) == 1
    (obs,) = bp
    assert codes(obs["code"], LOINC) == ["85354-9"]
    assert "valueQuantity" not in obs
    assert obs["meta"]["profile"][0].endswith("UKCore-Observation-VitalSigns-BloodPressure")
    systolic, diastolic = obs["component"]
    assert codes(systolic["code"], SNOMED) == ["72313002"]
    assert codes(systolic["code"], LOINC) == ["8480-6"]
    assert codes(diastolic["code"], SNOMED) == ["1091811000000102"]
    assert codes(diastolic["code"], LOINC) == ["8462-4"]
    values = {m.type_key: m.value for m in person.measurements}
    assert systolic["valueQuantity"]["value"] == values["systolic_bp"]
    assert diastolic["valueQuantity"]["value"] == values["diastolic_bp"]
    assert systolic["valueQuantity"]["code"] == "mm[Hg]"
    assert systolic["valueQuantity"]["system"] == "http://unitsofmeasure.org"


def test_every_snomed_code_is_a_confirmed_catalogue_or_programme_code(people) -> None:  # type: ignore[no-untyped-def]
    confirmed = {m.snomed_code for m in catalogue() if m.snomed_confirmed and m.snomed_code}
    confirmed |= {p.snomed_code for p in catalogue().panels if p.snomed_confirmed}
    confirmed |= {f.code for f in people[0].info.coded_findings if f.confirmed}
    found = []
    for person in people:
        text = json.dumps(bundle_for(person))
        bundle = json.loads(text)
        for obs in resources(bundle, "Observation"):
            found += codes(obs["code"], SNOMED)
            for part in obs.get("component", []):
                found += codes(part["code"], SNOMED)
    assert found
    assert set(found) <= confirmed
    # Each single reading carries the catalogue's code and UCUM unit.
    person = people[0]
    weights = [
        o
        for o in resources(bundle_for(person), "Observation")
        if codes(o["code"], SNOMED) == [catalogue().get("weight").snomed_code]
    ]
    assert weights[0]["valueQuantity"]["code"] == "kg"


def test_scores_goals_medication_and_notes_are_in_the_document(people) -> None:  # type: ignore[no-untyped-def]
    person = people[0]  # the first attendee has a metformin dose change in the demo
    bundle = bundle_for(person)
    scores = [
        o
        for o in resources(bundle, "Observation")
        if o["category"][0]["coding"][0]["code"] == "survey"
    ]
    assert {o["code"]["text"] for o in scores} >= {"SWEMWBS metric score"}
    (goal,) = resources(bundle, "Goal")
    assert goal["description"]["text"] == person.goals[0].text
    assert goal["target"][0]["dueDate"] == person.goals[0].review_date.isoformat()  # type: ignore[union-attr]
    composition = bundle["entry"][0]["resource"]
    sections = {s["title"]: s["text"]["div"] for s in composition["section"]}
    assert "Metformin" in sections["Medication changes agreed"]
    assert person.review is not None
    assert "keen to make small changes" in sections["One-to-one review"]
    assert "Documented by Dr Priya Shah" in sections["One-to-one review"]
    assert "Repeat HbA1c" in sections["Follow-up actions and safety-netting"]


def test_review_notes_are_escaped_in_the_narrative(demo: Clinic, finished_id: int) -> None:
    patient_id = build_session_record(demo, finished_id).people[0].patient_id
    with demo.acting_as(SYSTEM):
        demo.correct_review(finished_id, patient_id, "typo", notes="BP <140 & feet <ok>")
    person = build_session_record(demo, finished_id).person(patient_id)
    bundle = bundle_for(person)
    div = next(
        s["text"]["div"]
        for s in bundle["entry"][0]["resource"]["section"]
        if s["title"] == "One-to-one review"
    )
    assert "BP &lt;140 &amp; feet &lt;ok&gt;" in div
    Bundle.model_validate(bundle)


def test_a_correction_is_amended_and_names_the_document_it_replaces(people) -> None:  # type: ignore[no-untyped-def]
    first = bundle_for(people[0], 1)
    second = bundle_for(people[0], 2)
    assert first["identifier"] != second["identifier"]
    composition = second["entry"][0]["resource"]
    assert composition["status"] == "amended"
    assert "CORRECTION" in composition["title"]
    assert composition["relatesTo"][0]["code"] == "replaces"
    assert composition["relatesTo"][0]["targetIdentifier"]["value"] == first["identifier"]["value"]


def test_a_bundle_holds_one_person_only(people) -> None:  # type: ignore[no-untyped-def]
    for person in people:
        text = json.dumps(bundle_for(person))
        for other in people:
            if other is person:
                continue
            assert other.patient.nhs_number not in text
            assert other.patient.family_name not in text
            assert other.patient.given_name not in text
