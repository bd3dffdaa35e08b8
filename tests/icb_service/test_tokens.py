"""Revoking and rotating a practice's token, and a rate limit every worker shares (point 16)."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine

from icb_service import accounts
from icb_service.app import Settings
from icb_service.cli import main
from icb_service.db import open_database
from tests.icb_service import events as ev
from tests.icb_service.conftest import Service, make_service

S = str(uuid.uuid4())


def one_event() -> list[dict]:
    return [ev.event("experience", ev.experience(S, "good"))]


def test_a_revoked_token_is_refused_everywhere(service: Service, database_url: str,
                                               capsys) -> None:
    assert service.send(one_event()).status_code == 200
    assert main(["--db", database_url, "revoke-token", "y99999"]) == 0
    assert "Revoked 1 token(s) of Y99999" in capsys.readouterr().out
    refused = service.send(one_event())
    assert refused.status_code == 401 and refused.json()["detail"] == "Unknown or revoked token"
    assert service.get("/v1/aggregates").status_code == 401
    assert service.get("/dashboard").status_code == 401
    # Another practice and the analyst carry on.
    assert service.send(one_event(), practice="Y88888", token=service.other_token).status_code \
        == 200
    assert service.get("/v1/aggregates", token=service.analyst_token).status_code == 200


def test_rotation_prints_a_new_token_and_the_old_one_stops(service: Service, database_url: str,
                                                           capsys) -> None:
    assert main(["--db", database_url, "rotate-token", "Y99999"]) == 0
    new = capsys.readouterr().out.strip()
    assert len(new) >= 40 and new != service.token
    assert service.send(one_event()).status_code == 401
    assert service.send(one_event(), token=new).status_code == 200
    # Rotating again retires the one just issued.
    newer = accounts.rotate_token(service.engine, "Y99999")
    assert service.send(one_event(), token=new).status_code == 401
    assert service.send(one_event(), token=newer).status_code == 200


def test_revoking_an_unknown_practice_is_one_line(database_url: str, capsys) -> None:
    assert main(["--db", database_url, "revoke-token", "Y11111"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no practice is registered" in err


def test_the_rate_limit_holds_across_two_app_instances_on_one_database(
    engine: Engine, database_url: str
) -> None:
    # Two services on separate engines (separate connection pools), as two worker processes.
    first = make_service(engine, Settings(rate_per_minute=2, rate_burst=3))
    second_engine = open_database(database_url)
    try:
        from fastapi.testclient import TestClient

        from icb_service.app import create_app

        second = TestClient(create_app(Settings(rate_per_minute=2, rate_burst=3), second_engine),
                            raise_server_exceptions=False)

        def via_second():
            return second.post(
                "/v1/events",
                json={"protocol_version": 1, "practice": "Y99999", "events": one_event()},
                headers={"Authorization": f"Bearer {first.token}"},
            )

        codes = [first.send(one_event()).status_code, via_second().status_code,
                 first.send(one_event()).status_code, via_second().status_code,
                 first.send(one_event()).status_code]
        assert codes == [200, 200, 200, 429, 429]
        assert int(via_second().headers["Retry-After"]) >= 1
        # The limit is per token: another practice's token is not held up.
        assert first.send(one_event(), practice="Y88888", token=first.other_token).status_code \
            == 200
    finally:
        second_engine.dispose()


def test_concurrent_requests_through_two_instances_never_overspend_the_burst(
    engine: Engine, database_url: str
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    from icb_service.app import create_app

    token = accounts.add_practice(engine, "Y99999")
    other_engine = open_database(database_url)
    limited = Settings(rate_per_minute=1, rate_burst=5)  # five, then one a minute
    clients = [TestClient(create_app(limited, engine), raise_server_exceptions=False),
               TestClient(create_app(limited, other_engine), raise_server_exceptions=False)]

    def send(index: int) -> int:
        return clients[index % 2].post(
            "/v1/events",
            json={"protocol_version": 1, "practice": "Y99999", "events": one_event()},
            headers={"Authorization": f"Bearer {token}"},
        ).status_code

    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            codes = list(pool.map(send, range(12)))
    finally:
        other_engine.dispose()
    assert sorted(codes) == [200] * 5 + [429] * 7
