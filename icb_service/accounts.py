"""Practices and the tokens that let a practice send, or an analyst read."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from icb_service.models import Icb, Pcn, Practice, Token, utc_now

_ODS_CODE = re.compile(r"[A-Z0-9]{3,10}")


@dataclass(frozen=True)
class Caller:
    """Who a request comes from: a practice's laptop (one practice) or an ICB analyst (all)."""

    kind: Literal["practice", "analyst"]
    practice: str | None
    name: str
    token_sha256: str = ""  # which token: the rate limit is per token
    icb: str | None = None  # an analyst limited to one ICB's organisations; None = national


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def ods_code(value: str, field: str = "ODS code") -> str:
    """An ODS code as stored (upper case), or a ValueError naming the field."""
    code = value.strip().upper()
    if not _ODS_CODE.fullmatch(code):
        raise ValueError(f"{field}: {value!r} is not 3 to 10 letters and digits")
    return code


def add_practice(
    engine: Engine,
    code: str,
    name: str = "",
    *,
    pcn: str | None = None,
    pcn_name: str = "",
    icb: str | None = None,
    icb_name: str = "",
) -> str:
    """Register a practice (or reuse it), with its PCN and ICB when given, and return a new
    token for it, shown only once. Names given replace the register's; empty ones keep it."""
    code = ods_code(code)
    pcn = ods_code(pcn, "PCN code") if pcn else None
    icb = ods_code(icb, "ICB code") if icb else None
    token = secrets.token_urlsafe(32)
    with Session(engine) as session:
        if icb:
            _put(session, Icb, icb, name=icb_name)
        if pcn:
            _put(session, Pcn, pcn, name=pcn_name, icb_code=icb)
            session.flush()
        practice = session.get(Practice, code)
        if practice is None:
            practice = Practice(code=code, name=name, created_at=utc_now())
            session.add(practice)
        elif name:
            practice.name = name
        if pcn:
            practice.pcn_code = pcn
        if icb:
            practice.icb_code = icb
        elif pcn and practice.icb_code is None:
            found = session.get(Pcn, pcn)
            practice.icb_code = found.icb_code if found else None
        session.add(
            Token(
                token_sha256=token_hash(token), kind="practice", practice_code=code,
                name=name or code, created_at=utc_now(),
            )
        )
        session.commit()
    return token


def _put(session: Session, model: type[Icb] | type[Pcn], code: str, **values: str | None) -> None:
    """Insert or update a register row; empty values leave what is there."""
    found = session.get(model, code)
    if found is None:
        session.add(model(code=code, **{k: v for k, v in values.items() if v is not None}))
        session.flush()
        return
    for key, value in values.items():
        if value:
            setattr(found, key, value)


def add_analyst(engine: Engine, name: str, icb: str | None = None) -> str:
    """A token that may read aggregates (never individual events): of every organisation, or
    of one ICB's organisations only when icb is given (it must be in the register)."""
    name = name.strip()
    if not name:
        raise ValueError("analyst name: must not be empty")
    token = secrets.token_urlsafe(32)
    with Session(engine) as session:
        if icb:
            icb = ods_code(icb, "ICB code")
            if session.get(Icb, icb) is None:
                raise ValueError(f"ICB code: {icb} is not in the register (add-practice --icb "
                                 "or load-organisations first)")
        session.add(
            Token(token_sha256=token_hash(token), kind="analyst", name=name,
                  created_at=utc_now(), icb_code=icb or None)
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
        return Caller("analyst", None, found.name, digest, found.icb_code)
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


def icb_practices(engine: Engine, icb: str) -> set[str]:
    """The practices (and hubs) the register places in an ICB: its own or through its PCN."""
    with Session(engine) as session:
        direct = session.exec(select(Practice.code).where(Practice.icb_code == icb)).all()
        through_pcn = session.exec(
            select(Practice.code).join(Pcn, col(Pcn.code) == col(Practice.pcn_code))
            .where(Practice.icb_code.is_(None), Pcn.icb_code == icb)  # type: ignore[union-attr]
        ).all()
    return set(direct) | set(through_pcn)
