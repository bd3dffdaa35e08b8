"""Protocol 2: hybrid sessions and each attendance's channel, taken in and split in the
aggregates, the CSV and the dashboard; version 1 events still accepted."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from icb_service.monitoring import MonitoringQuery, Reader, build_monitoring_report
from tests.icb_service import events as ev
from tests.icb_service.conftest import Service
from tests.icb_service.page_tables import figure

FACE, HYBRID = str(uuid.uuid4()), str(uuid.uuid4())
IN_ROOM, VIDEO, PHONE = "ABCDEF", "GHIJKL", "MN"


def v2(event_type: str, payload: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    event = ev.event(event_type, payload, **kwargs)
    event["schema_version"] = 2
    return event


def send2(service: Service, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = service.client.post(
        "/v1/events",
        json={"protocol_version": 2, "practice": "Y99999", "events": events},
        headers={"Authorization": f"Bearer {service.token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]


def test_schema_2_takes_hybrid_and_channel_and_refuses_what_does_not_fit(
    service: Service,
) -> None:
    uid = str(uuid.uuid4())
    session = {**ev.session(uid, "2025-03-10"), "mode": "hybrid", "drop_in": True}
    results = send2(service, [
        v2("session", session),
        ev.event("session", {**ev.session(uid, "2025-03-10"), "mode": "hybrid"}),
        v2("attendance", {**ev.attendance(uid, "A"), "channel": "phone"}),
        v2("attendance", ev.attendance(uid, "B")),  # attended without a channel
        v2("attendance", {**ev.attendance(uid, "C", "invited"), "channel": "video"}),
        ev.event("attendance", {**ev.attendance(uid, "D"), "channel": "video"}),
        v2("attendance", {**ev.attendance(uid, "E"), "channel": "satellite"}),
        ev.event("attendance", ev.attendance(uid, "F")),  # schema 1 is still accepted
    ])
    assert [r["status"] for r in results] == [
        "stored", "rejected", "stored", "rejected", "rejected", "rejected", "rejected", "stored"
    ]
    assert results[1]["reason"].startswith("payload.mode: literal_error")
    assert results[3]["reason"].startswith("payload.channel: channel_when_present (required")
    assert results[4]["reason"].startswith("payload.channel: channel_when_present (null")
    assert results[5]["reason"].startswith("payload.channel: extra_forbidden")
    assert results[6]["reason"].startswith("payload.channel: literal_error")


def hybrid_clinic() -> list[dict[str, Any]]:
    """Session 1 face to face (schema 1): all 14 people in the room. Session 2 hybrid (schema 2):
    A-F in the room, G-L by video, M-N by phone. HbA1c falls by 4 for A-F and by 2 for G-L."""
    out = [
        ev.event("session", ev.session(FACE, "2025-01-10", number=1)),
        v2("session", {**ev.session(HYBRID, "2025-02-10", number=2), "mode": "hybrid",
                       "drop_in": False}),
    ]
    for who in IN_ROOM + VIDEO + PHONE:
        out.append(ev.event("attendance", ev.attendance(FACE, who)))
        channel = "in_room" if who in IN_ROOM else "video" if who in VIDEO else "phone"
        out.append(v2("attendance", {**ev.attendance(HYBRID, who), "channel": channel},
                      occurred_at="2025-02-10T10:00:00Z"))
    for who in IN_ROOM + VIDEO:
        fall = 4 if who in IN_ROOM else 2
        out.append(ev.event("measurement", ev.measurement(
            who, "hba1c", 60, "2025-01-10", "off_target", FACE)))
        out.append(ev.event("measurement", ev.measurement(
            who, "hba1c", 60 - fall, "2025-02-10", "off_target", HYBRID)))
    return out


def test_the_aggregates_split_attendance_and_outcomes_by_mode_and_channel(
    service: Service,
) -> None:
    results = send2(service, hybrid_clinic())
    assert {r["status"] for r in results} == {"stored"}
    report = service.get("/v1/aggregates").json()
    group = report["groups"][0]
    assert group["sessions_held"] == 2
    assert group["sessions_held_by_mode"] == {"face_to_face": 1, "video": 0, "hybrid": 1,
                                              "unknown": 0}
    by_channel = {k: v["value"] for k, v in group["attendances_by_channel"].items()}
    # Schema-1 attendances at the face-to-face session count as in the room: 14 + 6.
    assert by_channel == {"in_room": 20, "video": 6, "phone": None, "not_stated": None}
    assert group["attendances_by_channel"]["phone"]["suppressed"] is True
    delivery = {(r["dimension"], r["group"]): r for r in group["delivery"]}
    assert delivery[("channel", "in_room")]["attended"]["value"] == 6
    assert delivery[("channel", "video")]["attended"]["value"] == 6
    assert delivery[("channel", "phone")]["attended"] == {"value": None, "suppressed": True}
    assert delivery[("mode", "hybrid")]["attended"]["value"] == 14
    # Outcomes by channel: the median HbA1c change of the people who joined each way.
    assert delivery[("channel", "in_room")]["median_change"]["hba1c"]["value"] == -4
    assert delivery[("channel", "video")]["median_change"]["hba1c"]["value"] == -2

    rows = list(csv.reader(io.StringIO(
        service.client.get("/v1/aggregates.csv", auth=("x", service.token)).text)))
    assert ["Y99999", "type2_diabetes", "attendances_by_channel", "video", "attendances", "6.0",
            "false"] in rows
    assert ["Y99999", "type2_diabetes", "sessions_by_mode", "hybrid", "held", "1",
            "false"] in rows
    assert ["Y99999", "type2_diabetes", "delivery:channel", "phone", "attended", "",
            "true"] in rows
    page = service.client.get("/dashboard", auth=("x", service.token)).text
    assert "How clinics ran" in page
    # Sessions by mode and people by the channel of their latest attendance, in words, with
    # the figures the monitoring report publishes.
    assert figure(page, "sessions-by-mode", "Hybrid (room and remote)") == "1"
    assert figure(page, "sessions-by-mode", "Face to face") == "1"
    assert figure(page, "attendances-by-channel", "Video") == "6"
    assert figure(page, "attendances-by-channel", "Phone") == "hidden"
    report = build_monitoring_report(service.engine, MonitoringQuery(),
                                     Reader(practice="Y99999"))
    words = {"in_room": "In the room", "video": "Video", "phone": "Phone"}
    for row in report.total.figures.delivery:
        if (row.dimension, row.group) in (("channel", c) for c in words):
            shown = [figure(page, "delivery-channel", words[row.group], column)
                     for column in (1, 2)]
            assert shown == ["hidden" if f.suppressed else f"{f.value:,.0f}"
                             for f in (row.invited, row.attended)]
