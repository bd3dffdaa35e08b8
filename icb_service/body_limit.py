"""Refuse a request before reading its body: first the token, then the body's size.

A hostile client can otherwise make the server read and parse hundreds of megabytes before the
401 (the attack run saw 1 GB of server memory per such request). Plain ASGI, so nothing upstream
has buffered the body by the time we decide.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import anyio
from fastapi import HTTPException
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from icb_service.accounts import caller_for


def bearer_or_basic_token(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The token from `Authorization: Bearer T` or the password of HTTP Basic."""
    for name, value in headers:
        if name.lower() != b"authorization":
            continue
        scheme, _, credentials = value.decode("latin-1").partition(" ")
        credentials = credentials.strip()
        if scheme.lower() == "bearer" and credentials:
            return credentials
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return None
            return decoded.partition(":")[2] or None
    return None


class TokenFirstBodyLimit:
    def __init__(self, app: ASGIApp, engine: Engine, path: str, max_bytes: int) -> None:
        self.app = app
        self.engine = engine
        self.path = path
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        token = bearer_or_basic_token(headers)
        known = token and await anyio.to_thread.run_sync(caller_for, self.engine, token)
        if not known:
            detail = "Unknown or revoked token" if token else (
                "Missing token: send Authorization: Bearer <token>"
            )
            await _answer(send, 401, detail, {"www-authenticate": "Bearer"})
            return
        length = _content_length(headers)
        if length is not None and length > self.max_bytes:
            await _answer(send, 413, f"body: max_bytes (at most {self.max_bytes} bytes)")
            return
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        """A receive that stops at the cap, for bodies sent without a Content-Length."""
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Raised inside the route's body reading; FastAPI answers it as a 413.
                    raise HTTPException(413, f"body: max_bytes (at most {self.max_bytes} bytes)")
            return message

        return counted


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _answer(
    send: Send, status: int, detail: str, extra: dict[str, str] | None = None
) -> None:
    body = json.dumps({"detail": detail}).encode("utf-8")
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        # The rest of the body is never read, so this connection cannot carry another request.
        (b"connection", b"close"),
    ]
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    message: dict[str, Any] = {"type": "http.response.start", "status": status, "headers": headers}
    await send(message)
    await send({"type": "http.response.body", "body": body})
