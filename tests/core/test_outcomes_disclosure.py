"""The practice's outcomes report: no suppressed figure can be worked out by subtraction.

Issue 21, point 14: invited 6, women 5, men suppressed gave men = 1. Every subtraction along
every line that adds up (a total and its groups) is tried, on the figures, the CSV and the PDF.
"""

from __future__ import annotations

import csv
import subprocess
from collections import defaultdict
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.schema import Attendance, AttendanceStatus, Patient, Sex
from groupclinic_desktop.core.views.outcomes import EquityRow, equity_rows, programme_outcomes
from groupclinic_desktop.export.outcomes_report import write_csv, write_pdf

T = 5


def visit(pid: int, status: str, sex: str, ethnic: str | None):  # type: ignore[no-untyped-def]
    patient = Patient(id=pid, nhs_number=str(pid), given_name="A", family_name="B",
                      date_of_birth=date(1960, 1, 1), sex=Sex(sex), ethnic_category=ethnic)
    return None, Attendance(session_id=1, patient_id=pid, status=AttendanceStatus(status)), patient


def subtractions(rows: list[EquityRow], totals: dict[str, int]) -> list[str]:
    """Every hidden group count that the total minus the shown groups would reveal."""
    revealed = []
    by_dimension: dict[str, list[EquityRow]] = defaultdict(list)
    for row in rows:
        by_dimension[row.dimension].append(row)
    for dimension, group_rows in by_dimension.items():
        for which in ("invited", "attended"):
            if which not in totals:
                continue  # the report suppresses the total itself: nothing to subtract from
            figures = [getattr(r, which) for r in group_rows]
            hidden = [r.group for r, f in zip(group_rows, figures, strict=True) if not f.shown]
            if len(hidden) == 1:
                rest = sum(f.value for f in figures if f.shown)
                revealed.append(f"{dimension} {hidden[0]} {which} = {totals[which] - rest:g}")
    return revealed


def test_the_issues_example_no_longer_gives_the_men_away() -> None:
    visits = [visit(i, "attended", "female", "A") for i in range(5)]
    visits.append(visit(9, "did_not_attend", "male", "A"))
    rows = {(r.dimension, r.group): r for r in equity_rows(visits, date(2026, 1, 1), T)}
    assert rows[("Sex", "Male")].invited.value is None
    women = rows[("Sex", "Female")]
    assert women.invited.value is None and women.attended.value is None
    assert women.invited.text() == "suppressed" and "worked out" in women.invited.reason
    assert women.attendance_rate.value is None and not women.flagged


people = st.lists(
    st.tuples(
        st.sampled_from(["attended", "late", "did_not_attend", "cancelled", "drop_in"]),
        st.sampled_from(["female", "male", "other", "unknown"]),
        st.sampled_from(["A", "H", "M", "R", None]),
    ),
    min_size=1, max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(people)
def test_every_subtraction_fails_to_reveal_a_suppressed_group(found: list) -> None:
    visits = [visit(i, status, sex, ethnic) for i, (status, sex, ethnic) in enumerate(found)]
    totals = {
        "invited": sum(1 for status, _, _ in found if status != "drop_in"),
        "attended": sum(1 for status, _, _ in found if status in ("attended", "late", "drop_in")),
    }
    hidden_totals: set[str] = set()
    rows = equity_rows(visits, date(2026, 1, 1), T, hidden_totals=hidden_totals)
    published = {k: v for k, v in totals.items() if v >= T and k not in hidden_totals}
    assert subtractions(rows, published) == []
    for row in rows:  # a hidden group hides its attenders, and hidden attenders their rate
        if not row.invited.shown:
            assert not row.attended.shown
        if not row.attended.shown:
            assert row.attendance_rate.value is None and not row.flagged


def test_the_report_csv_and_pdf_hide_the_protecting_figures_too(demo: Clinic, tmp_path) -> None:
    programme = demo.programmes()[0].id
    with demo.acting_as(SYSTEM):
        demo.set_setting("outcomes_suppress_below", 1)
    sizes = {r.group: int(r.invited.value or 0)
             for r in programme_outcomes(demo, programme).equity if r.dimension == "Age band"}
    smallest = min(sizes, key=sizes.get)
    threshold = sizes[smallest] + 1
    # A threshold that hides exactly one age band on its own: another has to follow it.
    assert [g for g, n in sizes.items() if n < threshold] == [smallest]
    with demo.acting_as(SYSTEM):
        demo.set_setting("outcomes_suppress_below", threshold)
    o = programme_outcomes(demo, programme)
    bands = {r.group: r for r in o.equity if r.dimension == "Age band"}
    protecting = [g for g, r in bands.items() if "worked out" in r.invited.reason]
    assert bands[smallest].invited.value is None and len(protecting) == 1
    assert subtractions(list(o.equity), {"invited": int(o.invited.value or 0),
                                         "attended": int(o.attended.value or 0)}) == []

    with write_csv(o, tmp_path / "outcomes.csv").open(encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    for band in (smallest, protecting[0]):
        [invited] = [r for r in lines
                     if r["group"] == f"Age band: {band}" and r["item"] == "people invited"]
        # Neither the value nor the size of the group behind it.
        assert invited["value"] == "" and invited["people"] == ""
        assert invited["note"].endswith("(suppressed)")

    pdf = write_pdf(o, tmp_path / "outcomes.pdf", practice="Riverside")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    for band in (smallest, protecting[0]):
        label = f"Age band: {band}"
        [line] = [line for line in text.splitlines() if line.strip().startswith(label)]
        assert "suppressed" in line and str(sizes[band]) not in line.replace(label, ""), line
