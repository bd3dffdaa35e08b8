"""The ICB service for real on loopback: uvicorn in a thread, a SQLite file, the clinic data sent
over HTTP by each practice's token, and the register filled with names."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import Engine

from icb_service import accounts
from icb_service.app import Settings, create_app
from icb_service.db import open_database
from tests.icb_service.browser.clinic_data import ICB, PCN, PRACTICES, batches
from tests.icb_service.test_real_server import free_port


@dataclass
class Running:
    url: str
    analyst: str  # an analyst token

    @property
    def basic(self) -> str:
        """The Authorization header a browser sends: any user name, the token as password."""
        return "Basic " + base64.b64encode(f"analyst:{self.analyst}".encode()).decode()

    def get(self, path: str, **params: str) -> httpx.Response:
        return httpx.get(self.url + path, params=params or None, timeout=60,
                         headers={"Authorization": self.basic})


def register(engine: Engine, code: str, name: str) -> str:
    """A practice's token, with the practice in the register under its PCN and ICB."""
    return accounts.add_practice(engine, code, name, pcn=PCN[0], pcn_name=PCN[1], icb=ICB[0],
                                 icb_name=ICB[1])


@contextmanager
def running_service(folder: Path, database_url: str | None = None) -> Iterator[Running]:
    """A SQLite file in `folder`, or the PostgreSQL database at `database_url`."""
    engine = open_database(database_url or f"sqlite:///{folder / 'icb.sqlite3'}")
    tokens = {p.code: register(engine, p.code, p.name) for p in PRACTICES}
    analyst = accounts.add_analyst(engine, "ICB analyst")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(), engine), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            for practice in PRACTICES:
                for batch in batches(practice):
                    sent = client.post("/v1/events", json=batch, headers={
                        "Authorization": f"Bearer {tokens[practice.code]}"})
                    assert sent.status_code == 200, sent.text
                    refused = [r for r in sent.json()["results"] if r["status"] != "stored"]
                    assert not refused, refused[:3]
        yield Running(url, analyst)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()
