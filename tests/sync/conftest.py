"""The real reference ICB service on loopback, in its own process, for the sync tests.

`icb` starts `python -m icb_service.cli serve` on a free port with a SQLite file (and again on
PostgreSQL when GROUPCLINIC_TEST_POSTGRES_URL is set). Faults come from killing that process or
from `FaultyProxy`, a small real HTTP proxy in front of it; nothing is mocked.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from bench.service_health import wait_until_healthy
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.sync import config
from groupclinic_desktop.sync.engine import Tuning

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("GROUPCLINIC_TEST_POSTGRES_URL")
# Short waits so the fault tests finish quickly; production uses the defaults.
FAST = Tuning(timeout=5.0, backoff_base=0.05, backoff_cap=0.3, max_inline_wait=5.0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class IcbServer:
    """The reference service as a separate process that a test can kill and start again."""

    def __init__(self, db_url: str, workdir: Path, **env: str) -> None:
        self.db_url = db_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.token = self._cli("add-practice", "Y99999", "--name", "Demo Surgery")

    def _environ(self) -> dict[str, str]:
        environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        environ.update(self.env)
        environ["PYTHONPATH"] = str(ROOT)
        return environ

    def _cli(self, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "icb_service.cli", "--db", self.db_url, *args],
            capture_output=True, text=True, env=self._environ(), cwd=ROOT, timeout=60,
        )
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    def start(self) -> None:
        log = (self.workdir / "icb-server.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "icb_service.cli", "--db", self.db_url, "serve",
             "--port", str(self.port)],
            stdout=log, stderr=log, env=self._environ(), cwd=ROOT,
        )
        wait_until_healthy(self.url, self.process, 30)

    def kill(self) -> None:
        """SIGKILL: no goodbye, as in a power cut or a crashed host."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    # ---- what the service holds, read straight from its database

    def event_ids(self) -> list[str]:
        engine = create_engine(self.db_url.replace("postgresql://", "postgresql+psycopg://"))
        try:
            with engine.connect() as conn:
                return [r[0] for r in conn.execute(text("SELECT id FROM event"))]
        finally:
            engine.dispose()

    def all_text(self) -> str:
        """Every value of every table, as text: what a privacy reviewer would search."""
        engine = create_engine(self.db_url)
        parts: list[str] = []
        try:
            with engine.connect() as conn:
                if engine.dialect.name == "sqlite":
                    tables = [r[0] for r in conn.execute(
                        text("SELECT name FROM sqlite_master WHERE type='table'"))]
                else:
                    tables = [r[0] for r in conn.execute(text(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = current_schema()"))]
                for table in tables:
                    for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                        parts.append(json.dumps([str(v) for v in row]))
        finally:
            engine.dispose()
        return "\n".join(parts)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def icb_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'icb.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("GROUPCLINIC_TEST_POSTGRES_URL is not set (eval \"$(bash .ci/postgres.sh)\")")
    schema = f"sync_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'icb.sqlite3'}"


def _server(db_url: str, tmp_path: Path, **env: str) -> Iterator[IcbServer]:
    server = IcbServer(db_url, tmp_path, **env)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def icb(icb_db_url: str, tmp_path: Path) -> Iterator[IcbServer]:
    """The service on SQLite (and PostgreSQL when available), running."""
    yield from _server(icb_db_url, tmp_path)


@pytest.fixture
def icb_sqlite(sqlite_url: str, tmp_path: Path) -> Iterator[IcbServer]:
    """The service on SQLite only: for fault tests, where the database makes no difference."""
    yield from _server(sqlite_url, tmp_path)


def point_at(clinic: Clinic, url: str, token: str) -> None:
    """What `groupclinic sync --url URL --token-stdin` does, through the same functions."""
    with clinic.acting_as(SYSTEM):
        config.set_token(clinic, token)
        clinic.set_sync_settings(url, token_changed=True)


def outbox_ids(clinic: Clinic) -> list[str]:
    return [row.uid for row in clinic.outbox_events()]


# ---------------------------------------------------------------------------- the faulty proxy

Fault = Callable[["_Handler", bytes], bool]


class FaultyProxy:
    """A real HTTP proxy on loopback that forwards to the service, misbehaving on cue.

    `faults` is a queue: each POST /v1/events takes the next fault (or none when empty) and the
    fault decides what reaches the service and what the laptop gets back.
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.faults: list[str] = []
        self.seen: list[str] = []  # the fault applied to each POST, "" for none
        self.lock = threading.Lock()
        proxy = self

        class Handler(_Handler):
            owner = proxy

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def next_fault(self) -> str:
        with self.lock:
            fault = self.faults.pop(0) if self.faults else ""
            self.seen.append(fault)
            return fault

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    owner: FaultyProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _forward(self, method: str, body: bytes | None) -> httpx.Response:
        headers = {k: v for k, v in self.headers.items() if k.lower() in
                   ("authorization", "content-type")}
        return httpx.request(method, self.owner.upstream + self.path, content=body,
                             headers=headers, timeout=30)

    def _reply(self, response: httpx.Response) -> None:
        self.send_response(response.status_code)
        for name in ("content-type", "retry-after"):
            if name in response.headers:
                self.send_header(name, response.headers[name])
        self.send_header("Content-Length", str(len(response.content)))
        self.end_headers()
        self.wfile.write(response.content)

    def _cut(self) -> None:
        # Close the socket without a byte of answer: the laptop never learns what happened.
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._reply(self._forward("GET", None))

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        fault = self.owner.next_fault() if self.path == "/v1/events" else ""
        if fault == "500_mid_batch":
            # The service takes the first half of the batch, then "falls over" mid-way.
            batch = json.loads(body)
            half = max(1, len(batch["events"]) // 2)
            batch["events"] = batch["events"][:half]
            upstream = self._forward("POST", json.dumps(batch).encode())
            assert upstream.status_code == 200
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            payload = b'{"detail":"Internal Server Error"}'
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        if fault == "cut_after_commit":
            upstream = self._forward("POST", body)
            assert upstream.status_code == 200  # the service committed...
            self._cut()  # ...and the answer is lost on the way back
            return
        if fault == "deliver_twice":
            first = self._forward("POST", body)
            assert first.status_code == 200
            self._reply(self._forward("POST", body))
            return
        if fault == "refuse":
            self._cut()
            return
        self._reply(self._forward("POST", body))


@pytest.fixture
def proxy(icb_sqlite: IcbServer) -> Iterator[FaultyProxy]:
    running = FaultyProxy(icb_sqlite.url)
    yield running
    running.close()
