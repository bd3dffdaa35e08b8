"""The measurement catalogue as clinicians and the board rely on it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from groupclinic_desktop.core.catalogue import (
    CatalogueError,
    Status,
    Threshold,
    catalogue,
    load_catalogue,
    status_for,
    worst_status,
)
from groupclinic_desktop.core.errors import InvalidInput, NotFound
from groupclinic_desktop.resources import resource

AGREED_KEYS = (
    "systolic_bp", "diastolic_bp", "pulse", "weight", "height", "bmi", "waist", "hba1c",
    "total_cholesterol", "hdl", "egfr", "creatinine", "spo2", "grip_strength", "activity_minutes",
    # The vetted library for the wider set of group clinics.
    "peak_flow", "waist_to_height", "capillary_glucose", "falls_12m", "pain_score", "phq9_item9",
)


def test_catalogue_holds_exactly_the_agreed_keys_in_order() -> None:
    assert catalogue().keys() == AGREED_KEYS


def test_catalogue_is_read_once() -> None:
    assert catalogue() is catalogue()


@pytest.mark.parametrize("key", AGREED_KEYS)
def test_every_entry_has_a_source_and_a_code_or_says_unconfirmed(key: str) -> None:
    mtype = catalogue().get(key)
    assert mtype.snomed_source.strip()
    assert mtype.limits_source.strip()
    assert mtype.label.strip()
    assert mtype.snomed_code is not None or not mtype.snomed_confirmed
    if mtype.snomed_code is not None:
        assert mtype.snomed_code.isdigit()
        assert mtype.snomed_term


@pytest.mark.parametrize("key", AGREED_KEYS)
def test_every_unit_is_given_for_people_and_for_fhir(key: str) -> None:
    mtype = catalogue().get(key)
    assert mtype.unit.strip()
    assert mtype.ucum.strip()
    assert " " not in mtype.ucum


@pytest.mark.parametrize("key", AGREED_KEYS)
def test_warning_limits_sit_inside_hard_limits(key: str) -> None:
    mtype = catalogue().get(key)
    assert mtype.hard_min < mtype.hard_max
    low = mtype.warn_min if mtype.warn_min is not None else mtype.hard_min
    high = mtype.warn_max if mtype.warn_max is not None else mtype.hard_max
    assert mtype.hard_min <= low < high <= mtype.hard_max
    assert mtype.stale_after_days > 0 and mtype.stale_reason


def test_codes_the_reference_notes_call_unconfirmed_are_marked_unconfirmed() -> None:
    book = catalogue()
    for key in ("waist", "spo2", "grip_strength", "activity_minutes"):
        assert book.get(key).snomed_confirmed is False, key
    assert book.get("activity_minutes").snomed_code is None
    assert book.get("hba1c").snomed_code == "999791000000106"
    assert book.get("systolic_bp").snomed_code == "72313002"
    assert book.get("diastolic_bp").snomed_code == "1091811000000102"


def test_exeter_limits_for_blood_pressure_and_hba1c() -> None:
    book = catalogue()
    assert (book.get("systolic_bp").hard_min, book.get("systolic_bp").hard_max) == (40, 270)
    assert (book.get("diastolic_bp").hard_min, book.get("diastolic_bp").hard_max) == (20, 200)
    assert (book.get("hba1c").hard_min, book.get("hba1c").hard_max) == (20, 195)


def test_every_target_cites_a_source_and_a_close_margin() -> None:
    with_targets = [m for m in catalogue() if m.target is not None]
    assert {m.key for m in with_targets} >= {
        "systolic_bp", "diastolic_bp", "hba1c", "total_cholesterol", "hdl", "bmi",
        "activity_minutes",
    }
    for mtype in with_targets:
        assert mtype.target is not None
        assert mtype.target.source.strip()
        assert mtype.target.close_margin > 0


def test_blood_pressure_panel_for_fhir() -> None:
    book = catalogue()
    panel = book.panel("blood_pressure")
    assert panel.snomed_code == "75367002"
    assert panel.loinc == "85354-9"
    assert panel.components == ("systolic_bp", "diastolic_bp")
    assert book.get("systolic_bp").loinc == "8480-6"
    assert book.get("diastolic_bp").loinc == "8462-4"
    assert book.get("systolic_bp").ucum == "mm[Hg]"


def test_bmi_is_derived_from_weight_and_height() -> None:
    bmi = catalogue().get("bmi")
    assert bmi.is_derived
    assert bmi.derived_from == ("weight", "height")
    assert not catalogue().get("weight").is_derived


def test_unknown_key_is_refused_with_its_name() -> None:
    with pytest.raises(KeyError) as caught:
        catalogue().get("blood_sugar")
    assert isinstance(caught.value, NotFound)
    assert "blood_sugar" in str(caught.value)
    with pytest.raises(NotFound):
        catalogue().panel("lipids")


# --- status against targets -------------------------------------------------------------------

# (key, who, on target, close, off target): values at, just inside and just past each edge.
STATUS_CASES = [
    ("hba1c", {}, [47, 48], [49, 53], [54, 80]),
    ("hba1c", {"hypo_risk": True}, [48, 53], [54, 58], [59]),
    ("systolic_bp", {"age": 79}, [139], [140, 150], [151]),
    ("systolic_bp", {}, [139], [140, 150], [151]),
    ("systolic_bp", {"age": 80}, [140, 149], [150, 160], [161]),
    ("diastolic_bp", {"age": 85}, [89], [90, 100], [101]),
    ("total_cholesterol", {}, [4.9], [5.0, 5.5], [5.6]),
    ("hdl", {"sex": "male"}, [1.01], [1.0, 0.8], [0.79]),
    ("hdl", {"sex": "female"}, [1.21], [1.2, 1.0], [0.99]),
    ("bmi", {}, [18.5, 22, 24.9], [25.0, 26.9, 18.4, 16.5], [27.0, 16.4]),
    ("activity_minutes", {}, [150, 300], [149, 120], [119, 0]),
]


@pytest.mark.parametrize(("key", "who", "on", "close", "off"), STATUS_CASES)
def test_status_at_and_either_side_of_each_target(
    key: str, who: dict[str, object], on: list[float], close: list[float], off: list[float]
) -> None:
    mtype = catalogue().get(key)
    for value in on:
        assert status_for(mtype, value, **who) is Status.ON_TARGET, value  # type: ignore[arg-type]
    for value in close:
        assert status_for(mtype, value, **who) is Status.CLOSE, value  # type: ignore[arg-type]
    for value in off:
        assert status_for(mtype, value, **who) is Status.OFF_TARGET, value  # type: ignore[arg-type]


def test_older_people_get_the_relaxed_blood_pressure_target() -> None:
    target = catalogue().get("systolic_bp").target
    assert target is not None
    assert target.target_for(79).high == 140
    assert target.target_for(80).high == 150
    assert target.target_for(None).high == 140
    assert target.target_for(80).describe("mmHg") == "below 150 mmHg"


def test_hypo_risk_relaxes_the_hba1c_target() -> None:
    target = catalogue().get("hba1c").target
    assert target is not None
    assert target.target_for(60).high == 48
    assert target.target_for(60, hypo_risk=True).high == 53
    assert target.target_for(60, hypo_risk=True).describe("mmol/mol") == "53 mmol/mol or below"


def test_measurements_without_a_guideline_target_have_no_status() -> None:
    book = catalogue()
    for key in ("weight", "egfr", "pulse", "grip_strength"):
        assert status_for(book.get(key), 70) is Status.NO_TARGET


def test_a_personal_target_replaces_the_guideline() -> None:
    hba1c = catalogue().get("hba1c")
    # A relaxed target for someone who is frail keeps NICE's direction and close margin.
    assert status_for(hba1c, 58, personal_target=58) is Status.ON_TARGET
    assert status_for(hba1c, 63, personal_target=58) is Status.CLOSE
    assert status_for(hba1c, 64, personal_target=58) is Status.OFF_TARGET
    weight = catalogue().get("weight")
    goal = Threshold.below(90, close_margin=2)
    assert status_for(weight, 89.5, personal_target=goal) is Status.ON_TARGET
    assert status_for(weight, 92, personal_target=goal) is Status.CLOSE
    assert status_for(weight, 92.1, personal_target=goal) is Status.OFF_TARGET
    with pytest.raises(InvalidInput, match="Weight"):
        status_for(weight, 92, personal_target=90)


def test_a_blood_pressure_reading_takes_the_worse_of_its_two_statuses() -> None:
    assert worst_status([Status.ON_TARGET, Status.CLOSE]) is Status.CLOSE
    assert worst_status([Status.OFF_TARGET, Status.ON_TARGET]) is Status.OFF_TARGET
    assert worst_status([Status.NO_TARGET]) is Status.NO_TARGET


# --- safety prompt, staleness, display --------------------------------------------------------

@pytest.mark.parametrize(
    ("systolic", "diastolic", "prompted"),
    [(179, 119, False), (180, 100, True), (150, 120, True), (200, 130, True), (140, 90, False)],
)
def test_very_high_blood_pressure_prompts_the_clinician(
    systolic: float, diastolic: float, prompted: bool
) -> None:
    prompts = catalogue().prompts_for({"systolic_bp": systolic, "diastolic_bp": diastolic})
    assert bool(prompts) is prompted
    if prompted:
        assert "clinician" in prompts[0].message


def test_old_values_are_shown_as_out_of_date() -> None:
    hba1c = catalogue().get("hba1c")
    assert not hba1c.is_stale(date(2024, 1, 1), today=date(2024, 7, 2))
    assert hba1c.is_stale(date(2024, 1, 1), today=date(2024, 7, 3))


def test_values_are_shown_with_their_unit_and_decimals() -> None:
    book = catalogue()
    assert book.get("weight").show(82.0) == "82.0 kg"
    assert book.get("systolic_bp").show(142) == "142 mmHg"
    assert book.get("spo2").show(96) == "96%"


# --- a clinician's edit that breaks the file is caught ----------------------------------------

def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = resource("catalogue.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "catalogue.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_shipped_file_loads_from_any_path(tmp_path: Path) -> None:
    copy = tmp_path / "catalogue.toml"
    copy.write_bytes(resource("catalogue.toml").read_bytes())
    assert load_catalogue(copy).keys() == AGREED_KEYS


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ('ucum = "kg/m2"\n', "", "measurements.bmi: missing ucum"),
        ("stale_after_days = 183", "stale_afer_days = 183", "unknown field"),
        ('better = "lower"', 'better = "down"', "better: must be one of"),
        ("hard_max = 270", "hard_max = 170", "warn_max: must lie within"),
        ('components = ["systolic_bp", "diastolic_bp"]', 'components = ["systolic"]', "unknown"),
        ("close_margin = 5", 'close_margin = "5"', "close_margin: must be a number"),
    ],
)
def test_a_broken_catalogue_is_refused_with_where_it_is_broken(
    tmp_path: Path, old: str, new: str, complaint: str
) -> None:
    with pytest.raises(CatalogueError, match=complaint):
        load_catalogue(_edited(tmp_path, old, new))


def test_a_code_cannot_be_confirmed_without_a_code(tmp_path: Path) -> None:
    path = _edited(
        tmp_path,
        'snomed_code = ""\nsnomed_term = ""\nsnomed_confirmed = false',
        'snomed_code = ""\nsnomed_term = ""\nsnomed_confirmed = true',
    )
    with pytest.raises(CatalogueError, match="activity_minutes: snomed_confirmed is true"):
        load_catalogue(path)
