"""Every response matches the service's own OpenAPI document (issue 21, point 15).

Schemathesis generates requests from the document the service publishes and checks each answer
against it: status codes, content types, headers and bodies. The number of examples is bounded
so the run takes a minute or two on a shared machine.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from icb_service import accounts
from icb_service.app import Settings, create_app
from icb_service.db import open_database

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
# Built when the module is collected (schemathesis needs the document then), in memory.
ENGINE = open_database("sqlite://")
TOKEN = accounts.add_practice(ENGINE, "Y99999", "Riverside")
# A burst small enough that some generated requests meet the rate limit's 429 as well.
APP = create_app(Settings(rate_per_minute=60, rate_burst=40), ENGINE)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=60, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_every_response_matches_the_document(case) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    case.call_and_validate(headers=headers, checks=CHECKS)


@schema.parametrize()
@settings(max_examples=15, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_every_refusal_without_a_token_matches_the_document(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(checks=CHECKS)
