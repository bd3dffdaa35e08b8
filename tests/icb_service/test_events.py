"""POST /v1/events as a practice's sync client sees it."""

from __future__ import annotations

import json
import uuid

from sqlmodel import Session, func, select

from icb_service.app import Settings
from icb_service.models import StoredEvent
from tests.icb_service import events as ev
from tests.icb_service.conftest import Service, make_service

S = str(uuid.uuid4())


def stored_count(service: Service) -> int:
    with Session(service.engine) as session:
        return session.exec(select(func.count()).select_from(StoredEvent)).one()


def test_health_needs_no_token(service: Service) -> None:
    body = service.client.get("/v1/health").json()
    assert body["status"] == "ok" and body["protocol_versions"] == [1, 2, 3] and body["time"]


def test_missing_or_unknown_token_is_401(service: Service) -> None:
    batch = {"protocol_version": 1, "practice": "Y99999",
             "events": [ev.event("experience", ev.experience(S, "good"))]}
    assert service.client.post("/v1/events", json=batch).status_code == 401
    unknown = service.client.post(
        "/v1/events", json=batch, headers={"Authorization": "Bearer not-a-token"}
    )
    assert unknown.status_code == 401 and unknown.json()["detail"] == "Unknown or revoked token"
    assert stored_count(service) == 0


def test_a_practice_cannot_send_for_another_and_analysts_cannot_send(service: Service) -> None:
    events = [ev.event("experience", ev.experience(S, "good"))]
    wrong = service.send(events, practice="Y88888")
    assert wrong.status_code == 403 and "Y99999" in wrong.json()["detail"]
    assert service.send(events, token=service.analyst_token).status_code == 403
    assert stored_count(service) == 0


def test_store_then_retry_is_duplicate_and_changes_nothing(service: Service) -> None:
    events = [ev.event("session", ev.session(S, "2025-01-10")),
              ev.event("attendance", ev.attendance(S, "a"))]
    first = service.send(events)
    assert first.status_code == 200
    assert [r["status"] for r in first.json()["results"]] == ["stored", "stored"]
    again = service.send(events)
    assert [(r["id"], r["status"]) for r in again.json()["results"]] == [
        (events[0]["id"], "duplicate"), (events[1]["id"], "duplicate")
    ]
    assert stored_count(service) == 2


def test_same_id_with_different_content_is_a_per_event_conflict(service: Service) -> None:
    original = ev.event("experience", ev.experience(S, "good"))
    service.send([original])
    changed = {**original, "payload": ev.experience(S, "poor")}
    fresh = ev.event("experience", ev.experience(S, "neither"))
    results = service.send([changed, fresh]).json()["results"]
    assert results[0]["status"] == "rejected" and results[0]["reason"].startswith("conflict")
    assert results[1]["status"] == "stored"
    with Session(service.engine) as session:
        kept = session.get(StoredEvent, original["id"])
        assert kept is not None and kept.payload["response"] == "good"


def test_another_practice_reusing_an_id_is_a_conflict(service: Service) -> None:
    original = ev.event("experience", ev.experience(S, "good"))
    service.send([original])
    reused = service.send([original], practice="Y88888", token=service.other_token)
    assert reused.json()["results"][0]["reason"].startswith("conflict")


def test_mixed_batch_stores_the_good_and_names_the_bad_field(service: Service) -> None:
    good_1 = ev.event("attendance", ev.attendance(S, "a"))
    bad = ev.event("attendance", {**ev.attendance(S, "b"), "sex": "F"})
    good_2 = ev.event("goal", ev.goal(S, "a", str(uuid.uuid4()), None))
    results = service.send([good_1, bad, good_2]).json()["results"]
    assert [r["id"] for r in results] == [good_1["id"], bad["id"], good_2["id"]]
    assert [r["status"] for r in results] == ["stored", "rejected", "stored"]
    assert results[1]["reason"].startswith("payload.sex:")
    assert stored_count(service) == 2


def test_a_name_in_an_extra_field_is_refused_and_never_stored(service: Service) -> None:
    sneaky = ev.event("attendance", {**ev.attendance(S, "a"), "name": "Mary Smith"})
    result = service.send([sneaky]).json()["results"][0]
    # The client's own key is not repeated either: it could itself be a name.
    reason = "payload.<key>: name_like (looks like a name; names are never sent)"
    assert result == {"id": sneaky["id"], "status": "rejected", "reason": reason}
    assert stored_count(service) == 0


def test_an_nhs_number_like_string_is_refused(service: Service) -> None:
    sneaky = ev.event("measurement", ev.measurement("a", "weight", 82.5, "2025-01-10",
                                                    "no_target", S, unit="943 476 5919"))
    result = service.send([sneaky]).json()["results"][0]
    assert result["status"] == "rejected" and "NHS number" in result["reason"]
    assert "943" not in result["reason"]
    assert stored_count(service) == 0


def test_unknown_type_is_rejected_with_reason(service: Service) -> None:
    result = service.send([ev.event("diagnosis", {"code": "x"})]).json()["results"][0]
    assert result["status"] == "rejected" and "unknown_type" in result["reason"]
    assert "diagnosis" not in result["reason"]


def test_wrong_protocol_version_is_409(service: Service) -> None:
    response = service.client.post(
        "/v1/events",
        json={"protocol_version": 4, "practice": "Y99999",
              "events": [ev.event("experience", ev.experience(S, "good"))]},
        headers={"Authorization": f"Bearer {service.token}"},
    )
    assert response.status_code == 409 and "[1, 2, 3]" in response.json()["detail"]


def test_too_many_events_is_413(service: Service) -> None:
    events = [ev.event("experience", ev.experience(S, "good")) for _ in range(501)]
    response = service.send(events)
    assert response.status_code == 413 and "500" in response.json()["detail"]
    assert stored_count(service) == 0
    assert service.send(events[:500]).status_code == 200


def test_a_bad_envelope_field_rejects_that_event_naming_the_field_without_echoing(
    service: Service,
) -> None:
    bad = {**ev.event("experience", ev.experience(S, "good")), "occurred_at": "9434765919"}
    good = ev.event("experience", ev.experience(S, "good"))
    response = service.send([bad, good])
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["status"] == "rejected"
    assert results[0]["reason"].startswith("occurred_at:")
    assert results[1]["status"] == "stored"
    assert "9434765919" not in response.text
    assert stored_count(service) == 1


def test_malformed_envelope_is_422_naming_the_field_without_echoing(service: Service) -> None:
    bad = {**ev.event("experience", ev.experience(S, "good")), "id": "John Smith 9434765919"}
    response = service.send([bad])
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("Malformed request: body.events.0.id")
    assert "9434765919" not in response.text and "John" not in response.text
    assert service.send([]).status_code == 422


def test_nan_inside_a_payload_is_rejected_not_a_server_error(service: Service) -> None:
    # json.dumps writes NaN as a bare token, which Python's JSON reader accepts.
    batch = {"protocol_version": 1, "practice": "Y99999", "events": [
        ev.event("questionnaire", {**ev.questionnaire(S, "a", "pam", 0), "score": float("nan")})
    ]}
    body = json.dumps(batch)
    assert "NaN" in body
    response = service.client.post(
        "/v1/events", content=body,
        headers={"Authorization": f"Bearer {service.token}", "Content-Type": "application/json"},
    )
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json()["results"][0]["status"] == "rejected"
    assert stored_count(service) == 0


def test_rate_limit_answers_429_with_retry_after(engine) -> None:
    limited = make_service(engine, Settings(rate_per_minute=2, rate_burst=2))
    events = [ev.event("experience", ev.experience(S, "good"))]
    assert [limited.send(events).status_code for _ in range(2)] == [200, 200]
    refused = limited.send(events)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    # Limits are per practice: another practice is not held up.
    other = [ev.event("experience", ev.experience(S, "good"))]
    assert limited.send(other, practice="Y88888", token=limited.other_token).status_code == 200


def test_openapi_document_describes_the_protocol(service: Service) -> None:
    document = service.client.get("/openapi.json").json()
    assert "/v1/events" in document["paths"]
    post = document["paths"]["/v1/events"]["post"]
    assert {"200", "401", "403", "409", "413", "422", "429"} <= set(post["responses"])
    assert "duplicate" in document["info"]["description"]
    attendance = document["components"]["schemas"]["AttendancePayload"]
    assert attendance["x-event-type"] == "attendance"
    assert attendance["additionalProperties"] is False
    assert "subject" in attendance["required"]
