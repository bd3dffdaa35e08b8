"""The staff experience questions asked at the end of a session, and who may answer them.

The wording and scale are data (resources/monitoring/staff_experience.toml, marked there as our
own wording). Answers are anonymous: they are kept and sent with the role and profession of the
person answering, never their name or id, so a practice's staff can say how a clinic really went.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, get_args

from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.schema import Role
from groupclinic_desktop.resources import resource
from icb_service.protocol import Profession as SentProfession

# The monitoring dataset has two staff roles: whoever ran the process and whoever reviewed.
ROLE_FOR = {
    Role.FACILITATOR: "facilitator",
    Role.CO_FACILITATOR: "facilitator",
    Role.CLINICIAN: "clinician",
}
ROLE_WORDS = {"facilitator": "Facilitator", "clinician": "Clinician"}
NOT_RECORDED = "not_recorded"


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    short: str


@dataclass(frozen=True)
class QuestionSet:
    questions: tuple[Question, ...]
    labels: tuple[str, ...]  # the words of 1..5
    source: str

    def keys(self) -> tuple[str, ...]:
        return tuple(q.key for q in self.questions)


@cache
def question_set() -> QuestionSet:
    path = resource("monitoring", "staff_experience.toml")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    header = [line[1:].strip() for line in path.read_text(encoding="utf-8").splitlines()
              if line.startswith("#")]
    return QuestionSet(
        questions=tuple(Question(q["key"], q["text"], q["short"]) for q in data["questions"]),
        labels=tuple(data["scale"]["labels"]),
        source=" ".join(header),
    )


def sent_profession(key: str | None) -> str:
    """The profession as the monitoring dataset knows it ("not_recorded" when it does not)."""
    return key if key is not None and key in get_args(SentProfession) else NOT_RECORDED


def checked_role(role: str) -> str:
    if role not in ROLE_WORDS:
        raise InvalidInput(
            f"Answering as: '{role}' is not facilitator or clinician.", field="Answering as"
        )
    return role


def checked_answers(answers: Mapping[str, Any]) -> dict[str, int]:
    """The answers given (skipped questions left out), each a whole number 1-5, or InvalidInput
    naming the question."""
    known = {q.key: q for q in question_set().questions}
    clean: dict[str, int] = {}
    for key, value in answers.items():
        if key not in known:
            raise InvalidInput(f"Staff question: '{key}' is not one of ours.", field="Question")
        if value is None or value == "":
            continue  # skipped
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise InvalidInput(
                f"{known[key].short}: '{value}' is not an answer from 1 to 5.",
                field=known[key].short,
            )
        clean[key] = value
    return clean
