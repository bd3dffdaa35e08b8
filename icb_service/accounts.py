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
    token_sha256: str = ""  # which token: the rate limit is per token


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
    """Who this token belongs to; None when it is unknown or revoked."""
    digest = token_hash(token)
    with Session(engine) as session:
        found = session.exec(
            select(Token).where(Token.token_sha256 == digest, Token.revoked_at.is_(None))  # type: ignore[union-attr]
        ).first()
    if found is None:
        return None
    if found.kind == "analyst":
        return Caller("analyst", None, found.name, digest)
    return Caller("practice", found.practice_code, found.name, digest)


def revoke_tokens(engine: Engine, code: str) -> int:
    """Revoke every live token of a practice at once; returns how many were revoked."""
    code = _known_practice(engine, code)
    with Session(engine) as session:
        live = session.exec(
            select(Token).where(Token.practice_code == code, Token.revoked_at.is_(None))  # type: ignore[union-attr]
        ).all()
        for token in live:
            token.revoked_at = utc_now()
        session.commit()
    return len(live)


def rotate_token(engine: Engine, code: str) -> str:
    """A new token for the practice; every older one stops working in the same transaction."""
    code = _known_practice(engine, code)
    token = secrets.token_urlsafe(32)
    with Session(engine) as session:
        now = utc_now()
        for old in session.exec(
            select(Token).where(Token.practice_code == code, Token.revoked_at.is_(None))  # type: ignore[union-attr]
        ).all():
            old.revoked_at = now
        practice = session.get(Practice, code)
        assert practice is not None
        session.add(
            Token(token_sha256=token_hash(token), kind="practice", practice_code=code,
                  name=practice.name or code, created_at=now)
        )
        session.commit()
    return token


def _known_practice(engine: Engine, code: str) -> str:
    code = code.strip().upper()
    with Session(engine) as session:
        if not _ODS_CODE.fullmatch(code) or session.get(Practice, code) is None:
            raise ValueError("ODS code: no practice is registered with this code")
    return code


def practice_names(engine: Engine) -> dict[str, str]:
    with Session(engine) as session:
        return {p.code: p.name for p in session.exec(select(Practice)).all()}
