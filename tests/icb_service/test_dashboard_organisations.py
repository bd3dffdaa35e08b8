"""The dashboard's per-practice, per-hub and per-PCN tables, read over real HTTP on loopback."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from icb_service import accounts
from icb_service.app import Settings, create_app
from tests.icb_service.test_practice_aggregates import hub_events
from tests.icb_service.test_real_server import free_port


class Tables(HTMLParser):
    """Each table on the page as its caption and its rows of cell text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._in: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "table":
            self._caption = None
        elif tag in ("caption", "th", "td"):
            self._in, self._text = tag, ""
        elif tag == "tr" and self._caption is not None:
            self.tables[self._caption].append([])

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._caption = self._text.strip()
            self.tables[self._caption] = []
        elif tag in ("th", "td") and self._caption is not None:
            self.tables[self._caption][-1].append(self._text.strip())
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text += data


@pytest.fixture
def running(engine: Engine) -> Iterator[tuple[str, str, str]]:
    hub_token = accounts.add_practice(engine, "Y99999", "Riverside Neighbourhood Hub")
    accounts.add_practice(engine, "Y99901", "Brookside Surgery")
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


def test_the_dashboard_shows_each_practice_hub_and_pcn_in_words(
    running: tuple[str, str, str],
) -> None:
    url, hub_token, analyst = running
    with httpx.Client(base_url=url, timeout=10) as client:
        sent = client.post("/v1/events", headers={"Authorization": f"Bearer {hub_token}"},
                           json={"protocol_version": 1, "practice": "Y99999",
                                 "events": hub_events()})
        assert sent.status_code == 200
        published = client.get("/v1/aggregates/organisations",
                               headers={"Authorization": f"Bearer {analyst}"}).json()
        page = client.get("/dashboard", auth=("analyst", analyst))
    assert page.status_code == 200
    html = page.text
    assert "By registered practice, hub and primary care network" in html
    assert "<script" not in html
    parser = Tables()
    parser.feed(html)
    practices = parser.tables["By the practice where each person is registered"]
    hubs = parser.tables["By the hub or practice that ran the clinics"]
    pcns = parser.tables["By primary care network"]
    assert practices[0] == ["Registered practice", "Sessions", "People", "Invited", "Attended",
                            "Did not attend", "Did-not-attend rate"]
    by_label = {row[0]: row[1:] for table in (practices, hubs, pcns) for row in table[1:]}
    # Practice codes with their names where the service knows them.
    assert set(by_label) == {"Y99901 Brookside Surgery", "Y99902",
                             "Y99999 Riverside Neighbourhood Hub", "U99990"}
    # Every cell says what the JSON publishes: the number, or "fewer than 5 or withheld".
    fields = ("sessions", "people", "invited", "attended", "did_not_attend")
    for row in published["rows"]:
        label = next(k for k in by_label if k.split()[0] == row["code"])
        shown = by_label[label]
        for cell, field in zip(shown, fields, strict=False):
            figure = row[field]
            if isinstance(figure, int):
                assert cell == str(figure)
            elif figure["suppressed"]:
                assert cell == "fewer than 5 or withheld"
            else:
                assert cell == f"{figure['value']:g}"
    # Y99902's two people: never a number, in any column or row.
    y2 = by_label["Y99902"]
    assert y2[1:5] == ["fewer than 5 or withheld"] * 4
    for row in (r for t in (practices, hubs, pcns) for r in t[1:]):
        for cell in row[2:6]:
            assert cell == "fewer than 5 or withheld" or int(cell) >= 5
    # The hub's own token sees its own rows only, the same way.
    with httpx.Client(base_url=url, timeout=10) as client:
        own = client.get("/dashboard", auth=("hub", hub_token)).text
    assert "Y99999 Riverside Neighbourhood Hub" in own
    assert re.search(r"fewer than 5 or withheld", own)
