"""A hub's monitoring events carry each person's registered practice and the PCN, reach the real
ICB service through sync, and are counted there per registered practice, hub and PCN."""

from datetime import date
from pathlib import Path

import httpx

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.schema import SessionStatus
from groupclinic_desktop.sync.engine import Syncer
from tests.delivery.conftest import BROOKSIDE, HILLSIDE, make_hub
from tests.sync.conftest import FAST, IcbServer, point_at


def test_hub_events_carry_registered_practice_and_pcn_to_the_icb(
    demo: Clinic, icb_sqlite: IcbServer, tmp_path: Path
) -> None:
    make_hub(demo)
    (today,) = [s for s in demo.sessions(day=date.today()) if s.status == SessionStatus.PLANNED]
    assert today.id is not None
    roster = demo.roster(today.id)
    with demo.acting_as(SYSTEM):
        demo.start_session(today.id)
        for index, entry in enumerate(roster):
            assert entry.patient.id is not None
            ods = HILLSIDE[0] if index % 2 == 0 else BROOKSIDE[0]
            demo.set_registered_practice(entry.patient.id, ods)
            demo.set_attendance(today.id, entry.patient.id, "attended")
    point_at(demo, icb_sqlite.url, icb_sqlite.token)
    report = Syncer(demo, FAST).run_pass()
    assert report.result == "done" and report.needs_attention == 0, report.reason
    # The service keeps each payload as compact JSON: compare without the spacing.
    stored = icb_sqlite.all_text().replace('\\"', '"').replace('": "', '":"')
    assert '"registered_practice":"Y99901"' in stored
    assert '"pcn":"U99990"' in stored
    answer = httpx.get(
        f"{icb_sqlite.url}/v1/aggregates/organisations",
        headers={"Authorization": f"Bearer {icb_sqlite.token}"},
        timeout=30,
    )
    assert answer.status_code == 200
    rows = {(r["level"], r["code"]): r for r in answer.json()["rows"]}
    hillside = sum(1 for i, _ in enumerate(roster) if i % 2 == 0)
    figure = rows[("registered_practice", HILLSIDE[0])]["attended"]
    # Shown as counted, or hidden; the hub's total against its practices' rows (including the
    # demo's earlier session, registered at the hub itself) never gives a hidden count away.
    assert figure in ({"value": hillside, "suppressed": False},
                      {"value": None, "suppressed": True})
    for name in ("people", "invited", "attended", "did_not_attend"):
        line = [rows[("hub", "Y99999")][name]] + [
            r[name] for (level, _), r in rows.items() if level == "registered_practice"]
        assert sum(1 for f in line if f["suppressed"]) != 1, name
    assert ("pcn", "U99990") in rows and ("hub", "Y99999") in rows
