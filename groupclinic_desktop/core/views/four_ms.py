"""The 4Ms panel: Movement, Mood, Motivation and What matters to me, as the group sees them.

A programme whose template has domains (WELLbeing Works' 4Ms, resources/programmes/*.toml)
shows one panel beside the board. Each domain lists its measures and questionnaire scores in
plain words, with the group median today and its change since the programme's last session.
People appear exactly as on the board: by first name with share-results consent, otherwise by
their code (or not at all, when the practice hides them). The panel is built from the board
(rows, labels, measure summaries) plus the session's questionnaire scores, so the two never
disagree about who is shown or what a measure's median is.

`four_m_panel` is pure; `build_four_ms` reads what it needs through the Clinic facade.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from groupclinic_desktop.core import questionnaires
from groupclinic_desktop.core.schema import ConsentKind
from groupclinic_desktop.core.views.board import (
    BP_COLUMN,
    BP_PARTS,
    MINUS,
    Board,
    build_board,
    plain_label,
    plain_questionnaire_label,
    previous_session,
)

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic

Kind = Literal["measure", "questionnaire"]
# Each score shown with the decimals its instrument reports (SWEMWBS metric 2, PAM 1).
_SCORE_DECIMALS = {"sum_then_table": 2, "recorded": 1}


@dataclass(frozen=True)
class FourMItem:
    """One measure or score inside a domain, with the group's figures."""

    key: str  # a board column key ("blood_pressure", "grip_strength") or a questionnaire key
    kind: Kind
    plain_label: str
    decimals: int
    median_text: str  # "" when nobody has a value
    change_text: str  # since the last session: "+1.20", "−5", "0"; "" when not known
    with_value: int  # people on the panel with a value today


@dataclass(frozen=True)
class FourMDomain:
    key: str
    label: str  # plain words from the template: "Movement", "Mood"
    items: tuple[FourMItem, ...]
    note: str = ""


@dataclass(frozen=True)
class FourMPerson:
    patient_id: int  # the store's row id, for repainting; never shown
    label: str  # as on the board: first name with consent, else the code
    named: bool
    values: Mapping[str, str] = field(default_factory=dict)  # item key -> "24.11", "" if none


@dataclass(frozen=True)
class FourMPanel:
    session_id: int
    day: date
    title: str
    domains: tuple[FourMDomain, ...]
    people: tuple[FourMPerson, ...]
    goals_set: int | None = None  # people on the panel with a goal today (never its words)

    def domain(self, key: str) -> FourMDomain:
        return next(d for d in self.domains if d.key == key)

    def item(self, key: str) -> FourMItem:
        return next(i for d in self.domains for i in d.items if i.key == key)

    def person(self, patient_id: int) -> FourMPerson | None:
        return next((p for p in self.people if p.patient_id == patient_id), None)


def four_m_panel(
    board: Board,
    domains: Sequence[Mapping[str, Any]],
    scores: Mapping[tuple[int, str], float],
    previous_scores: Mapping[tuple[int, str], float] | None = None,
    with_goal: set[int] | None = None,
) -> FourMPanel | None:
    """The panel for a board; None when the programme has no domains.

    domains: the template's [[domains]] as stored in the session's snapshot.
    scores: this session's questionnaire scores by (patient id, questionnaire key).
    previous_scores: the last session's, for the people counted there (None: no last session).
    with_goal: ids of people with a goal set this session (None: not known).
    """
    if not domains:
        return None
    columns = {c.key for c in board.columns}
    on_panel = [row.patient_id for row in board.rows]
    items_by_domain: list[FourMDomain] = []
    for entry in domains:
        items: list[FourMItem] = []
        seen: set[str] = set()
        for key in entry.get("measurements", []) or []:
            column = BP_COLUMN if key in BP_PARTS else str(key)
            if column in seen or column not in columns:
                continue  # a measure taken off the board since: nothing to show
            seen.add(column)
            summary = board.summary(column)
            items.append(
                FourMItem(
                    key=column,
                    kind="measure",
                    plain_label=board.column(column).plain_label,
                    decimals=board.column(column).decimals,
                    median_text=summary.median_text,
                    change_text=summary.change_text,
                    with_value=summary.with_value,
                )
            )
        measured = {str(k) for k in entry.get("measurements", []) or []}
        for key in entry.get("questionnaires", []) or []:
            key = str(key)
            if _feeds(key) in measured:
                continue  # its answer is the measure already shown (activity minutes)
            decimals = score_decimals(key)
            now = [scores[(pid, key)] for pid in on_panel if (pid, key) in scores]
            median = _median(now)
            before = (
                _median(v for (_, k), v in previous_scores.items() if k == key)
                if previous_scores is not None
                else None
            )
            change = median - before if median is not None and before is not None else None
            items.append(
                FourMItem(
                    key=key,
                    kind="questionnaire",
                    plain_label=plain_questionnaire_label(key),
                    decimals=decimals,
                    median_text=f"{median:.{decimals}f}" if median is not None else "",
                    change_text=_change_text(change, decimals),
                    with_value=len(now),
                )
            )
        items_by_domain.append(
            FourMDomain(
                key=str(entry.get("key", "")),
                label=str(entry.get("label", "")),
                items=tuple(items),
                note=str(entry.get("note", "") or ""),
            )
        )
    people = []
    for row in board.rows:
        values: dict[str, str] = {}
        for domain in items_by_domain:
            for item in domain.items:
                if item.kind == "measure":
                    values[item.key] = row.cell(item.key).text
                else:
                    score = scores.get((row.patient_id, item.key))
                    values[item.key] = f"{score:.{item.decimals}f}" if score is not None else ""
        people.append(
            FourMPerson(patient_id=row.patient_id, label=row.label, named=row.named, values=values)
        )
    return FourMPanel(
        session_id=board.session_id,
        day=board.day,
        title=board.title,
        domains=tuple(items_by_domain),
        people=tuple(people),
        goals_set=(
            sum(1 for pid in on_panel if pid in with_goal) if with_goal is not None else None
        ),
    )


def build_four_ms(
    clinic: Clinic,
    session_id: int,
    *,
    board: Board | None = None,
    today: date | None = None,
    hide_non_consented: bool | None = None,
) -> FourMPanel | None:
    """The session's 4M panel (None without domains), read through the Clinic."""
    session = clinic.session(session_id)
    domains = list((session.programme_snapshot or {}).get("domains") or [])
    if not domains:
        return None
    if board is None:
        board = build_board(
            clinic, session_id, today=today, hide_non_consented=hide_non_consented
        )
    asked = {str(q) for d in domains for q in d.get("questionnaires", []) or []}
    scores = _scores(clinic, session_id, asked)
    previous = previous_session(clinic, session)
    previous_scores = None
    if previous is not None:
        roster = clinic.roster(previous.id)
        present = {
            e.patient.id
            for e in roster
            if e.attendance.status.present and e.patient.id is not None
        }
        if board.non_consented == "hide":
            consents = clinic.consents(previous.id)
            present = {p for p in present if consents.get((p, ConsentKind.SHARE_RESULTS))}
        previous_scores = {
            k: v for k, v in _scores(clinic, previous.id, asked).items() if k[0] in present
        }
    with_goal = {g.patient_id for g in clinic.goals(session_id=session_id)}
    return four_m_panel(board, domains, scores, previous_scores, with_goal)


def score_decimals(key: str) -> int:
    try:
        return _SCORE_DECIMALS.get(questionnaires.get(key).scoring, 0)
    except Exception:  # a questionnaire since removed from resources: whole numbers
        return 0


def _feeds(key: str) -> str | None:
    try:
        return questionnaires.get(key).measurement
    except Exception:  # a questionnaire since removed from resources
        return None


def item_label(key: str, kind: Kind) -> str:
    return plain_label(key) if kind == "measure" else plain_questionnaire_label(key)


def _scores(clinic: Clinic, session_id: int, keys: set[str]) -> dict[tuple[int, str], float]:
    found: dict[tuple[int, str], float] = {}
    for row in clinic.responses(session_id=session_id):
        if row.questionnaire_key in keys and row.score is not None:
            found[(row.patient_id, row.questionnaire_key)] = float(row.score)
    return found


def _median(values: Iterable[float]) -> float | None:
    values = list(values)
    return float(statistics.median(values)) if values else None


def _change_text(change: float | None, decimals: int) -> str:
    if change is None:
        return ""
    rounded = round(change, decimals)
    if rounded == 0:
        return "0"
    sign = "+" if rounded > 0 else MINUS
    return f"{sign}{abs(rounded):.{decimals}f}"


# ------------------------------------------------------------------------------ over time


@dataclass(frozen=True)
class DomainKeys:
    """A domain's measures and scores by catalogue or questionnaire key, for tables over time
    (progress and outcomes keep blood pressure as its two halves)."""

    key: str
    label: str
    keys: tuple[str, ...]
    note: str = ""


def domain_keys(domains: Sequence[Mapping[str, Any]]) -> tuple[DomainKeys, ...]:
    """The template's domains as lists of keys; a questionnaire feeding a measure already in
    the domain (activity minutes) is listed once, as the measure."""
    found = []
    for entry in domains or []:
        measures = [str(k) for k in entry.get("measurements", []) or []]
        scores = [
            str(k) for k in entry.get("questionnaires", []) or [] if _feeds(str(k)) not in measures
        ]
        found.append(
            DomainKeys(
                key=str(entry.get("key", "")),
                label=str(entry.get("label", "")),
                keys=tuple(measures + scores),
                note=str(entry.get("note", "") or ""),
            )
        )
    return tuple(found)
