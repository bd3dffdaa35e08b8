"""The HTTP side: one batch to the ICB service, and what its answer means for the outbox.

Every answer is sorted into one of a few outcomes the sync pass acts on; the service's own words
(its `detail`) are kept as the reason, since it names the field and never echoes values.
"""

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from icb_service.protocol import BatchResult

if TYPE_CHECKING:
    # Imported when a client is made (the worker's thread, and only once the ICB service is set
    # up): with the CLI extras installed, httpx brings rich, click and pygments, ~6 MB.
    import httpx


class Outcome(enum.Enum):
    ANSWERED = "answered"  # 200: one result per event
    NOT_ALLOWED = "not_allowed"  # 401/403: the token is wrong; an admin must act
    UNSUPPORTED = "unsupported"  # 409: the service does not speak our protocol version
    TOO_LARGE = "too_large"  # 413: send a smaller batch
    MALFORMED = "malformed"  # 422: the envelope was refused; split the batch to find the culprit
    SLOW_DOWN = "slow_down"  # 429: wait at least Retry-After
    UNAVAILABLE = "unavailable"  # 5xx, timeouts, refused or dropped connections: back off, retry


STOPS = frozenset({Outcome.NOT_ALLOWED, Outcome.UNSUPPORTED})


@dataclass
class Answer:
    outcome: Outcome
    reason: str = ""
    retry_after: float | None = None
    results: list[dict[str, Any]] = field(default_factory=list)
    timed_out: bool = False  # the link may be too slow for this batch size


def _detail(response: "httpx.Response") -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    detail = body.get("detail") if isinstance(body, dict) else None
    return f"HTTP {response.status_code}: {detail}" if detail else f"HTTP {response.status_code}"


def _retry_after(response: "httpx.Response") -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date is allowed by the standard but our service never sends one


class ServiceClient:
    """A practice's connection to the ICB service. Not thread-safe: one per worker."""

    def __init__(self, url: str, token: str, *, timeout: float = 30.0) -> None:
        import httpx

        self._http = httpx.Client(
            base_url=url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "User-Agent": "GroupClinic-Desktop"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "ServiceClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def healthy(self) -> bool:
        import httpx

        try:
            response = self._http.get("/v1/health")
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def send(self, body: dict[str, Any]) -> Answer:
        import httpx

        try:
            response = self._http.post("/v1/events", json=body)
        except httpx.TimeoutException as exc:
            return Answer(
                Outcome.UNAVAILABLE,
                f"the service did not answer in time ({type(exc).__name__})",
                timed_out=True,
            )
        except httpx.HTTPError as exc:
            # Includes a connection cut after the server committed: the retry is a duplicate.
            return Answer(Outcome.UNAVAILABLE, f"cannot reach the service ({type(exc).__name__})")
        code = response.status_code
        if code == 200:
            try:
                results = BatchResult.model_validate_json(response.content).results
            except ValueError:
                return Answer(Outcome.UNAVAILABLE, "the service's answer could not be read")
            if [r.id for r in results] != [e["id"] for e in body["events"]]:
                return Answer(Outcome.UNAVAILABLE, "the service answered for other events")
            return Answer(
                Outcome.ANSWERED,
                results=[{"id": r.id, "status": r.status, "reason": r.reason} for r in results],
            )
        if code in (401, 403):
            return Answer(Outcome.NOT_ALLOWED, _detail(response))
        if code == 409:
            return Answer(Outcome.UNSUPPORTED, _detail(response))
        if code == 413:
            return Answer(Outcome.TOO_LARGE, _detail(response))
        if code == 422:
            return Answer(Outcome.MALFORMED, _detail(response))
        if code == 429:
            return Answer(Outcome.SLOW_DOWN, _detail(response), _retry_after(response))
        return Answer(Outcome.UNAVAILABLE, _detail(response), _retry_after(response))
