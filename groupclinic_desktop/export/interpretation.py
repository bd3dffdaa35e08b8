"""Abnormal-value flags for the GP-record exports: H, L, HH, LL (v3 ObservationInterpretation).

H / L: the value misses the person's target from the catalogue (NICE NG28 / NG136 and the
others cited in resources/catalogue.toml), above or below it.
HH / LL: the value reaches a safety prompt (catalogue [very_high], e.g. 180/120 mmHg) or lies
past the catalogue's warning limits (warn_max / warn_min), which are brought to the clinician.

`flag` is the one place that decides; the PDF, FHIR and CSV all read it.
"""

from __future__ import annotations

from groupclinic_desktop.core.catalogue import Status, catalogue, status_for
from groupclinic_desktop.core.session_record import PersonRecord

SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
DISPLAY = {"H": "High", "L": "Low", "HH": "Critical high", "LL": "Critical low"}
# Words for the PDF's mark, so a reader needs no code table.
WORDS = {
    "H": "above target",
    "L": "below target",
    "HH": "very high: tell the clinician",
    "LL": "very low: tell the clinician",
}


def flag(person: PersonRecord, type_key: str, value: float) -> str | None:
    """The interpretation code for one value of one person, or None when it is not abnormal."""
    mtype = catalogue().get(type_key)
    if catalogue().prompts_for({type_key: value}) or (
        mtype.warn_max is not None and value > mtype.warn_max
    ):
        return "HH"
    if mtype.warn_min is not None and value < mtype.warn_min:
        return "LL"
    if mtype.target is None:
        return None
    patient = person.patient
    day = person.info.day
    born = patient.date_of_birth
    age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    status = status_for(
        mtype, value, age=age, hypo_risk=patient.hypo_risk, sex=patient.sex.value
    )
    if status in (Status.ON_TARGET, Status.NO_TARGET):
        return None
    threshold = mtype.target.target_for(age, hypo_risk=patient.hypo_risk, sex=patient.sex.value)
    if threshold.high is not None and value >= threshold.high:
        return "H"
    return "L"


def worst(flags: list[str | None]) -> str | None:
    """One flag for a reading of several values (blood pressure): the most urgent part."""
    for code in ("HH", "LL", "H", "L"):
        if code in flags:
            return code
    return None
