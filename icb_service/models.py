"""The service's tables. Changes go through migrations/, never create_all."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class IcbTable(SQLModel, registry=registry()):
    """Own metadata, so the desktop's tables never share a namespace with ours in one process."""


class Practice(IcbTable, table=True):
    __tablename__ = "practice"

    code: str = Field(primary_key=True, max_length=10, description="ODS code")
    name: str = Field(default="", max_length=200)
    created_at: dt.datetime = Field(sa_column=Column(DateTime(), nullable=False))


class Token(IcbTable, table=True):
    """An access token; only its SHA-256 is kept, so a copy of the database grants nothing."""

    __tablename__ = "token"

    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=20)  # "practice" or "analyst"
    practice_code: str | None = Field(default=None, foreign_key="practice.code", max_length=10)
    name: str = Field(default="", max_length=200)
    created_at: dt.datetime = Field(sa_column=Column(DateTime(), nullable=False))
    # A revoked token is kept (so its use can be told apart from a made-up one) but grants nothing.
    revoked_at: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(), nullable=True)
    )


class RateBucket(IcbTable, table=True):
    """A token bucket per access token, in the database so every worker process shares it."""

    __tablename__ = "rate_bucket"

    token_sha256: str = Field(primary_key=True, max_length=64)
    tokens: float
    updated_at: float  # Unix time in seconds: the same clock for every process


class StoredEvent(IcbTable, table=True):
    """An accepted monitoring event. Times are stored as naive UTC on every database."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_practice_type", "practice_code", "type"),)

    id: str = Field(primary_key=True, max_length=36)
    practice_code: str = Field(foreign_key="practice.code", max_length=10)
    seq: int = Field(sa_column=Column(BigInteger(), nullable=False))
    type: str = Field(max_length=40)
    schema_version: int
    occurred_at: dt.datetime = Field(sa_column=Column(DateTime(), nullable=False))
    received_at: dt.datetime = Field(sa_column=Column(DateTime(), nullable=False))
    content_sha256: str = Field(max_length=64)
    payload: dict[str, Any] = Field(sa_column=Column(JSON(), nullable=False))


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
