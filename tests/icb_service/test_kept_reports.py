"""Reports decided ahead, and kept per ICB: a batch from one ICB's practices makes only that
ICB's reports (and those of ICBs holding its attendees' practices) be decided again, and the
service decides every ICB's usual reports before they are asked for, so an analyst's first read
does not wait for the suppression decision. Figures are never stale: each read counts every
event stored before it."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from icb_service import accounts, monitoring, summaries
from icb_service.app import Settings, create_app
from tests.icb_service import monitoring_scenario as scenario


def versions(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return summaries.tree_versions(connection)


def kept(icb: str, engine: Engine | None = None) -> list[int]:
    """The decisions kept in memory for one ICB's tree (any period); with the engine, only
    those of its figures as they stand."""
    now = versions(engine).get(icb, 0) if engine else None
    with monitoring._DECIDED_LOCK:  # by identity: a decision gains histograms as it is read
        return [id(decision) for (version, code, *_), decision in monitoring._DECIDED.items()
                if code == icb and now in (None, version[-1])]


def post(client: TestClient, tokens: dict[str, str], code: str,
         events: list[dict[str, Any]]) -> None:
    answer = client.post(
        "/v1/events", json={"protocol_version": 3, "practice": code, "events": events},
        headers={"Authorization": f"Bearer {tokens[code]}"})
    assert answer.status_code == 200, answer.text
    assert {r["status"] for r in answer.json()["results"]} == {"stored"}


def invited(client: TestClient, analyst: str, code: str) -> int:
    answer = client.get("/v1/monitoring", params={"level": "practice", "code": code},
                        headers={"Authorization": f"Bearer {analyst}"})
    assert answer.status_code == 200, answer.text
    (row,) = [o for o in answer.json()["organisations"] if o["code"] == code]
    figure = row["figures"]["invited"]
    assert not figure["suppressed"]
    return int(figure["value"])


def new_session(code: str, people: int, registered: str | None = None) -> list[dict[str, Any]]:
    """A finished session of `people` attendees, registered at `registered` if given."""
    uid = scenario.uid(f"{code}/kept/{people}/{registered}")
    events = [scenario._session(uid, "2025-03-04")]
    for n in range(people):
        attendance = scenario._attendance(uid, f"k{code}{registered}{n}", "attended", "in_room")
        if registered:
            attendance["payload"]["registered_practice"] = registered
        events.append(attendance)
    return events


def test_a_batch_leaves_other_icbs_reports_standing(engine: Engine) -> None:
    monitoring._DECIDED.clear()
    tokens = scenario.register_practices(engine)
    analyst = accounts.add_analyst(engine, "ICB analyst")
    client = TestClient(create_app(Settings(), engine))
    for code, events in scenario.batches().items():
        post(client, tokens, code, events)
    before_north, before_south = invited(client, analyst, "Y10001"), invited(
        client, analyst, "Y20001")
    (south,) = kept("QBB")
    start = versions(engine)

    post(client, tokens, "Y10001", new_session("Y10001", 8))

    assert invited(client, analyst, "Y10001") == before_north + 8  # counted at once
    assert invited(client, analyst, "Y20001") == before_south
    after = versions(engine)
    assert after["QAA"] > start["QAA"] and after["QBB"] == start["QBB"]
    assert kept("QBB") == [south]  # not decided again

    # A hub in the south seeing eight people registered at a northern practice changes the
    # northern practice's figures: both trees are decided again.
    post(client, tokens, "Y20001", new_session("Y20001", 8, registered="Y10002"))
    assert invited(client, analyst, "Y10002") == 7 + 8
    moved = versions(engine)
    assert moved["QAA"] > after["QAA"] and moved["QBB"] > after["QBB"]
    invited(client, analyst, "Y20001")
    assert kept("QBB")[-1] != south


def test_a_rebuild_changes_every_tree(engine: Engine) -> None:
    scenario.register_practices(engine)
    start = versions(engine)
    summaries.rebuild(engine)
    after = versions(engine)
    assert set(after) == {"QAA", "QBB", "not_stated"}
    assert all(after[icb] > start.get(icb, 0) for icb in after)


def wait_ready(client: TestClient, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not client.get("/v1/health").json()["reports_ready"]:
        assert time.monotonic() < deadline, "the kept reports were never all decided"
        time.sleep(0.1)


def test_the_usual_reports_are_decided_before_anyone_asks(engine: Engine) -> None:
    monitoring._DECIDED.clear()
    tokens = scenario.register_practices(engine)
    analyst = accounts.add_analyst(engine, "ICB analyst")
    with TestClient(create_app(Settings(), engine)) as client:  # the warmer runs meanwhile
        for code, events in scenario.batches().items():
            post(client, tokens, code, events)
        wait_ready(client)
        # Everything so far and the last twelve months, for both ICBs and the organisations
        # outside them: decided with no read asking.
        for icb in ("QAA", "QBB", "not_stated"):
            assert len(kept(icb, engine)) == 2, icb
        north, south = kept("QAA", engine), kept("QBB", engine)
        before = invited(client, analyst, "Y10001")
        assert set(kept("QAA", engine)) == set(north)  # the read found its decision made

        post(client, tokens, "Y10001", new_session("Y10001", 8))
        assert invited(client, analyst, "Y10001") == before + 8  # never stale
        wait_ready(client)
        now = kept("QAA", engine)
        assert len(now) == 2 and not set(now) & set(north)
        assert set(kept("QBB", engine)) == set(south)  # the south was not decided again

    off = create_app(Settings(decide_ahead=False), engine)
    with TestClient(off) as client:
        assert client.get("/v1/health").json()["reports_ready"] is True
        assert off.state.report_warmer.passes == 0


def test_a_report_read_again_is_the_same_and_not_worked_out_again(
    engine: Engine, monkeypatch: Any
) -> None:
    """A second read of one ICB's report takes its figures and trend from the kept decision;
    after a batch, the next read works them out again from the new figures."""
    monitoring._DECIDED.clear()
    tokens = scenario.register_practices(engine)
    analyst = accounts.add_analyst(engine, "ICB analyst")
    client = TestClient(create_app(Settings(decide_ahead=False), engine))
    for code, events in scenario.batches().items():
        post(client, tokens, code, events)
    worked_out: list[str] = []

    def counting(name: str) -> Any:
        real = getattr(monitoring, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            worked_out.append(name)
            return real(*args, **kwargs)
        return counted

    for name in ("_figures", "_trend"):
        monkeypatch.setattr(monitoring, name, counting(name))

    def report() -> dict[str, Any]:
        answer = client.get("/v1/monitoring", params={"level": "practice", "code": "Y10001"},
                            headers={"Authorization": f"Bearer {analyst}"})
        assert answer.status_code == 200, answer.text
        return {k: v for k, v in answer.json().items() if k != "generated_at"}

    def march_invited(found: dict[str, Any]) -> int:
        (month,) = [m for m in found["trend"] if m["month"] == "2025-03"]
        assert not month["invited"]["suppressed"]
        return int(month["invited"]["value"])

    first = report()
    assert worked_out.count("_trend") == 1 and worked_out.count("_figures") >= 1
    worked_out.clear()
    assert report() == first
    assert worked_out == []  # neither medians nor months worked out again

    post(client, tokens, "Y10001", new_session("Y10001", 8))
    after = report()
    assert worked_out.count("_trend") == 1
    (row,) = after["organisations"]
    assert row["figures"]["invited"]["value"] == (
        first["organisations"][0]["figures"]["invited"]["value"] + 8)
    assert march_invited(after) == march_invited(first) + 8
