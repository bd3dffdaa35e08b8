"""A measurement voided on the laptop leaves the ICB's aggregates; a review count carries only
numbers and profession keys."""

import pytest

from tests.icb_service import events as ev
from tests.icb_service.conftest import Service
from tests.icb_service.test_aggregates import S2, clinic_events


def hba1c(group: dict) -> dict:
    return next(m for m in group["measures"] if m["measure"] == "hba1c")


def void(who: str, taken_on: str, session_uid: str, at: str) -> dict:
    payload = {"session_uid": session_uid, "subject": ev.subject(who), "measure": "hba1c",
               "taken_on": taken_on}
    return ev.event("measurement_void", payload, occurred_at=at)


@pytest.fixture
def with_typo(service: Service) -> Service:
    """The hand-worked figures (median change -3), plus a typo for D sent after the real value:
    D's latest HbA1c reads 160 instead of 60."""
    typo = ev.event(
        "measurement",
        ev.measurement("D", "hba1c", 160, "2025-02-10", "off_target", S2),
        occurred_at="2025-02-10T11:00:00Z",
    )
    results = service.send([*clinic_events(), typo]).json()["results"]
    assert {r["status"] for r in results} == {"stored"}
    [group] = service.get("/v1/aggregates").json()["groups"]
    # The typo counts until it is voided: D's change is +90, so the median moves to -1.
    assert hba1c(group)["median_change"]["value"] == -1.0
    assert hba1c(group)["people_with_change"]["value"] == 6
    return service


def test_a_void_then_the_standing_value_restores_the_true_figures(with_typo: Service) -> None:
    # As the laptop's outbox sends them: the void, then (next in sequence) the value standing.
    voided = void("D", "2025-02-10", S2, "2025-02-10T11:30:00Z")
    standing = ev.event(
        "measurement",
        ev.measurement("D", "hba1c", 60, "2025-02-10", "on_target", S2),
        occurred_at="2025-02-10T11:30:00Z",
    )
    sent = with_typo.send([voided, standing])
    assert {r["status"] for r in sent.json()["results"]} == {"stored"}
    [group] = with_typo.get("/v1/aggregates").json()["groups"]
    assert hba1c(group)["median_change"] == {"value": -3.0, "suppressed": False}


def test_a_void_alone_drops_the_reading(with_typo: Service) -> None:
    with_typo.send([void("D", "2025-02-10", S2, "2025-02-10T11:30:00Z")])
    [group] = with_typo.get("/v1/aggregates").json()["groups"]
    # D's second reading is gone: five people with a change are left.
    assert hba1c(group)["people_with_change"]["value"] == 5


def test_review_counts_take_professions_only(service: Service) -> None:
    good = ev.event("review", {"session_uid": S2, "subject": ev.subject("A"), "reviews": 3,
                               "professions": ["gp", "clinical_pharmacist", "physiotherapist"]})
    named = ev.event("review", {"session_uid": S2, "subject": ev.subject("A"), "reviews": 1,
                                "professions": ["Dr Priya Shah"]})
    text = ev.event("review", {"session_uid": S2, "subject": ev.subject("A"), "reviews": 1,
                               "notes": "stopped gliclazide"})
    results = service.send([good, named, text]).json()["results"]
    assert [r["status"] for r in results] == ["stored", "rejected", "rejected"]
