"""The ICB's report over HTTP: a known set of events for four practices in three PCNs and two
ICBs over three months (monitoring_scenario.py), every published figure against numbers worked
out by hand at practice, PCN and ICB level and for single months, and no hidden count that can
be worked out from what the reports publish."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from icb_service import accounts
from icb_service.app import Settings, create_app
from tests.icb_service import monitoring_scenario as scenario
from tests.icb_service.events import subject
from tests.icb_service.monitoring_checks import Reader, flatten

H = None  # hidden: null with suppressed=true


class Clinic:
    def __init__(self, engine: Engine) -> None:
        self.tokens = scenario.register_practices(engine)
        self.analyst = accounts.add_analyst(engine, "ICB analyst")
        self.client = TestClient(create_app(Settings(), engine), raise_server_exceptions=False)
        for code, events in scenario.batches().items():
            answer = self.client.post(
                "/v1/events", json={"protocol_version": 3, "practice": code, "events": events},
                headers={"Authorization": f"Bearer {self.tokens[code]}"},
            )
            assert answer.status_code == 200
            assert {r["status"] for r in answer.json()["results"]} == {"stored"}

    def get(self, path: str = "/v1/monitoring", token: str | None = None, **params: str) -> Any:
        params = {("from" if k == "first" else "to" if k == "last" else k): v
                  for k, v in params.items()}
        return self.client.get(path, params=params,
                               headers={"Authorization": f"Bearer {token or self.analyst}"})

    def report(self, **params: str) -> dict[str, Any]:
        answer = self.get(**params)
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture
def clinic(engine: Engine) -> Clinic:
    return Clinic(engine)


def figures_of(report: dict[str, Any], code: str | None = None) -> dict[str, float | None]:
    if code is None or report["total"]["code"] == code and not any(
        o["code"] == code for o in report["organisations"]
    ):
        return flatten(report["total"]["figures"])
    (found,) = [o for o in report["organisations"] if o["code"] == code]
    return flatten(found["figures"])


def assert_figures(found: dict[str, float | None], expected: dict[str, float | None]) -> None:
    wrong = {
        path: (found.get(path, "absent"), want) for path, want in expected.items()
        if not (found.get(path) == want or (
            want is not None and found.get(path) is not None
            and abs(found[path] - want) < 0.0005))  # type: ignore[operator]
    }
    assert not wrong, f"(published, worked out by hand): {wrong}"


# Worked out by hand from monitoring_scenario.py for January to March 2025. People are counted
# once, in the month they first came; DNA rate = did-not-attend bookings / bookings due.
Y10001 = {
    "sessions/held": 2, "sessions/cancelled": 1, "sessions/held_by_mode/face_to_face": 1,
    "sessions/held_by_mode/video": 1, "invited": 16,
    "attended": H, "did_not_attend": H, "dna_rate": H,  # 3 did not attend: hidden (and 14)
    "attendances_by_channel/in_room": 8, "attendances_by_channel/video": 14,
    "attendances_by_channel/phone": 0,
    "time_released/clinician_minutes": 170, "time_released/people_reviewed": 22,
    "time_released/appointments_replaced": 22,
    "time_released/usual_appointment_minutes_total": 8 * 15 + 14 * 20,  # 400
    "time_released/clinician_hours_released": round((400 - 170) / 60, 3),  # 3.833
    "time_released/clinician_minutes_per_person_reviewed": round(170 / 22, 3),  # 7.727
    "time_released/people_reviewed_per_clinician_hour": round(22 / (170 / 60), 3),  # 7.765
    "time_released/people_with_review_minutes": 8,
    "time_released/one_to_one_minutes_per_person_reviewed": 4.0,
    "measures/hba1c/people_with_target": 6, "measures/hba1c/at_target": H,  # 3
    "measures/hba1c/proportion_at_target": H, "measures/hba1c/people_with_change": 6,
    "measures/hba1c/median_change": -2.5,  # -5 -4 -3 -2 -1 0
    "patient_experience/very_good": 6, "patient_experience/good": H,  # 2
    "patient_experience/poor": 0,
    "staff_experience/satisfying/answers/5": 6, "staff_experience/satisfying/responses": 6,
    "staff_experience/satisfying/answers/4": 0,
    "staff_experience/satisfying/role/facilitator/answers/5": H,  # 4
    "staff_experience/satisfying/role/clinician/answers/5": H,  # 2
    "staff_experience/workload/answers/4": H, "staff_experience/workload/answers/2": H,
    "staff_experience/workload/responses": 6,
    "staff_experience/time_well_used/responses": H,  # 2
    "goals_set": 0,
}
Y10002 = {
    "sessions/held": 1, "invited": 7, "attended": H, "did_not_attend": H,  # 6 and 1
    "time_released/clinician_minutes": 90, "time_released/people_reviewed": 6,
    "time_released/usual_appointment_minutes_total": 120,
    "time_released/clinician_hours_released": 0.5,
    "time_released/clinician_minutes_per_person_reviewed": 15.0,
    "time_released/people_reviewed_per_clinician_hour": 4.0,
    "attendances_by_channel/in_room": 6, "patient_experience/very_good": 0,
}
Y10003 = {**Y10002}  # the same clinic, in February, in the other PCN
U10001 = {
    "sessions/held": 3, "sessions/cancelled": 1, "invited": 23, "attended": H,
    "did_not_attend": H,  # 4
    "time_released/clinician_minutes": 260, "time_released/people_reviewed": 28,
    "time_released/usual_appointment_minutes_total": 520,
    "time_released/clinician_hours_released": round(260 / 60, 3),  # 4.333
    "time_released/clinician_minutes_per_person_reviewed": round(260 / 28, 3),
    "time_released/people_reviewed_per_clinician_hour": round(28 / (260 / 60), 3),
    "attendances_by_channel/in_room": 14, "attendances_by_channel/video": 14,
    "measures/hba1c/people_with_target": 6, "measures/hba1c/median_change": -2.5,
}
QAA = {
    "sessions/held": 4, "sessions/cancelled": 1, "invited": 30, "attended": 26,
    "did_not_attend": 5, "dna_rate": round(6 / 40, 3),  # 4 + 1 + 1 of 26 + 7 + 7 bookings
    "time_released/clinician_minutes": 350, "time_released/people_reviewed": 34,
    "time_released/usual_appointment_minutes_total": 640,
    "time_released/clinician_hours_released": round(290 / 60, 3),  # 4.833
    "time_released/clinician_minutes_per_person_reviewed": round(350 / 34, 3),
    "time_released/people_reviewed_per_clinician_hour": round(34 / (350 / 60), 3),
    "time_released/people_with_review_minutes": 8,
    "time_released/one_to_one_minutes_per_person_reviewed": 4.0,
    "attendances_by_channel/in_room": 20, "attendances_by_channel/video": 14,
    "equity/sex/female/invited": 30, "equity/sex/male/invited": 0,
    "delivery/mode/video/invited": H,  # the six people first seen at the video session
    "staff_experience/satisfying/answers/5": 6,
}
QBB = {
    "sessions/held": 1, "invited": 12, "attended": H, "did_not_attend": H,  # 10 and 2
    "time_released/clinician_minutes": 90, "time_released/people_reviewed": 10,
    "time_released/usual_appointment_minutes_total": 200,
    "time_released/clinician_hours_released": round(110 / 60, 3),  # 1.833
    "time_released/clinician_minutes_per_person_reviewed": 9.0,
    "time_released/people_reviewed_per_clinician_hour": round(10 / 1.5, 3),
    "signposting/social_prescribing": 5, "signposting/carer_support": 0,
    "equity/sex/male/invited": H, "equity/sex/female/invited": H,  # 4 and 8
    "equity/sex/male/did_not_attend": 0,
    "follow_up/dna/contact/count": 6, "follow_up/dna/reinvite/count": H,  # 2
}


def test_practices_side_by_side_with_their_icb(clinic: Clinic) -> None:
    report = clinic.report(level="practice", code="QAA")
    assert report["months"] == ["2025-01", "2025-02", "2025-03"]
    assert (report["from"], report["to"]) == ("2025-01", "2025-03")
    assert report["total"]["name"] == "North Test ICB"
    rows = {o["code"]: o for o in report["organisations"]}
    assert list(rows) == ["Y10001", "Y10002", "Y10003"]
    assert rows["Y10002"]["name"] == "Mill Lane Practice"
    assert (rows["Y10003"]["pcn_code"], rows["Y10003"]["pcn_name"]) == ("U10002", "Hilltop PCN")
    assert rows["Y10003"]["icb_name"] == "North Test ICB"
    assert_figures(figures_of(report), QAA)
    assert_figures(figures_of(report, "Y10001"), Y10001)
    assert_figures(figures_of(report, "Y10002"), Y10002)
    assert_figures(figures_of(report, "Y10003"), Y10003)


def test_pcn_and_icb_levels(clinic: Clinic) -> None:
    pcns = clinic.report(level="pcn", code="QAA")
    assert [o["code"] for o in pcns["organisations"]] == ["U10001", "U10002"]
    assert_figures(figures_of(pcns, "U10001"), U10001)
    assert_figures(figures_of(pcns, "U10002"), Y10003)
    one_pcn = clinic.report(level="practice", code="U10001")
    assert [o["code"] for o in one_pcn["organisations"]] == ["Y10001", "Y10002"]
    assert_figures(figures_of(one_pcn), U10001)
    icbs = clinic.report(level="icb")
    assert [o["code"] for o in icbs["organisations"]] == ["QAA", "QBB"]
    assert_figures(figures_of(icbs, "QAA"), QAA)
    assert_figures(figures_of(icbs, "QBB"), QBB)
    assert_figures(figures_of(icbs), {
        "sessions/held": 5, "invited": 42,
        "attended": H, "did_not_attend": H,  # QBB's are hidden, so the nation's are too
        "time_released/people_reviewed": 44,
        "time_released/clinician_hours_released": round((840 - 440) / 60, 3),
    })


def test_single_months(clinic: Clinic) -> None:
    january = clinic.report(level="practice", code="QAA", first="2025-01", last="2025-01")
    assert january["months"] == ["2025-01"]
    assert_figures(figures_of(january, "Y10001"), {
        "invited": 10, "attended": H, "did_not_attend": H,  # a1..a10 came first in January
        "sessions/held": 1, "time_released/clinician_minutes": 90,
        "time_released/people_reviewed": 8,
        "time_released/usual_appointment_minutes_total": 120,
        "time_released/clinician_hours_released": 0.5,
        "time_released/one_to_one_minutes_per_person_reviewed": 4.0,
        "measures/hba1c/people_with_change": 6, "measures/hba1c/median_change": -2.5,
    })
    assert [o["code"] for o in january["organisations"]] == ["Y10001", "Y10002"]
    february = clinic.report(level="practice", code="QAA", first="2025-02", last="2025-02")
    assert_figures(figures_of(february, "Y10001"), {
        "invited": 6, "attended": H, "did_not_attend": H,  # b1..b6 first came in February
        "sessions/held": 1, "sessions/held_by_mode/video": 1,
        "time_released/clinician_minutes": 80,  # planned minutes: no actual sent
        "time_released/people_reviewed": 14,
        "time_released/usual_appointment_minutes_total": 280,  # appointments.toml: 20
        "time_released/clinician_hours_released": round(200 / 60, 3),
        "time_released/people_reviewed_per_clinician_hour": 10.5,
        "time_released/people_with_review_minutes": 0,
        "time_released/one_to_one_minutes_per_person_reviewed": None,
    })
    # 2 did not attend (b6, d7): hidden, and so attended (11), or 13 - 2 would give it
    assert_figures(figures_of(february), {"invited": 13, "attended": H, "did_not_attend": H})
    march = clinic.report(level="practice", code="Y10001", first="2025-03", last="2025-03")
    assert_figures(figures_of(march), {"sessions/held": 0, "sessions/cancelled": 1,
                                       "invited": 0})


def test_the_trend_adds_up_to_the_period(clinic: Clinic) -> None:
    report = clinic.report(level="practice", code="QAA")
    trend = {m["month"]: m for m in report["trend"]}
    assert trend["2025-01"]["invited"]["value"] == 17  # a1..a10 and c1..c7
    assert trend["2025-02"]["invited"]["value"] == 13  # b1..b6 and d1..d7
    assert trend["2025-03"]["invited"]["value"] == 0
    assert trend["2025-01"]["people_reviewed"]["value"] == 14
    assert trend["2025-02"]["people_reviewed"]["value"] == 20
    assert trend["2025-01"]["clinician_minutes"]["value"] == 180
    assert trend["2025-01"]["clinician_hours_released"]["value"] == round((240 - 180) / 60, 3)
    assert trend["2025-02"]["clinician_hours_released"]["value"] == round((400 - 170) / 60, 3)
    assert sum(m["sessions_held"]["value"] for m in report["trend"]) == 4


def test_no_hidden_count_can_be_worked_out(clinic: Clinic) -> None:
    reader = Reader()
    periods = [("2025-01", "2025-03"), ("2025-01", "2025-01"), ("2025-02", "2025-02")]
    for first, last in periods:
        for level, code in (("practice", "QAA"), ("hub", "QAA"), ("pcn", "QAA"),
                            ("practice", "U10001"), ("practice", "U10002"),
                            ("practice", "QBB"), ("pcn", "QBB"), ("icb", None)):
            params = {"level": level, "first": first, "last": last}
            if code:
                params["code"] = code
            reader.read(clinic.report(**params))
    practices = {code: pcn for code, (_, pcn) in scenario.REGISTER["practices"].items()}
    parts: dict[str, list[str]] = {
        "all:None": ["icb:QAA", "icb:QBB"],
        "icb:QAA": ["pcn:U10001", "pcn:U10002"], "icb:QBB": ["pcn:U20001"],
    }
    for kind in ("practice", "hub"):
        for code, pcn in practices.items():
            parts.setdefault(f"pcn:{pcn}", [])
            if f"{kind}:{code}" not in parts[f"pcn:{pcn}"]:
                parts[f"pcn:{pcn}"] = [*parts[f"pcn:{pcn}"], f"{kind}:{code}"]
    # a PCN is the sum of its practices, and separately of its hubs
    tree = {}
    for whole, members in parts.items():
        kinds = {m.split(":")[0] for m in members}
        if len(kinds) == 1:
            tree[whole] = members
        else:
            tree[whole] = [m for m in members if m.startswith("practice:")]
            tree[whole + "#hubs"] = [m for m in members if m.startswith("hub:")]
    reader.add_tree({w.split("#")[0] if "#" not in w else w.split("#")[0]: m
                     for w, m in tree.items() if "#" not in w},
                    {key[1] for key in reader.cells})
    reader.add_tree({w.split("#")[0]: m for w, m in tree.items() if "#" in w},
                    {key[1] for key in reader.cells})
    assert not reader.conflicts
    assert reader.recoverable() == []
    assert sum(1 for v in reader.cells.values() if v is None) > 20  # there was something to hide


def test_a_practice_reads_only_itself(clinic: Clinic) -> None:
    token = clinic.tokens["Y10002"]
    own = clinic.get(token=token)
    assert own.status_code == 200
    assert own.json()["total"]["code"] == "Y10002"
    assert [o["code"] for o in own.json()["organisations"]] == ["Y10002"]
    # The same cells hidden as in the ICB's report: decided over the whole ICB either way.
    icb_view = figures_of(clinic.report(level="practice", code="QAA"), "Y10002")
    assert figures_of(own.json()) == icb_view
    for params, words in (({"code": "Y10001"}, "code: not_allowed"),
                          ({"level": "icb"}, "level: not_allowed"),
                          ({"level": "pcn", "code": "U10001"}, "level: not_allowed")):
        answer = clinic.get(token=token, **params)
        assert answer.status_code == 403
        assert answer.json()["detail"].startswith(words)


@pytest.mark.parametrize(("params", "words"), [
    ({"first": "2025-13"}, "from: month_range"),
    ({"last": "2025-00"}, "to: month_range"),
    ({"first": "2025-1"}, "from: month_format"),
    ({"first": "2025-03", "last": "2025-01"}, "from: after_to"),
    ({"level": "region"}, "level: unknown_level"),
    ({"code": "Z99999"}, "code: unknown_code"),
    ({"level": "icb", "code": "U10001"}, "code: below_level"),
    ({"programme": "gardening"}, "programme: unknown_programme"),
])
def test_bad_parameters_are_named(clinic: Clinic, params: dict[str, str], words: str) -> None:
    answer = clinic.get(**params)
    assert answer.status_code == 422
    assert words in answer.json()["detail"]


def test_staff_experience_carries_no_name_or_id(clinic: Clinic) -> None:
    report = clinic.report(level="practice", code="QAA")
    text = json.dumps(report)
    for uid in ("Y10001/1", "Y10001/2"):
        assert scenario.uid(uid) not in text
    assert subject("a1") not in text
    for question in report["total"]["figures"]["staff_experience"]:
        assert set(question) == {"question", "text", "answers", "responses", "by_group"}
        for group in question["by_group"]:
            assert set(group) == {"kind", "group", "answers", "responses"}
            assert group["group"] in ("facilitator", "clinician", "doctor", "nurse",
                                      "pharmacist", "allied_health", "personalised_care",
                                      "support", "not_recorded")


def test_csv_has_every_figure_of_the_report(clinic: Clinic) -> None:
    answer = clinic.get("/v1/monitoring.csv", level="practice", code="QAA")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    lines = answer.text.splitlines()
    assert lines[0] == "level,code,name,month,section,item,figure,value,suppressed"
    assert "practice,Y10001,Riverside Surgery,,attendance,,invited,16,false" in lines
    assert "practice,Y10001,Riverside Surgery,,attendance,,attended,,true" in lines
    assert "icb,QAA,North Test ICB,2025-02,trend,,invited,13,false" in lines
    assert any(",time_released,,clinician_hours_released,3.833,false" in x for x in lines)


def test_older_endpoints_take_the_period_and_level(clinic: Clinic) -> None:
    groups = clinic.get("/v1/aggregates", level="practice", code="QAA", first="2025-01",
                        last="2025-03").json()["groups"]
    assert [(g["practice"], g["invited"]["value"]) for g in groups] == [
        ("Y10001", 16), ("Y10002", 7), ("Y10003", 7)]
    rows = clinic.get("/v1/aggregates/organisations", level="pcn", code="QAA").json()["rows"]
    assert [(r["code"], r["invited"]["value"]) for r in rows] == [("U10001", 23),
                                                                   ("U10002", 7)]
    csv_text = clinic.get("/v1/aggregates.csv", level="icb").text
    assert "QAA,all,attendance,,invited,30.0,false" in csv_text


def test_the_dataset_explains_every_published_field() -> None:
    """The service side of the dataset agreement: what the report publishes is described in
    dataset.md, and its staff and profession lists are the protocol's."""
    from typing import get_args

    from icb_service.monitoring import (
        PROFESSION_GROUP,
        STAFF_QUESTIONS,
        Figures,
        MonthFigures,
        TimeReleased,
    )
    from icb_service.protocol import Profession, StaffQuestion
    from icb_service.resources import resource

    words = resource("monitoring", "dataset.md").read_text(encoding="utf-8")
    section = words[words.index("### The monitoring report"):]
    for model in (Figures, TimeReleased, MonthFigures):
        missing = [f for f in model.model_fields if f != "month" and f"`{f}`" not in section]
        assert not missing, f"{model.__name__}: {missing} not in dataset.md"
    assert set(PROFESSION_GROUP) == set(get_args(Profession))
    assert set(STAFF_QUESTIONS) == set(get_args(StaffQuestion))


def test_the_check_would_find_a_count_worked_out_from_two_lines() -> None:
    """The reader's check is not vacuous: b and c are each hidden twice over in the first
    line, but the second line gives b, and then the first gives c."""
    reader = Reader()
    reader.cells = {("a", "p", "x"): 10, ("b", "p", "x"): None, ("c", "p", "x"): None,
                    ("d", "p", "x"): 7, ("e", "p", "x"): 4, ("f", "p", "x"): None,
                    ("g", "p", "x"): None, ("h", "p", "x"): 9}
    reader.lines = [[("a", "p", "x"), ("b", "p", "x"), ("c", "p", "x")],
                    [("d", "p", "x"), ("b", "p", "x"), ("e", "p", "x")],
                    [("h", "p", "x"), ("f", "p", "x"), ("g", "p", "x")]]
    assert sorted(reader.recoverable()) == [("b", "p", "x"), ("c", "p", "x")]


def test_an_icb_analyst_reads_only_their_icb(clinic: Clinic, engine: Engine) -> None:
    token = accounts.add_analyst(engine, "South analyst", icb="QBB")
    own = clinic.get(token=token)
    assert own.status_code == 200
    assert own.json()["total"]["code"] == "QBB"
    assert [o["code"] for o in own.json()["organisations"]] == ["Y20001"]
    assert_figures(figures_of(own.json()), QBB)
    for params in ({"code": "QAA"}, {"code": "Y10001"}, {"level": "pcn", "code": "U10001"}):
        answer = clinic.get(token=token, **params)
        assert answer.status_code == 403
        assert answer.json()["detail"].startswith("code: not_allowed")


def test_a_programme_on_its_own(clinic: Clinic) -> None:
    diabetes = clinic.report(level="icb", programme="type2_diabetes")
    assert_figures(figures_of(diabetes, "QAA"), {**QAA, "staff_experience/satisfying/answers/5": 6})
    assert_figures(figures_of(diabetes, "QBB"), {
        "invited": 12, "signposting/social_prescribing": 5})
    assert figures_of(diabetes, "QBB").get("follow_up/dna/contact/count") is None  # no programme
    respiratory = clinic.report(level="icb", programme="respiratory")
    assert respiratory["organisations"] == []
    assert respiratory["months"] == []
    assert_figures(figures_of(respiratory), {"invited": 0, "sessions/held": 0})


def test_a_read_right_after_a_post_counts_it(engine: Engine) -> None:
    """The summaries are kept off the ingest path (a queue and a background drainer); a report
    read straight after a batch is stored still counts it, and equals a rebuild's."""
    from icb_service import summaries

    tokens = scenario.register_practices(engine)
    analyst = {"Authorization": f"Bearer {accounts.add_analyst(engine, 'ICB analyst')}"}
    batches = list(scenario.batches().items())
    with TestClient(create_app(Settings(), engine)) as client:  # the drainer runs meanwhile

        def post(code: str, events: list[dict[str, Any]]) -> None:
            answer = client.post(
                "/v1/events", json={"protocol_version": 3, "practice": code, "events": events},
                headers={"Authorization": f"Bearer {tokens[code]}"})
            assert answer.status_code == 200

        def report() -> dict[str, Any]:
            answer = client.get("/v1/monitoring", params={"level": "icb"}, headers=analyst)
            assert answer.status_code == 200, answer.text
            found = answer.json()
            found.pop("generated_at")
            return found

        post(*batches[0])
        first = report()
        for code, events in batches[1:]:
            post(code, events)
        after = report()
        summaries.rebuild(engine)
        assert after != first
        assert after == report()
        csv_after = client.get("/v1/monitoring.csv", headers=analyst).text
        assert summaries.pending(engine) == 0
    assert csv_after.count("\n") > 1
