"""Plain words for the dataset's keys, read from resources/ so the dashboard says what the app says.

Programmes from resources/programmes/, measures (with units) from catalogue.toml, questionnaires
from questionnaires/, the experience answers from questionnaires/experience.toml, professions
from professions.toml, the staff questions from monitoring/staff_experience.toml, and every other
coded value from monitoring/dashboard_words.toml. An unknown key falls back to itself with
spaces, so a new programme never breaks the page.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

from icb_service.resources import resource, resources_dir


def _load(*parts: str) -> dict[str, Any]:
    with resource(*parts).open("rb") as handle:
        return tomllib.load(handle)


def _plain(key: str) -> str:
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class StaffQuestion:
    key: str
    text: str  # the question as staff saw it
    short: str


@dataclass(frozen=True)
class Labels:
    programmes: dict[str, str]
    measures: dict[str, str]  # "HbA1c (mmol/mol)"
    instruments: dict[str, str]
    experience: dict[str, str]  # response key -> the answer's wording
    experience_question: str
    professions: dict[str, str]
    staff_questions: tuple[StaffQuestion, ...]
    staff_scale: tuple[str, ...]  # answer 1..5 in words
    levels: dict[str, str]
    dimensions: dict[str, str]
    values: dict[str, dict[str, str]]

    def programme(self, key: str) -> str:
        return self.programmes.get(key, _plain(key))

    def measure(self, key: str) -> str:
        return self.measures.get(key, _plain(key))

    def instrument(self, key: str) -> str:
        return self.instruments.get(key, _plain(key))

    def answer(self, key: str) -> str:
        return self.experience.get(key, _plain(key))

    def profession(self, key: str) -> str:
        return self.professions.get(key, _plain(key))

    def dimension(self, key: str) -> str:
        return self.dimensions.get(key, _plain(key))

    def value(self, dimension: str, key: str) -> str:
        return self.values.get(dimension, {}).get(key, _plain(key))

    def staff_answer(self, answer: int | str) -> str:
        index = int(answer) - 1
        if 0 <= index < len(self.staff_scale):
            return f"{answer}: {self.staff_scale[index]}"
        return str(answer)


@cache
def labels() -> Labels:
    catalogue = _load("catalogue.toml")["measurements"]
    dataset = _load("monitoring", "dataset.toml")
    measures = {}
    for key, unit in dataset["measure_units"].items():
        item = catalogue.get(key, {})
        shown_unit = item.get("unit", unit)
        measures[key] = f"{item.get('label', _plain(key))} ({shown_unit})"
    programmes = {}
    for path in sorted((resources_dir() / "programmes").glob("*.toml")):
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        programmes[str(data.get("key", path.stem))] = str(data.get("name", _plain(path.stem)))
    instruments = {}
    for path in sorted((resources_dir() / "questionnaires").glob("*.toml")):
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        instruments[str(data.get("key", path.stem))] = str(data.get("title", path.stem))
    experience_file = _load("questionnaires", "experience.toml")
    # The dataset's response keys are in the order of the questionnaire's options.
    responses = dataset["events"]["experience"]["fields"]
    allowed = next(f["allowed"] for f in responses if f["name"] == "response")
    experience = {
        key: str(option["label"])
        for key, option in zip(allowed, experience_file["options"], strict=True)
    }
    staff = _load("monitoring", "staff_experience.toml")
    words = _load("monitoring", "dashboard_words.toml")
    professions = {str(k): str(v) for k, v in words["values"].get("profession", {}).items()}
    professions |= {str(p["key"]): str(p["label"])
                    for p in _load("professions.toml")["professions"]}
    return Labels(
        programmes=programmes,
        measures=measures,
        instruments=instruments,
        experience=experience,
        experience_question=str(experience_file["items"][0]["prompt"]),
        professions=professions,
        staff_questions=tuple(
            StaffQuestion(str(q["key"]), str(q["text"]), str(q["short"]))
            for q in staff["questions"]
        ),
        staff_scale=tuple(str(label) for label in staff["scale"]["labels"]),
        levels={str(k): str(v) for k, v in words["levels"].items()},
        dimensions={str(k): str(v) for k, v in words["dimensions"].items()},
        values={str(d): {str(k): str(v) for k, v in m.items()}
                for d, m in words["values"].items()},
    )
