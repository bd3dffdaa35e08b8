"""The HTTP service: protocol version 2 (and 1 until its retirement date), documented in the
OpenAPI page FastAPI serves."""

import datetime as dt
import gc
import json
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import (
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
)
from sqlalchemy import Engine

from icb_service.accounts import Caller, caller_for, icb_practices
from icb_service.aggregates import (
    DEFAULT_SUPPRESSION_THRESHOLD,
    AggregateReport,
    build_report,
    report_csv,
)
from icb_service.body_limit import TokenFirstBodyLimit
from icb_service.dashboard import (
    Area,
    dashboard_areas,
    dashboard_csv,
    render_dashboard,
    render_refusal,
)
from icb_service.db import one_connection, open_database
from icb_service.intake import CONFLICT, receive
from icb_service.monitoring import (
    LEVELS,
    MonitoringQuery,
    MonitoringReport,
    Reader,
    ReportRefused,
    build_monitoring_report,
)
from icb_service.monitoring import report_csv as monitoring_csv
from icb_service.monitoring_compat import aggregate_report_from, organisation_report_from
from icb_service.practice_aggregates import OrganisationReport, organisation_report
from icb_service.protocol import (
    EVENT_TYPES,
    MAX_BODY_BYTES,
    MAX_EVENTS_PER_BATCH,
    PAYLOAD_SCHEMAS,
    PROTOCOL_VERSION,
    RETIRING_PROTOCOL_VERSIONS,
    SUPPORTED_PROTOCOL_VERSIONS,
    BatchResult,
    Health,
    ProblemDetail,
    ReceivedBatch,
    ValidationProblem,
    protocol_refusal,
    safe_location,
)
from icb_service.ratelimit import RateLimiter
from icb_service.report_warmer import ReportWarmer
from icb_service.summary_drainer import SummaryDrainer


def _retiring_words() -> str:
    return " ".join(
        f"Protocol version {version} is accepted until {day:%d %B %Y} (UTC) and refused with 409 "
        f"after it; `GET /v1/health` lists it under `retiring_protocol_versions`."
        for version, day in sorted(RETIRING_PROTOCOL_VERSIONS.items())
    )


DESCRIPTION = f"""
Receives the pseudonymised group clinic monitoring dataset from practices' GroupClinic laptops
and publishes aggregate figures with small numbers suppressed.

**Sending events.** `POST /v1/events` with `Authorization: Bearer <practice token>` (from
`groupclinic-icb add-practice ODS_CODE`). The answer is 200 with one result per event, in the
order sent:

* `stored` - new and valid; kept.
* `duplicate` - the same event id was already stored with the same content (a retry). Nothing
  changes. The content compared is type, schema_version, occurred_at and payload, not seq.
* `rejected` - permanent; the client should move the event to its needs-attention list. The
  reason is `field.path: rule_name (explanation)` and never repeats what was sent. Causes: an
  envelope field out of its type or range (`seq`, `occurred_at` outside the date window around
  receipt), unknown type or schema_version, a payload that fails its schema (unexpected fields
  are refused, so names and NHS numbers cannot slip in; `subject` must be 64 lowercase hex;
  keys and units must come from the published dataset; values within the catalogue's hard
  limits; anything shaped like an NHS number, a date of birth or a name is refused), or
  `{CONFLICT}` (reason starts with `conflict`). Every event is judged on its own, so the rest
  of the batch is still stored. Rejected payloads are not kept.

Whole-request errors: 401 missing, unknown or revoked token (checked before the body is read);
403 the token's practice is not the body's practice (or an analyst token sends events); 409
`protocol_version` not one of {list(SUPPORTED_PROTOCOL_VERSIONS)} (see `GET /v1/health`); 413
more than {MAX_EVENTS_PER_BATCH} events or a body over {MAX_BODY_BYTES} bytes (refused unread);
422 malformed envelope (an event without a UUID4 `id`, a `protocol_version` that is not a JSON
integer); 429 over the token's rate limit, with `Retry-After` seconds.

Event types: {", ".join(EVENT_TYPES)}. Payload schemas are the `*Payload` components below
(`x-schema-version` on each) and resources/monitoring/dataset.md.

**Protocol versions.** This server speaks protocol {PROTOCOL_VERSION}: `session` and `attendance`
events at schema_version 2 carry hybrid sessions (mode `hybrid`, `drop_in`) and each
attendance's `channel` (`in_room`, `video`, `phone`); schema_version 1 of both is still accepted.
{_retiring_words()}

**Reading aggregates.** A practice token reads its own practice only; an analyst token (from
`groupclinic-icb add-analyst NAME`) reads every practice.
`GET /v1/monitoring` is the ICB's report for a scope and a period: `level` (practice, hub, pcn,
icb: the rows), `code` (the scope: a practice, hub, PCN or ICB code from the register),
`programme`, `from` and `to` (months, YYYY-MM, UTC, included). It gives the scope's total, the
organisations side by side with their names, a monthly trend, clinician time and one-to-one
appointments released, patient and staff experience, and equity and delivery breakdowns, read
from monthly summary counts. `/v1/monitoring.csv` is the same in long form; `/v1/aggregates*`
take the same parameters. A bad value is a 422 naming the field and the rule (`from:
month_range`, `code: unknown_code`, `code: below_level` ...); another organisation's code, or
a PCN or ICB level, with a practice token is a 403. Counts from 1 to the threshold less one, and
any count that would give one away by subtraction (within a row, across organisations, levels
or months), are null with `suppressed: true` (resources/monitoring/dataset.md).
Browsers may send the token as the password of HTTP Basic authentication (any user name) to
open `/dashboard` and the CSV.
"""


def _service_version() -> str:
    # The service ships in the groupclinic-desktop distribution (extra "icb").
    try:
        return version("groupclinic-desktop")
    except PackageNotFoundError:
        return "0.0.0+source"


@dataclass
class Settings:
    """How the service runs; every setting also comes from the environment."""

    database_url: str | None = None
    suppression_threshold: int = DEFAULT_SUPPRESSION_THRESHOLD
    rate_per_minute: float = 0.0  # 0 = no limit
    rate_burst: int | None = None
    # Decide every ICB's reports for the kept periods ahead of their reads (report_warmer).
    decide_ahead: bool = True

    @classmethod
    def from_env(cls) -> "Settings":
        burst = os.environ.get("GROUPCLINIC_ICB_RATE_BURST")
        return cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            suppression_threshold=int(
                os.environ.get("GROUPCLINIC_ICB_SUPPRESSION", DEFAULT_SUPPRESSION_THRESHOLD)
            ),
            rate_per_minute=float(os.environ.get("GROUPCLINIC_ICB_RATE_PER_MINUTE", "0")),
            rate_burst=int(burst) if burst else None,
            decide_ahead=os.environ.get("GROUPCLINIC_ICB_DECIDE_AHEAD", "1") != "0",
        )

    def as_env(self) -> dict[str, str]:
        """These settings as the environment variables from_env reads back."""
        found = {
            "GROUPCLINIC_ICB_SUPPRESSION": str(self.suppression_threshold),
            "GROUPCLINIC_ICB_RATE_PER_MINUTE": repr(float(self.rate_per_minute)),
            "GROUPCLINIC_ICB_DECIDE_AHEAD": "1" if self.decide_ahead else "0",
        }
        if self.database_url:
            found["DATABASE_URL"] = self.database_url
        if self.rate_burst is not None:
            found["GROUPCLINIC_ICB_RATE_BURST"] = str(self.rate_burst)
        return found


_bearer = HTTPBearer(auto_error=False, description="A practice or analyst token")
_basic = HTTPBasic(auto_error=False, description="Any user name; the token as password")


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the service; migrations run here so the schema is current before any request."""
    settings = settings or Settings.from_env()
    engine = engine or open_database(settings.database_url)
    limiter = RateLimiter(engine, settings.rate_per_minute, settings.rate_burst)
    warmer = ReportWarmer(engine, settings.suppression_threshold)
    # In memory, every thread shares one connection: a second thread deciding reports would
    # begin its transaction inside a request's.
    ahead = settings.decide_ahead and not one_connection(engine)
    # Applies stored events to the summary tables off the ingest path (reads catch up first).
    drainer = SummaryDrainer(engine, on_applied=warmer.wake)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        drainer.start()
        if ahead:
            warmer.start()
        try:
            yield
        finally:
            warmer.stop()
            drainer.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="GroupClinic ICB monitoring service",
        version=_service_version(),
        summary=f"Protocol version {PROTOCOL_VERSION} for the group clinic monitoring dataset.",
        description=DESCRIPTION,
    )
    app.state.engine = engine
    app.state.settings = settings
    app.state.summary_drainer = drainer
    app.state.report_warmer = warmer
    # Outermost: the token and the body's size are judged before a byte of the body is read.
    app.add_middleware(
        TokenFirstBodyLimit, engine=engine, path="/v1/events", max_bytes=MAX_BODY_BYTES
    )

    @app.exception_handler(RequestValidationError)
    async def malformed(_request: Request, error: RequestValidationError) -> JSONResponse:
        # Field paths and rule names only: pydantic's messages may quote what was sent.
        problems = [
            {"loc": safe_location(item["loc"]), "type": item["type"]} for item in error.errors()
        ]
        summary = "; ".join(
            f"{'.'.join(str(p) for p in item['loc'])}: {item['type']}" for item in problems[:5]
        )
        return JSONResponse(
            status_code=422,
            content={"detail": f"Malformed request: {summary}", "errors": problems},
        )

    @app.exception_handler(ReportRefused)
    async def refused(_request: Request, problem: ReportRefused) -> JSONResponse:
        # "field: rule (reason)": the same shape as any other malformed request.
        field, _, rest = problem.detail.partition(": ")
        content: dict[str, Any] = {"detail": problem.detail}
        if problem.status == 422:
            param = {"first": "from", "last": "to"}.get(field, field)
            content["errors"] = [{"loc": ["query", param], "type": rest.split(" ")[0]}]
        return JSONResponse(status_code=problem.status, content=content)

    def authenticate(browser: bool) -> Callable[..., Caller]:
        challenge = 'Basic realm="groupclinic-icb"' if browser else "Bearer"

        def caller(
            bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
            basic: Annotated[HTTPBasicCredentials | None, Depends(_basic)],
        ) -> Caller:
            token = bearer.credentials if bearer else basic.password if basic else None
            if not token:
                raise HTTPException(401, "Missing token: send Authorization: Bearer <token>",
                                    headers={"WWW-Authenticate": challenge})
            found = caller_for(engine, token)
            if found is None:
                raise HTTPException(401, "Unknown or revoked token",
                                    headers={"WWW-Authenticate": challenge})
            wait = limiter.wait_needed(found.token_sha256)
            if wait is not None:
                raise HTTPException(
                    429, f"Too many requests with this token; retry in {wait} s",
                    headers={"Retry-After": str(wait)},
                )
            return found

        return caller

    api_caller = authenticate(browser=False)
    browser_caller = authenticate(browser=True)

    def sending_practice(caller: Annotated[Caller, Depends(api_caller)]) -> Caller:
        if caller.kind != "practice" or caller.practice is None:
            raise HTTPException(403, "Only a practice token may send events")
        return caller

    def problem(text: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
        # Spelled out (not "model"), so HTML and CSV routes still document JSON errors.
        answer: dict[str, Any] = {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/"
                                                                 "ProblemDetail"}}},
        }
        if headers:
            answer["headers"] = headers
        return answer

    retry_after = {"Retry-After": {"description": "Seconds to wait",
                                   "schema": {"type": "string"}}}
    errors = {
        400: problem("The body is not JSON text (for example, not UTF-8)"),
        401: problem("Missing, unknown or revoked token"),
        403: problem("Token does not belong to the body's practice, or may not read this"),
        409: problem("protocol_version not supported"),
        413: problem(f"More than {MAX_EVENTS_PER_BATCH} events, or a body over "
                     f"{MAX_BODY_BYTES} bytes"),
        422: {"description": "Malformed request", "model": ValidationProblem},
        429: problem("Rate limit exceeded; see the Retry-After header", retry_after),
    }

    @app.get("/v1/health", response_model=Health, tags=["protocol"])
    def health() -> Health:
        """Liveness and the protocol versions this server speaks. No token needed."""
        now = dt.datetime.now(dt.UTC)
        return Health(
            status="ok",
            protocol_versions=[
                v for v in SUPPORTED_PROTOCOL_VERSIONS if protocol_refusal(v, now.date()) is None
            ],
            retiring_protocol_versions={
                str(v): day for v, day in RETIRING_PROTOCOL_VERSIONS.items() if day >= now.date()
            },
            time=now,
            reports_ready=warmer.ready or not ahead,
        )

    @app.post("/v1/events", response_model=BatchResult, responses=errors, tags=["protocol"])
    def post_events(
        batch: ReceivedBatch, caller: Annotated[Caller, Depends(sending_practice)]
    ) -> Response:
        """Store a batch of monitoring events; see the results' statuses above."""
        refusal = protocol_refusal(batch.protocol_version, dt.datetime.now(dt.UTC).date())
        if refusal:
            raise HTTPException(409, refusal)
        if batch.practice != caller.practice:
            raise HTTPException(403, f"This token may only send events for {caller.practice}")
        if len(batch.events) > MAX_EVENTS_PER_BATCH:
            raise HTTPException(
                413, f"events: {len(batch.events)} is more than {MAX_EVENTS_PER_BATCH} a batch"
            )
        results = receive(engine, batch.practice, batch.events)
        drainer.wake()
        warmer.wake()  # not ready until these are in the figures and decided
        # Serialised here in one go: returned as a model, FastAPI would check each result again.
        return Response(json.dumps({"results": results}), media_type="application/json")

    def scope(caller: Caller, practice: str | None) -> str | None:
        """Practices see only themselves; analysts see everyone, or their ICB's organisations."""
        if caller.kind == "analyst" and caller.icb:
            if practice is None:
                raise HTTPException(
                    403, f"This token reads ICB {caller.icb} only: give practice=<ODS code>"
                )
            if practice not in icb_practices(engine, caller.icb):
                raise HTTPException(403, f"This token may only read ICB {caller.icb}")
            return practice
        if caller.kind == "analyst":
            return practice
        if practice and practice != caller.practice:
            raise HTTPException(403, f"This token may only read {caller.practice}")
        return caller.practice

    def report(caller: Caller, practice: str | None, programme: str | None) -> AggregateReport:
        return build_report(
            engine, scope(caller, practice), programme, settings.suppression_threshold
        )

    Practice = Annotated[str | None, Query(description="ODS code; default all you may read")]
    Programme = Annotated[str | None, Query(description="Programme key, e.g. type2_diabetes")]
    Level = Annotated[str | None, Query(
        description="Level of the rows: practice, hub, pcn or icb (default practice)",
        json_schema_extra={"enum": list(LEVELS)},
    )]
    Code = Annotated[str | None, Query(
        description="ODS code of the scope (a practice, hub, PCN or ICB); the rows are the "
        "organisations at `level` within it. Default: everything the token may read.",
    )]
    From = Annotated[str | None, Query(
        alias="from", examples=["2025-04"],
        description="First month, YYYY-MM (UTC). Default: the first month with data.",
    )]
    To = Annotated[str | None, Query(
        alias="to", examples=["2026-03"],
        description="Last month, YYYY-MM (UTC), included. Default: the last month with data.",
    )]

    @dataclass(frozen=True)
    class ReportParams:
        """The query parameters every report route takes, as the caller sent them."""

        level: str | None
        code: str | None
        programme: str | None
        first: str | None
        last: str | None

        def new(self) -> bool:
            """Whether any of the parameters that came with /v1/monitoring were given."""
            return any(v is not None for v in (self.level, self.code, self.first, self.last))

    def report_params(level: Level = None, code: Code = None, programme: Programme = None,
                      first: From = None, last: To = None) -> ReportParams:
        # One declaration for every report route, so their parameters cannot drift apart.
        return ReportParams(level, code, programme, first, last)

    Params = Annotated[ReportParams, Depends(report_params)]

    read_errors = {k: errors[k] for k in (401, 403, 422, 429)}

    def reader_of(caller: Caller) -> Reader:
        if caller.kind == "practice":
            return Reader(practice=caller.practice)
        return Reader(icb=getattr(caller, "icb", None))

    def monitoring(caller: Caller, params: ReportParams,
                   code: str | None = None) -> MonitoringReport:
        """The report for these parameters; `code` when a route's own default replaces it."""
        chosen = params.level or "practice"
        if chosen not in LEVELS:
            raise ReportRefused(422, "level: unknown_level (must be practice, hub, pcn or icb)")
        query = MonitoringQuery(level=chosen, code=code or params.code,
                                programme=params.programme, from_month=params.first,
                                to_month=params.last)
        return build_monitoring_report(
            engine, query, reader_of(caller), settings.suppression_threshold
        )

    @app.get("/v1/monitoring", response_model=MonitoringReport, tags=["aggregates"],
             responses=read_errors, response_model_by_alias=True)
    def monitoring_report(
        caller: Annotated[Caller, Depends(api_caller)],
        params: Params,
    ) -> MonitoringReport:
        """The ICB's report for a scope and period: its total, the organisations at `level`
        side by side (names from the register), a monthly trend, time and appointments
        released, staff and patient experience, equity and delivery breakdowns. Read from the
        monthly summary counts. Counts below the threshold, and any figure that would give one
        away by subtraction (within a row, across organisations, levels or months), are null
        with suppressed=true."""
        return monitoring(caller, params)

    csv_answer = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **read_errors}

    @app.get("/v1/monitoring.csv", response_class=Response, tags=["aggregates"],
             responses=csv_answer)
    def monitoring_report_csv(
        caller: Annotated[Caller, Depends(browser_caller)],
        params: Params,
    ) -> Response:
        """The same report in long form, one figure a row (month empty = the whole period)."""
        return Response(
            monitoring_csv(monitoring(caller, params)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="groupclinic-monitoring.csv"'},
        )

    def rebased(caller: Caller, practice: str | None, params: ReportParams) -> AggregateReport:
        report_ = monitoring(caller, params, params.code or practice)
        return aggregate_report_from(report_, params.programme)

    @app.get("/v1/aggregates", response_model=AggregateReport, tags=["aggregates"],
             responses=read_errors)
    def aggregates(
        caller: Annotated[Caller, Depends(api_caller)],
        params: Params,
        practice: Practice = None,
    ) -> AggregateReport:
        """Per practice and programme; counts below the threshold are null, suppressed=true.
        With `from`, `to`, `level` or `code` the groups are the organisations of
        /v1/monitoring (read from the summary counts, one group per organisation)."""
        if params.new():
            return rebased(caller, practice, params)
        return report(caller, practice, params.programme)

    @app.get("/v1/aggregates.csv", response_class=Response, tags=["aggregates"],
             responses=csv_answer)
    def aggregates_csv(
        caller: Annotated[Caller, Depends(browser_caller)],
        params: Params,
        practice: Practice = None,
    ) -> Response:
        """The same figures in long form: one figure a row."""
        if params.new():
            found = rebased(caller, practice, params)
        else:
            found = report(caller, practice, params.programme)
        return Response(
            report_csv(found),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="groupclinic-aggregates.csv"'},
        )

    @app.get("/v1/aggregates/organisations", tags=["aggregates"],
             responses=read_errors)
    def organisation_aggregates(
        caller: Annotated[Caller, Depends(api_caller)],
        params: Params,
        practice: Practice = None,
    ) -> OrganisationReport:
        """Attendance per registered practice, per hub (sender) and per PCN; small counts null.
        With `from`, `to`, `level` or `code`, the rows are /v1/monitoring's organisations."""
        if params.new() or params.programme is not None:
            return organisation_report_from(
                monitoring(caller, params, params.code or practice)
            )
        return organisation_report(
            engine, scope(caller, practice), settings.suppression_threshold
        )

    def dashboard_report(
        caller: Caller, query: MonitoringQuery
    ) -> tuple[MonitoringReport, list[Area], str | None, tuple[str, ...]]:
        """The report a dashboard shows, the areas its reader may choose, the first month."""
        reader = reader_of(caller)
        try:
            found = build_monitoring_report(engine, query, reader,
                                            settings.suppression_threshold)
        except ReportRefused as refused:
            raise HTTPException(refused.status, refused.detail) from None
        areas, first = dashboard_areas(engine, reader)
        levels = ("practice", "hub") if reader.practice else ("practice", "hub", "pcn", "icb")
        return found, areas, first, levels

    def dashboard_query(params: Params) -> MonitoringQuery | HTTPException:
        # An empty select sends "": the same as not choosing. A bad level is answered by the
        # route, so the dashboard can say it on a page rather than in JSON.
        level = params.level or "practice"
        if level not in LEVELS:
            return HTTPException(422, "level: unknown_level (practice, hub, pcn or icb)")
        return MonitoringQuery(**{"from": params.first or None, "to": params.last or None,
                                  "level": level, "code": params.code or None,
                                  "programme": params.programme or None})

    def refused_choice(*media: str) -> dict[str, Any]:
        schema = {"$ref": "#/components/schemas/ProblemDetail"}
        return {"description": "A value the report cannot use (a month after the last, a code "
                               "not in the register); says which and why",
                "content": {m: {"schema": schema if m == "application/json" else
                                {"type": "string"}} for m in media}}

    page_errors = {k: errors[k] for k in (401, 403, 429)}

    @app.get("/dashboard", response_class=HTMLResponse, tags=["aggregates"],
             responses={**page_errors, 422: refused_choice("text/html")})
    def dashboard(
        request: Request,
        caller: Annotated[Caller, Depends(browser_caller)],
        query: Annotated[MonitoringQuery | HTTPException, Depends(dashboard_query)],
    ) -> HTMLResponse:
        """The monitoring report for a period, level, programme and area, in words, charts
        and tables; no scripts. Takes the same parameters as /v1/monitoring."""
        try:
            if isinstance(query, HTTPException):
                raise query
            found, areas, first, levels = dashboard_report(caller, query)
        except HTTPException as refused:
            if refused.status_code != 422:
                raise
            asked = {"from": request.query_params.get("from", ""),
                     "to": request.query_params.get("to", ""),
                     "level": request.query_params.get("level", ""),
                     "programme": request.query_params.get("programme", ""),
                     "code": request.query_params.get("code", "")}
            return HTMLResponse(render_refusal(str(refused.detail), asked), status_code=422)
        return HTMLResponse(render_dashboard(found, areas, first, levels=levels))

    @app.get("/dashboard.csv", response_class=Response, tags=["aggregates"],
             responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
                        **page_errors, 422: refused_choice("application/json")})
    def dashboard_download(
        caller: Annotated[Caller, Depends(browser_caller)],
        query: Annotated[MonitoringQuery | HTTPException, Depends(dashboard_query)],
    ) -> Response:
        """Every figure the dashboard shows for these parameters, one a row, as shown."""
        if isinstance(query, HTTPException):
            raise query
        found, areas, first, levels = dashboard_report(caller, query)
        name = "-".join(part for part in ("group-clinics", found.code, found.programme,
                                          found.from_month, found.to_month) if part)
        return Response(
            dashboard_csv(found, areas, first, levels=levels),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )

    def openapi_with_payloads() -> dict[str, Any]:
        # Payloads arrive as free JSON objects (so one bad event cannot fail the batch), so
        # FastAPI cannot see their models; publish them alongside the rest.
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(
            title=app.title, version=app.version, summary=app.summary,
            description=app.description, routes=app.routes,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas["ProblemDetail"] = ProblemDetail.model_json_schema()
        for (event_type, schema_version), model in PAYLOAD_SCHEMAS.items():
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schema["x-event-type"] = event_type
            schema["x-schema-version"] = schema_version
            schemas[model.__name__] = schema
        app.openapi_schema = document
        return document

    app.openapi = openapi_with_payloads  # type: ignore[method-assign]
    return app


def worker_app() -> FastAPI:
    """The app of one of several worker processes (`serve --workers`), its settings from the
    environment the serve command set."""
    app = create_app(Settings.from_env())
    # As serve does for one process: what lives as long as the process leaves the collector's
    # sight, so its full passes no longer scan it.
    gc.collect()
    gc.freeze()
    return app
