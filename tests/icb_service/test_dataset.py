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
    wrapper = get_origin(annotation) in (Union, types.UnionType, list)
    if wrapper or hasattr(annotation, "__metadata__"):
        for arg in get_args(annotation):
            found |= literal_values(arg)
    return found


def test_every_event_type_and_field_matches_the_protocol(dataset: dict[str, Any]) -> None:
    assert dataset["dataset"]["protocol_version"] == PROTOCOL_VERSION
    documented = {(name, spec["schema_version"]) for name, spec in dataset["events"].items()}
    assert documented == set(PAYLOAD_SCHEMAS)
    for (event_type, _version), model in PAYLOAD_SCHEMAS.items():
        fields = {f["name"]: f for f in dataset["events"][event_type]["fields"]}
        assert list(fields) == list(model.model_fields), event_type
        for name, info in model.model_fields.items():
            assert fields[name]["required"] == info.is_required(), f"{event_type}.{name}"
            assert set(fields[name].get("allowed", [])) == literal_values(info.annotation), (
                f"{event_type}.{name}"
            )
        assert dataset["events"][event_type]["has_subject"] == ("subject" in model.model_fields)


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
