"""Programme templates: how a series of group clinics for one condition is run.

A template (resources/programmes/<key>.toml) gives the board's measurements in column order, the
topic board, minutes per phase, which questionnaires are asked at which session, coded findings
for one-to-ones and changes to the facilitator's cue cards (defaults in resources/cue_cards.toml).

A session keeps a snapshot of the template it ran under (``template_as_dict``), so later edits to a
template never change the record of a past session.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from groupclinic_desktop.core.errors import InvalidInput, NotFound
from groupclinic_desktop.core.questionnaires import questionnaires
from groupclinic_desktop.resources import resource

PHASES = ("checkin", "board", "agenda", "one_to_ones", "goals", "wrapup")
PHASE_TITLES: Mapping[str, str] = MappingProxyType(
    {
        "checkin": "Check-in",
        "board": "Biometric board",
        "agenda": "Agenda",
        "one_to_ones": "One-to-ones",
        "goals": "Goals",
        "wrapup": "Wrap-up",
    }
)
# The 90-minute shape in ARCHITECTURE.md; a template may change any phase.
DEFAULT_PHASE_MINUTES: Mapping[str, int] = MappingProxyType(
    {"checkin": 15, "board": 15, "agenda": 10, "one_to_ones": 40, "goals": 10, "wrapup": 0}
)

# Used only when resources/catalogue.toml is absent (e.g. a partial checkout).
AGREED_MEASUREMENT_KEYS = (
    "systolic_bp",
    "diastolic_bp",
    "pulse",
    "weight",
    "height",
    "bmi",
    "waist",
    "hba1c",
    "total_cholesterol",
    "hdl",
    "egfr",
    "creatinine",
    "spo2",
    "grip_strength",
    "activity_minutes",
)

# Questionnaire schedules. session_number is 1-based; total is the number of sessions planned.
#   every               at every session
#   first               at session 1 only
#   last                at the last session only (needs the total; never due when it is unknown)
#   first_and_every_N   at sessions 1, 1+N, 1+2N ... (first_and_every_3 -> 1, 4, 7 ...)
SCHEDULE_WORDS = ("every", "first", "last")
_EVERY_N = re.compile(r"first_and_every_([1-9][0-9]*)")

TARGET_FIELDS = (
    "below",
    "above",
    "inclusive",
    "below_if_hypo_risk",
    "older_from_age",
    "below_if_older",
    "above_if_female",
    "close_margin",
    "source",
    "note",
)
CUE_CARD_LINES = {"do": (3, 5), "say": (1, 3)}
# Measures saved only so the red-flag table can raise them (PHQ-9 item 9): never a board column.
PRIVATE_MEASURES = frozenset({"phq9_item9"})


@dataclass(frozen=True)
class CueCard:
    phase: str
    title: str
    do: tuple[str, ...]  # what the facilitator does
    say: tuple[str, ...]  # what they can say aloud


@dataclass(frozen=True)
class CodedFinding:
    """A finding the clinician can tick in a one-to-one. No code unless a source gives one."""

    key: str
    term: str
    code: str
    confirmed: bool
    source: str


@dataclass(frozen=True)
class Domain:
    """A plain-words grouping of measures, e.g. WELLbeing Works' "Movement"."""

    key: str
    label: str
    measurements: tuple[str, ...] = ()
    questionnaires: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class ProgrammeTemplate:
    key: str
    name: str
    description: str
    condition: str
    version: int
    measurements: tuple[str, ...]  # board columns, in order
    topics: tuple[str, ...]  # the topic board for agenda setting
    phase_minutes: Mapping[str, int]  # every phase, in PHASES order
    questionnaires: Mapping[str, str]  # questionnaire key -> schedule
    stale_after_days: Mapping[str, int]  # overrides of the catalogue's values
    targets: Mapping[str, Mapping[str, Any]]  # overrides, in the catalogue's target format
    coded_findings: tuple[CodedFinding, ...]
    cue_cards: Mapping[str, Mapping[str, Any]]  # phase -> the fields it overrides
    domains: tuple[Domain, ...] = ()

    @property
    def total_minutes(self) -> int:
        return sum(self.phase_minutes.values())


# --- loading -------------------------------------------------------------------------------------


@cache
def templates() -> dict[str, ProgrammeTemplate]:
    """Every programme template in resources/programmes, by key, checked against the catalogue."""
    found: dict[str, ProgrammeTemplate] = {}
    for path in sorted(resource("programmes").glob("*.toml")):
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        template_ = _template_from_data(data, path.name, check_resources=True)
        if template_.key != path.stem:
            raise InvalidInput(
                f"Programme template {path.name}: key '{template_.key}' does not match its file",
                field="key",
            )
        found[template_.key] = template_
    return found


def template(key: str) -> ProgrammeTemplate:
    try:
        return templates()[key]
    except KeyError:
        known = ", ".join(sorted(templates()))
        raise NotFound(f"No programme template called '{key}' (known: {known})") from None


def template_as_dict(t: ProgrammeTemplate) -> dict[str, Any]:
    """A JSON-serialisable snapshot, in the same shape as a template's TOML file."""
    return {
        "key": t.key,
        "name": t.name,
        "description": t.description,
        "condition": t.condition,
        "version": t.version,
        "measurements": list(t.measurements),
        "topics": list(t.topics),
        "phase_minutes": dict(t.phase_minutes),
        "questionnaires": dict(t.questionnaires),
        "stale_after_days": dict(t.stale_after_days),
        "targets": {key: dict(fields) for key, fields in t.targets.items()},
        "coded_findings": [
            {
                "key": f.key,
                "term": f.term,
                "code": f.code,
                "confirmed": f.confirmed,
                "source": f.source,
            }
            for f in t.coded_findings
        ],
        "cue_cards": {
            phase: {name: list(v) if isinstance(v, tuple) else v for name, v in fields.items()}
            for phase, fields in t.cue_cards.items()
        },
        "domains": [
            {
                "key": d.key,
                "label": d.label,
                "measurements": list(d.measurements),
                "questionnaires": list(d.questionnaires),
                "note": d.note,
            }
            for d in t.domains
        ],
    }


def template_from_dict(d: Mapping[str, Any]) -> ProgrammeTemplate:
    """Rebuild a snapshot. Its shape is checked, but not against today's catalogue or
    questionnaires: a past session's template stays readable after they change."""
    return _template_from_data(d, f"snapshot of {d.get('key', '?')}", check_resources=False)


# --- questionnaire schedules ---------------------------------------------------------------------


def is_due(schedule: str, session_number: int, total: int | None = None) -> bool:
    """Whether a questionnaire on this schedule is asked at this session (1-based)."""
    whole = isinstance(session_number, int) and not isinstance(session_number, bool)
    if not whole or session_number < 1:
        raise InvalidInput(
            f"Session number: {session_number!r} must be a whole number from 1", field="session"
        )
    if total is not None and total < session_number:
        raise InvalidInput(
            f"Session number: {session_number} is after the last planned session ({total})",
            field="session",
        )
    if schedule == "every":
        return True
    if schedule == "first":
        return session_number == 1
    if schedule == "last":
        return total is not None and session_number == total
    every = _EVERY_N.fullmatch(schedule)
    if every:
        return (session_number - 1) % int(every.group(1)) == 0
    raise InvalidInput(_schedule_problem(schedule), field="schedule")


def due_questionnaires(
    t: ProgrammeTemplate, session_number: int, total: int | None = None
) -> tuple[str, ...]:
    """The questionnaire keys to ask at this session, in the template's order."""
    return tuple(
        key for key, schedule in t.questionnaires.items() if is_due(schedule, session_number, total)
    )


def _schedule_problem(schedule: object) -> str:
    return (
        f"Questionnaire schedule: '{schedule}' is not one of every, first, last or "
        "first_and_every_N (N a whole number from 1)"
    )


# --- cue cards -----------------------------------------------------------------------------------


def cue_cards(template: ProgrammeTemplate | None = None) -> dict[str, CueCard]:
    """The facilitator's cue card for each phase, with the template's changes applied."""
    cards = dict(_default_cue_cards())
    if template is not None:
        for phase, changes in template.cue_cards.items():
            card = cards[phase]
            cards[phase] = CueCard(
                phase=phase,
                title=str(changes.get("title", card.title)),
                do=tuple(changes.get("do", card.do)),
                say=tuple(changes.get("say", card.say)),
            )
    return cards


@cache
def _default_cue_cards() -> Mapping[str, CueCard]:
    with resource("cue_cards.toml").open("rb") as handle:
        data = tomllib.load(handle)
    cards: dict[str, CueCard] = {}
    for phase in PHASES:
        if phase not in data:
            raise InvalidInput(f"cue_cards.toml: no card for the {phase} phase", field=phase)
        fields = _cue_card_fields(data[phase], f"cue_cards.toml [{phase}]", partial=False)
        cards[phase] = CueCard(phase=phase, **fields)
    unknown = set(data) - set(PHASES)
    if unknown:
        raise InvalidInput(f"cue_cards.toml: unknown phases {sorted(unknown)}", field="phase")
    return MappingProxyType(cards)


def _cue_card_fields(data: Any, origin: str, *, partial: bool) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{origin}: a cue card must be a table", field="cue_cards")
    unknown = set(data) - {"title", "do", "say"}
    if unknown:
        raise InvalidInput(f"{origin}: unknown cue card fields {sorted(unknown)}", "cue_cards")
    fields: dict[str, Any] = {}
    if "title" in data or not partial:
        fields["title"] = _text(data.get("title"), f"{origin} title")
    for name, (fewest, most) in CUE_CARD_LINES.items():
        if name not in data and partial:
            continue
        lines = _texts(data.get(name), f"{origin} {name}", empty=True)
        if not fewest <= len(lines) <= most:
            raise InvalidInput(
                f"{origin}: '{name}' has {len(lines)} lines; a card takes {fewest} to {most}",
                field="cue_cards",
            )
        fields[name] = lines
    return fields


# --- building and checking a template ------------------------------------------------------------


@cache
def _catalogue_measurement_keys() -> frozenset[str]:
    path = resource("catalogue.toml")
    if not path.exists():
        return frozenset(AGREED_MEASUREMENT_KEYS)
    with path.open("rb") as handle:
        return frozenset(tomllib.load(handle).get("measurements", {}))


def _template_from_data(
    data: Mapping[str, Any], origin: str, *, check_resources: bool
) -> ProgrammeTemplate:
    where = f"Programme template {origin}"

    def problem(message: str, field: str) -> InvalidInput:
        return InvalidInput(f"{where}: {message}", field=field)

    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise problem(f"version {version!r} must be a whole number from 1", "version")

    measurements = _texts(data.get("measurements"), f"{where} measurements")
    _refuse_repeats(measurements, where, "measurements")
    if check_resources:
        known = _catalogue_measurement_keys()
        for key in measurements:
            if key not in known:
                raise problem(f"measurement '{key}' is not in the catalogue", "measurements")
            if key in PRIVATE_MEASURES:
                raise problem(
                    f"measurement '{key}' is a private answer for the clinician and never goes "
                    "on the board",
                    "measurements",
                )

    topics = _texts(data.get("topics"), f"{where} topics")
    _refuse_repeats(topics, where, "topics")

    minutes_given = _table(data.get("phase_minutes", {}), where, "phase_minutes")
    for phase, minutes in minutes_given.items():
        if phase not in PHASES:
            raise problem(f"phase_minutes has an unknown phase '{phase}'", "phase_minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
            raise problem(f"{phase} minutes {minutes!r} must be a whole number from 0", phase)
    phase_minutes = {p: minutes_given.get(p, DEFAULT_PHASE_MINUTES[p]) for p in PHASES}

    schedules = _table(data.get("questionnaires", {}), where, "questionnaires")
    for key, schedule in schedules.items():
        if check_resources and key not in questionnaires():
            raise problem(f"questionnaire '{key}' does not exist", "questionnaires")
        if not isinstance(schedule, str) or not _schedule_is_known(schedule):
            raise problem(_schedule_problem(schedule), "questionnaires")

    stale = _table(data.get("stale_after_days", {}), where, "stale_after_days")
    for key, days in stale.items():
        if key not in measurements:
            raise problem(f"stale_after_days names '{key}', which is not on the board", key)
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise problem(f"stale_after_days for {key} must be a whole number of days from 1", key)

    targets = _table(data.get("targets", {}), where, "targets")
    for key, fields in targets.items():
        _check_target(key, fields, measurements, problem)

    return ProgrammeTemplate(
        key=_text(data.get("key"), f"{where} key"),
        name=_text(data.get("name"), f"{where} name"),
        description=_text(data.get("description"), f"{where} description"),
        condition=_text(data.get("condition"), f"{where} condition"),
        version=version,
        measurements=measurements,
        topics=topics,
        phase_minutes=MappingProxyType(phase_minutes),
        questionnaires=MappingProxyType(dict(schedules)),
        stale_after_days=MappingProxyType(dict(stale)),
        targets=MappingProxyType({k: MappingProxyType(dict(v)) for k, v in targets.items()}),
        coded_findings=_coded_findings(data.get("coded_findings", []), where, problem),
        cue_cards=_cue_card_overrides(data.get("cue_cards", {}), where, problem),
        domains=_domains(data.get("domains", []), measurements, schedules, where, problem),
    )


def checked_definition(d: Mapping[str, Any]) -> ProgrammeTemplate:
    """Check an edited programme definition against today's catalogue and questionnaires
    (an admin's edit must name things the app knows); raises InvalidInput naming the field."""
    return _template_from_data(d, f"{d.get('name', '?')}", check_resources=True)


def _schedule_is_known(schedule: str) -> bool:
    return schedule in SCHEDULE_WORDS or _EVERY_N.fullmatch(schedule) is not None


def _check_target(key: str, fields: Any, measurements: tuple[str, ...], problem: Any) -> None:
    if key not in measurements:
        raise problem(f"a target is given for '{key}', which is not on the board", "targets")
    if not isinstance(fields, Mapping):
        raise problem(f"target for {key} must be a table", "targets")
    unknown = set(fields) - set(TARGET_FIELDS)
    if unknown:
        raise problem(f"target for {key} has unknown fields {sorted(unknown)}", "targets")
    if "below" not in fields and "above" not in fields:
        raise problem(f"target for {key} needs 'below' or 'above'", "targets")
    if not str(fields.get("source", "")).strip():
        raise problem(f"target for {key} needs a source", "targets")


def _coded_findings(data: Any, where: str, problem: Any) -> tuple[CodedFinding, ...]:
    if not isinstance(data, list):
        raise problem("coded_findings must be a list", "coded_findings")
    findings: list[CodedFinding] = []
    for entry in data:
        if not isinstance(entry, Mapping):
            raise problem("each coded finding must be a table", "coded_findings")
        finding = CodedFinding(
            key=_text(entry.get("key"), f"{where} coded finding key"),
            term=_text(entry.get("term"), f"{where} coded finding term"),
            code=str(entry.get("code", "")),
            confirmed=entry.get("confirmed") is True,
            source=_text(entry.get("source"), f"{where} coded finding source"),
        )
        if finding.code and not finding.code.isdigit():
            raise problem(
                f"coded finding {finding.key}: '{finding.code}' is not a SNOMED CT id",
                "coded_findings",
            )
        if finding.confirmed and not finding.code:
            raise problem(
                f"coded finding {finding.key} is confirmed but has no code", "coded_findings"
            )
        findings.append(finding)
    _refuse_repeats([f.key for f in findings], where, "coded_findings")
    return tuple(findings)


def _cue_card_overrides(data: Any, where: str, problem: Any) -> Mapping[str, Mapping[str, Any]]:
    table = _table(data, where, "cue_cards")
    overrides: dict[str, Mapping[str, Any]] = {}
    for phase, fields in table.items():
        if phase not in PHASES:
            raise problem(f"cue_cards has an unknown phase '{phase}'", "cue_cards")
        overrides[phase] = MappingProxyType(
            _cue_card_fields(fields, f"{where} cue_cards.{phase}", partial=True)
        )
    return MappingProxyType(overrides)


def _domains(
    data: Any,
    measurements: tuple[str, ...],
    schedules: Mapping[str, str],
    where: str,
    problem: Any,
) -> tuple[Domain, ...]:
    if not isinstance(data, list):
        raise problem("domains must be a list", "domains")
    domains: list[Domain] = []
    for entry in data:
        if not isinstance(entry, Mapping):
            raise problem("each domain must be a table", "domains")
        domain = Domain(
            key=_text(entry.get("key"), f"{where} domain key"),
            label=_text(entry.get("label"), f"{where} domain label"),
            measurements=_texts(entry.get("measurements", []), f"{where} domain", empty=True),
            questionnaires=_texts(entry.get("questionnaires", []), f"{where} domain", empty=True),
            note=str(entry.get("note", "")),
        )
        for key in domain.measurements:
            if key not in measurements:
                raise problem(f"domain {domain.key} names '{key}', not on the board", "domains")
        for key in domain.questionnaires:
            if key not in schedules:
                raise problem(f"domain {domain.key} names '{key}', not asked", "domains")
        domains.append(domain)
    _refuse_repeats([d.key for d in domains], where, "domains")
    return tuple(domains)


def _table(value: Any, where: str, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{where}: '{field}' must be a table", field=field)
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what}: must be some text", field=what.rsplit(" ", 1)[-1])
    return value


def _texts(value: Any, what: str, *, empty: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or (not value and not empty):
        raise InvalidInput(f"{what}: must be a list of text", field=what.rsplit(" ", 1)[-1])
    return tuple(_text(item, what) for item in value)


def _refuse_repeats(values: list[str] | tuple[str, ...], where: str, field: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise InvalidInput(f"{where}: '{value}' appears twice in {field}", field=field)
        seen.add(value)
