"""Attendance per registered practice, per hub and per PCN, with small numbers suppressed."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, delete

from icb_service.models import StoredEvent
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
    # 6 people, but the hub's 8 minus 6 would give Y99902's 2 away, so 6 is hidden too.
    assert y1["people"] == {"value": None, "suppressed": True}
    assert y1["did_not_attend"] == {"value": None, "suppressed": True}  # 2 < 5
    # 12 invited and 10 attended would each give a hidden count away (12 - 10, or the hub's
    # 16 and 14 minus Y99902's 4 and 4), so both are hidden; the hub's totals stay.
    assert y1["invited"]["suppressed"] and y1["attended"]["suppressed"]
    assert y1["dna_rate"] == {"value": None, "suppressed": True}
    assert y1["median_change"] == {"hba1c": {"value": -3.5, "suppressed": False}}
    y2 = rows[("registered_practice", "Y99902")]
    assert y2["median_change"] == {"hba1c": {"value": None, "suppressed": True}}
    assert rows[("pcn", "U99990")]["median_change"]["hba1c"]["value"] == -4.5
    assert y2["people"] == {"value": None, "suppressed": True}  # 2 people: too few to publish
    hub = rows[("hub", "Y99999")]
    assert hub["invited"] == {"value": 16, "suppressed": False}
    assert hub["attended"]["suppressed"]  # 16 - 14 would give the 2 who did not attend
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


# --- Complementary suppression: no hidden figure can be worked out by subtraction -------------

FIELDS = ("people", "invited", "attended", "did_not_attend")
HUBS = {"Y99999": ("Y99901", "Y99902"), "Y88888": ("Y99903", "Y99904")}  # hub -> members


def organisation_lines(rows: dict, pcn_of: dict[str, str]) -> list[list[dict]]:
    """Every line a reader could add up, knowing which practices each hub serves."""
    lines = [[r[name] for name in ("invited", "attended", "did_not_attend")]
             for r in rows.values()]
    for hub, members in HUBS.items():
        if ("hub", hub) not in rows:
            continue
        mine = [rows[("registered_practice", p)] for p in members
                if ("registered_practice", p) in rows]
        lines += [[rows[("hub", hub)][name], *(r[name] for r in mine)] for name in FIELDS]
    for pcn in set(pcn_of.values()):
        if ("pcn", pcn) not in rows:
            continue
        hubs = [h for h in HUBS if pcn_of.get(h) == pcn and ("hub", h) in rows]
        practices = [rows[("registered_practice", p)] for h in hubs for p in HUBS[h]
                     if ("registered_practice", p) in rows]
        for name in FIELDS:
            lines.append([rows[("pcn", pcn)][name], *(rows[("hub", h)][name] for h in hubs)])
            lines.append([rows[("pcn", pcn)][name], *(r[name] for r in practices)])
    return lines


def derivable_cells(rows: dict, pcn_of: dict[str, str]) -> list[str]:
    """Each line where exactly one figure is hidden: one subtraction would reveal it."""
    return [repr(line) for line in organisation_lines(rows, pcn_of)
            if sum(1 for f in line if f["suppressed"]) == 1]


def test_the_hub_example_hides_what_subtraction_would_reveal(service: Service) -> None:
    service.send(hub_events())
    rows = {(r["level"], r["code"]): r for r in service.get(
        "/v1/aggregates/organisations", token=service.analyst_token).json()["rows"]}
    y1 = rows[("registered_practice", "Y99901")]
    # 12 invited = 10 attended + 2 did not attend: showing 12 and 10 would give the 2 away.
    assert y1["did_not_attend"]["suppressed"]
    assert y1["invited"]["suppressed"] or y1["attended"]["suppressed"]
    # The hub's 8 people minus Y99901's 6 would give Y99902's 2.
    assert rows[("hub", "Y99999")]["people"]["suppressed"] or y1["people"]["suppressed"]
    assert derivable_cells(rows, {"Y99999": "U99990"}) == []


people_strategy = st.lists(
    st.tuples(
        st.sampled_from(["Y99901", "Y99902", "Y99903", "Y99904"]),  # registered practice
        st.sampled_from(["attended", "late", "did_not_attend", "cancelled", "drop_in",
                         "invited"]),
        st.sampled_from(["attended", "did_not_attend", None]),  # at a second session, if any
    ),
    min_size=1, max_size=40,
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=people_strategy, one_pcn=st.booleans())
def test_every_subtraction_fails_across_practices_hubs_and_pcns(
    service: Service, people, one_pcn: bool
) -> None:
    pcn_of = {"Y99999": "U99990", "Y88888": "U99990" if one_pcn else "U99980"}
    tag = uuid.uuid4().hex[:6]
    batches: dict[str, list[dict]] = {hub: [] for hub in HUBS}
    sessions = {hub: (str(uuid.uuid4()), str(uuid.uuid4())) for hub in HUBS}
    for hub, (first, second) in sessions.items():
        for number, uid in enumerate((first, second), start=1):
            batches[hub].append(ev.event("session", {**ev.session(uid, "2025-01-10", number=number),
                                                     "pcn": pcn_of[hub]}))
    for i, (ods, status, later) in enumerate(people):
        hub = next(h for h, members in HUBS.items() if ods in members)
        first, second = sessions[hub]
        who = f"{tag}-{i}"
        batches[hub].append(ev.event("attendance", {**ev.attendance(first, who, status),
                                                    "registered_practice": ods}))
        if later:
            batches[hub].append(ev.event("attendance", {**ev.attendance(second, who, later),
                                                        "registered_practice": ods}))
    tokens = {"Y99999": service.token, "Y88888": service.other_token}
    for hub, events in batches.items():
        assert service.send(events, practice=hub, token=tokens[hub]).status_code == 200
    answer = service.get("/v1/aggregates/organisations", token=service.analyst_token).json()
    rows = {(r["level"], r["code"]): r for r in answer["rows"]}
    assert derivable_cells(rows, pcn_of) == []
    for row in answer["rows"]:
        for name in FIELDS:
            figure = row[name]
            # Hidden means null, and nothing below the threshold is ever shown.
            assert (figure["value"] is None) == figure["suppressed"]
            assert figure["suppressed"] or figure["value"] >= answer["suppression_threshold"]
        if any(row[name]["suppressed"] for name in ("invited", "attended", "did_not_attend")):
            assert row["dna_rate"]["suppressed"]
    # A hub reading its own figures gets the same protection within its own rows.
    own = {(r["level"], r["code"]): r for r in service.get(
        "/v1/aggregates/organisations").json()["rows"]}
    assert derivable_cells(own, {"Y99999": pcn_of["Y99999"]}) == []
    with Session(service.engine) as db:  # start each example afresh
        db.exec(delete(StoredEvent))  # type: ignore[call-overload]
        db.commit()
