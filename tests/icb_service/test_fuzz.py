"""Whatever a client sends inside a batch, the service answers 200 or 422, never 500."""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from icb_service.models import StoredEvent
from icb_service.protocol import payload_problem
from tests.icb_service import events as ev
from tests.icb_service.conftest import Service

S = str(uuid.uuid4())
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                  max_size=3),
    max_leaves=8,
)
VALID = [
    ("attendance", ev.attendance(S, "a")),
    ("measurement", ev.measurement("a", "weight", 80, "2025-01-10", "no_target", S, unit="kg")),
    ("goal", ev.goal(S, "a", str(uuid.uuid4()), None)),
    ("session", ev.session(S, "2025-01-10")),
    ("experience", ev.experience(S, "good")),
]


@st.composite
def mutated_event(draw: st.DrawFn) -> dict[str, Any]:
    """A valid payload with one field replaced, removed or added: the near misses matter most."""
    event_type, payload = draw(st.sampled_from(VALID))
    payload = dict(payload)
    action = draw(st.sampled_from(["replace", "remove", "add", "random", "keep"]))
    if action == "replace":
        payload[draw(st.sampled_from(sorted(payload)))] = draw(json_values)
    elif action == "remove":
        payload.pop(draw(st.sampled_from(sorted(payload))))
    elif action == "add":
        payload[draw(st.text(max_size=10))] = draw(json_values)
    elif action == "random":
        payload = draw(st.dictionaries(st.text(max_size=10), json_values, max_size=4))
    event = ev.event(draw(st.sampled_from([event_type, event_type, "unknown"])), payload,
                     seq=draw(st.integers(min_value=1, max_value=2**63 - 1)))
    event["schema_version"] = draw(st.sampled_from([1, 1, 1, 2]))
    if draw(st.integers(0, 9)) == 0:  # now and then, a broken envelope
        event[draw(st.sampled_from(["seq", "occurred_at", "id"]))] = draw(json_values)
    return event


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.lists(mutated_event(), min_size=1, max_size=4))
def test_fuzzed_payloads_never_break_the_service(service: Service, batch: list[dict]) -> None:
    response = service.send(batch)
    assert response.status_code in (200, 422), response.text
    with Session(service.engine) as session:
        stored = {row.id: row for row in session.exec(select(StoredEvent)).all()}
    if response.status_code == 200:
        results = response.json()["results"]
        assert [r["id"] for r in results] == [e["id"] for e in batch]
        for event, result in zip(batch, results, strict=True):
            assert (result["status"] == "rejected") == (result["reason"] is not None)
            if result["status"] in ("stored", "duplicate"):
                assert event["id"] in stored  # acknowledged means kept
            else:
                assert event["id"] not in stored  # rejected means never kept
    else:
        # A 422 stores nothing (ids the envelope refused may not even be strings).
        assert not any(isinstance(e["id"], str) and e["id"] in stored for e in batch)
    # Every stored row has a payload its schema still accepts.
    for row in stored.values():
        assert payload_problem(row.type, row.schema_version, row.payload) is None
