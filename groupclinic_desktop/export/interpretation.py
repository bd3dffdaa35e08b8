"""Abnormal-value flags for the GP-record exports: H, L, HH, LL (v3 ObservationInterpretation).

HH / LL: the value meets a red-flag rule (resources/red_flags.toml via core/red_flags.py, e.g.
NICE NG136 180/120 mmHg, NEWS2 red parameters): HH when it is at or above the rule's level, LL
when at or below it.
H / L: otherwise, the value misses the target that applies to this person (core/targets.py: a
personal target, else the programme's, else the catalogue's with its age, sex and
hypoglycaemia variants), above it or below it.

`flag` is the one place that decides; the PDF, FHIR and CSV all read it.
"""

from __future__ import annotations

from groupclinic_desktop.core import red_flags, targets
from groupclinic_desktop.core.catalogue import Status
from groupclinic_desktop.core.views.session_record import PersonRecord

SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
DISPLAY = {"H": "High", "L": "Low", "HH": "Critical high", "LL": "Critical low"}
# Words for the PDF's mark, so a reader needs no code table.
WORDS = {
    "H": "above target",
    "L": "below target",
    "HH": "red flag, high",
    "LL": "red flag, low",
}


def flag(person: PersonRecord, type_key: str, value: float) -> str | None:
    """The interpretation code for one value of one person, or None when it is not abnormal."""
    for found in red_flags.flags_for(type_key, value):
        level = found.rule.at_or_above.get(type_key)
        return "HH" if level is not None and value >= level else "LL"
    patient = person.patient
    who = targets.Person.on(
        person.info.day,
        born=patient.date_of_birth,
        sex=patient.sex,
        hypo_risk=patient.hypo_risk,
        personal=person.personal_targets,
    )
    programme = person.info.session.programme_snapshot
    threshold = targets.threshold_for(type_key, who, programme)
    if threshold is None or threshold.status(value) == Status.ON_TARGET:
        return None
    if threshold.high is not None and value >= threshold.high:
        return "H"
    return "L"


def worst(flags: list[str | None]) -> str | None:
    """One flag for a reading of several values (blood pressure): the most urgent part."""
    for code in ("HH", "LL", "H", "L"):
        if code in flags:
            return code
    return None
