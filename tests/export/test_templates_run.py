"""Every programme template runs end to end through the Clinic: planned, run (measures,
questionnaires, a review and a goal), finished and exported to PDF, FHIR and CSV."""

import csv
import io
import json
from datetime import date, time
from pathlib import Path

import jsonschema
import pytest
from fhir.resources.R4B.bundle import Bundle  # R4B models used for R4 (no plain R4 in 8.x)

from groupclinic_desktop.core import programmes, questionnaires
from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.clinic import Actor, Clinic
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind, Role
from groupclinic_desktop.export.batch import export_session

NEW_TEMPLATES = ("weight_medicines", "frailty", "respiratory", "long_covid", "menopause")
PEOPLE = (("9990000190", "Ada", "Moss"), ("9990000204", "Ben", "Okafor"))


def staff(clinic: Clinic, role: Role) -> Actor:
    user = next(u for u in clinic.staff() if u.role == role)
    return Actor(user.id, user.name, user.role)


def typical(key: str) -> str:
    """A plausible value inside the warning limits, as a facilitator would type it."""
    mtype = catalogue().get(key)
    low = mtype.warn_min if mtype.warn_min is not None else mtype.hard_min
    high = mtype.warn_max if mtype.warn_max is not None else mtype.hard_max
    return f"{(low + high) / 2:.{mtype.decimals}f}"


def calm_answers(key: str) -> dict[str, float]:
    """Complete answers at the calm end of each item (PHQ-9 item 9 'Not at all')."""
    q = questionnaires.get(key)
    answers: dict[str, float] = {}
    for item in q.items:
        if item.kind == "option":
            answers[item.id] = min(o.value for o in q.options)
        else:
            answers[item.id] = item.max if q.scoring == "recorded" and item.max == 4 else item.min
    return answers


@pytest.mark.parametrize("key", NEW_TEMPLATES)
def test_a_session_with_each_template_is_planned_run_and_exported(
    demo: Clinic, key: str, tmp_path: Path
) -> None:
    template = programmes.template(key)
    admin, facilitator = staff(demo, Role.ADMIN), staff(demo, Role.FACILITATOR)
    clinician = staff(demo, Role.CLINICIAN)
    with demo.acting_as(admin):
        programme = demo.create_programme_from_template(key, f"{template.name} (test)")
        session = demo.plan_session(
            programme.id, date.today(), time(10), "Room 2",  # type: ignore[arg-type]
            facilitator_id=facilitator.id, clinician_ids=[clinician.id],
        )
        ids = []
        for nhs, given, family in PEOPLE:
            patient = demo.add_patient(nhs, given, family, "1958-04-02", sex="female")
            demo.enrol(patient.id, programme.id)  # type: ignore[arg-type]
            demo.invite(session.id, patient.id)  # type: ignore[arg-type]
            ids.append(patient.id)
    sid: int = session.id  # type: ignore[assignment]
    assert session.programme_snapshot["key"] == key  # type: ignore[index]
    due = programmes.due_questionnaires(template, session.session_number)
    assert due, f"{key}: nothing asked at the first session"
    with demo.acting_as(facilitator):
        demo.start_session(sid)
        for pid in ids:
            demo.set_attendance(sid, pid, AttendanceStatus.ATTENDED)
            demo.set_consent(sid, pid, ConsentKind.SHARE_RESULTS, True)
            if "bmi" in template.measurements:
                demo.record_measurement(pid, "height", "165.0", session_id=sid, confirmed=True)
            done_bp = False
            for measure in template.measurements:
                if measure in ("systolic_bp", "diastolic_bp"):
                    if not done_bp:
                        demo.record_measurement(pid, "blood_pressure", "132/78", session_id=sid)
                        done_bp = True
                elif measure != "bmi":
                    demo.record_measurement(
                        pid, measure, typical(measure), session_id=sid, confirmed=True
                    )
            for q in due:
                row = demo.record_questionnaire(sid, pid, q, calm_answers(q))
                assert row.complete, f"{key}: {q} not scored"
    # Every board measure is on the board for everyone; nobody is flagged by calm answers.
    saved = {m.type_key for m in demo.measurements(session_id=sid)}
    assert set(template.measurements) <= saved
    assert demo.red_flags(sid) == []
    found = template.coded_findings[-1] if template.coded_findings else None
    finding = {"code": found.code, "term": found.term} if found else None
    with demo.acting_as(clinician):
        for pid in ids:
            demo.save_review(
                sid, pid, notes="Reviewed in group.",
                findings=[finding] if finding else None,
                safety_netting="Call the practice if you feel worse.",
            )
    with demo.acting_as(facilitator):
        for pid in ids:
            demo.set_goal(sid, pid, "Walk to the shop twice a week", confidence=7)
        demo.finish_session(sid)
    with demo.acting_as(admin):
        result = export_session(demo, sid, tmp_path / "out")
    names = sorted(p.name for p in result.files)
    assert len([n for n in names if n.endswith(".pdf")]) == len(ids)
    assert len([n for n in names if n.endswith(".fhir.json")]) == len(ids)
    table = next(p for p in result.files if p.name.endswith(".csv"))
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    exported = {r["item_key"] for r in rows}
    for r in rows:  # a banded score goes to the GP record with its band: "0 (minimal)"
        if r["item_key"] in ("phq9", "gad7"):
            assert r["value"] == "0 (minimal)", r
    for q in due:
        if q in ("phq9", "gad7"):
            assert q in exported, f"{key}: {q} missing from the CSV"
    for measure in template.measurements:
        assert measure in exported, f"{key}: {measure} missing from the CSV"
    # Every bundle is a valid FHIR document (R4B models, as for R4) and the document schema.
    schema = json.loads((Path(__file__).parent / "document_bundle.schema.json").read_text())
    for path in (p for p in result.files if p.name.endswith(".fhir.json")):
        bundle = json.loads(path.read_text())
        jsonschema.Draft202012Validator(schema).validate(bundle)
        parsed = Bundle.model_validate(bundle)
        assert parsed.entry[0].resource.get_resource_type() == "Composition"
        observed = {
            e["resource"]["code"]["text"]
            for e in bundle["entry"]
            if e["resource"]["resourceType"] == "Observation" and "text" in e["resource"]["code"]
        }
        assert observed, f"{key}: no observations in the bundle"


@pytest.mark.parametrize("key", NEW_TEMPLATES)
def test_each_new_template_names_its_sources_and_overrides_a_cue_card(key: str) -> None:
    template = programmes.template(key)
    text = (Path(programmes.__file__).parents[2] / "resources" / "programmes" / f"{key}.toml")
    words = text.read_text(encoding="utf-8")
    assert "Sources:" in words and "NICE" in words
    assert template.cue_cards, f"{key}: no cue-card override"
    assert template.questionnaires and template.topics and template.measurements
    # Any code a template gives comes from the reference notes; the rest wait for the practice.
    for finding in template.coded_findings:
        assert finding.confirmed == bool(finding.code)
