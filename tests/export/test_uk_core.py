"""The UK Core constraints listed in shared/reference/uk-core-and-send-document.md, checked on
every bundle the exports make: a profile is claimed only if it exists in that release and the
resource meets what the profile fixes."""

from __future__ import annotations

from typing import Any

UKCORE = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

# Section 1.1: profiles in the STU3 build (active or draft). There is no UKCore-Goal.
EXISTING = {
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Organization",
    "Encounter",
    "Composition",
    "Observation",
    "ServiceRequest",
    "CarePlan",
    "QuestionnaireResponse",
    "DocumentReference",
    "Bundle",
    "MessageHeader",
    "Observation-VitalSigns",
    "Observation-VitalSigns-BloodPressure",
    "Observation-VitalSigns-HeartRate",
    "Observation-VitalSigns-BodyWeight",
    "Observation-VitalSigns-BodyHeight",
    "Observation-VitalSigns-BMI",
    "Observation-VitalSigns-OxygenSaturation",
    "Observation-VitalSigns-BodyTemperature",
    "Observation-VitalSigns-RespirationRate",
}

# Section 1.3: each child profile's fixed LOINC code and valueQuantity unit text / code
# (None: the profile does not fix it).
CHILDREN = {
    "Observation-VitalSigns-HeartRate": ("8867-4", "per minute", "/min"),
    "Observation-VitalSigns-BodyWeight": ("29463-7", "kilogram", "kg"),
    "Observation-VitalSigns-BodyHeight": ("8302-2", None, None),
    "Observation-VitalSigns-BMI": ("39156-5", None, "kg/m2"),
    "Observation-VitalSigns-OxygenSaturation": ("2708-6", "percent", "%"),
}
DISTANCE_UNITS = {"m", "cm", "mm", "[in_i]", "[ft_i]"}
BP_SLICES = {
    "Systolic blood pressure": ("8480-6", {"72313002", "163030003", "271649006"}),
    "Diastolic blood pressure": ("8462-4", {"1091811000000102", "163031004", "271650006"}),
}


def codings(concept: dict[str, Any], system: str) -> list[dict[str, Any]]:
    return [c for c in concept.get("coding", []) if c.get("system") == system]


def claimed(resource: dict[str, Any]) -> list[str]:
    return [
        url.removeprefix(UKCORE)
        for url in resource.get("meta", {}).get("profile", [])
        if url.startswith(UKCORE)
    ]


def check_vital_signs(obs: dict[str, Any], name: str) -> None:
    """UKCore-Observation-VitalSigns v1.1.1, inherited by every child profile."""
    assert obs["status"] == "final", name
    (category,) = obs["category"]
    assert codings(category, CATEGORY) and codings(category, CATEGORY)[0]["code"] == "vital-signs"
    (loinc,) = codings(obs["code"], LOINC)  # the loinc slice is 1..1 (ukcore-obs-vs-001)
    assert codings(obs["code"], SNOMED), f"{name}: the snomedCT slice is 1..*"
    assert obs["subject"]["reference"] and obs["effectiveDateTime"]
    if name in CHILDREN:
        code, unit, ucum = CHILDREN[name]
        assert loinc["code"] == code, name
        quantity = obs["valueQuantity"]
        assert quantity["system"] == UCUM
        if unit is not None:
            assert quantity["unit"] == unit, name
        if ucum is not None:
            assert quantity["code"] == ucum, name
        if name == "Observation-VitalSigns-BodyHeight":
            assert quantity["code"] in DISTANCE_UNITS
    if name == "Observation-VitalSigns-BloodPressure":
        assert loinc["code"] == "85354-9"
        assert not any(key.startswith("value") for key in obs), "value[x] is max 0"
        components = obs["component"]
        assert 1 <= len(components) <= 2
        texts = [c["code"]["text"] for c in components]
        assert "Systolic blood pressure" in texts  # SystolicBP is 1..1
        assert set(texts) <= set(BP_SLICES)  # a closed slice on code.text
        for component in components:
            text = component["code"]["text"]
            code, snomed = BP_SLICES[text]
            (c_loinc,) = codings(component["code"], LOINC)
            assert (c_loinc["code"], c_loinc["display"]) == (code, text)
            assert {c["code"] for c in codings(component["code"], SNOMED)} & snomed
            quantity = component["valueQuantity"]
            assert (quantity["unit"], quantity["system"], quantity["code"]) == (
                "millimeter of mercury",
                UCUM,
                "mm[Hg]",
            )


def test_bundles_claim_only_uk_core_profiles_that_exist_and_meet_their_constraints(
    every_bundle: list[dict],
) -> None:
    seen: set[str] = set()
    for bundle in every_bundle:
        for entry in bundle["entry"]:
            resource = entry["resource"]
            for name in claimed(resource):
                assert name in EXISTING, f"UKCore-{name} is not in the UK Core release"
                assert name.split("-")[0] == resource["resourceType"]
                seen.add(name)
                if name.startswith("Observation-VitalSigns"):
                    check_vital_signs(resource, name)
            if resource["resourceType"] == "Goal":
                assert not claimed(resource)  # no UKCore-Goal exists
    # The demo and today's session reach the vital-sign profiles the catalogue can meet.
    assert {
        "Observation-VitalSigns-BloodPressure",
        "Observation-VitalSigns-HeartRate",
        "Observation-VitalSigns-BodyWeight",
        "Observation-VitalSigns-BodyHeight",
        "Observation-VitalSigns-BMI",
    } <= seen
    # SpO2's SNOMED CT code is unconfirmed, so it cannot meet the snomedCT slice: no claim.
    assert "Observation-VitalSigns-OxygenSaturation" not in seen


def test_identifiers_and_document_type_follow_uk_core(every_bundle: list[dict]) -> None:
    for bundle in every_bundle:
        resources = [e["resource"] for e in bundle["entry"]]
        (patient,) = [r for r in resources if r["resourceType"] == "Patient"]
        nhs = [
            i for i in patient["identifier"] if i["system"] == "https://fhir.nhs.uk/Id/nhs-number"
        ]
        assert len(nhs) == 1 and len(nhs[0]["value"]) == 10  # nhsNumber slice: max 1, value 1..1
        for org in (r for r in resources if r["resourceType"] == "Organization"):
            systems = {i["system"] for i in org["identifier"]}
            assert systems == {"https://fhir.nhs.uk/Id/ods-organization-code"}
        composition = resources[0]
        # Section 1.4: a coded document type from the UK Core DocumentType value set.
        assert codings(composition["type"], SNOMED)[0]["code"] == "371531000"
