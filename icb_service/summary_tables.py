"""The summary tables: what the published figures are read from, never the events themselves.

Three layers, kept up to date from the queue of stored events (summaries.catch_up): the ingest
transaction stores the events and queues their ids (summary_queue); a drainer, and every read
before it reads, applies the queued events in large batches (summaries.py):

- latest state (``*_state``): one row per thing the events describe (a session, an attendance,
  a review, a goal, a reading, a questionnaire answer), holding its latest event by
  (order_at, seq), where order_at = min(occurred_at, received_at) as in aggregates.py;
- people (``person``, ``person_change``): one row per person (sender, programme, subject), with
  the month they first came (their cohort month) and their first and latest readings;
- monthly roll-ups (``*_month``): additive counts per (level, code, programme, month, ...), where
  level is practice (the registered practice), hub (the sender), pcn or icb. A reader sums rows
  over a month range and never counts people twice: people are counted in their cohort month.

Months are text, YYYY-MM (UTC), the same as the report's from/to. Codes that the events and
the register do not give are "not_stated". Changes go through migrations (0003 made these).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
)

from icb_service.models import IcbTable

METADATA = IcbTable.metadata
LEVELS = ("practice", "hub", "pcn", "icb")
# The person breakdowns a roll-up holds: "all" (one group, "") plus the equity and delivery ones.
DIMENSIONS = ("all", "age_band", "sex", "ethnic_group", "imd_quintile", "mode", "channel")
NOT_STATED = "not_stated"


def text_type(length: int) -> String:
    """Text compared byte by byte on PostgreSQL (collation "C"): the summaries sort and index
    codes and keys, never words, and the locale's rules made each batch's sorts 10x slower."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def _code(name: str, nullable: bool = False) -> Column:
    return Column(name, text_type(10), nullable=nullable)


def _key(name: str, length: int = 40) -> Column:
    return Column(name, text_type(length), nullable=False)


def _order() -> list[Column]:
    return [Column("order_at", DateTime(), nullable=False),
            Column("seq", BigInteger(), nullable=False)]


def _count(name: str) -> Column:
    return Column(name, Integer(), nullable=False, default=0)


# Tiny constant tables that the roll-up SQL cross-joins with (portable on both engines).
report_level = Table("report_level", METADATA, Column("level", text_type(10), primary_key=True))
report_dimension = Table(
    "report_dimension", METADATA, Column("dimension", text_type(20), primary_key=True)
)

# ---- latest state ----------------------------------------------------------------------------
session_state = Table(
    "session_state", METADATA,
    _code("sender"), _key("session_uid", 36),
    _key("programme"), _key("session_date", 10), _key("month", 7),
    _key("mode", 20), Column("drop_in", Boolean(), nullable=False), _key("status", 20),
    # The session's PCN as sent, else the sender's in the register; the sender's ICB. Kept on
    # the row so that taking a session's counts out of the roll-ups gives back what went in.
    _code("pcn"), _code("icb"),
    Column("clinician_present", Boolean(), nullable=False),
    Column("clinic_minutes", Integer(), nullable=False),  # actual phase minutes, else planned
    Column("usual_minutes", Integer(), nullable=True),  # schema 3's usual appointment minutes
    *_order(),
    PrimaryKeyConstraint("sender", "session_uid"),
)
attendance_state = Table(
    "attendance_state", METADATA,
    _code("sender"), _key("session_uid", 36), _key("subject", 64),
    _key("status", 20), Column("channel", text_type(20), nullable=True),
    _key("age_band", 10), _key("sex", 10), _key("ethnic_group", 20), _key("imd_quintile", 20),
    _code("registered_practice", nullable=True),
    *_order(),
    PrimaryKeyConstraint("sender", "session_uid", "subject"),
)
review_state = Table(
    "review_state", METADATA,
    _code("sender"), _key("session_uid", 36), _key("subject", 64),
    Column("reviews", Integer(), nullable=False), Column("minutes_spent", Integer()),
    *_order(),
    PrimaryKeyConstraint("sender", "session_uid", "subject"),
)
goal_state = Table(
    "goal_state", METADATA,
    _code("sender"), _key("goal_uid", 36), _key("session_uid", 36),
    _key("subject", 64), Column("outcome", text_type(20), nullable=True),
    Column("confidence", Integer(), nullable=False),
    *_order(),
    PrimaryKeyConstraint("sender", "goal_uid"),
)
# A reading per (person, measure, day, session); session_key is "" for GP-record/self-reported
# readings. value is null when the latest word on the reading is its measurement_void.
measurement_state = Table(
    "measurement_state", METADATA,
    _code("sender"), _key("subject", 64), _key("measure"), _key("taken_on", 10),
    _key("session_key", 36),
    Column("value", Float(), nullable=True), Column("target_status", text_type(20), nullable=True),
    *_order(),
    PrimaryKeyConstraint("sender", "subject", "measure", "taken_on", "session_key"),
)
questionnaire_state = Table(
    "questionnaire_state", METADATA,
    _code("sender"), _key("session_uid", 36), _key("subject", 64), _key("instrument"),
    Column("score", Float(), nullable=False),
    *_order(),
    PrimaryKeyConstraint("sender", "session_uid", "subject", "instrument"),
)
# Signposting: one row per (session, person, kind of support), however often it was re-sent.
signposting_state = Table(
    "signposting_state", METADATA,
    _code("sender"), _key("session_uid", 36), _key("subject", 64), _key("resource_kind"),
    PrimaryKeyConstraint("sender", "session_uid", "subject", "resource_kind"),
)
# Anonymous answers, counted per session (each stored event once: they have no other key).
experience_tally = Table(
    "experience_tally", METADATA,
    _code("sender"), _key("session_uid", 36), _key("response", 20), _count("answers"),
    PrimaryKeyConstraint("sender", "session_uid", "response"),
)
staff_tally = Table(
    "staff_tally", METADATA,
    _code("sender"), _key("session_uid", 36), _key("role", 20), _key("profession"),
    _key("question", 20), Column("answer", Integer(), nullable=False), _count("answers"),
    PrimaryKeyConstraint("sender", "session_uid", "role", "profession", "question", "answer"),
)

# ---- people ----------------------------------------------------------------------------------
# One person in one programme at one sender (the subject is keyed per sender). Attendance
# flags over all their records; demographics, mode and PCN as at their latest record; channel
# of their latest record where they came ("not_attended" if never).
person = Table(
    "person", METADATA,
    _code("sender"), _key("programme"), _key("subject", 64),
    _key("cohort_month", 7),  # month of the earliest session they were on a record for
    Column("invited", Boolean(), nullable=False), Column("attended", Boolean(), nullable=False),
    Column("did_not_attend", Boolean(), nullable=False),
    _key("age_band", 10), _key("sex", 10), _key("ethnic_group", 20), _key("imd_quintile", 20),
    _key("mode", 20), _key("channel", 20),
    # Registered practice as last recorded, else the sender; PCN of their latest record's
    # session; ICB of the sender (register). The roll-ups' practice/pcn/icb codes.
    _code("registered_practice"), _code("pcn"), _code("icb"),
    PrimaryKeyConstraint("sender", "programme", "subject"),
)
# First and latest reading per person and measure (kind "measure", by taken_on) or questionnaire
# (kind "questionnaire", by session date); change is null unless two dates (two answers).
person_change = Table(
    "person_change", METADATA,
    _code("sender"), _key("programme"), _key("subject", 64), _key("kind", 20), _key("item"),
    _key("first_on", 10), Column("first_value", Float(), nullable=False),
    _key("latest_on", 10), Column("latest_value", Float(), nullable=False),
    Column("latest_status", text_type(20), nullable=True),  # measures: on_target/close/...
    Column("change", Float(), nullable=True),
    PrimaryKeyConstraint("sender", "programme", "subject", "kind", "item"),
)


# ---- monthly roll-ups ------------------------------------------------------------------------
def _rollup(name: str, keys: list[Column], counts: list[str]) -> Table:
    """The key is (level, code, month or year, the rest): a report reads a few organisations over
    a month range, so their rows sit together in the key in month order. On PostgreSQL the key
    holds the counts too (INCLUDE), so that read is an index-only scan, not a page per row (0005).
    """
    columns = [Column("level", text_type(10), nullable=False), _code("code"), *keys,
               *(_count(c) for c in counts)]
    when = [c.name for c in keys if c.name in ("month", "year")]
    key_names = ["level", "code", *when, *(c.name for c in keys if c.name not in when)]
    return Table(name, METADATA, *columns,
                 PrimaryKeyConstraint(*key_names, postgresql_include=counts))


# People by cohort month: dimension "all" (grp "") and each equity/delivery breakdown.
people_month = _rollup(
    "people_month",
    [_key("programme"), _key("month", 7), _key("dimension", 20), _key("grp", 20)],
    ["people", "invited", "attended", "did_not_attend"],
)
# Exact medians without the events: how many people had each change value (first to latest),
# per measure or questionnaire, by cohort month and breakdown. Summing "people" over values in
# value order gives the median exactly.
change_month = _rollup(
    "change_month",
    [_key("programme"), _key("month", 7), _key("kind", 20), _key("item"),
     _key("dimension", 20), _key("grp", 20), Column("change", Float(), nullable=False)],
    ["people"],
)
# How many people have a change (dimension "all"): what the suppression decision needs for
# every organisation of an ICB tree, without reading change_month's values (0004).
change_people_month = _rollup(
    "change_people_month",
    [_key("programme"), _key("month", 7), _key("kind", 20), _key("item")],
    ["people"],
)
# change_month summed over each calendar year of cohort months (0004): a period's medians read
# its whole years here and only the months at either end from change_month, so ten years cost
# ten blocks of at most the distinct values, not 120 months of them.
change_year = _rollup(
    "change_year",
    [_key("programme"), _key("year", 4), _key("kind", 20), _key("item"),
     _key("dimension", 20), _key("grp", 20), Column("change", Float(), nullable=False)],
    ["people"],
)
# What applies have added to change_year and not yet folded into it (migration 0007): an
# apply writes its year counts here as plain rows (adding them to change_year in place was a
# fifth of an apply), a read adds them to change_year's, and the drainer folds them in once
# uploads pause (summaries.fold_years). No key: one apply may repeat another's rows.
change_year_delta = Table(
    "change_year_delta", METADATA,
    Column("level", text_type(10), nullable=False), _code("code"), _key("programme"),
    _key("year", 4), _key("kind", 20), _key("item"), _key("dimension", 20), _key("grp", 20),
    Column("change", Float(), nullable=False), Column("people", Integer(), nullable=False),
    Index("ix_change_year_delta_org", "level", "code", "year"),
)
# Latest target status per person and measure (people with a target, at target), cohort month.
target_month = _rollup(
    "target_month",
    [_key("programme"), _key("month", 7), _key("measure"), _key("status", 20)],
    ["people"],
)
# Attendance records (a person at a session) by the session's month: the DNA rate's records and
# attendances per channel ("" when not there).
attendance_month = _rollup(
    "attendance_month",
    [_key("programme"), _key("month", 7), _key("status", 20), _key("channel", 20)],
    ["records"],
)
# Sessions by month (levels hub, pcn, icb): held/cancelled by mode and drop-in, the clinician
# minutes of sessions with a clinician, and the reviews (people reviewed in those sessions).
session_month = _rollup(
    "session_month",
    [_key("programme"), _key("month", 7), _key("status", 20), _key("mode", 20),
     Column("drop_in", Boolean(), nullable=False)],
    ["sessions", "clinician_sessions", "clinician_minutes",
     "people_reviewed",            # distinct (session, subject) with reviews >= 1
     "reviewed_usual_minutes",     # sum over them of the session's usual appointment minutes
     "reviewed_without_usual",     # of them, in sessions that did not say (use appointments.toml)
     "reviewed_with_minutes",      # of them, with schema 2's minutes_spent
     "review_minutes"],            # the sum of those minutes_spent
)
goal_month = _rollup(
    "goal_month",
    [_key("programme"), _key("month", 7), _key("outcome", 20)],  # outcome "" while open
    ["goals"],
)
experience_month = _rollup(
    "experience_month", [_key("programme"), _key("month", 7), _key("response", 20)], ["answers"],
)
staff_month = _rollup(
    "staff_month",
    [_key("programme"), _key("month", 7), _key("role", 20), _key("profession"),
     _key("question", 20), Column("answer", Integer(), nullable=False)],
    ["answers"],
)
signposting_month = _rollup(
    "signposting_month",
    [_key("programme"), _key("month", 7), _key("resource_kind")], ["people"],
)
# Follow-up has no session and no programme: by the month of its date (levels hub, pcn, icb).
follow_up_month = _rollup(
    "follow_up_month",
    [_key("month", 7), _key("item", 20), _key("step", 20), _key("method", 20),
     _key("outcome", 20)],  # method/outcome "" when not given
    ["actions"],
)

# ---- the queue between ingest and the summaries ----------------------------------------------
# One row per stored event whose counts are not yet in the summaries. Written in the ingest
# transaction, deleted only in the transaction that applies the event, so no event is lost or
# counted twice whatever fails in between.
summary_queue = Table(
    "summary_queue", METADATA,
    Column("event_id", String(36), primary_key=True),
    Column("received_at", DateTime(), nullable=False),  # finds the event's partition
)
# One row (id 1): bumped by every catch-up that applied events and by a rebuild. Reports go by
# summary_tree_version below; this one counts catch-ups for an operator watching them happen.
summary_version = Table(
    "summary_version", METADATA,
    Column("id", Integer(), primary_key=True),
    Column("version", BigInteger(), nullable=False),
)
QUEUE = (summary_queue, summary_version)
# One row per ICB whose figures have ever changed (migration 0006; none = version 0): bumped by
# every catch-up that applied events counted in that ICB's tree, and for every ICB by a rebuild.
# A report's kept decision of one ICB stays good while the others' practices upload.
summary_tree_version = Table(
    "summary_tree_version", METADATA,
    Column("icb_code", String(10), primary_key=True),
    Column("version", BigInteger(), nullable=False),
)

# The roll-ups of migration 0003's first form, and the two 0004 adds where 0003 made none.
ROLLUPS_0003 = (people_month, change_month, target_month, attendance_month, session_month,
                goal_month, experience_month, staff_month, signposting_month, follow_up_month)
ROLLUPS_0004 = (change_people_month, change_year)
ROLLUPS = ROLLUPS_0003 + ROLLUPS_0004
STATES = (session_state, attendance_state, review_state, goal_state, measurement_state,
          questionnaire_state, signposting_state, experience_tally, staff_tally)
PEOPLE = (person, person_change)

# Read paths: every roll-up's primary key starts (level, code, month, ...) so "one organisation
# over a month range" is one index range scan; these serve "every organisation of a level" (the
# side-by-side practices) and the person tables' recomputation for a batch.
INDEXES = (
    Index("ix_people_month_level_month", people_month.c.level, people_month.c.programme,
          people_month.c.month),
    Index("ix_attendance_state_subject", attendance_state.c.sender, attendance_state.c.subject),
    Index("ix_goal_state_session", goal_state.c.sender, goal_state.c.session_uid),
    Index("ix_questionnaire_state_subject", questionnaire_state.c.sender,
          questionnaire_state.c.subject),
)
