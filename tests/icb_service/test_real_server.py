"""Idempotency over a real HTTP connection: uvicorn on loopback, httpx as the client."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from icb_service import accounts
from icb_service.app import Settings, create_app
from icb_service.models import StoredEvent
from tests.icb_service import events as ev


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(engine: Engine) -> Iterator[tuple[str, str]]:
    token = accounts.add_practice(engine, "Y99999")
    port = free_port()
    config = uvicorn.Config(create_app(Settings(), engine), host="127.0.0.1", port=port,
                            log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", token
    running.should_exit = True
    thread.join(timeout=10)


def rows(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(StoredEvent)).one()


def batch(events: list[dict]) -> dict:
    return {"protocol_version": 1, "practice": "Y99999", "events": events}


def test_a_retried_batch_is_stored_once(server: tuple[str, str], engine: Engine) -> None:
    url, token = server
    session_uid = str(uuid.uuid4())
    events = [ev.event("attendance", ev.attendance(session_uid, who)) for who in "ABC"]
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        assert client.get("/v1/health").json()["status"] == "ok"
        first = client.post("/v1/events", json=batch(events)).json()["results"]
        # The laptop lost the reply and sends the very same batch again.
        second = client.post("/v1/events", json=batch(events)).json()["results"]
    assert [r["status"] for r in first] == ["stored"] * 3
    assert [r["status"] for r in second] == ["duplicate"] * 3
    assert [r["id"] for r in second] == [e["id"] for e in events]
    assert rows(engine) == 3


def test_the_same_batch_sent_at_once_from_two_laptops_is_stored_once(
    server: tuple[str, str], engine: Engine
) -> None:
    url, token = server
    events = [ev.event("experience", ev.experience(str(uuid.uuid4()), "good")) for _ in range(40)]

    def send(_: int) -> list[str]:
        with httpx.Client(base_url=url, timeout=30) as client:
            response = client.post("/v1/events", json=batch(events),
                                   headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, response.text
            return [r["status"] for r in response.json()["results"]]

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(send, range(4)))
    for position in range(len(events)):
        statuses = sorted(answer[position] for answer in answers)
        assert statuses == ["duplicate", "duplicate", "duplicate", "stored"]
    assert rows(engine) == 40
