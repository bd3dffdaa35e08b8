"""What people and staff said about a programme's sessions, for the practice's outcomes report.

Patients: the end-of-session experience question (resources/questionnaires/experience.toml,
Friends-and-Family-Test style), counted per answer. Staff: the three staff questions
(resources/monitoring/staff_experience.toml), counted per answer on the 1-5 scale, never turned
into a score (the wording is ours, not a validated instrument). Both are anonymous.

Small numbers are hidden as everywhere in the report: a count below the threshold is suppressed,
and because the answers of one question add up to its total, icb_service.disclosure.hidden_cells
hides one more wherever a single hidden count could be worked out by subtraction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from groupclinic_desktop.core import questionnaires
from groupclinic_desktop.core import staff_experience as staff_questions
from groupclinic_desktop.core.views.figures import PROTECTING, Figure, suppressed
from icb_service.disclosure import hidden_cells

EXPERIENCE = "experience"
TOTAL = "total"


@dataclass(frozen=True)
class AnswerCounts:
    """One question's answers: (answer words, count) in the scale's order, and the total."""

    key: str
    question: str  # the question as asked
    short: str  # its short name for tables
    answers: tuple[tuple[str, Figure], ...]
    total: Figure


def counted(
    key: str,
    question: str,
    short: str,
    labels: Sequence[str],
    tally: Counter[int],
    threshold: int,
) -> AnswerCounts:
    """The counts of answers 1..len(labels), with primary and complementary suppression."""
    counts: dict[Any, int] = {value: tally.get(value, 0) for value in range(1, len(labels) + 1)}
    counts[TOTAL] = sum(counts.values())
    line = [TOTAL, *range(1, len(labels) + 1)]
    hidden = hidden_cells(counts, [line], threshold, keep=[TOTAL])

    def figure(cell: Any) -> Figure:
        n = counts[cell]
        if cell not in hidden:
            return Figure(float(n), people=n)
        return suppressed(n, threshold, "answers") if n < threshold else Figure(
            None, PROTECTING, n
        )

    return AnswerCounts(
        key=key,
        question=question,
        short=short,
        answers=tuple((label, figure(v)) for v, label in enumerate(labels, start=1)),
        total=figure(TOTAL),
    )


def patient_experience(responses: Iterable[Any], threshold: int) -> AnswerCounts | None:
    """The experience question's answers (None when the question set has no such question)."""
    q = questionnaires.questionnaires().get(EXPERIENCE)
    if q is None:
        return None
    values = [o.value for o in q.options]
    tally: Counter[int] = Counter()
    for r in responses:
        if r.questionnaire_key == EXPERIENCE and r.complete and r.raw is not None:
            value = int(r.raw)
            if value in values:
                tally[values.index(value) + 1] += 1
    prompt = q.items[0].prompt if q.items else q.title
    return counted(
        EXPERIENCE, prompt, q.short_title, [o.label for o in q.options], tally, threshold
    )


def staff_experience(answer_sets: Iterable[Any], threshold: int) -> tuple[AnswerCounts, ...]:
    """Each staff question's answers over every set given about the sessions."""
    qset = staff_questions.question_set()
    sets = [dict(a.answers or {}) for a in answer_sets]
    found = []
    for q in qset.questions:
        tally: Counter[int] = Counter(
            int(s[q.key]) for s in sets if isinstance(s.get(q.key), int)
        )
        found.append(counted(q.key, q.text, q.short, qset.labels, tally, threshold))
    return tuple(found)
