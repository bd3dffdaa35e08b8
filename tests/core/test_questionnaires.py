"""Questionnaire scoring, checked against the published SWEMWBS table and the entry rules."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groupclinic_desktop.core import questionnaires
from groupclinic_desktop.core.errors import InvalidInput, NotFound
from groupclinic_desktop.core.questionnaires import score

# Typed independently from shared/reference/clinical-facts.md (SWEMWBS raw -> metric), so a slip
# in resources/questionnaires/swemwbs.toml shows up here.
SWEMWBS_METRIC = {
    7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75, 14: 15.32,
    15: 15.84, 16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59, 21: 19.25, 22: 19.98,
    23: 20.73, 24: 21.54, 25: 22.35, 26: 23.21, 27: 24.11, 28: 25.03, 29: 26.02, 30: 27.03,
    31: 28.13, 32: 29.31, 33: 30.70, 34: 32.55, 35: 35.00,
}
ITEMS = [f"item{n}" for n in range(1, 8)]


def swemwbs_answers(raw: int) -> dict[str, int | str | None]:
    """Seven answers adding up to raw: fill items to 5 from the first one."""
    extra = raw - 7
    answers: dict[str, int | str | None] = {}
    for item in ITEMS:
        add = min(4, extra)
        answers[item] = 1 + add
        extra -= add
    return answers


def test_all_agreed_questionnaires_are_available() -> None:
    assert set(questionnaires.questionnaires()) == {
        "swemwbs", "confidence", "activity", "pam", "experience",
        "phq9", "gad7", "napc_self_management", "matters_to_me",
    }
    assert questionnaires.get("swemwbs").plain_label == "Mood score"


def test_unknown_questionnaire_is_not_found() -> None:
    with pytest.raises(NotFound, match="wemwbs"):
        questionnaires.get("wemwbs")


@pytest.mark.parametrize("raw", range(7, 36))
def test_every_swemwbs_raw_total_converts_to_the_published_metric(raw: int) -> None:
    result = score("swemwbs", swemwbs_answers(raw))
    assert result.complete
    assert result.raw == raw
    assert result.value == SWEMWBS_METRIC[raw]
    assert result.label == f"{SWEMWBS_METRIC[raw]:.2f} (raw {raw})"


def test_swemwbs_label_reads_as_a_clinician_expects() -> None:
    answers = dict(zip(ITEMS, [4, 4, 4, 4, 4, 3, 3], strict=True))
    assert score("swemwbs", answers).label == "23.21 (raw 26)"


@st.composite
def answer_sets(draw: st.DrawFn) -> tuple[int, list[int]]:
    # Seven answers drawn directly: cheap to generate, so the health check stays quiet on a busy
    # machine; every raw total is covered by the exhaustive test above.
    answers = draw(st.lists(st.integers(min_value=1, max_value=5), min_size=7, max_size=7))
    return sum(answers), answers


@given(answer_sets())
def test_any_answers_with_the_same_total_give_the_same_score(case: tuple[int, list[int]]) -> None:
    raw, answers = case
    result = score("swemwbs", dict(zip(ITEMS, answers, strict=True)))
    assert (result.raw, result.value) == (raw, SWEMWBS_METRIC[raw])


def test_missing_answers_give_no_score_and_name_the_items() -> None:
    answers = swemwbs_answers(20)
    answers["item3"] = None
    del answers["item5"]
    result = score("swemwbs", answers)
    assert not result.complete
    assert result.value is None and result.raw is None
    assert result.reason == "SWEMWBS needs all 7 answers; 2 are missing (items 3, 5)"


def test_a_blank_answer_counts_as_missing() -> None:
    answers = swemwbs_answers(20)
    answers["item7"] = "  "
    assert score("swemwbs", answers).reason == (
        "SWEMWBS needs all 7 answers; 1 is missing (item 7)"
    )


@pytest.mark.parametrize("bad", [0, 6, -1, 2.5, "sometimes", "7", True])
def test_swemwbs_answers_outside_1_to_5_are_refused(bad: object) -> None:
    answers = swemwbs_answers(20)
    answers["item2"] = bad  # type: ignore[assignment]
    with pytest.raises(InvalidInput, match=r"SWEMWBS item 2: .* choose 1 to 5") as refused:
        score("swemwbs", answers)
    assert refused.value.field == "item2"


def test_swemwbs_option_labels_from_the_paper_form_are_accepted() -> None:
    # Facilitators may type what was ticked; labels count as their option's score.
    by_label = dict(zip(ITEMS, ["Often", "often", " ALL of the time ", "rarely",
                                "none of the time", "Some of the time", "4"], strict=True))
    by_number = dict(zip(ITEMS, [4, 4, 5, 2, 1, 3, 4], strict=True))
    assert score("swemwbs", by_label) == score("swemwbs", by_number)


def test_unknown_item_is_refused() -> None:
    answers = swemwbs_answers(20)
    answers["item8"] = 3
    with pytest.raises(InvalidInput, match="'item8' is not one of its items") as refused:
        score("swemwbs", answers)
    assert refused.value.field == "item8"


@pytest.mark.parametrize("answer", [0, 10, "6"])
def test_confidence_accepts_0_to_10(answer: int | str) -> None:
    result = score("confidence", {"confidence": answer})
    assert result.value == int(answer)
    assert result.label == f"{int(answer)} out of 10"


@pytest.mark.parametrize("answer", [-1, 11, 7.5, "very"])
def test_confidence_outside_0_to_10_is_refused(answer: object) -> None:
    with pytest.raises(InvalidInput, match=r"Confidence: .*0 to 10"):
        score("confidence", {"confidence": answer})  # type: ignore[dict-item]


def test_no_confidence_answer_gives_no_score() -> None:
    result = score("confidence", {"confidence": None})
    assert not result.complete and result.value is None and result.reason


def test_activity_minutes_share_the_catalogue_limit() -> None:
    from groupclinic_desktop.core.catalogue import catalogue

    limit = catalogue().get("activity_minutes").hard_max
    assert score("activity", {"minutes": 150}).label == "150 minutes a week"
    assert score("activity", {"minutes": limit}).value == limit
    with pytest.raises(InvalidInput, match=f"Active minutes a week: {limit + 1:.0f} is above"):
        score("activity", {"minutes": limit + 1})
    assert questionnaires.get("activity").measurement == "activity_minutes"


def test_pam_score_and_level_pass_through_unchanged() -> None:
    result = score("pam", {"score": 55.2, "level": 3})
    assert (result.value, result.level, result.complete) == (55.2, 3, True)
    assert result.label == "55.2 (level 3)"


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"score": 55.2, "level": 5}, "level"),
        ({"score": 55.2, "level": 0}, "level"),
        ({"score": 100.1, "level": 4}, "score"),
        ({"score": 55.25, "level": 3}, "score"),
        ({"score": 55.2}, "level"),
        ({"level": 3}, "score"),
    ],
)
def test_pam_refuses_impossible_or_half_records(answers: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        score("pam", answers)
    assert refused.value.field == field
    assert "PAM" in str(refused.value)


def test_nothing_recorded_for_pam_is_no_score_not_an_error() -> None:
    result = score("pam", {})
    assert not result.complete and result.value is None


def test_experience_rates_very_good_to_very_poor_and_dont_know_has_no_rating() -> None:
    assert score("experience", {"overall": "Very good"}).value == 1
    assert score("experience", {"overall": 5}).label == "Very poor"
    dont_know = score("experience", {"overall": "Don\u2019t know"})
    assert dont_know.complete and dont_know.value is None
    assert dont_know.label == "Don't know"
    with pytest.raises(InvalidInput, match="Experience: 'brilliant' is not an allowed answer"):
        score("experience", {"overall": "brilliant"})


def test_copyrighted_swemwbs_wording_is_not_stored() -> None:
    swemwbs = questionnaires.get("swemwbs")
    assert all(item.prompt == f"Item {n} (see licensed form)"
               for n, item in enumerate(swemwbs.items, start=1))
    assert "LICENCES.md" in swemwbs.licence
