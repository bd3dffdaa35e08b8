"""The dashboard's practices, hubs and PCNs side by side, under their register names, read over
real HTTP on loopback; every cell is what the monitoring report publishes."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from icb_service import accounts
from icb_service.app import Settings, create_app
from icb_service.monitoring import MonitoringQuery, Reader, build_monitoring_report
from tests.icb_service.page_tables import page_tables
from tests.icb_service.test_practice_aggregates import hub_events
from tests.icb_service.test_real_server import free_port


@pytest.fixture
def running(engine: Engine) -> Iterator[tuple[str, str, str]]:
    placed = {"pcn": "U99990", "pcn_name": "Riverside Primary Care Network", "icb": "QRV",
              "icb_name": "NHS Riverside Integrated Care Board"}
    hub_token = accounts.add_practice(engine, "Y99999", "Riverside Neighbourhood Hub", **placed)
    accounts.add_practice(engine, "Y99901", "Brookside Surgery", **placed)
    accounts.add_practice(engine, "Y99902", **placed)  # in the register without a name
    analyst = accounts.add_analyst(engine, "ICB analyst")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(), engine), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", hub_token, analyst
    server.should_exit = True
    thread.join(timeout=10)


def shown(figure) -> str:
    return "hidden" if figure.suppressed else f"{figure.value:,.0f}"


@pytest.mark.parametrize(("level", "labels"), [
    ("practice", ["Riverside Neighbourhood Hub (Y99999)", "Brookside Surgery (Y99901)",
                  "Y99902"]),
    ("hub", ["Riverside Neighbourhood Hub (Y99999)"]),
    ("pcn", ["Riverside Primary Care Network (U99990)"]),
])
def test_each_level_side_by_side_under_its_name(
    running: tuple[str, str, str], engine: Engine, level: str, labels: list[str],
) -> None:
    url, hub_token, analyst = running
    with httpx.Client(base_url=url, timeout=30) as client:
        sent = client.post("/v1/events", headers={"Authorization": f"Bearer {hub_token}"},
                           json={"protocol_version": 1, "practice": "Y99999",
                                 "events": hub_events()})
        assert sent.status_code == 200
        page = client.get("/dashboard", params={"level": level}, auth=("analyst", analyst))
    assert page.status_code == 200
    rows = page_tables(page.text)["compare-attendance"]
    report = build_monitoring_report(engine, MonitoringQuery(level=level), Reader())
    by_code = {org.code: org.figures for org in report.organisations}
    assert sorted(row[0] for row in rows[1:]) == sorted(
        label for label in labels if label.split(" (")[-1].strip(")") in by_code
        or label in by_code
    )
    invited = rows[0].index("People invited")
    for row in rows[1:]:
        code = row[0].split(" (")[-1].strip(")")
        figures = by_code[code]
        assert row[invited:invited + 2] == [shown(figures.invited), shown(figures.attended)]
    # The register's names, and no small count printed as a number.
    assert "Riverside Primary Care Network" in page.text
    for row in rows[1:]:
        for value in row[invited:invited + 2]:
            assert value in ("hidden", "0") or int(value.replace(",", "")) >= 5


def test_a_practice_sees_only_its_own_choices(running: tuple[str, str, str]) -> None:
    url, hub_token, _ = running
    with httpx.Client(base_url=url, timeout=30) as client:
        page = client.get("/dashboard", auth=("hub", hub_token)).text
        refused = client.get("/dashboard", params={"level": "pcn"}, auth=("hub", hub_token))
    # Its own practice and its own levels: no other practice, no PCN or ICB comparison.
    assert re.search(r'<option value="Y99999"( selected)?>Riverside Neighbourhood Hub \(Y99999\)'
                     r"</option>", page)
    assert 'value="Y99901"' not in page and 'value="U99990"' not in page
    assert '<option value="pcn"' not in page and '<option value="icb"' not in page
    assert refused.status_code == 403


def test_a_choice_the_report_cannot_use_is_explained_on_a_page(
    running: tuple[str, str, str],
) -> None:
    url, _, analyst = running
    with httpx.Client(base_url=url, timeout=30) as client:
        backwards = client.get("/dashboard", params={"from": "2025-12", "to": "2025-01"},
                               auth=("analyst", analyst))
        unknown = client.get("/dashboard", params={"level": "region"},
                             auth=("analyst", analyst))
        narrow = client.get("/dashboard", params={"from": "2025-07", "level": "pcn",
                                                  "code": "Y99901"}, auth=("analyst", analyst))
        download = client.get("/dashboard.csv", params={"from": "2025-12", "to": "2025-01"},
                              auth=("analyst", analyst))
    assert backwards.status_code == 422
    assert backwards.headers["content-type"].startswith("text/html")
    assert "These figures cannot be shown" in backwards.text
    assert "The first month is after the last month" in backwards.text
    assert 'href="/dashboard"' in backwards.text
    assert unknown.status_code == 422 and "Compare by practices, hubs" in unknown.text
    assert narrow.status_code == 422 and "cannot be compared by PCN" in narrow.text
    # The ways back keep the rest of the choice.
    assert 'href="/dashboard?from=2025-07&amp;level=practice&amp;code=Y99901"' in narrow.text
    assert 'href="/dashboard?from=2025-07&amp;level=pcn"' in narrow.text
    assert download.status_code == 422 and download.json()["detail"].startswith("from:")


def test_an_icb_analyst_chooses_among_their_own_icb_only(
    running: tuple[str, str, str], engine: Engine,
) -> None:
    url, _, _ = running
    accounts.add_practice(engine, "Y77701", "Far Away Surgery", pcn="U77770",
                          pcn_name="Elsewhere PCN", icb="QZZ", icb_name="NHS Elsewhere ICB")
    ours = accounts.add_analyst(engine, "Riverside analyst", icb="QRV")
    with httpx.Client(base_url=url, timeout=30) as client:
        page = client.get("/dashboard", auth=("analyst", ours)).text
        theirs = client.get("/dashboard", params={"code": "Y77701"}, auth=("analyst", ours))
    assert 'value="QRV"' in page and 'value="U99990"' in page and 'value="Y99901"' in page
    assert "Elsewhere" not in page and 'value="Y77701"' not in page
    assert theirs.status_code == 403
