"""resources/monitoring/dataset.toml (what IG leads read) says exactly what the service enforces."""

from __future__ import annotations

import tomllib
import types
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import pytest

from icb_service.protocol import AGE_BANDS, PAYLOAD_SCHEMAS, PROTOCOL_VERSION, age_band

DATASET = Path(__file__).resolve().parents[2] / "resources" / "monitoring"


@pytest.fixture(scope="module")
def dataset() -> dict[str, Any]:
    with (DATASET / "dataset.toml").open("rb") as handle:
        return tomllib.load(handle)


def literal_values(annotation: Any) -> set[str]:
    """Every string a Literal inside this annotation allows (through Optional, list, Annotated)."""
    if get_origin(annotation) is Literal:
        return {str(value) for value in get_args(annotation)}
    found: set[str] = set()
    wrapper = get_origin(annotation) in (Union, types.UnionType, list, dict)
    if wrapper or hasattr(annotation, "__metadata__"):
        for arg in get_args(annotation):
            found |= literal_values(arg)
    return found


def documented_schema(dataset: dict[str, Any], event_type: str, version: int) -> dict[str, Any]:
    """The current schema of a type in [events], or an earlier one still accepted in [earlier]."""
    current = dataset["events"][event_type]
    if current["schema_version"] == version:
        return current
    (earlier,) = [e for e in dataset["earlier"][event_type] if e["schema_version"] == version]
    return {**earlier, "has_subject": current["has_subject"]}


def test_every_event_type_and_field_matches_the_protocol(dataset: dict[str, Any]) -> None:
    assert dataset["dataset"]["protocol_version"] == PROTOCOL_VERSION
    documented = {(name, spec["schema_version"]) for name, spec in dataset["events"].items()}
    for name, specs in dataset["earlier"].items():
        documented |= {(name, spec["schema_version"]) for spec in specs}
    assert documented == set(PAYLOAD_SCHEMAS)
    for (event_type, version), model in PAYLOAD_SCHEMAS.items():
        spec = documented_schema(dataset, event_type, version)
        fields = {f["name"]: f for f in spec["fields"]}
        assert list(fields) == list(model.model_fields), event_type
        for name, info in model.model_fields.items():
            assert fields[name]["required"] == info.is_required(), f"{event_type}.{name}"
            assert set(fields[name].get("allowed", [])) == literal_values(info.annotation), (
                f"{event_type}.{name}"
            )
        assert spec["has_subject"] == ("subject" in model.model_fields)


def test_protocol_3_keeps_versions_1_and_2_for_the_stated_period(
    dataset: dict[str, Any], tmp_path: Path
) -> None:
    """The versions and the retirement date agree in dataset.toml, dataset.md, the protocol
    models, the service's health answer and its OpenAPI document."""
    import datetime as dt

    from fastapi.testclient import TestClient

    from icb_service.app import create_app
    from icb_service.db import open_database
    from icb_service.protocol import (
        RETIRING_PROTOCOL_VERSIONS,
        SUPPORTED_PROTOCOL_VERSIONS,
        protocol_refusal,
    )

    info = dataset["dataset"]
    assert PROTOCOL_VERSION == 3 and info["accepted_protocol_versions"] == [1, 2, 3]
    assert tuple(info["accepted_protocol_versions"]) == SUPPORTED_PROTOCOL_VERSIONS
    until = info["accepted_until"]["1"]
    assert {1: until, 2: until} == RETIRING_PROTOCOL_VERSIONS and until == dt.date(2027, 6, 30)
    text = (DATASET / "dataset.md").read_text(encoding="utf-8")
    assert "protocol 3" in text and "30 June 2027" in text
    # Versions 1 and 2 are accepted up to and including that day, and refused (409) the day after.
    assert all(protocol_refusal(v, until) is None for v in (1, 2, 3))
    assert "retired" in (protocol_refusal(1, until + dt.timedelta(days=1)) or "")
    assert "retired" in (protocol_refusal(2, until + dt.timedelta(days=1)) or "")
    assert protocol_refusal(3, until + dt.timedelta(days=400)) is None
    assert "not_supported" in (protocol_refusal(4, until) or "")

    engine = open_database(f"sqlite:///{tmp_path / 'icb.sqlite3'}")
    client = TestClient(create_app(engine=engine))
    health = client.get("/v1/health").json()
    if dt.date.today() <= until:
        assert health["protocol_versions"] == [1, 2, 3]
        assert health["retiring_protocol_versions"] == {
            "1": until.isoformat(), "2": until.isoformat()
        }
    document = client.get("/openapi.json").json()
    assert "30 June 2027" in document["info"]["description"]
    assert document["components"]["schemas"]["SessionPayloadV2"]["x-schema-version"] == 2
    assert document["components"]["schemas"]["AttendancePayloadV2"]["x-schema-version"] == 2
    assert document["components"]["schemas"]["SessionPayloadV3"]["x-schema-version"] == 3
    assert document["components"]["schemas"]["StaffExperiencePayload"]["x-schema-version"] == 1


def test_age_bands_match_the_banding_function(dataset: dict[str, Any]) -> None:
    bands = dataset["age_bands"]["bands"]
    assert [b["label"] for b in bands] == list(AGE_BANDS)
    for band in bands:
        if "from" in band:
            assert age_band(band["from"]) == band["label"]
            assert age_band(band.get("to", 120)) == band["label"]


def test_the_explanation_covers_every_field(dataset: dict[str, Any]) -> None:
    text = (DATASET / "dataset.md").read_text(encoding="utf-8")
    for event_type, spec in dataset["events"].items():
        assert f"`{event_type}`" in text
        for field in spec["fields"]:
            assert f"`{field['name']}`" in text, field["name"]


def test_the_lists_the_service_enforces_are_the_apps_own(dataset: dict[str, Any]) -> None:
    """Programme and phase keys, units and limits: the laptop sends only what is listed."""
    from groupclinic_desktop.core.programmes import PHASES
    from groupclinic_desktop.sync.payloads import ascii_unit
    from icb_service.protocol import MAX_BODY_BYTES, MAX_SEQ, MEASURES

    resources = DATASET.parent
    templates = set()
    for path in (resources / "programmes").glob("*.toml"):
        with path.open("rb") as handle:
            templates.add(tomllib.load(handle)["key"])
    assert set(dataset["programmes"]["keys"]) == templates
    assert dataset["phases"]["keys"] == list(PHASES)
    with (resources / "catalogue.toml").open("rb") as handle:
        catalogue = tomllib.load(handle)["measurements"]
    assert list(dataset["measure_units"]) == list(MEASURES)
    for measure, unit in dataset["measure_units"].items():
        assert unit == ascii_unit(catalogue[measure]["unit"]), measure
    assert dataset["dataset"]["max_body_bytes"] == MAX_BODY_BYTES
    assert dataset["dataset"]["max_seq"] == MAX_SEQ < 1_000_000_000  # never NHS-number-sized


def test_the_explanation_covers_every_refusal(dataset: dict[str, Any]) -> None:
    text = (DATASET / "dataset.md").read_text(encoding="utf-8")
    for rule in ("catalogue_unit", "hard_limits", "date_window", "programme_list", "phase_list",
                 "nhs_number_like", "date_of_birth_like", "name_like"):
        assert f"`{rule}`" in text, rule
    for key in dataset["programmes"]["keys"] + dataset["phases"]["keys"]:
        assert f"`{key}`" in text, key


def test_follow_up_between_sessions_is_counts_only(dataset: dict[str, Any]) -> None:
    """The care coordinator's list sends counts of what was done: no person, no session, no
    words. Every field is a fixed choice or the day, and the service refuses anything more."""
    from icb_service.protocol import payload_problem

    spec = dataset["events"]["follow_up"]
    assert spec["has_subject"] is False
    assert {f["type"] for f in spec["fields"]} == {"date", "enum"}
    good = {"date": "2026-12-01", "item": "dna", "step": "contact", "method": "call",
            "outcome": "no_answer"}
    assert payload_problem("follow_up", 1, good) is None
    for extra in ({"subject": "a" * 64}, {"note": "Rang Mrs Smith"}, {"session_uid": None}):
        assert payload_problem("follow_up", 1, {**good, **extra}) is not None
    assert payload_problem("follow_up", 1, {**good, "method": "pigeon"}) is not None
