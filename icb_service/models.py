"""The service's tables. Changes go through migrations/, never create_all."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class IcbTable(SQLModel, registry=registry()):
    """Own metadata, so the desktop's tables never share a namespace with ours in one process."""


class Icb(IcbTable, table=True):
    """An integrated care board (ODS code, e.g. QWE) and its name, from the register."""

    __tablename__ = "icb"

    code: str = Field(primary_key=True, max_length=10)
    name: str = Field(default="", max_length=200)


class Pcn(IcbTable, table=True):
    """A primary care network (ODS code, e.g. U12345) and the ICB it belongs to."""

    __tablename__ = "pcn"

    code: str = Field(primary_key=True, max_length=10)
    name: str = Field(default="", max_length=200)
    icb_code: str | None = Field(default=None, foreign_key="icb.code", max_length=10)


class Practice(IcbTable, table=True):
    __tablename__ = "practice"

    code: str = Field(primary_key=True, max_length=10, description="ODS code")
    name: str = Field(default="", max_length=200)
    created_at: dt.datetime = Field(sa_column=Column(DateTime(), nullable=False))
    # The register: which PCN and ICB the practice (or hub) belongs to; filled by the CLI.
    pcn_code: str | None = Field(default=None, foreign_key="pcn.code", max_length=10)
    icb_code: str | None = Field(default=None, foreign_key="icb.code", max_length=10)


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
    # An analyst token may be limited to one ICB's practices; None reads the whole country.
    icb_code: str | None = Field(default=None, max_length=10)


class RateBucket(IcbTable, table=True):
    """A token bucket per access token, in the database so every worker process shares it."""

    __tablename__ = "rate_bucket"

    token_sha256: str = Field(primary_key=True, max_length=64)
    tokens: float
    updated_at: float  # Unix time in seconds: the same clock for every process


class StoredEvent(IcbTable, table=True):
    """An accepted monitoring event. Times are stored as naive UTC on every database."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_practice_type", "practice_code", "type"),
        # The summaries read back the batch just stored by its receipt time.
        Index("ix_event_received_at", "received_at"),
    )

    id: str = Field(primary_key=True, max_length=36)
    practice_code: str = Field(foreign_key="practice.code", max_length=10)
    seq: int = Field(sa_column=Column(BigInteger(), nullable=False))
    type: str = Field(max_length=40)
    schema_version: int
    occurred_at: dt.datetime = Field(sa_column=Column(DateTime(), nullable=False))
    received_at: dt.datetime = Field(sa_column=Column(DateTime(), nullable=False))
    content_sha256: str = Field(max_length=64)
    payload: dict[str, Any] = Field(sa_column=Column(JSON(), nullable=False))


class EventId(IcbTable, table=True):
    """PostgreSQL only: every stored id once. The event table there is partitioned by month of
    receipt, and a partitioned table's unique keys must hold the partition key, so the exact
    "one id, stored once" rule lives here. SQLite keeps the id as the event table's key."""

    __tablename__ = "event_id"

    id: str = Field(primary_key=True, max_length=36)
    practice_code: str = Field(max_length=10)
    content_sha256: str = Field(max_length=64)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
