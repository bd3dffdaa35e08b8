"""Each database test runs on SQLite and, when GROUPCLINIC_TEST_POSTGRES_URL is set, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from icb_service import accounts
from icb_service.app import Settings, create_app
from icb_service.db import open_database

POSTGRES_URL = os.environ.get("GROUPCLINIC_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'icb.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("GROUPCLINIC_TEST_POSTGRES_URL is not set (eval \"$(bash .ci/postgres.sh)\")")
    # A schema per test keeps tests apart without needing rights to create databases.
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_database(database_url)
    yield engine
    engine.dispose()


@dataclass
class Service:
    engine: Engine
    client: TestClient
    token: str  # practice Y99999
    other_token: str  # practice Y88888
    analyst_token: str

    def send(self, events: list[dict], practice: str = "Y99999", token: str | None = None):
        return self.client.post(
            "/v1/events",
            json={"protocol_version": 1, "practice": practice, "events": events},
            headers={"Authorization": f"Bearer {token or self.token}"},
        )

    def get(self, path: str, token: str | None = None, **params: str):
        return self.client.get(
            path, params=params, headers={"Authorization": f"Bearer {token or self.token}"}
        )


def make_service(engine: Engine, settings: Settings | None = None) -> Service:
    app = create_app(settings or Settings(), engine)
    return Service(
        engine=engine,
        client=TestClient(app, raise_server_exceptions=False),
        token=accounts.add_practice(engine, "Y99999", "Riverside Surgery"),
        other_token=accounts.add_practice(engine, "Y88888", "Hillside Practice"),
        analyst_token=accounts.add_analyst(engine, "ICB analyst"),
    )


@pytest.fixture
def service(engine: Engine) -> Service:
    return make_service(engine)
