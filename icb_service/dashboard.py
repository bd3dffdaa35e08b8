"""The ICB dashboard: the monitoring report for a period, level, programme and area, in words,
inline SVG charts and tables, with a CSV of exactly what is on screen.

dashboard.py decides what an analyst sees and in what words; dashboard_page.py lays it out,
dashboard_charts.py draws, dashboard_tables.py holds the figures, labels.py has the words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from sqlalchemy import Engine

from icb_service.aggregates import Figure
from icb_service.dashboard_charts import bar_chart, funnel_plot, trend_chart
from icb_service.dashboard_page import Block, Choice, Filter, Page, Section, render
from icb_service.dashboard_tables import Cell, Kind, Row, Table, tables_csv
from icb_service.funnel import position
from icb_service.labels import Labels, labels
from icb_service.monitoring import (
    Breakdown,
    MonitoringReport,
    OrganisationFigures,
    Reader,
)
from icb_service.monitoring_read import read_register

LEVEL_PLURAL = {"practice": "Practices", "hub": "Hubs", "pcn": "Primary care networks",
                "icb": "Integrated care boards"}
LEVEL_ONE = {"practice": "practice", "hub": "hub", "pcn": "PCN", "icb": "ICB"}
LEVEL_HEADING = {"practice": "Practice", "hub": "Hub", "pcn": "PCN", "icb": "ICB"}
EQUITY = ("age_band", "sex", "ethnic_group", "imd_quintile")
MOST_BARS = 40  # organisations drawn as bars; more are listed in a table only
DELIVERY = ("mode", "channel", "drop_in")


@dataclass(frozen=True)
class Area:
    """One organisation in the register that the reader may choose as the scope."""

    code: str
    name: str
    level: str  # practice, pcn or icb


def cell(figure: Figure | None, kind: Kind = "count") -> Cell:
    if figure is None:
        return Cell(None, kind=kind)
    return Cell(figure.value, hidden=figure.suppressed, kind=kind)


def ratio(top: Figure, bottom: Figure) -> Cell:
    """A proportion of two published counts: hidden when either is, none when bottom is 0."""
    if top.suppressed or bottom.suppressed:
        return Cell(None, hidden=True, kind="percent")
    if top.value is None or not bottom.value:
        return Cell(None, kind="percent")
    return Cell(top.value / bottom.value, kind="percent")


def month_words(month: str) -> str:
    year, number = month.split("-")
    return dt.date(int(year), int(number), 1).strftime("%b %Y")


def lower_first(words: str) -> str:
    """For a label inside a sentence: "Deprivation (IMD quintile)" -> "deprivation (IMD ..."."""
    return words[:1].lower() + words[1:]


def area_label(name: str, code: str | None) -> str:
    if not code:
        return name
    return f"{name} ({code})" if name and name != code else code


def dashboard_areas(engine: Engine, reader: Reader) -> tuple[list[Area], str | None]:
    """The register's organisations the reader may choose. The first month is left to the
    report (no extra scan of the summaries for a list of months): see _filters."""
    with engine.connect() as connection:
        register = read_register(connection)
    areas: list[Area] = []
    for level, found in (("icb", register.icbs), ("pcn", register.pcns),
                         ("practice", register.practices)):
        for code, organisation in sorted(found.items(), key=lambda i: (i[1].name or i[0])):
            if reader.practice and code != reader.practice:
                continue
            if reader.icb and register.icb_of(level, code) != reader.icb:
                continue
            areas.append(Area(code, organisation.name or code, level))
    return areas, None


# The report's refusals ("field: rule (reason)") in the words of the form, and what to do.
REFUSALS = {
    "after_to": "The first month is after the last month: choose a first month on or before "
                "the last.",
    "below_level": "A single practice cannot be compared by PCN or ICB: choose a wider area "
                   "(a PCN or ICB), or compare by practice.",
    "unknown_code": "That practice or area is not in the organisation register.",
    "unknown_level": "Compare by practices, hubs, primary care networks or integrated care "
                     "boards.",
    "unknown_programme": "That programme is not one the monitoring dataset knows.",
    "month_format": "Months are written as year and month, for example 2025-04.",
    "month_range": "Months are written as year and month, for example 2025-04.",
    "year_range": "Choose a year from 2000 to 2100.",
}


def render_refusal(reason: str, query: dict[str, str] | None = None) -> str:
    """A choice the report cannot use (a month after the last, a practice compared by PCN):
    say which in the form's words, with ways back that work."""
    rule = reason.split(":", 1)[-1].strip().split(" ", 1)[0]
    words = REFUSALS.get(rule, "The service could not use this choice.")
    choices = {k: v for k, v in (query or {}).items() if v}
    links = [("/dashboard", "Start again with every figure you may see")]
    if "code" in choices and rule == "below_level":
        links.insert(0, ("/dashboard?" + urlencode({**choices, "level": "practice"}),
                         "Show this practice"))
        wider = {k: v for k, v in choices.items() if k != "code"}
        links.insert(1, ("/dashboard?" + urlencode(wider), "Compare across every area"))
    items = "".join(f'<li><a href="{escape(href)}">{escape(text)}</a></li>'
                    for href, text in links)
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        '<link rel="icon" href="data:,"><title>These figures cannot be shown</title></head>'
        "<body><main><h1>These figures cannot be shown</h1>"
        f"<p>{escape(words)}</p><ul>{items}</ul>"
        f"<p><small>The service said: {escape(reason)}</small></p></main></body></html>"
    )


# ---- the page ---------------------------------------------------------------------------------


def build_page(
    report: MonitoringReport,
    areas: Sequence[Area],
    first_month: str | None,
    today: dt.date | None = None,
    levels: Sequence[str] = ("practice", "hub", "pcn", "icb"),
) -> Page:
    words = labels()
    sections = [
        _overview(report, words),
        _trend(report),
        _compare(report),
        _time_released(report),
        _outcomes(report, words),
        _equity(report, words),
        _delivery(report, words),
        _experience(report, words),
        _staff(report, words),
    ]
    return Page(
        title="Group clinics monitoring",
        subtitle="Uptake, outcomes, equity, experience and clinician time, from the "
                 "pseudonymised monitoring dataset that practices' group clinic laptops send.",
        filters=_filters(report, areas, first_month, today or dt.datetime.now(dt.UTC).date(),
                         levels, words),
        showing=_showing(report, words),
        threshold=report.suppression_threshold,
        sections=[s for s in sections if s is not None],
        sources=_sources(report),
    )


def render_dashboard(report: MonitoringReport, areas: Sequence[Area],
                     first_month: str | None = None, today: dt.date | None = None,
                     levels: Sequence[str] = ("practice", "hub", "pcn", "icb")) -> str:
    return render(build_page(report, areas, first_month, today, levels))


def dashboard_csv(report: MonitoringReport, areas: Sequence[Area],
                  first_month: str | None = None, today: dt.date | None = None,
                  levels: Sequence[str] = ("practice", "hub", "pcn", "icb")) -> str:
    page = build_page(report, areas, first_month, today, levels)
    selection = [report.from_month or (report.months[0] if report.months else ""),
                 report.to_month or (report.months[-1] if report.months else ""),
                 report.level, report.programme or "", report.code or ""]
    return tables_csv(page.tables, selection)


def _months_between(first: str, last: str) -> list[str]:
    year, month = (int(part) for part in first.split("-"))
    end = tuple(int(part) for part in last.split("-"))
    found: list[str] = []
    while (year, month) <= end and len(found) < 600:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _filters(report: MonitoringReport, areas: Sequence[Area], first_month: str | None,
             today: dt.date, levels: Sequence[str], words: Labels) -> list[Filter]:
    this_month = f"{today.year:04d}-{today.month:02d}"
    # Ten years back, or further when the data or the choice go further.
    horizon = f"{today.year - 10:04d}-{today.month:02d}"
    earliest = min(m for m in (first_month, *report.months[:1], horizon) if m)
    months = list(reversed(_months_between(earliest, this_month)))
    month_choices = [Choice(m, month_words(m)) for m in months]
    by_level = {"icb": "Integrated care boards", "pcn": "Primary care networks",
                "practice": "Practices and hubs"}
    area_choices = [Choice("", "Everything you may see")] + [
        Choice(a.code, area_label(a.name, a.code), group=by_level.get(a.level, "Other"))
        for level in ("icb", "pcn", "practice") for a in areas if a.level == level
    ]
    return [
        Filter("from", "From", [Choice("", "First month with data"), *month_choices],
               report.from_month or ""),
        Filter("to", "To", [Choice("", "Latest month"), *month_choices], report.to_month or ""),
        Filter("level", "Compare by",
               [Choice(level, LEVEL_PLURAL[level]) for level in levels], report.level),
        Filter("programme", "Programme",
               [Choice("", "All programmes"),
                *(Choice(k, v) for k, v in sorted(words.programmes.items(), key=lambda i: i[1]))],
               report.programme or ""),
        Filter("code", "Practice or area", area_choices, report.code or ""),
    ]


def _showing(report: MonitoringReport, words: Labels) -> str:
    scope = report.total.name
    if not report.total.code:
        scope = "every organisation you may see"
    programme = words.programme(report.programme) if report.programme else "all programmes"
    if len(report.months) == 1:
        period = month_words(report.months[0])
    elif report.months:
        period = f"{month_words(report.months[0])} to {month_words(report.months[-1])}"
    else:
        period = "no months with data"
    return (f"{programme}, {scope}, {period}; "
            f"{LEVEL_PLURAL[report.level].lower()} side by side.")


def _sources(report: MonitoringReport) -> list[str]:
    return [
        "Periods are calendar months (UTC). People are counted in the month they first came "
        "to a group clinic of the programme (their first month), so monthly figures add up; "
        "sessions, reviews and clinician time in the month the session was held.",
        "Funnel plots: control limits for a proportion, p \u00b1 z\u221a(p(1\u2212p)/n), with "
        "z = 1.96 (95%) and 3.09 (99.8%): Spiegelhalter DJ, Funnel plots for comparing "
        "institutional performance, Statistics in Medicine 2005;24:1185\u20131202. A point "
        "outside the 99.8% limits is unlikely to differ by chance alone.",
        "Clinician time released = people reviewed \u00d7 usual one-to-one appointment minutes "
        "\u2212 clinician minutes in the group sessions, in hours. The usual minutes are each "
        "practice's setting for the programme, or the default (15 minutes: BMA, Safe working in "
        "general practice, 2016; 20 minutes for some long-term condition programmes, our "
        "estimate). It can be negative.",
        "Patient experience: our wording in the style of the NHS Friends and Family Test. Staff "
        "experience: our own three questions, not a validated instrument, reported as counts "
        "per answer.",
        "Attendance rate = people who attended \u00f7 people invited. Did-not-attend rate = "
        "did-not-attend bookings \u00f7 bookings that fell due (attended, late or did not "
        "attend).",
        f"Generated {report.generated_at:%d %b %Y %H:%M} UTC.",
    ]


# ---- sections ---------------------------------------------------------------------------------


def _headlines(ident: str, caption: str, section: str, rows: list[tuple[str, Cell]]) -> Table:
    return Table(ident, caption, "Figure", ["Value"],
                 [Row(what, [value], key=what) for what, value in rows], section=section)


def _overview(report: MonitoringReport, words: Labels) -> Section:
    f = report.total.figures
    t = f.time_released
    rate = ratio(f.attended, f.invited)
    headlines = _headlines("overview-figures", "Key figures", "Overview", [
        ("group sessions held", cell(f.sessions.held)),
        ("people invited", cell(f.invited)),
        ("people who came", cell(f.attended)),
        ("attendance rate: people invited who came at least once", rate),
        ("did-not-attend rate: booked places not attended", cell(f.dna_rate, "percent")),
        ("one-to-one appointments replaced", cell(t.appointments_replaced)),
        ("hours of clinician time released (estimate)",
         cell(t.clinician_hours_released, "hours")),
    ])
    said = []
    if not report.months:
        said.append("No monitoring data has been received yet for this selection.")
    elif rate.shown:
        said.append(f"Of the people invited, {rate.text} came to at least one session.")
    elif rate.hidden:
        said.append("The attendance figures for this selection are too small to show.")
    return Section("overview", "Overview", words=said, headlines=headlines)


def _trend(report: MonitoringReport) -> Section | None:
    if not report.trend:
        return Section("trend", "Month by month",
                       words=["No months with data in this selection."])
    table = Table("trend", "People and sessions by month", "Month",
                  ["Sessions held", "People invited", "People who came", "Missed a session"],
                  section="Month by month")
    for m in report.trend:
        table.rows.append(Row(month_words(m.month), [
            cell(m.sessions_held), cell(m.invited), cell(m.attended), cell(m.did_not_attend),
        ], key=m.month))
    rates = Table("trend-rate", "Attendance rate by month", "Month", ["Attendance rate"],
                  section="Month by month")
    for m in report.trend:
        rates.rows.append(Row(month_words(m.month), [ratio(m.attended, m.invited)], key=m.month))
    return Section("trend", "Month by month", words=[
        "People are counted in the month they first came (or were first invited), so the "
        "months add up to the period's total; sessions in the month they were held.",
    ], blocks=[
        Block(table, "People invited and people who came, by the month they first came or "
              "were invited; sessions held, in the month they were held.",
              trend_chart(table, ["People invited", "People who came", "Sessions held"],
                          "People and sessions by month", bars=True)),
        Block(rates, "The share of people invited who came, by the month they were first "
              "invited.",
              trend_chart(rates, ["Attendance rate"], "Attendance rate by month",
                          percent=True, bars=True)),
    ])


def _org_label(org: OrganisationFigures) -> str:
    return area_label(org.name, org.code)


def _whole(report: MonitoringReport) -> str:
    """What the organisations are compared against, by name: the ICB, the PCN, or everyone."""
    return report.total.name if report.total.code else "all organisations"


def _compare(report: MonitoringReport) -> Section:
    plural = LEVEL_PLURAL[report.level]
    ident = "compare"
    heading = f"{plural} side by side"
    total = report.total.figures
    target = ratio(total.attended, total.invited)
    table = Table("compare-attendance", f"Attendance rate: {plural.lower()} against "
                  f"{_whole(report)}", LEVEL_HEADING[report.level],
                  ["People invited", "People who came", "Attendance rate",
                   "Against the whole selection", "Did-not-attend rate", "Sessions held"],
                  section=heading)
    if report.level == "practice":
        table.columns.insert(0, "PCN")
    for org in report.organisations:
        f = org.figures
        rate = ratio(f.attended, f.invited)
        where = ""
        if rate.shown and target.shown and f.invited.value:
            assert rate.value is not None and target.value is not None
            where = position(rate.value, target.value, f.invited.value)
        cells = [cell(f.invited), cell(f.attended), rate,
                 Cell(None, kind="text", words=where or "not plotted"),
                 cell(f.dna_rate, "percent"), cell(f.sessions.held)]
        if report.level == "practice":
            cells.insert(0, Cell(None, kind="text",
                                 words=area_label(org.pcn_name or "", org.pcn_code) or "none"))
        table.rows.append(Row(_org_label(org), cells, key=org.code))
    blocks = []
    if len(report.organisations) >= 2:
        blocks.append(Block(
            table,
            f"Each dot is one {LEVEL_ONE[report.level]}: the share of people invited who came, "
            f"against how many were invited. The line across is the figure for "
            f"{_whole(report)} ({target.text}); inside the dashed lines (95%) a difference is "
            "what chance alone would often give; outside the solid lines (99.8%) it is worth a "
            f"closer look. {LEVEL_PLURAL[report.level]} with hidden figures are in the table, "
            "not the plot.",
            funnel_plot(table, "People invited", "Attendance rate", target,
                        f"Funnel plot: attendance rate of {plural.lower()}", "Attendance rate",
                        _whole(report)),
            heading=f"Attendance rate against {_whole(report)}",
        ))
    else:
        blocks.append(Block(table, f"Only one {LEVEL_ONE[report.level]} in this selection: "
                            "choose a wider area or a lower level to compare."))
    measure_block = _target_funnel(report)
    if measure_block:
        blocks.append(measure_block)
    return Section(ident, heading, blocks=blocks)


def _target_funnel(report: MonitoringReport) -> Block | None:
    """The measure with most people at a target, compared across organisations."""
    total = report.total.figures
    candidates = [m for m in total.measures if m.people_with_target.value and
                  not m.people_with_target.suppressed]
    if len(report.organisations) < 2 or not candidates:
        return None
    measure = max(candidates, key=lambda m: m.people_with_target.value or 0)
    name = labels().measure(measure.measure)
    plural = LEVEL_PLURAL[report.level]
    table = Table(f"compare-target-{measure.measure}",
                  f"{name}: proportion at target, {plural.lower()} against {_whole(report)}",
                  LEVEL_HEADING[report.level],
                  ["People with a target", "At target", "Proportion at target",
                   "Against the whole selection"], section=f"{plural} side by side")
    target = cell(measure.proportion_at_target, "percent")
    for org in report.organisations:
        found = next((m for m in org.figures.measures if m.measure == measure.measure), None)
        if found is None:
            table.rows.append(Row(_org_label(org), [Cell(None), Cell(None),
                                                    Cell(None, kind="percent"),
                                                    Cell(None, kind="text", words="not plotted")],
                                  key=org.code))
            continue
        share = cell(found.proportion_at_target, "percent")
        where = ""
        if share.shown and target.shown and found.people_with_target.value:
            assert share.value is not None and target.value is not None
            where = position(share.value, target.value, found.people_with_target.value)
        table.rows.append(Row(_org_label(org), [
            cell(found.people_with_target), cell(found.at_target), share,
            Cell(None, kind="text", words=where or "not plotted"),
        ], key=org.code))
    return Block(
        table,
        f"The latest {name.split(' (')[0]} reading of each person with a target, against their "
        f"target; the line across is the figure for {_whole(report)} ({target.text}), with "
        "the same limits as above.",
        funnel_plot(table, "People with a target", "Proportion at target", target,
                    f"Funnel plot: {name} at target, {plural.lower()}", "Proportion at target",
                    _whole(report)),
        heading=f"{name.split(' (')[0]} at target against {_whole(report)}",
    )


def _time_released(report: MonitoringReport) -> Section:
    t = report.total.figures.time_released
    hours = cell(t.clinician_hours_released, "hours")
    said = []
    if hours.shown and cell(t.appointments_replaced).shown:
        assert hours.value is not None
        verb = "released" if hours.value >= 0 else "used"
        amount = cell(t.clinician_hours_released, "hours").text.lstrip("-")
        said.append(
            f"Group clinics replaced an estimated {cell(t.appointments_replaced).text} "
            f"one-to-one appointments and {verb} about {amount} hours of clinician time"
            + (" (more clinician time than the one-to-one appointments would have taken)."
               if hours.value < 0 else ".")
        )
    headlines = _headlines("time-figures", "Clinician time: key figures", "Clinician time", [
        ("group sessions held", cell(t.sessions_held)),
        ("people reviewed by a clinician", cell(t.people_reviewed)),
        ("clinician minutes per person reviewed",
         cell(t.clinician_minutes_per_person_reviewed, "minutes")),
        ("people reviewed per clinician hour",
         cell(t.people_reviewed_per_clinician_hour, "number")),
        ("one-to-one minutes per person reviewed (where timed)",
         cell(t.one_to_one_minutes_per_person_reviewed, "minutes")),
    ])
    blocks = []
    if report.trend:
        table = Table("time-trend", "Appointments replaced and clinician time released by "
                      "month", "Month", ["Appointments replaced", "Clinician hours released",
                                         "People reviewed"], section="Clinician time")
        for m in report.trend:
            table.rows.append(Row(month_words(m.month), [
                cell(m.appointments_replaced), cell(m.clinician_hours_released, "hours"),
                cell(m.people_reviewed),
            ], key=m.month))
        blocks.append(Block(table, "Clinician hours released each month: the usual "
                            "appointment time of the people reviewed, less the clinician time "
                            "the group sessions took. Below zero, the sessions took more.",
                            trend_chart(table, ["Clinician hours released"],
                                        "Clinician hours released by month"),
                            heading="Clinician hours released by month"))
    if report.organisations:
        plural = LEVEL_PLURAL[report.level]
        table = Table("time-compare", f"Clinician time by {LEVEL_ONE[report.level]}",
                      LEVEL_HEADING[report.level],
                      ["Sessions held", "People reviewed", "Clinician minutes per person",
                       "Appointments replaced", "Clinician hours released"],
                      section="Clinician time")
        for org in report.organisations:
            o = org.figures.time_released
            table.rows.append(Row(_org_label(org), [
                cell(o.sessions_held), cell(o.people_reviewed),
                cell(o.clinician_minutes_per_person_reviewed, "minutes"),
                cell(o.appointments_replaced), cell(o.clinician_hours_released, "hours"),
            ], key=org.code))
        words_ = (f"{plural} side by side: hours released (negative when the group sessions "
                  "took more clinician time than the appointments they replaced).")
        if len(table.rows) <= MOST_BARS:
            blocks.append(Block(table, words_, bar_chart(
                table, "Clinician hours released",
                f"Clinician hours released by {LEVEL_ONE[report.level]}")))
        else:  # a bar each for hundreds of practices helps nobody: the table, to sort or copy
            blocks.append(Block(table, words_ + f" {len(table.rows)} {plural.lower()}: too "
                                "many to draw as bars; choose a smaller area to see them.",
                                folded=True))
    return Section("time", "Clinician time and appointments released", words=said,
                   headlines=headlines, blocks=blocks)


def _outcomes(report: MonitoringReport, words: Labels) -> Section:
    f = report.total.figures
    blocks = []
    if f.measures:
        table = Table("targets", "Measures: people at target and change", "Measure",
                      ["People with a target", "At target", "Proportion at target",
                       "People with a change", "Median change"], section="Outcomes")
        for m in f.measures:
            table.rows.append(Row(words.measure(m.measure), [
                cell(m.people_with_target), cell(m.at_target),
                cell(m.proportion_at_target, "percent"), cell(m.people_with_change),
                cell(m.median_change, "number"),
            ], key=m.measure))
        blocks.append(Block(table, "Each person's latest reading against their own target; "
                            "the change is from their first to their latest reading, in the "
                            "measure's unit (a fall is negative).",
                            bar_chart(table, "Proportion at target",
                                      "Proportion of people at target by measure",
                                      percent=True),
                            heading="Proportion at target by measure"))
    if f.questionnaires:
        table = Table("questionnaires", "Questionnaires: change in score", "Questionnaire",
                      ["People with a change", "Median change"], section="Outcomes")
        for q in f.questionnaires:
            table.rows.append(Row(words.instrument(q.instrument), [
                cell(q.people_with_change), cell(q.median_change, "number")], key=q.instrument))
        blocks.append(Block(table, "Change from each person's first to latest score."))
    goals = Table("goals", "Personal goals", "Goals", ["Number"], section="Outcomes")
    goals.rows = [Row("Goals set", [cell(f.goals_set)], key="goals_set"),
                  Row("Goals achieved at review", [cell(f.goals_achieved)],
                      key="goals_achieved")]
    blocks.append(Block(goals))
    return Section("outcomes", "Outcomes", blocks=blocks)


def _breakdown_table(ident: str, dimension: str, rows: list[Breakdown], words: Labels,
                     section: str) -> Table:
    table = Table(ident, words.dimension(dimension), words.dimension(dimension),
                  ["People invited", "People who came", "Missed a session", "Attendance rate"],
                  section=section)
    for row in rows:
        table.rows.append(Row(words.value(dimension, row.group), [
            cell(row.invited), cell(row.attended), cell(row.did_not_attend),
            ratio(row.attended, row.invited),
        ], key=row.group))
    return table


def _equity(report: MonitoringReport, words: Labels) -> Section:
    f = report.total.figures
    everyone = ratio(f.attended, f.invited)
    blocks = []
    for dimension in EQUITY:
        rows = [row for row in f.equity if row.dimension == dimension]
        if not rows:
            continue
        table = _breakdown_table(f"equity-{dimension}", dimension, rows, words, "Who comes")
        name = lower_first(words.dimension(dimension))
        blocks.append(Block(table, "",
                            bar_chart(table, "Attendance rate", f"Attendance rate by {name}",
                                      percent=True, reference=("everyone", everyone)),
                            heading=f"Attendance rate by {name}"))
    return Section("equity", "Who comes: equity", words=[
        "Who was invited and who came, by the characteristics recorded at their latest "
        "attendance. Compare each group's attendance rate; a group much lower than the others "
        "may need a different offer.",
    ], blocks=blocks)


def _delivery(report: MonitoringReport, words: Labels) -> Section:
    f = report.total.figures
    blocks = []
    modes = Table("sessions-by-mode", "Sessions held by how they were held",
                  "How the session was held", ["Sessions held"], section="How clinics ran")
    modes.rows = [Row(words.value("mode", mode), [cell(figure)], key=mode)
                  for mode, figure in f.sessions.held_by_mode.items()]
    modes.rows.append(Row("Of which drop-in clinics", [cell(f.sessions.held_drop_in)],
                          key="drop_in"))
    if modes.rows:
        blocks.append(Block(modes, "", bar_chart(modes, "Sessions held",
                                                  "Sessions held by how they were held",
                                                  leave_out=("drop_in",))))
    if f.attendances_by_channel:
        channels = Table("attendances-by-channel", "Attendances by how people joined",
                         "How the person joined", ["Attendances"], section="How clinics ran")
        channels.rows = [Row(words.value("channel", c), [cell(figure)], key=c)
                         for c, figure in f.attendances_by_channel.items()]
        blocks.append(Block(channels, "An attendance is one person at one session.",
                            bar_chart(channels, "Attendances", "Attendances by how people "
                                      "joined")))
    for dimension in DELIVERY:
        rows = [row for row in f.delivery if row.dimension == dimension]
        if rows:
            table = _breakdown_table(f"delivery-{dimension}", dimension, rows, words,
                                     "How clinics ran")
            table.caption = (f"People by {lower_first(words.dimension(dimension))} "
                             "(latest attendance)")
            blocks.append(Block(table))
    if f.signposting:
        signposting = Table("signposting", "People pointed to support, by kind of support",
                            "Kind of support", ["People"], section="How clinics ran")
        signposting.rows = [Row(words.value("signposting", k), [cell(figure)], key=k)
                            for k, figure in f.signposting.items()]
        blocks.append(Block(signposting, "Which organisation is never sent, only the kind.",
                            bar_chart(signposting, "People", "People pointed to support")))
    if f.follow_up:
        steps = sorted({item.step for item in f.follow_up},
                       key=lambda step: ("contact", "reinvite", "done").index(step)
                       if step in ("contact", "reinvite", "done") else 9)
        items = list(dict.fromkeys(item.item for item in f.follow_up))
        found = {(item.item, item.step): item.count for item in f.follow_up}
        follow = Table("follow-up", "Follow-up between sessions", "What was due",
                       [words.value("follow_up_step", step) for step in steps],
                       section="How clinics ran")
        follow.rows = [Row(words.value("follow_up_item", item),
                           [cell(found.get((item, step))) for step in steps], key=item)
                       for item in items]
        blocks.append(Block(follow, "What the care coordinator did from the list of what was "
                            "due between sessions; counts of actions, never who."))
    return Section("delivery", "How clinics ran", blocks=blocks)


def _experience(report: MonitoringReport, words: Labels) -> Section:
    answers = report.total.figures.patient_experience
    table = Table("patient-experience", "Patient experience: answers", "Answer", ["Responses"],
                  section="Patient experience")
    table.rows = [Row(words.answer(key), [cell(figure)], key=key)
                  for key, figure in answers.items()]
    blocks = [Block(table, f"\u201c{words.experience_question}\u201d",
                    bar_chart(table, "Responses", "Patient experience answers"),
                    heading="Answers to the experience question")] if answers else []
    return Section("experience", "Patient experience", blocks=blocks,
                   words=[] if answers else ["No answers in this selection."])


def _staff(report: MonitoringReport, words: Labels) -> Section:
    questions = report.total.figures.staff_experience
    blocks = []
    for q in questions:
        wording = next((s.text for s in words.staff_questions if s.key == q.question), q.text)
        table = Table(f"staff-{q.question}", f"Staff answers: {wording}", "Answer",
                      ["Responses"], section="Staff experience")
        table.rows = [Row(words.staff_answer(answer), [cell(figure)], key=answer)
                      for answer, figure in sorted(q.answers.items())]
        table.rows.append(Row("All responses", [cell(q.responses)], key="responses"))
        blocks.append(Block(table, f"\u201c{wording}\u201d 1 = not at all, 5 = very.",
                            bar_chart(table, "Responses", f"Staff answers: {wording}",
                                      leave_out=("responses",)),
                            heading=next((s.short for s in words.staff_questions
                                          if s.key == q.question), q.question)))
        short = next((s.short for s in words.staff_questions if s.key == q.question),
                     q.question)
        # One table beside each question's chart: its answers by role, then by profession.
        groups = [g for g in q.by_group if g.kind in ("role", "profession")]
        if groups:
            answers = sorted(groups[0].answers)
            table = Table(f"staff-{q.question}-groups", f"{wording} By role and profession",
                          "Role or profession", [*answers, "All responses"],
                          section="Staff experience")
            table.rows = [
                Row(words.value("role", g.group) if g.kind == "role"
                    else words.value("profession_group", g.group),
                    [cell(g.answers.get(a)) for a in answers] + [cell(g.responses)],
                    key=f"{g.kind}:{g.group}")
                for kind in ("role", "profession") for g in groups if g.kind == kind
            ]
            blocks.append(Block(table, "Answers 1 (not at all) to 5 (very), by the part staff "
                                "played and by profession group.",
                                heading=f"By role and profession: {lower_first(short)}"))
    return Section("staff", "Staff experience", words=[
        "Anonymous answers from the staff who ran each session, given at its end: only their "
        "role and profession are sent.",
    ] if questions else ["No staff answers in this selection."], blocks=blocks)


__all__ = ["Area", "build_page", "dashboard_areas", "dashboard_csv", "render_dashboard",
           "render_refusal"]
