"""Huge bodies are refused before they are read: token first, then size (issue 21, point 10).

A real uvicorn on loopback and a raw socket, so the test sees what a hostile client sees: the
answer arrives while almost all of the announced body is still unsent.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
import uuid

from sqlalchemy import Engine

from icb_service.protocol import MAX_BODY_BYTES
from tests.icb_service import events as ev
from tests.icb_service.test_real_server import batch, rows, server  # noqa: F401  (fixture)

ANNOUNCED = 300 * 1024 * 1024  # what the attack run sent


def post_raw(url: str, headers: dict[str, str], chunks, wait: float = 10.0) -> tuple[int, float]:
    """Send headers then body chunks until the server answers; (status, seconds to answer)."""
    host, port = url.removeprefix("http://").split(":")
    start = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall(f"POST /v1/events HTTP/1.1\r\nHost: {host}\r\n{head}\r\n".encode())
        sock.setblocking(False)
        answer = b""
        for chunk in chunks:
            with contextlib.suppress(BlockingIOError):
                answer += sock.recv(65536)
            if answer:
                break
            try:
                sock.sendall(chunk)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                break  # the server has stopped reading: exactly what we want
        sock.settimeout(wait)
        while b"\r\n\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    return int(answer.split(b" ", 2)[1]), time.monotonic() - start


def junk(total: int, size: int = 64 * 1024):
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size


def test_a_huge_body_without_a_token_is_refused_unread(server: tuple[str, str]) -> None:  # noqa: F811
    url, _ = server
    status, seconds = post_raw(
        url, {"Content-Type": "application/json", "Content-Length": str(ANNOUNCED)},
        junk(4 * 1024 * 1024),  # we would send 300 MB; we stop as soon as the answer comes
    )
    assert status == 401 and seconds < 5


def test_a_huge_body_with_an_unknown_token_is_refused_unread(server: tuple[str, str]) -> None:  # noqa: F811
    url, _ = server
    status, _ = post_raw(
        url, {"Authorization": "Bearer made-up", "Content-Length": str(ANNOUNCED)},
        junk(4 * 1024 * 1024),
    )
    assert status == 401


def test_a_huge_announced_body_with_a_good_token_is_413_unread(
    server: tuple[str, str], engine: Engine  # noqa: F811
) -> None:
    url, token = server
    status, seconds = post_raw(
        url, {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
              "Content-Length": str(ANNOUNCED)},
        junk(4 * 1024 * 1024),
    )
    assert status == 413 and seconds < 5
    assert rows(engine) == 0


def test_a_chunked_body_is_cut_off_at_the_cap(server: tuple[str, str], engine: Engine) -> None:  # noqa: F811
    url, token = server

    def chunked():
        for piece in junk(MAX_BODY_BYTES * 4):
            yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"

    status, _ = post_raw(
        url, {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
              "Transfer-Encoding": "chunked"},
        chunked(),
    )
    assert status == 413
    assert rows(engine) == 0


def test_a_full_batch_of_500_events_is_well_under_the_cap(
    server: tuple[str, str], engine: Engine  # noqa: F811
) -> None:
    import httpx

    url, token = server
    session_uid = str(uuid.uuid4())
    events = [ev.event("measurement", ev.measurement(
        f"p{i}", "systolic_bp", 128.5, "2025-01-10", "on_target", session_uid, unit="mmHg"))
        for i in range(500)]
    body = json.dumps(batch(events))
    assert len(body) < MAX_BODY_BYTES / 2
    response = httpx.post(f"{url}/v1/events", content=body, timeout=60,
                          headers={"Authorization": f"Bearer {token}",
                                   "Content-Type": "application/json"})
    assert response.status_code == 200
    assert rows(engine) == 500
