"""What the ICB service publishes: one report for a scope, a period and a level.

A report answers "how are group clinics doing here, in these months": the scope's total, one row
per organisation at the chosen level (side by side, with their names from the register), a
monthly trend, and every figure as a `Figure` that is null with suppressed=true when the group
behind it is too small or when it would give a hidden figure away by subtraction.

The figures are read from the monthly summary counts (never from every event); see
`icb_service.monitoring_read` for the reads and `icb_service.monitoring_disclosure` for the
suppression rule.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, Field

from icb_service.aggregates import Figure

Level = Literal["practice", "hub", "pcn", "icb"]
LEVELS: tuple[Level, ...] = ("practice", "hub", "pcn", "icb")
MONTH = re.compile(r"(\d{4})-(\d{2})")

__all__ = [
    "Breakdown",
    "Figure",
    "Figures",
    "MeasureFigures",
    "MonitoringQuery",
    "MonitoringReport",
    "MonthFigures",
    "OrganisationFigures",
    "ScoreFigures",
    "StaffQuestionFigures",
    "TimeReleased",
]


class MonitoringQuery(BaseModel):
    """The query parameters every aggregate endpoint, the dashboard and the CSV take."""

    level: Level = Field(
        "practice", description="The level of the rows: practice, hub, pcn or icb."
    )
    code: str | None = Field(
        None,
        description="ODS code of the scope: a practice, hub, PCN or ICB code. The rows are the "
        "organisations at `level` within it; omitted = everything the token may read.",
    )
    programme: str | None = Field(None, description="Programme key, e.g. type2_diabetes.")
    from_month: str | None = Field(
        None, alias="from", description="First month, YYYY-MM (UTC). Omitted = from the start."
    )
    to_month: str | None = Field(
        None, alias="to", description="Last month, YYYY-MM (UTC), included. Omitted = to now."
    )

    model_config = {"populate_by_name": True}


def parse_month(value: str, field: str) -> dt.date:
    """The first day of a YYYY-MM month; ValueError naming the field and the reason."""
    found = MONTH.fullmatch(value.strip())
    if not found:
        raise ValueError(f"{field}: month_format (must be YYYY-MM, for example 2025-04)")
    year, month = int(found.group(1)), int(found.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"{field}: month_range (the month must be 01 to 12)")
    if not 2000 <= year <= 2100:
        raise ValueError(f"{field}: year_range (the year must be 2000 to 2100)")
    return dt.date(year, month, 1)


class Sessions(BaseModel):
    """Sessions are not people: never suppressed (the figure is kept as a Figure for one shape)."""

    held: Figure
    cancelled: Figure
    held_by_mode: dict[str, Figure] = {}  # face_to_face, video, hybrid, unknown
    held_drop_in: Figure = Figure(value=0)


class TimeReleased(BaseModel):
    """Clinician time and one-to-one appointments released (BRIEF.md, Definitions)."""

    sessions_held: Figure
    clinician_minutes: Figure  # held sessions with a clinician present: their phase minutes
    people_reviewed: Figure  # distinct (session, person) with at least one review
    clinician_minutes_per_person_reviewed: Figure
    people_reviewed_per_clinician_hour: Figure
    appointments_replaced: Figure  # = people reviewed
    usual_appointment_minutes_total: Figure  # sum over people reviewed of their usual minutes
    clinician_hours_released: Figure  # (usual minutes total - clinician minutes) / 60; may be <0
    people_with_review_minutes: Figure
    one_to_one_minutes_per_person_reviewed: Figure  # review.minutes_spent where known


class MeasureFigures(BaseModel):
    measure: str
    people_with_target: Figure
    at_target: Figure
    proportion_at_target: Figure
    people_with_change: Figure
    median_change: Figure


class ScoreFigures(BaseModel):
    instrument: str
    people_with_change: Figure
    median_change: Figure


class Breakdown(BaseModel):
    """People by one characteristic: equity (age_band, sex, ethnic_group, imd_quintile) or
    delivery (mode, channel, drop_in)."""

    dimension: str
    group: str
    invited: Figure
    attended: Figure
    did_not_attend: Figure


class StaffGroupAnswers(BaseModel):
    """Answers of one role (facilitator, clinician) or profession group; hidden when small."""

    kind: Literal["role", "profession"]
    group: str
    answers: dict[str, Figure]  # "1".."5" -> count
    responses: Figure


class StaffQuestionFigures(BaseModel):
    """Counts per answer (1-5) to one staff question; never a name or an id."""

    question: str
    text: str
    answers: dict[str, Figure]
    responses: Figure
    by_group: list[StaffGroupAnswers] = []


class FollowUpFigures(BaseModel):
    item: str
    step: str
    count: Figure


class Figures(BaseModel):
    """Every published figure for one organisation (or the scope) over the period."""

    sessions: Sessions
    invited: Figure
    attended: Figure
    did_not_attend: Figure
    dna_rate: Figure  # did-not-attend bookings / attended, late and did-not-attend bookings
    attendances_by_channel: dict[str, Figure] = {}
    time_released: TimeReleased
    measures: list[MeasureFigures] = []
    questionnaires: list[ScoreFigures] = []
    goals_set: Figure
    goals_achieved: Figure
    patient_experience: dict[str, Figure] = {}  # FFT answer -> responses
    staff_experience: list[StaffQuestionFigures] = []
    signposting: dict[str, Figure] = {}  # resource kind -> people signposted
    follow_up: list[FollowUpFigures] = []
    equity: list[Breakdown] = []
    delivery: list[Breakdown] = []


class OrganisationFigures(BaseModel):
    """One organisation at the chosen level, with its place in the register."""

    level: Level
    code: str
    name: str
    pcn_code: str | None = None
    pcn_name: str | None = None
    icb_code: str | None = None
    icb_name: str | None = None
    figures: Figures


class MonthFigures(BaseModel):
    """The scope's headline figures in one month of the trend."""

    month: str  # YYYY-MM
    sessions_held: Figure
    invited: Figure
    attended: Figure
    did_not_attend: Figure
    people_reviewed: Figure
    clinician_minutes: Figure
    appointments_replaced: Figure
    clinician_hours_released: Figure


class ScopeFigures(BaseModel):
    level: Level | Literal["all"]
    code: str | None
    name: str
    figures: Figures


class MonitoringReport(BaseModel):
    generated_at: dt.datetime
    suppression_threshold: int
    level: Level
    code: str | None
    programme: str | None
    from_month: str | None = Field(serialization_alias="from")
    to_month: str | None = Field(serialization_alias="to")
    months: list[str]  # every month of the period that the trend covers
    total: ScopeFigures
    organisations: list[OrganisationFigures]
    trend: list[MonthFigures]
    # How figures were protected, in words, for the footnote under a table.
    suppression_note: str = ""
