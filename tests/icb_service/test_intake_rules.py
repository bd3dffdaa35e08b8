"""What a hostile or buggy client may not get into the ICB's store (issue 21, points 11-13, 15).

Each event is judged on its own: a bad one is rejected naming the field and the rule, the rest
of its batch is stored, and nothing the client sent is repeated in the answer.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from icb_service.aggregates import build_report
from icb_service.dataset import rules
from icb_service.models import StoredEvent
from tests.icb_service import events as ev
from tests.icb_service.conftest import Service

S = str(uuid.uuid4())


def stored_count(service: Service) -> int:
    with Session(service.engine) as session:
        return session.exec(select(func.count()).select_from(StoredEvent)).one()


def now_iso(**delta: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(**delta)).isoformat()


def good() -> dict:
    return ev.event("experience", ev.experience(S, "good"))


def judged(service: Service, bad: dict) -> dict:
    """Send bad between two good events; both good ones must be stored whatever bad is."""
    batch = [good(), bad, good()]
    response = service.send(batch)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results[::2]] == ["stored", "stored"]
    assert results[1]["status"] == "rejected"
    return results[1]


# ------------------------------------------------------------ 11: one bad event, not the batch


@pytest.mark.parametrize(
    "occurred_at",
    ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59Z",
     "0001-01-01T00:00:00Z", "2025-13-40T99:99:99Z", "1970-01-01T00:00:00Z"],
)
def test_an_impossible_or_extreme_time_rejects_only_its_event(
    service: Service, occurred_at: str
) -> None:
    result = judged(service, {**good(), "occurred_at": occurred_at})
    assert result["reason"].startswith("occurred_at:")
    assert occurred_at not in result["reason"]
    assert stored_count(service) == 2


offsets = st.builds(
    lambda sign, hours, minutes: f"{sign}{hours:02d}:{minutes:02d}",
    st.sampled_from("+-"), st.integers(0, 23), st.integers(0, 59),
) | st.just("Z")
instants = st.builds(
    lambda when, offset: when.strftime("%Y-%m-%dT%H:%M:%S") + offset,
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59)),
    offsets,
)
dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(str)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 1e308, -1e308, 5e-324, 9434765919, 2**63, 2**64, 999_999_999]),
)


@st.composite
def extreme_event(draw: st.DrawFn) -> dict:
    """A measurement with extreme times, offsets, dates and numbers in every slot."""
    payload = ev.measurement("a", "systolic_bp", 120, str(dt.date.today()), "on_target", S,
                             unit="mmHg")
    for field in draw(st.sets(st.sampled_from(["value", "change_since_previous", "taken_on"]))):
        payload[field] = draw(dates) if field == "taken_on" else draw(numbers)
    event = ev.event("measurement", payload, occurred_at=draw(instants | st.just(now_iso())))
    if draw(st.booleans()):
        event["seq"] = draw(numbers)
    return event


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(extreme_event(), min_size=1, max_size=5))
def test_extreme_dates_offsets_and_numbers_never_fail_a_batch(
    service: Service, batch: list[dict]
) -> None:
    anchor = good()
    response = service.client.post(
        "/v1/events",
        content=json.dumps({"protocol_version": 1, "practice": "Y99999",
                            "events": [anchor, *batch]}),
        headers={"Authorization": f"Bearer {service.token}",
                 "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert results[0]["status"] in ("stored", "duplicate")  # the good event is never held up
    limits = rules()
    received = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with Session(service.engine) as session:
        for event, result in zip(batch, results[1:], strict=True):
            row = session.get(StoredEvent, event["id"])
            if result["status"] == "rejected":
                assert row is None and result["reason"]
                continue
            # Whatever was kept is inside the catalogue's limits and the date window.
            assert row is not None
            assert 40 <= row.payload["value"] <= 270
            assert row.occurred_at <= received + dt.timedelta(days=limits.occurred_future_days)
            assert row.occurred_at >= received - dt.timedelta(days=limits.past_days + 1)
            assert 1 <= row.seq <= limits.max_seq


# ------------------------------------------------------------ 12: identifiers in free fields


@pytest.mark.parametrize(
    "unit, rule",
    [("John Smith", "name_like"), ("12/03/1956", "date_of_birth_like"),
     ("943.476.5919", "nhs_number_like"), ("12 March 1956", "date_of_birth_like"),
     ("kg", "catalogue_unit"), ("mmhg", "catalogue_unit")],
)
def test_the_unit_is_the_catalogues_and_nothing_else(
    service: Service, unit: str, rule: str
) -> None:
    bad = ev.event("measurement", ev.measurement("a", "systolic_bp", 130, "2025-01-10",
                                                 "on_target", S, unit=unit))
    result = judged(service, bad)
    assert result["reason"].startswith(f"payload.unit: {rule}")
    assert unit not in result["reason"]


@pytest.mark.parametrize(
    "field, value, reason",
    [("programme_key", "john_smith_1956_03_12", "payload.programme_key: programme_list"),
     ("programme_key", "hypertension_plus", "payload.programme_key: programme_list"),
     ("planned_phase_minutes", {"john_smith": 10}, "payload.planned_phase_minutes.<key>"),
     ("actual_phase_minutes", {"Mary Jones": 5}, "payload.actual_phase_minutes.<key>: name_like"),
     ("mode", "Mary Jones", "payload.mode: name_like")],
)
def test_keys_come_from_the_published_lists(
    service: Service, field: str, value: object, reason: str
) -> None:
    bad = ev.event("session", {**ev.session(S, "2025-01-10"), field: value})
    result = judged(service, bad)
    assert result["reason"].startswith(reason), result["reason"]
    for secret in ("john", "smith", "Mary", "1956"):
        assert secret not in result["reason"]


def test_the_published_lists_are_what_the_laptop_sends() -> None:
    # A custom programme is always made from one of these templates, so its key is listed.
    from groupclinic_desktop.core.programmes import PHASES
    from groupclinic_desktop.resources import resource

    templates = {path.stem for path in resource("programmes").glob("*.toml")}
    assert rules().programme_keys == templates
    assert rules().phase_keys == set(PHASES)


@pytest.mark.parametrize("seq", [9434765919, 2**63 - 1, 0, -5, "12", True, 1.5])
def test_seq_is_a_small_positive_whole_number(service: Service, seq: object) -> None:
    result = judged(service, {**good(), "seq": seq})
    assert result["reason"].startswith("seq:")
    assert str(seq) not in result["reason"].replace(str(rules().max_seq), "")


# ------------------------------------------------------------ 13: impossible values


@pytest.mark.parametrize(
    "measure, value, unit, rule",
    [("systolic_bp", 0, "mmHg", "payload.value: hard_limits"),
     ("systolic_bp", 99999, "mmHg", "payload.value: hard_limits"),
     ("systolic_bp", 39.9, "mmHg", "payload.value: hard_limits"),
     ("weight", 80, "mmHg", "payload.unit: catalogue_unit"),
     ("hba1c", 251, "mmol/mol", "payload.value: hard_limits")],
)
def test_the_catalogues_hard_limits_apply(
    service: Service, measure: str, value: float, unit: str, rule: str
) -> None:
    bad = ev.event("measurement", ev.measurement("a", measure, value, "2025-01-10", "on_target",
                                                 S, unit=unit))
    assert judged(service, bad)["reason"].startswith(rule)


def test_a_limit_itself_is_accepted(service: Service) -> None:
    events = [ev.event("measurement", ev.measurement("a", "systolic_bp", v, "2025-01-10",
                                                     "on_target", S, unit="mmHg"))
              for v in (40, 270)]
    assert [r["status"] for r in service.send(events).json()["results"]] == ["stored"] * 2


@pytest.mark.parametrize("taken_on", ["0001-01-01", "9999-12-31", "1900-01-01"])
def test_measurement_dates_are_in_a_window_around_receipt(
    service: Service, taken_on: str
) -> None:
    bad = ev.event("measurement", ev.measurement("a", "weight", 80, taken_on, "no_target", S,
                                                 unit="kg"))
    assert judged(service, bad)["reason"].startswith("payload.taken_on: date_window")


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31"])
def test_session_dates_are_in_a_window_around_receipt(service: Service, date: str) -> None:
    bad = ev.event("session", ev.session(S, date))
    assert judged(service, bad)["reason"].startswith("payload.date: date_window")


def test_a_session_planned_next_year_is_accepted(service: Service) -> None:
    ahead = str(dt.date.today() + dt.timedelta(days=300))
    result = service.send([ev.event("session", ev.session(S, ahead, status="planned"))])
    assert result.json()["results"][0]["status"] == "stored"


def test_a_future_dated_event_never_outranks_a_later_correction(service: Service) -> None:
    # A laptop clock 20 hours fast (inside the window) records "attended"...
    session = ev.event("session", ev.session(S, str(dt.date.today())), occurred_at=now_iso())
    fast = ev.event("attendance", ev.attendance(S, "a", "attended"),
                    occurred_at=now_iso(hours=20), seq=10)
    assert service.send([session, fast]).status_code == 200
    # ...then the facilitator corrects it on a laptop with the right time.
    fixed = ev.event("attendance", ev.attendance(S, "a", "did_not_attend"),
                     occurred_at=now_iso(), seq=11)
    assert service.send([fixed]).json()["results"][0]["status"] == "stored"
    group = build_report(service.engine, "Y99999", threshold=1).groups[0]
    assert group.did_not_attend.value == 1 and group.attended.value is None or (
        group.attended.suppressed
    )


# ------------------------------------------------------------ 15: protocol strictness


@pytest.mark.parametrize("version", ["1", True, 1.0, [1], None])
def test_protocol_version_is_a_json_integer_only(service: Service, version: object) -> None:
    response = service.client.post(
        "/v1/events",
        json={"protocol_version": version, "practice": "Y99999", "events": [good()]},
        headers={"Authorization": f"Bearer {service.token}"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "protocol_version"]
    assert stored_count(service) == 0


def test_an_unsupported_version_is_not_repeated(service: Service) -> None:
    response = service.client.post(
        "/v1/events",
        json={"protocol_version": 987654, "practice": "Y99999", "events": [good()]},
        headers={"Authorization": f"Bearer {service.token}"},
    )
    assert response.status_code == 409 and "987654" not in response.text


SECRET = "Zebediah"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda e: {**e, "type": SECRET},
        lambda e: {**e, "type": "goal", "schema_version": 77},
        lambda e: {**e, "payload": {**e["payload"], SECRET: 1}},
        lambda e: {**e, "payload": {**e["payload"], "response": SECRET}},
        lambda e: {**e, "payload": {**e["payload"], "session_uid": SECRET}},
        lambda e: {**e, "payload": SECRET},
        lambda e: {**e, "occurred_at": SECRET},
        lambda e: {**e, SECRET: "x"},
        lambda e: {**e, "seq": SECRET},
    ],
)
def test_reasons_hold_paths_and_rules_never_what_was_sent(service: Service, mutate) -> None:
    result = judged(service, mutate(good()))
    assert SECRET.lower() not in result["reason"].lower()
    path, _, rule = result["reason"].partition(": ")
    assert path and rule


def test_a_malformed_request_does_not_repeat_keys_or_values(service: Service) -> None:
    response = service.client.post(
        "/v1/events",
        json={"protocol_version": 1, "practice": "Y99999", SECRET: SECRET,
              "events": [{**good(), "id": SECRET}]},
        headers={"Authorization": f"Bearer {service.token}"},
    )
    assert response.status_code == 422 and SECRET not in response.text
    for problem in response.json()["errors"]:
        assert set(problem) == {"loc", "type"}
