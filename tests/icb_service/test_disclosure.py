"""No suppressed ICB figure can be worked out from the published ones (issue 21, point 14).

Random clinics go through the real intake; then every subtraction a reader could make is tried
on what the JSON, the CSV and the dashboard publish: each total minus its shown parts, along
every line that adds up (a breakdown and its total, and invited = attended + did not attend).
"""

from __future__ import annotations

import csv
import io
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icb_service.aggregates import ATTENDANCE, EQUITY_DIMENSIONS
from icb_service.monitoring import MonitoringQuery, Reader, build_monitoring_report
from tests.icb_service import events as ev
from tests.icb_service.conftest import Service
from tests.icb_service.page_tables import page_tables


def dashboard_reveals(page: str) -> list[list[str]]:
    """Rows of the dashboard (a month, an age band...) where invited, came and missed have
    exactly one hidden: the one a reader could work out from the other two."""
    found = []
    for name, rows in page_tables(page).items():
        if name == "trend" or name.startswith(("equity-", "delivery-")):
            for row in rows[1:]:
                people = row[2:5] if name == "trend" else row[1:4]
                if people.count("hidden") == 1:
                    found.append([name, *row])
    return found


def lines_of(group: dict) -> list[list[dict]]:
    """The lines a reader can add up, as lists of published figures (total first)."""
    lines = [[group[name] for name in ATTENDANCE]]
    rows = group["equity"]
    for dimension in EQUITY_DIMENSIONS:
        mine = [r for r in rows if r["dimension"] == dimension]
        for name in ATTENDANCE:
            lines.append([group[name], *(r[name] for r in mine)])
        lines += [[r[name] for name in ATTENDANCE] for r in mine]
    return lines


def revealed(group: dict) -> list[str]:
    """Every subtraction that would pin a suppressed figure down."""
    found = []
    for line in lines_of(group):
        hidden = [f for f in line if f["suppressed"]]
        if len(hidden) == 1:
            found.append(f"{line}")
    return found


def test_the_issues_example_is_protected(service: Service) -> None:
    # Invited 6: five women and one man; five attended, one did not.
    session = str(uuid.uuid4())
    events = [ev.event("session", ev.session(session, "2025-01-10"))]
    events += [ev.event("attendance", ev.attendance(session, f"w{i}", "attended", "female"))
               for i in range(5)]
    events.append(ev.event("attendance", ev.attendance(session, "m", "did_not_attend", "male")))
    assert service.send(events).status_code == 200
    [group] = service.get("/v1/aggregates").json()["groups"]
    assert group["did_not_attend"]["suppressed"]
    assert group["invited"]["suppressed"] or group["attended"]["suppressed"]
    sex = {r["group"]: r for r in group["equity"] if r["dimension"] == "sex"}
    assert sex["male"]["invited"]["suppressed"] and sex["female"]["invited"]["suppressed"]
    assert revealed(group) == []
    # The dashboard: never "invited 6, attended 5, did not attend: hidden".
    page = service.client.get("/dashboard", auth=("x", service.token)).text
    overview = dict(page_tables(page)["overview-figures"])
    assert "hidden" in (overview["people invited"], overview["people who came"])
    assert overview["attendance rate: people invited who came at least once"] == "hidden"
    assert not dashboard_reveals(page)


clinics = st.lists(
    st.tuples(
        st.sampled_from(["attended", "late", "did_not_attend", "cancelled", "drop_in",
                         "invited"]),
        st.sampled_from(["female", "male", "other", "unknown"]),
        st.sampled_from(["18-39", "60-69", "70-79", "80+"]),
        st.sampled_from(["white", "asian", "black", "not_stated"]),
        st.sampled_from(["1", "3", "5", "not_stated"]),
    ),
    min_size=1, max_size=30,
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=clinics)
def test_every_subtraction_fails_on_json_csv_and_dashboard(service: Service, people) -> None:
    session = str(uuid.uuid4())
    tag = uuid.uuid4().hex[:6]  # fresh people for each example
    events = [ev.event("session", ev.session(session, "2025-01-10"))]
    for i, (status, sex, age, ethnic, imd) in enumerate(people):
        payload = ev.attendance(session, f"{tag}-{i}", status, sex, ethnic_group=ethnic,
                                imd_quintile=imd)
        payload["age_band"] = age
        events.append(ev.event("attendance", payload))
    assert service.send(events).status_code == 200
    report = service.get("/v1/aggregates").json()
    [group] = report["groups"]
    assert revealed(group) == []

    # The CSV publishes exactly the same figures, hidden where the JSON hides them.
    rows = list(csv.DictReader(io.StringIO(service.get("/v1/aggregates.csv").text)))
    for row in rows:
        if row["section"] == "attendance" and row["figure"] in ATTENDANCE:
            assert (row["suppressed"] == "true") == group[row["figure"]]["suppressed"]
            assert (row["value"] == "") == group[row["figure"]]["suppressed"]
    # The dashboard hides what the monitoring report hides, and no month or breakdown row of
    # it gives a hidden count away.
    page = service.client.get("/dashboard", auth=("x", service.token)).text
    total = build_monitoring_report(service.engine, MonitoringQuery(),
                                    Reader(practice="Y99999")).total.figures
    overview = dict(page_tables(page)["overview-figures"])
    for words, name in (("people invited", "invited"), ("people who came", "attended")):
        assert (overview[words] == "hidden") == getattr(total, name).suppressed
    assert not dashboard_reveals(page)
    # Start each example afresh: every example's session is in the same programme.
    from sqlmodel import Session, delete

    from icb_service.models import StoredEvent

    with Session(service.engine) as db:
        db.exec(delete(StoredEvent))  # type: ignore[call-overload]
        db.commit()
