"""Programme templates, questionnaire schedules, cue cards and session snapshots."""

import json
import tomllib

import pytest

from groupclinic_desktop.core import programmes
from groupclinic_desktop.core.errors import InvalidInput, NotFound
from groupclinic_desktop.core.programmes import (
    PHASE_TITLES,
    PHASES,
    cue_cards,
    due_questionnaires,
    is_due,
    template,
    template_as_dict,
    template_from_dict,
    templates,
)
from groupclinic_desktop.core.questionnaires import questionnaires
from groupclinic_desktop.resources import resource

AGREED = {
    "type2_diabetes", "hypertension", "heart_failure", "multiple_ltc",
    "weight_medicines", "frailty", "respiratory", "long_covid", "menopause",
}


def catalogue_keys() -> set[str]:
    with resource("catalogue.toml").open("rb") as handle:
        return set(tomllib.load(handle)["measurements"])


def test_all_agreed_templates_load() -> None:
    assert set(templates()) == AGREED
    for key in AGREED:
        t = template(key)
        assert t.version == 1 and t.name and t.topics and t.measurements


def test_unknown_template_is_not_found() -> None:
    with pytest.raises(NotFound, match="copd"):
        template("copd")


@pytest.mark.skipif(not resource("catalogue.toml").exists(), reason="catalogue not written yet")
@pytest.mark.parametrize("key", sorted(AGREED))
def test_every_board_measurement_is_in_the_catalogue(key: str) -> None:
    assert set(template(key).measurements) <= catalogue_keys()


def test_type2_diabetes_board_order() -> None:
    assert template("type2_diabetes").measurements == (
        "hba1c", "systolic_bp", "diastolic_bp", "weight", "bmi", "total_cholesterol",
    )


def test_heart_failure_uses_the_wellbeing_works_topics_and_4ms() -> None:
    t = template("heart_failure")
    assert "My people & pets" in t.topics and "Asking for the support I need" in t.topics
    domains = {d.key: d for d in t.domains}
    assert domains["movement"].measurements == ("activity_minutes", "grip_strength")
    assert domains["mood"].questionnaires == ("swemwbs",)
    assert set(domains["motivation"].questionnaires) == {"pam", "confidence"}
    assert "matters_to_me" in domains


def test_default_phase_minutes_make_a_90_minute_clinic() -> None:
    assert dict(programmes.DEFAULT_PHASE_MINUTES) == {
        "checkin": 15, "board": 15, "agenda": 10, "one_to_ones": 40, "goals": 10, "wrapup": 0,
    }
    assert sum(programmes.DEFAULT_PHASE_MINUTES.values()) == 90
    for t in templates().values():
        assert tuple(t.phase_minutes) == PHASES
        assert t.total_minutes in (90, 95)


def test_a_template_without_phase_minutes_gets_the_defaults() -> None:
    d = template_as_dict(template("hypertension"))
    del d["phase_minutes"]
    assert template_from_dict(d).total_minutes == 90


def test_every_phase_has_a_title() -> None:
    assert tuple(PHASE_TITLES) == PHASES
    assert PHASE_TITLES["board"] == "Biometric board"


@pytest.mark.parametrize(
    ("schedule", "due_at"),
    [
        ("every", {1, 2, 3, 4, 5, 6, 7, 8, 9}),
        ("first", {1}),
        ("last", {9}),
        ("first_and_every_3", {1, 4, 7}),
        ("first_and_every_1", {1, 2, 3, 4, 5, 6, 7, 8, 9}),
    ],
)
def test_questionnaire_schedules(schedule: str, due_at: set[int]) -> None:
    assert {n for n in range(1, 10) if is_due(schedule, n, total=9)} == due_at


def test_last_is_never_due_when_the_number_of_sessions_is_unknown() -> None:
    assert not is_due("last", 6)


@pytest.mark.parametrize("schedule", ["sometimes", "first_and_every_0", "every_3", ""])
def test_unknown_schedules_are_refused(schedule: str) -> None:
    with pytest.raises(InvalidInput, match="schedule"):
        is_due(schedule, 1)


def test_session_numbers_start_at_1() -> None:
    with pytest.raises(InvalidInput, match="Session number"):
        is_due("every", 0)
    with pytest.raises(InvalidInput, match="after the last planned session"):
        is_due("every", 7, total=6)


def test_due_questionnaires_follow_the_template() -> None:
    t = template("type2_diabetes")
    assert set(due_questionnaires(t, 1)) == {"swemwbs", "confidence", "experience"}
    assert set(due_questionnaires(t, 2)) == {"confidence", "experience"}
    assert "swemwbs" in due_questionnaires(t, 4)


def test_template_questionnaires_exist() -> None:
    for t in templates().values():
        assert set(t.questionnaires) <= set(questionnaires())


def test_every_phase_has_a_cue_card() -> None:
    cards = cue_cards()
    assert tuple(cards) == PHASES
    for card in cards.values():
        assert card.title and 3 <= len(card.do) <= 5 and 1 <= len(card.say) <= 3


def test_cue_cards_remind_the_facilitator_of_consent_and_confidentiality() -> None:
    cards = cue_cards()
    assert "confidential" in " ".join(cards["checkin"].do + cards["checkin"].say)
    assert "agreed" in " ".join(cards["board"].do)
    assert "private" in " ".join(cards["one_to_ones"].do + cards["one_to_ones"].say)


def test_template_cue_cards_override_only_what_they_name() -> None:
    default = cue_cards()["board"]
    card = cue_cards(template("heart_failure"))["board"]
    assert card.title == "Our 4Ms"
    assert card.say != default.say
    assert card.do == default.do
    assert cue_cards(template("heart_failure"))["agenda"] == cue_cards()["agenda"]


def test_coded_findings_carry_codes_only_from_the_reference_notes() -> None:
    # The only finding codes in clinical-facts.md are the smoking-status concepts.
    from_notes = {"77176002", "8517006", "266919005"}
    for t in templates().values():
        for finding in t.coded_findings:
            assert finding.code in from_notes | {""}
            assert finding.confirmed == bool(finding.code)


@pytest.mark.parametrize("key", sorted(AGREED))
def test_snapshot_round_trips_through_json(key: str) -> None:
    t = template(key)
    snapshot = json.loads(json.dumps(template_as_dict(t)))
    assert template_from_dict(snapshot) == t


def test_an_old_snapshot_stays_readable_after_the_catalogue_changes() -> None:
    d = template_as_dict(template("type2_diabetes"))
    d["measurements"].append("retired_measure")
    assert "retired_measure" in template_from_dict(d).measurements


def test_target_overrides_use_the_catalogue_format_and_need_a_source() -> None:
    d = template_as_dict(template("type2_diabetes"))
    d["targets"] = {"hba1c": {"below": 53, "inclusive": True, "source": "local policy"}}
    assert template_from_dict(d).targets["hba1c"]["below"] == 53
    d["targets"] = {"hba1c": {"below": 53}}
    with pytest.raises(InvalidInput, match="needs a source"):
        template_from_dict(d)
    d["targets"] = {"hdl": {"above": 1, "source": "x"}}
    with pytest.raises(InvalidInput, match="not on the board"):
        template_from_dict(d)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"questionnaires": {"swemwbs": "monthly"}}, "not one of every, first, last"),
        ({"phase_minutes": {"lunch": 30}}, "unknown phase 'lunch'"),
        ({"phase_minutes": {"board": -5}}, "board minutes -5"),
        ({"version": 0}, "version 0"),
        ({"measurements": ["hba1c", "hba1c"]}, "'hba1c' appears twice"),
        ({"cue_cards": {"board": {"say": []}}}, "a card takes 1 to 3"),
        ({"coded_findings": [{"key": "x", "term": "X", "code": "", "confirmed": True,
                              "source": "s"}]}, "confirmed but has no code"),
    ],
)
def test_broken_templates_are_refused_with_a_reason(change: dict, message: str) -> None:
    d = template_as_dict(template("type2_diabetes"))
    d.update(change)
    with pytest.raises(InvalidInput, match=message):
        template_from_dict(d)


@pytest.fixture
def resources_copy(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A private copy of resources/, so a test can break a template file without touching ours."""
    import shutil

    copy = tmp_path / "resources"
    shutil.copytree(resource(), copy)
    monkeypatch.setenv("GROUPCLINIC_RESOURCES", str(copy))
    caches = (templates, questionnaires, programmes._catalogue_measurement_keys)
    for cached in caches:
        cached.cache_clear()
    yield copy
    monkeypatch.delenv("GROUPCLINIC_RESOURCES")
    for cached in caches:
        cached.cache_clear()


def test_a_template_naming_a_measurement_missing_from_the_catalogue_is_refused_on_load(
    resources_copy,  # type: ignore[no-untyped-def]
) -> None:
    path = resources_copy / "programmes" / "hypertension.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"pulse",', '"heart_rate",', 1), encoding="utf-8")
    with pytest.raises(InvalidInput, match="measurement 'heart_rate' is not in the catalogue"):
        templates()
