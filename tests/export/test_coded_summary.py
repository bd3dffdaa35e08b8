"""The coded summary: what the admin pastes into the GP system's template."""

from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.views.session_record import build_session_record
from groupclinic_desktop.export.coded_summary import COLUMNS, as_tsv, coded_rows


def test_each_reading_has_the_catalogue_code_term_value_unit_date_and_clinician(
    demo: Clinic, finished_id: int
) -> None:
    record = build_session_record(demo, finished_id)
    person = record.people[0]
    rows = coded_rows(person)
    readings = {m.type_key: m for m in person.measurements}
    for key in ("systolic_bp", "diastolic_bp", "weight", "height", "bmi"):
        row = next(r for r in rows if r.key == key)
        mtype = catalogue().get(key)
        assert row.code == mtype.snomed_code
        assert row.term == mtype.snomed_term
        assert row.unit == mtype.unit
        assert float(row.value) == readings[key].value
        assert row.day == record.info.day
        # One attribution: the facilitator took the readings (FHIR's performer says the same).
        assert row.clinician == "Jo Morgan"
        assert row.profession == "Care coordinator"


def test_results_copied_from_the_gp_record_are_not_sent_back(
    demo: Clinic, finished_id: int
) -> None:
    # The demo's HbA1c came from the GP record: pasting it back would duplicate it there.
    person = build_session_record(demo, finished_id).people[0]
    assert all(r.key != "hba1c" for r in coded_rows(person))


def test_clipboard_text_is_one_tab_separated_line_per_item(demo: Clinic, finished_id: int) -> None:
    person = build_session_record(demo, finished_id).people[0]
    rows = coded_rows(person)
    lines = as_tsv(rows).splitlines()
    assert lines[0].split("\t") == list(COLUMNS)
    assert len(lines) == len(rows) + 1
    assert all(len(line.split("\t")) == len(COLUMNS) for line in lines)
    assert lines[1].startswith("72313002\tSystolic arterial pressure\t")


def test_unconfirmed_codes_never_reach_the_summary(demo: Clinic) -> None:
    """Waist and SpO2 codes are unconfirmed in the catalogue: the row keeps its words only."""
    today = demo.sessions()[1]
    assert today.id is not None
    person = demo.roster(today.id)[0].patient
    with demo.acting_as(SYSTEM):
        demo.start_session(today.id)
        demo.set_attendance(today.id, person.id, "attended")  # type: ignore[arg-type]
        demo.record_measurement(person.id, "waist", "96", session_id=today.id)  # type: ignore[arg-type]
        demo.record_measurement(person.id, "spo2", "97", session_id=today.id)  # type: ignore[arg-type]
        demo.record_questionnaire(
            today.id, person.id, "swemwbs", {f"item{i}": 4 for i in range(1, 8)}
        )  # type: ignore[arg-type]
        demo.finish_session(today.id)
    rows = coded_rows(build_session_record(demo, today.id).person(person.id))  # type: ignore[arg-type]
    waist = next(r for r in rows if r.key == "waist")
    spo2 = next(r for r in rows if r.key == "spo2")
    assert (waist.code, waist.term, waist.value) == ("", "Waist circumference", "96.0")
    assert (spo2.code, spo2.value, spo2.unit) == ("", "97", "%")
    swemwbs = next(r for r in rows if r.key == "swemwbs")
    assert (swemwbs.code, swemwbs.value) == ("", "25.03")  # raw 28
