"""Every bundle the exports make passes a validator built from the official FHIR R4
StructureDefinitions (with their FHIRPath invariants), and says what a receiving GP system needs:
unique documents, the session's times, only changed items amended, flags, attendance."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from groupclinic_desktop import __version__
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.targets import PersonalLevel
from groupclinic_desktop.core.views.session_record import PersonRecord, build_session_record
from groupclinic_desktop.export import interpretation
from groupclinic_desktop.export.batch import export_session
from groupclinic_desktop.export.fhir import person_bundle

from .conftest import exported
from .fhir_validator.check import assert_valid, schema_errors, validate_bundles
from .sessions import Built, build_session_without_staff

LONDON = ZoneInfo("Europe/London")


def bundle(person: PersonRecord, version: int = 1, **kwargs: Any) -> dict[str, Any]:
    return person_bundle(
        person,
        generated_at=datetime.now(UTC),
        generated_by="Alex Turner",
        version=version,
        **kwargs,
    )


def entries(b: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == kind]


def observation(b: dict[str, Any], loinc: str) -> dict[str, Any]:
    """The last Observation with this LOINC code (a height then a weight each make a BMI)."""
    *_, found = [
        o
        for o in entries(b, "Observation")
        if any(c["code"] == loinc for c in o["code"].get("coding", []))
    ]
    return found


def test_every_bundle_passes_the_r4_validator(every_bundle: list[dict]) -> None:
    assert len(every_bundle) == 10 + 1 + 4 + 1
    assert_valid(every_bundle)


def test_the_validator_fails_a_broken_bundle(demo: Clinic, finished_id: int) -> None:
    """Negative control: an empty array and a Composition id that is not its fullUrl's."""
    good = bundle(build_session_record(demo, finished_id).people[0])
    broken = copy.deepcopy(good)
    entries(broken, "Observation")[0]["performer"] = []
    broken["entry"][0]["resource"]["id"] = entries(broken, "Patient")[0]["id"]
    wrong_status = copy.deepcopy(good)
    entries(wrong_status, "Observation")[0]["status"] = "done"  # not in the required value set
    # A weight without its time: base R4 allows it, the R4 bodyweight profile does not.
    no_time = copy.deepcopy(good)
    del observation(no_time, "29463-7")["effectiveDateTime"]
    result = validate_bundles([good, broken, wrong_status, no_time])
    assert result[0] == []
    assert any("empty array" in issue for issue in result[1])
    assert any("disagrees with fullUrl" in issue for issue in result[1])
    assert any("'done' is not in the required value set" in issue for issue in result[2])
    assert any("bodyweight" in issue and "effective" in issue for issue in result[3])
    # An invariant: a document Bundle without its timestamp breaks bdl-10.
    no_date = copy.deepcopy(good)
    del no_date["timestamp"]
    assert any("bdl-10" in issue for issue in validate_bundles([no_date])[0])
    # The official R4 JSON Schema: an unknown element and a malformed date fail it.
    assert schema_errors(good) == []
    odd = copy.deepcopy(good)
    entries(odd, "Patient")[0]["birthDate"] = "19-07-1975"
    entries(odd, "Encounter")[0]["performer"] = "nobody"
    found = schema_errors(odd)
    assert any("birthDate" in e for e in found) and any("performer" in e for e in found)
    with pytest.raises(AssertionError):
        assert_valid([broken])


def test_composition_ids_are_unique_across_a_sessions_bundles_and_equal_their_full_urls(
    every_bundle: list[dict],
) -> None:
    ids = []
    for b in every_bundle:
        first = b["entry"][0]
        assert first["resource"]["resourceType"] == "Composition"
        assert first["fullUrl"] == f"urn:uuid:{first['resource']['id']}"
        ids.append(first["resource"]["id"])
        other_ids = {e["resource"]["id"] for e in b["entry"][1:]}
        assert first["resource"]["id"] not in other_ids
    assert len(ids) == len(set(ids))
    identifiers = [b["identifier"]["value"] for b in every_bundle]
    assert len(identifiers) == len(set(identifiers))


# Times that are not clinical: when the document was made, birth dates, goal review dates.
NOT_CLINICAL = {"timestamp", "date", "birthDate", "dueDate"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?)?$")


def _dates(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in ("div",):
                yield from _dates(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _dates(v, key)
    elif isinstance(value, str) and DATE.match(value) and key not in NOT_CLINICAL:
        yield key, value


def test_every_date_in_a_bundle_is_the_sessions_in_the_practice_time_zone(
    demo: Clinic, every_bundle: list[dict]
) -> None:
    days = {s.uid: s.day for s in demo.sessions()}
    checked = 0
    for b in every_bundle:
        (encounter,) = entries(b, "Encounter")
        start = datetime.fromisoformat(encounter["period"]["start"])
        end = datetime.fromisoformat(encounter["period"]["end"])
        assert end > start  # the session's length, not a moment
        day = start.date()
        assert day in days.values()
        for key, text in _dates(b):
            if "T" not in text:
                assert text == day.isoformat(), key
                continue
            when = datetime.fromisoformat(text)
            assert when.tzinfo is not None and not text.endswith("Z"), (key, text)
            # The practice's offset on that day (+01:00 in summer, +00:00 in winter).
            assert when.utcoffset() == when.astimezone(LONDON).utcoffset(), (key, text)
            assert start <= when <= end, (key, text)
            checked += 1
        composition = b["entry"][0]["resource"]
        assert datetime.fromisoformat(composition["date"]).utcoffset() is not None
    assert checked > 50


def test_a_session_with_no_staff_exports_to_fhir_authored_by_the_practice(
    demo: Clinic, tmp_path: Path
) -> None:
    sid = build_session_without_staff(demo)
    with demo.acting_as(SYSTEM):
        export_session(demo, sid, tmp_path)
    (b,) = exported(tmp_path)
    composition = b["entry"][0]["resource"]
    (org,) = entries(b, "Organization")
    assert composition["author"] == [{"reference": f"urn:uuid:{org['id']}"}]
    assert not entries(b, "Practitioner")
    assert_valid([b])


def test_a_correction_amends_only_what_changed_and_keeps_the_documents_identity(
    demo: Clinic, finished_id: int, tmp_path: Path
) -> None:
    with demo.acting_as(SYSTEM):
        export_session(demo, finished_id, tmp_path / "first")
        person = build_session_record(demo, finished_id).people[0]
        demo.correct_review(finished_id, person.patient_id, "Typo", notes="Corrected note.")
        export_session(demo, finished_id, tmp_path / "second", correction=True)
    (second,) = exported(tmp_path / "second")
    first = next(
        b
        for b in exported(tmp_path / "first")
        if entries(b, "Patient")[0]["id"] == entries(second, "Patient")[0]["id"]
    )
    old, new = first["entry"][0]["resource"], second["entry"][0]["resource"]
    assert new["identifier"] == old["identifier"]  # the same document
    assert new["id"] != old["id"] and second["identifier"] != first["identifier"]
    assert new["relatesTo"] == [{"code": "replaces", "targetIdentifier": first["identifier"]}]
    statuses = {
        (o["category"][0]["coding"][0]["code"], o["status"]) for o in entries(second, "Observation")
    }
    # The review's findings changed; the measurements and scores did not.
    assert ("exam", "amended") in statuses
    assert ("vital-signs", "final") in statuses and ("vital-signs", "amended") not in statuses
    assert ("survey", "final") in statuses and ("survey", "amended") not in statuses


def test_vital_signs_carry_loinc_and_abnormal_values_are_flagged(
    demo: Clinic, built: Built
) -> None:
    record = build_session_record(demo, built.session_id)
    full = bundle(record.person(built.full))
    for loinc in ("29463-7", "8302-2", "39156-5", "8867-4", "2708-6", "85354-9"):
        assert observation(full, loinc)["category"][0]["coding"][0]["code"] == "vital-signs"
    bp = observation(full, "85354-9")
    assert "valueQuantity" not in bp
    systolic = next(c for c in bp["component"] if c["code"]["text"] == "Systolic blood pressure")
    assert systolic["interpretation"][0]["coding"][0]["code"] == "H"  # 152: above 140
    assert bp["interpretation"][0]["coding"][0]["code"] == "H"
    hba1c = next(o for o in entries(full, "Observation") if o["code"].get("text") == "HbA1c")
    assert hba1c["interpretation"][0]["coding"][0]["code"] == "H"  # 62 mmol/mol
    pulse = observation(full, "8867-4")
    assert "interpretation" not in pulse
    assert pulse["valueQuantity"]["unit"] == "per minute"
    red = observation(bundle(record.person(built.red_flag)), "85354-9")
    assert red["interpretation"][0]["coding"][0]["code"] == "HH"  # 185/125: tell the clinician
    assert all(o.get("performer", [None]) != [] for o in entries(full, "Observation"))


def test_attendance_carer_signposting_bmi_and_app_version_are_in_the_bundle(
    demo: Clinic, built: Built
) -> None:
    record = build_session_record(demo, built.session_id)
    full = bundle(record.person(built.full))
    text = json.dumps(full)
    assert "Attended group consultation" in text
    assert "A carer was present." in text
    assert full["meta"]["source"] == f"urn:groupclinic-desktop:{__version__}"
    assert f"GroupClinic Desktop {__version__}" in text
    (request,) = entries(full, "ServiceRequest")
    assert (request["status"], request["intent"]) == ("active", "order")
    # Weighed today, height from a month ago: the BMI says how it was worked out.
    earlier = bundle(record.person(built.earlier_height))
    bmi = observation(earlier, "39156-5")
    assert "earlier height" in bmi["note"][-1]["text"]
    assert "note" not in observation(full, "39156-5")  # height taken in the session


def test_a_person_who_did_not_attend_gets_a_short_dna_record(demo: Clinic, built: Built) -> None:
    record = build_session_record(demo, built.session_id)
    (absent,) = [p for p in record.absent if p.patient_id == built.absent]
    b = bundle(absent)
    (encounter,) = entries(b, "Encounter")
    assert encounter["status"] == "cancelled"
    assert not entries(b, "Observation")
    composition = b["entry"][0]["resource"]
    assert [s["title"] for s in composition["section"]] == ["Attendance and consent"]
    assert "Did not attend group consultation" in composition["section"][0]["text"]["div"]
    assert_valid([b])


def test_hostile_text_still_makes_a_valid_bundle(demo: Clinic, finished_id: int) -> None:
    """Markup, formulas, control characters and a very long name: escaped or dropped."""
    person = build_session_record(demo, finished_id).people[0]
    assert person.review is not None
    review = person.review.model_copy(
        update={"notes": "<script>alert(1)</script> =cmd|'/C calc'!A0 \x00\x07 & done"}
    )
    patient = person.patient.model_copy(update={"family_name": "O'Brien-" + "x" * 240})
    b = bundle(replace(person, reviews=(review, *person.reviews[1:]), patient=patient))
    text = json.dumps(b)
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "\\u0000" not in text and "\\u0007" not in text
    assert_valid([b])


def test_flags_come_from_the_targets_and_the_red_flag_table(demo: Clinic, finished_id: int) -> None:
    person = build_session_record(demo, finished_id).people[0]
    assert interpretation.flag(person, "spo2", 90) == "LL"  # NEWS2 red: 91% or lower
    assert interpretation.flag(person, "systolic_bp", 225) == "HH"
    assert interpretation.flag(person, "systolic_bp", 85) == "LL"  # NEWS2 red: 90 or lower
    assert interpretation.flag(person, "systolic_bp", 120) is None
    assert interpretation.flag(person, "hdl", 0.5) == "L"  # below the HDL target
    assert interpretation.flag(person, "hba1c", 47) is None
    own = replace(person, personal_targets={"hba1c": PersonalLevel(below=58)})
    assert interpretation.flag(own, "hba1c", 55) is None  # a relaxed personal target
    assert interpretation.flag(person, "hba1c", 55) == "H"
