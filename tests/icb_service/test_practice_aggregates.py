"""Attendance per registered practice, per hub and per PCN, with small numbers suppressed."""

from __future__ import annotations

import uuid

from tests.icb_service import events as ev
from tests.icb_service.conftest import Service

S1, S2 = str(uuid.uuid4()), str(uuid.uuid4())


def hub_events() -> list[dict]:
    """Hub Y99999 (PCN U99990) runs two sessions. Six people are registered at Y99901 and two at
    Y99902; at session 2 people A and B did not attend."""
    out = [
        ev.event("session", {**ev.session(S1, "2025-01-10", number=1), "pcn": "U99990"}),
        ev.event("session", {**ev.session(S2, "2025-02-10", number=2), "pcn": "U99990"}),
    ]
    practice = {who: "Y99901" for who in "ABCDEF"} | {"G": "Y99902", "H": "Y99902"}
    for who, ods in practice.items():
        out.append(ev.event("attendance", {**ev.attendance(S1, who), "registered_practice": ods}))
        second = "did_not_attend" if who in "AB" else "attended"
        out.append(ev.event("attendance", {**ev.attendance(S2, who, second),
                                           "registered_practice": ods},
                            occurred_at="2025-02-10T10:00:00Z"))
    # HbA1c falls by 1..6 for A-F (median -3.5) and by 10 for G and H (too few to publish).
    for fall, who in enumerate("ABCDEFGH", start=1):
        fall = 10 if who in "GH" else fall
        out.append(ev.event("measurement", ev.measurement(who, "hba1c", 70, "2025-01-10",
                                                          "off_target", S1)))
        out.append(ev.event("measurement", ev.measurement(who, "hba1c", 70 - fall, "2025-02-10",
                                                          "off_target", S2)))
    return out


def test_counts_per_registered_practice_hub_and_pcn(service: Service) -> None:
    results = service.send(hub_events()).json()["results"]
    assert {r["status"] for r in results} == {"stored"}
    # An older single-practice client: no registered practice, no PCN.
    old = [ev.event("attendance", ev.attendance(S1, f"x{i}")) for i in range(5)]
    service.send(old, practice="Y88888", token=service.other_token)
    answer = service.get("/v1/aggregates/organisations", token=service.analyst_token)
    assert answer.status_code == 200
    rows = {(r["level"], r["code"]): r for r in answer.json()["rows"]}
    y1 = rows[("registered_practice", "Y99901")]
    assert y1["sessions"] == 2
    assert y1["people"] == {"value": 6, "suppressed": False}
    assert y1["attended"] == {"value": 10, "suppressed": False}  # 6 + 4
    assert y1["did_not_attend"] == {"value": None, "suppressed": True}  # 2 < 5
    assert y1["dna_rate"] == {"value": None, "suppressed": True}
    assert y1["median_change"] == {"hba1c": {"value": -3.5, "suppressed": False}}
    y2 = rows[("registered_practice", "Y99902")]
    assert y2["median_change"] == {"hba1c": {"value": None, "suppressed": True}}
    assert rows[("pcn", "U99990")]["median_change"]["hba1c"]["value"] == -4.5
    assert y2["people"] == {"value": None, "suppressed": True}  # 2 people: too few to publish
    assert rows[("hub", "Y99999")]["attended"] == {"value": 14, "suppressed": False}
    assert rows[("pcn", "U99990")]["people"] == {"value": 8, "suppressed": False}
    assert rows[("registered_practice", "not_stated")]["people"]["value"] == 5
    assert rows[("hub", "Y88888")]["people"]["value"] == 5
    # A practice (or hub) token reads its own figures only.
    own = service.get("/v1/aggregates/organisations").json()["rows"]
    assert {r["code"] for r in own if r["level"] == "hub"} == {"Y99999"}
    assert service.get("/v1/aggregates/organisations", practice="Y88888").status_code == 403


def test_an_older_payload_without_the_new_fields_is_still_accepted(service: Service) -> None:
    events = [ev.event("session", ev.session(S1, "2025-01-10")),
              ev.event("attendance", ev.attendance(S1, "A"))]
    assert {r["status"] for r in service.send(events).json()["results"]} == {"stored"}
    bad = ev.event("attendance", {**ev.attendance(S1, "B"), "registered_practice": "not ods!"})
    (result,) = service.send([bad]).json()["results"]
    assert result["status"] == "rejected" and "registered_practice" in result["reason"]
