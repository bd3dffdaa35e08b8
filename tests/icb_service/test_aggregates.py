"""Aggregates, CSV and dashboard against a small clinic worked out by hand."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from icb_service.aggregates import build_report
from tests.icb_service import events as ev
from tests.icb_service.conftest import Service

S1, S2, S3, OTHER = (str(uuid.uuid4()) for _ in range(4))
PEOPLE = "ABCDEFGHIJ"  # A-F female, G-J male


def clinic_events() -> list[dict]:
    """Type 2 diabetes at Y99999: two sessions held, one cancelled, ten people.

    Session 1: A-H attended, I and J did not. Session 2: A-E attended, F-J did not.
    So invited 10, attended 8, did not attend 5 (F-J), DNA rate 7 of 20 bookings = 0.35.
    """
    out = [
        ev.event("session", ev.session(S1, "2025-01-10", number=1)),
        ev.event("session", ev.session(S2, "2025-02-10", number=2)),
        ev.event("session", ev.session(S3, "2025-03-10", status="cancelled", number=3)),
    ]
    for who in PEOPLE:
        sex = "female" if who in "ABCDEF" else "male"
        first = "attended" if who in "ABCDEFGH" else "did_not_attend"
        second = "attended" if who in "ABCDE" else "did_not_attend"
        out.append(ev.event("attendance", ev.attendance(S1, who, first, sex)))
        out.append(ev.event("attendance", ev.attendance(S2, who, second, sex),
                            occurred_at="2025-02-10T10:00:00Z"))
    # A correction sent later but happening earlier must lose: J really did not attend.
    out.append(ev.event("attendance", ev.attendance(S2, "J", "attended", "male"),
                        occurred_at="2025-02-10T09:00:00Z"))
    # HbA1c first -> latest: A -5, B -6, C -1, D -10, E -1, F +2; median -3; 5 of 6 at target.
    for who, first, latest, status in [
        ("A", 60, 55, "on_target"), ("B", 58, 52, "on_target"), ("C", 50, 49, "on_target"),
        ("D", 70, 60, "on_target"), ("E", 48, 47, "on_target"), ("F", 80, 82, "off_target"),
    ]:
        out.append(ev.event("measurement",
                            ev.measurement(who, "hba1c", first, "2025-01-10", "off_target", S1)))
        out.append(ev.event("measurement",
                            ev.measurement(who, "hba1c", latest, "2025-02-10", status, S2)))
    # Only two people have a blood pressure: too few to publish.
    for who in "AB":
        out.append(ev.event("measurement", ev.measurement(
            who, "systolic_bp", 150, "2025-01-10", "off_target", S1, unit="mmHg")))
    # SWEMWBS rises by 1..5 for A-E: median +3.
    for rise, who in enumerate("ABCDE", start=1):
        out.append(ev.event("questionnaire", ev.questionnaire(S1, who, "swemwbs", 20)))
        out.append(ev.event("questionnaire", ev.questionnaire(S2, who, "swemwbs", 20 + rise),
                            occurred_at="2025-02-10T10:00:00Z"))
    # Six goals; A-E achieved at the next session, F not yet. Goal updates count once.
    for who in "ABCDEF":
        goal_uid = str(uuid.uuid4())
        out.append(ev.event("goal", ev.goal(S1, who, goal_uid, None)))
        outcome = "achieved" if who != "F" else "not_yet"
        out.append(ev.event("goal", ev.goal(S2, who, goal_uid, outcome),
                            occurred_at="2025-02-10T10:00:00Z"))
    out += [ev.event("experience", ev.experience(S1, "very_good")) for _ in range(5)]
    out.append(ev.event("experience", ev.experience(S1, "good")))
    return out


@pytest.fixture
def clinic(service: Service) -> Service:
    results = service.send(clinic_events()).json()["results"]
    assert {r["status"] for r in results} == {"stored"}
    hypertension = [ev.event("session", ev.session(OTHER, "2025-01-12", programme="hypertension"))]
    hypertension += [ev.event("attendance", ev.attendance(OTHER, f"x{i}")) for i in range(6)]
    service.send(hypertension, practice="Y88888", token=service.other_token)
    return service


def figure(value: float | None) -> dict:
    return {"value": value, "suppressed": value is None}


def test_hand_worked_figures_with_small_numbers_suppressed(clinic: Service) -> None:
    body = clinic.get("/v1/aggregates").json()
    assert body["suppression_threshold"] == 5
    [group] = body["groups"]  # a practice token sees only its own practice
    assert (group["practice"], group["programme"]) == ("Y99999", "type2_diabetes")
    assert (group["sessions_held"], group["sessions_cancelled"]) == (2, 1)
    assert group["invited"] == figure(10)
    assert group["attended"] == figure(8)
    assert group["did_not_attend"] == figure(5)
    assert group["dna_rate"] == figure(0.35)
    measures = {m["measure"]: m for m in group["measures"]}
    assert measures["hba1c"]["people_with_target"] == figure(6)
    assert measures["hba1c"]["at_target"] == figure(5)
    assert measures["hba1c"]["proportion_at_target"] == figure(0.833)
    assert measures["hba1c"]["median_change"] == figure(-3.0)
    assert measures["systolic_bp"]["proportion_at_target"] == figure(None)
    [swemwbs] = group["questionnaires"]
    assert swemwbs["median_change"] == figure(3.0) and swemwbs["people_with_change"] == figure(5)
    assert group["goals_set"] == figure(6) and group["goals_achieved"] == figure(5)
    assert group["experience"]["very_good"] == figure(5)
    assert group["experience"]["good"] == figure(None)  # one answer: suppressed
    equity = {(r["dimension"], r["group"]): r for r in group["equity"]}
    assert equity[("sex", "female")]["did_not_attend"] == figure(None)  # only F
    # Invited 6 and attended 6 beside it would give F's DNA away: one of them is hidden too.
    assert equity[("sex", "female")]["invited"] == figure(None)
    assert equity[("sex", "female")]["attended"] == figure(6)
    assert equity[("sex", "male")]["invited"] == figure(None)  # four men
    assert equity[("ethnic_group", "not_stated")]["invited"] == figure(10)
    # Change by group: the six women A-F have HbA1c changes -5 -6 -1 -10 -1 +2, median -3;
    # no man has two readings, and the men are too few anyway.
    assert equity[("sex", "female")]["median_change"]["hba1c"] == figure(-3.0)
    assert equity[("sex", "male")]["median_change"]["hba1c"] == figure(None)


def test_practices_read_only_themselves_and_analysts_read_all(clinic: Service) -> None:
    assert clinic.get("/v1/aggregates", practice="Y88888").status_code == 403
    body = clinic.get("/v1/aggregates", token=clinic.analyst_token).json()
    assert [(g["practice"], g["programme"]) for g in body["groups"]] == [
        ("Y88888", "hypertension"), ("Y99999", "type2_diabetes")
    ]
    filtered = clinic.get("/v1/aggregates", token=clinic.analyst_token, programme="hypertension")
    # Six invited, six attended, nobody missed (0, suppressed): invited is hidden as well, or
    # the zero could be worked out.
    [hypertension] = filtered.json()["groups"]
    assert hypertension["attended"] == figure(6) and hypertension["invited"] == figure(None)
    assert clinic.client.get("/v1/aggregates").status_code == 401


def test_threshold_is_configurable(clinic: Service) -> None:
    report = build_report(clinic.engine, "Y99999", threshold=1)
    [group] = report.groups
    assert group.experience["good"].value == 1
    assert group.equity[7].dimension == "sex" and group.equity[7].invited.value == 6


def test_csv_download_matches_the_json(clinic: Service) -> None:
    response = clinic.get("/v1/aggregates.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_key = {(r["section"], r["item"], r["figure"]): r for r in rows}
    assert by_key[("attendance", "", "dna_rate")]["value"] == "0.35"
    assert by_key[("measure", "hba1c", "median_change")]["value"] == "-3.0"
    good = by_key[("experience", "good", "responses")]
    assert (good["value"], good["suppressed"]) == ("", "true")
    assert {r["practice"] for r in rows} == {"Y99999"}


def test_dashboard_is_self_contained_and_has_table_alternatives(clinic: Service) -> None:
    # Browsers send the token as a Basic password; the practice reads its own figures.
    response = clinic.client.get("/dashboard", auth=("practice", clinic.token))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    # Names and plain labels, not keys: the practice, the programme, the measure with its unit.
    assert "Riverside Surgery (Y99999)" in page
    assert ">Type 2 diabetes group clinic<" in page and ">type2_diabetes<" not in page
    assert ">HbA1c (mmol/mol)<" in page
    # Every chart is an image with a title and description, its table beside it for screen
    # readers (folded away for sighted readers, so no figure is printed twice on sight).
    charts = page.count("<svg")
    assert charts >= 3 and page.count('role="img"') == charts and page.count("<desc") == charts
    assert page.count("<details><summary>Table of these figures") == charts
    assert "suppressed" not in page and "hidden to protect privacy" in page
    assert "<script" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    unauthorised = clinic.client.get("/dashboard")
    assert unauthorised.status_code == 401 and "Basic" in unauthorised.headers["www-authenticate"]


def test_dashboard_with_no_data_says_so(service: Service) -> None:
    page = service.client.get("/dashboard", auth=("x", service.token)).text
    assert "No monitoring data has been received yet for this selection." in page
