"""Practices and the tokens that let a practice send, or an analyst read."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine
from sqlmodel import Session, select

from icb_service.models import Practice, Token, utc_now

_ODS_CODE = re.compile(r"[A-Z0-9]{3,10}")


@dataclass(frozen=True)
class Caller:
    """Who a request comes from: a practice's laptop (one practice) or an ICB analyst (all)."""

    kind: Literal["practice", "analyst"]
    practice: str | None
    name: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_practice(engine: Engine, code: str, name: str = "") -> str:
    """Register a practice (or reuse it) and return a new token for it, shown only once."""
    code = code.strip().upper()
    if not _ODS_CODE.fullmatch(code):
        raise ValueError(f"ODS code: {code!r} is not 3 to 10 letters and digits")
    token = secrets.token_urlsafe(32)
    with Session(engine) as session:
        practice = session.get(Practice, code)
        if practice is None:
            session.add(Practice(code=code, name=name, created_at=utc_now()))
        elif name:
            practice.name = name
        session.add(
            Token(
                token_sha256=token_hash(token), kind="practice", practice_code=code,
                name=name or code, created_at=utc_now(),
            )
        )
        session.commit()
    return token


def add_analyst(engine: Engine, name: str) -> str:
    """A token that may read every practice's aggregates (never individual events)."""
    name = name.strip()
    if not name:
        raise ValueError("analyst name: must not be empty")
    token = secrets.token_urlsafe(32)
    with Session(engine) as session:
        session.add(
            Token(token_sha256=token_hash(token), kind="analyst", name=name, created_at=utc_now())
        )
        session.commit()
    return token


def caller_for(engine: Engine, token: str) -> Caller | None:
    with Session(engine) as session:
        found = session.exec(select(Token).where(Token.token_sha256 == token_hash(token))).first()
    if found is None:
        return None
    if found.kind == "analyst":
        return Caller("analyst", None, found.name)
    return Caller("practice", found.practice_code, found.name)


def practice_names(engine: Engine) -> dict[str, str]:
    with Session(engine) as session:
        return {p.code: p.name for p in session.exec(select(Practice)).all()}
