"""The older report shapes (/v1/aggregates, /v1/aggregates/organisations) filled from the new
report, so a client that asks them for a period or a level reads the summary counts too."""

from __future__ import annotations

from icb_service.aggregates import (
    AggregateReport,
    EquityRow,
    Figure,
    MeasureSummary,
    ProgrammeReport,
    ScoreSummary,
)
from icb_service.monitoring import Breakdown, Figures, MonitoringReport
from icb_service.practice_aggregates import OrganisationReport, OrganisationRow

ALL_PROGRAMMES = "all"  # a group summed over every programme, when none was asked for


def _count(figure: Figure) -> int:
    return int(figure.value or 0)


def _rows(found: list[Breakdown]) -> list[EquityRow]:
    return [
        EquityRow(dimension=b.dimension, group=b.group, invited=b.invited, attended=b.attended,
                  did_not_attend=b.did_not_attend, median_change=b.median_change)
        for b in found
    ]


def _group(code: str, programme: str, f: Figures) -> ProgrammeReport:
    return ProgrammeReport(
        practice=code,
        programme=programme,
        sessions_held=_count(f.sessions.held),
        sessions_cancelled=_count(f.sessions.cancelled),
        invited=f.invited,
        attended=f.attended,
        did_not_attend=f.did_not_attend,
        dna_rate=f.dna_rate,
        measures=[
            MeasureSummary(measure=m.measure, people_with_target=m.people_with_target,
                           at_target=m.at_target, proportion_at_target=m.proportion_at_target,
                           people_with_change=m.people_with_change, median_change=m.median_change)
            for m in f.measures
        ],
        questionnaires=[
            ScoreSummary(instrument=q.instrument, people_with_change=q.people_with_change,
                         median_change=q.median_change)
            for q in f.questionnaires
        ],
        goals_set=f.goals_set,
        goals_achieved=f.goals_achieved,
        experience=f.patient_experience,
        equity=_rows(f.equity),
        sessions_held_by_mode={k: _count(v) for k, v in f.sessions.held_by_mode.items()},
        attendances_by_channel=f.attendances_by_channel,
        delivery=_rows(f.delivery),
    )


def aggregate_report_from(report: MonitoringReport, programme: str | None) -> AggregateReport:
    """One group per organisation of the report (programme "all" when none was asked for)."""
    name = programme or ALL_PROGRAMMES
    return AggregateReport(
        generated_at=report.generated_at,
        suppression_threshold=report.suppression_threshold,
        groups=[_group(o.code, name, o.figures) for o in report.organisations],
    )


def organisation_report_from(report: MonitoringReport) -> OrganisationReport:
    level = {"practice": "registered_practice"}.get(report.level, report.level)
    rows = []
    for o in [*report.organisations]:
        f = o.figures
        rows.append(OrganisationRow(
            level=level,  # type: ignore[arg-type]
            code=o.code,
            sessions=_count(f.sessions.held) + _count(f.sessions.cancelled),
            people=f.invited,
            invited=f.invited,
            attended=f.attended,
            did_not_attend=f.did_not_attend,
            dna_rate=f.dna_rate,
            median_change={m.measure: m.median_change for m in f.measures},
        ))
    return OrganisationReport(generated_at=report.generated_at,
                              suppression_threshold=report.suppression_threshold, rows=rows)
