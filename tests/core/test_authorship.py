"""Who wrote it, and is it right: professions, one review per professional, sign-off,
corrections by the right person, voided measurements and one attribution, through the facade and
on to the PDF, FHIR bundle, CSV and the monitoring outbox."""

import csv
import io
import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from groupclinic_desktop.core.clinic import SYSTEM, Actor, Clinic
from groupclinic_desktop.core.errors import InvalidInput, NeedsConfirmation, NotAllowed
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind, Role
from groupclinic_desktop.core.views.board import build_board
from groupclinic_desktop.core.views.session_record import build_session_record
from groupclinic_desktop.export.batch import HeldBack, export_session
from groupclinic_desktop.export.csv_export import session_csv
from groupclinic_desktop.export.fhir import person_bundle

TODAY = date.today()


def actor(clinic: Clinic, name: str) -> Actor:
    user = next(u for u in clinic.staff() if u.name == name)
    return Actor(user.id, user.name, user.role)


@pytest.fixture
def team(demo: Clinic) -> Clinic:
    """The demo practice with a clinical pharmacist and a physiotherapist as clinicians too."""
    with demo.acting_as(SYSTEM):
        demo.add_staff("Sam Okafor", Role.CLINICIAN, "5827", "clinical_pharmacist")
        demo.add_staff("Chris Lee", Role.CLINICIAN, "6283", "Physiotherapist / AHP")
    return demo


@pytest.fixture
def session(team: Clinic) -> tuple[int, int]:
    """Today's session, running, with Maggie checked in (session id, Maggie's id)."""
    sid = team.sessions(day=TODAY)[0].id
    pid = next(p.id for p in team.patients() if p.given_name == "Margaret")
    assert sid is not None and pid is not None
    with team.acting_as(actor(team, "Jo Morgan")):
        team.start_session(sid)
        team.set_attendance(sid, pid, AttendanceStatus.ATTENDED)
        team.set_consent(sid, pid, ConsentKind.CONFIDENTIALITY, True)
        team.set_consent(sid, pid, ConsentKind.SHARE_RESULTS, True)
        team.set_consent(sid, pid, ConsentKind.MONITORING, True)
    return sid, pid


def three_reviews(clinic: Clinic, sid: int, pid: int) -> None:
    for name, notes, drug in (
        ("Dr Priya Shah", "HbA1c improving; feet checked.", None),
        ("Sam Okafor", "Hypos on gliclazide; stopped gliclazide.", "Gliclazide"),
        ("Chris Lee", "Knee pain limits walking; chair exercises shown.", None),
    ):
        with clinic.acting_as(actor(clinic, name)):
            clinic.save_review(
                sid,
                pid,
                notes=notes,
                findings=[{"code": "", "term": f"Seen by {name}"}],
                medication_changes=[{"action": "stop", "drug": drug}] if drug else [],
                seconds_spent=300,
            )


def finish(clinic: Clinic, sid: int) -> None:
    with clinic.acting_as(actor(clinic, "Jo Morgan")):
        clinic.finish_session(sid)


def export(clinic: Clinic, sid: int, out: Path, correction: bool = False):  # type: ignore[no-untyped-def]
    with clinic.acting_as(actor(clinic, "Alex Turner")):
        return export_session(clinic, sid, out, correction=correction)


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


# ---------------------------------------------------------------- 1. professions, co-facilitator


def test_professions_come_from_the_resource_list_and_a_wrong_one_is_refused(team: Clinic) -> None:
    pharmacist = next(u for u in team.staff() if u.name == "Sam Okafor")
    physio = next(u for u in team.staff() if u.name == "Chris Lee")
    assert pharmacist.profession == "clinical_pharmacist"
    assert physio.profession == "physiotherapist"  # given by its label on screen
    before = len(team.staff())
    with team.acting_as(SYSTEM), pytest.raises(InvalidInput, match="Profession: 'surgeon'"):
        team.add_staff("New Person", Role.CLINICIAN, "7391", "surgeon")
    assert len(team.staff()) == before


def test_a_co_facilitator_never_reads_or_writes_reviews_and_never_exports(
    session: tuple[int, int], team: Clinic, tmp_path: Path
) -> None:
    sid, pid = session
    three_reviews(team, sid, pid)
    volunteer = actor(team, "Sam Reid")
    assert volunteer.role == Role.CO_FACILITATOR
    with team.acting_as(volunteer):
        team.record_measurement(pid, "weight", "83", session_id=sid, confirmed=True)  # check-in
        team.set_goal(sid, pid, "Walk to the shop", confidence=7)  # goals: yes
        with pytest.raises(NotAllowed):
            team.reviews(sid)
        with pytest.raises(NotAllowed):
            team.review(sid, pid)
        with pytest.raises(NotAllowed):
            team.save_review(sid, pid, notes="n")
        with pytest.raises(NotAllowed):
            team.save_review(sid, pid, notes="n", on_behalf_of_id=actor(team, "Chris Lee").id)
    finish(team, sid)
    out = tmp_path / "out"
    with team.acting_as(volunteer), pytest.raises(NotAllowed):
        export_session(team, sid, out)
    assert not out.exists() or not any(out.iterdir())


# ---------------------------------------------------------------- 2. one review per professional


def test_three_professionals_each_keep_their_own_review_into_every_export(
    session: tuple[int, int], team: Clinic, tmp_path: Path
) -> None:
    sid, pid = session
    three_reviews(team, sid, pid)
    # A second save by the pharmacist changes only the pharmacist's review.
    with team.acting_as(actor(team, "Sam Okafor")):
        team.save_review(sid, pid, safety_netting="Call if sugars stay above 15.")
    reviews = team.reviews(sid, pid)
    assert len(reviews) == 3
    by_author = {team._get(type(reviews[0]), r.id, "review").author_id: r for r in reviews}
    assert len(by_author) == 3
    notes = sorted(r.notes for r in reviews)
    assert "Hypos on gliclazide; stopped gliclazide." in notes
    assert all(r.started_at is not None and r.minutes == 5 for r in reviews)
    assert {r.profession for r in reviews} == {"gp", "clinical_pharmacist", "physiotherapist"}

    finish(team, sid)
    result = export(team, sid, tmp_path)
    (pdf,) = [p for p in result.files if p.suffix == ".pdf"]
    text = " ".join(pdf_text(pdf).split())
    for words in (
        "Documented by Dr Priya Shah (GP)",
        "Documented by Sam Okafor (Clinical pharmacist)",
        "Documented by Chris Lee (Physiotherapist / AHP)",
        "Gliclazide",
        "Knee pain limits walking",
    ):
        assert words in text, words

    (bundle_file,) = [p for p in result.files if p.name.endswith(".fhir.json")]
    bundle = json.loads(bundle_file.read_text())
    resources = [e["resource"] for e in bundle["entry"]]
    practitioners = {r["id"]: r["name"][0]["text"] for r in resources
                     if r["resourceType"] == "Practitioner"}
    roles = {
        practitioners[r["practitioner"]["reference"].removeprefix("urn:uuid:")]:
            r["code"][0]["text"]
        for r in resources
        if r["resourceType"] == "PractitionerRole"
    }
    assert roles["Dr Priya Shah"] == "GP"
    assert roles["Sam Okafor"] == "Clinical pharmacist"
    assert roles["Chris Lee"] == "Physiotherapist / AHP"
    composition = resources[0]
    authors = {practitioners[a["reference"].removeprefix("urn:uuid:")]
               for a in composition["author"]
               if a["reference"].removeprefix("urn:uuid:") in practitioners}
    assert authors == {"Dr Priya Shah", "Sam Okafor", "Chris Lee"}
    review_text = next(s["text"]["div"] for s in composition["section"]
                       if "review" in s["title"].lower())
    assert "stopped gliclazide" in review_text and "Knee pain" in review_text
    findings = {
        r["code"]["text"]: practitioners[r["performer"][0]["reference"].removeprefix("urn:uuid:")]
        for r in resources
        if r["resourceType"] == "Observation" and r["code"]["text"].startswith("Seen by")
    }
    assert findings == {f"Seen by {n}": n for n in ("Dr Priya Shah", "Sam Okafor", "Chris Lee")}

    (csv_file,) = [p for p in result.files if p.suffix == ".csv"]
    rows = list(csv.DictReader(io.StringIO(csv_file.read_text("utf-8"))))
    reviews_rows = {
        (r["author"], r["author_profession"]) for r in rows if r["item_kind"] == "review"
    }
    assert reviews_rows == {
        ("Dr Priya Shah", "GP"),
        ("Sam Okafor", "Clinical pharmacist"),
        ("Chris Lee", "Physiotherapist / AHP"),
    }


def test_monitoring_counts_reviews_and_professions_never_text(
    session: tuple[int, int], team: Clinic
) -> None:
    sid, pid = session
    three_reviews(team, sid, pid)
    latest = [e for e in team.outbox_events() if e.type == "review"][-1]
    assert latest.payload == {
        "session_uid": team.session(sid).uid,
        "patient_id": pid,
        "reviews": 3,
        "professions": ["clinical_pharmacist", "gp", "physiotherapist"],
        # Protocol 3: the three reviews' timers added up (300 s each), in whole minutes.
        "minutes_spent": 15,
    }
    assert "gliclazide" not in json.dumps([e.payload for e in team.outbox_events()]).lower()


def test_the_migration_keeps_every_existing_review(demo_dir: Path) -> None:
    """A store as it was before one review per professional (revision 0004) is migrated: every
    review keeps its text, and its author is the clinician it was written for, or its writer."""
    from alembic import command
    from sqlalchemy import text

    from groupclinic_desktop.core import store

    with Clinic.open(demo_dir, create=False) as clinic:
        gp = actor(clinic, "Dr Priya Shah")
        jo = actor(clinic, "Jo Morgan")
        (finished,) = [s for s in clinic.sessions() if s.status.value == "finished"]
        before = {(r.patient_id, r.notes) for r in clinic.reviews(finished.id)}  # type: ignore[arg-type]
        assert before
        command.downgrade(store.alembic_config(clinic.engine), "0004")
        with clinic.engine.begin() as conn:
            # An old-style review written by the facilitator on the GP's behalf.
            conn.execute(text(
                "UPDATE review SET documented_by_id = :jo, on_behalf_of_id = :gp "
                "WHERE id = (SELECT MIN(id) FROM review)"
            ), {"jo": jo.id, "gp": gp.id})
            columns = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(review)")}
        assert "author_id" not in columns
    with Clinic.open(demo_dir, create=False) as clinic:  # migrates to the head again
        after = clinic.reviews(finished.id)  # type: ignore[arg-type]
        assert {(r.patient_id, r.notes) for r in after} == before
        assert all(r.author_id == gp.id for r in after)
        first = min(after, key=lambda r: r.id)  # type: ignore[arg-type, return-value]
        assert first.documented_by_id == jo.id and first.awaiting_sign_off
        assert clinic.check() == []
        with clinic.engine.connect() as conn:  # foreign keys are back on after the copy
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


# ---------------------------------------------------------------- 3. sign-off


def test_an_on_behalf_review_is_held_back_until_its_clinician_signs(
    session: tuple[int, int], team: Clinic, tmp_path: Path
) -> None:
    sid, pid = session
    gp = actor(team, "Dr Priya Shah")
    with team.acting_as(actor(team, "Jo Morgan")):
        review = team.save_review(sid, pid, notes="Dictated by Dr Shah.", on_behalf_of_id=gp.id)
    assert review.awaiting_sign_off
    assert [r.id for r in team.awaiting_sign_off(clinician_id=gp.id)] == [review.id]
    finish(team, sid)
    out = tmp_path / "out"
    with pytest.raises(HeldBack) as held:
        export(team, sid, out)
    assert held.value.reasons == [
        "Margaret Ellis: review written on behalf of Dr Priya Shah awaits their sign-off"
    ]
    assert not out.exists() or not any(out.iterdir())
    # Nobody signs for her: not the facilitator who wrote it, not an admin, not a colleague.
    for name in ("Jo Morgan", "Alex Turner", "Sam Okafor"):
        with team.acting_as(actor(team, name)), pytest.raises(NotAllowed, match="Only Dr Priya"):
            team.sign_review(review.id)  # type: ignore[arg-type]
    with team.acting_as(gp):
        signed = team.sign_review(review.id)  # type: ignore[arg-type]
    assert signed.signed_off_by_id == gp.id and not signed.awaiting_sign_off
    assert team.audit_entries()[-1].action == "sign_off"
    assert team.audit_entries()[-1].user_name == "Dr Priya Shah"
    again = export(team, sid, out)
    (pdf,) = [p for p in again.files if p.suffix == ".pdf" and "Ellis" in p.name]
    assert "on behalf of Dr Priya Shah (GP); signed by Dr Priya Shah" in " ".join(
        pdf_text(pdf).split()
    )


def test_a_facilitator_cannot_overwrite_a_review_the_clinician_wrote_herself(
    session: tuple[int, int], team: Clinic
) -> None:
    sid, pid = session
    gp = actor(team, "Dr Priya Shah")
    with team.acting_as(gp):
        team.save_review(sid, pid, notes="My own words.")
    with team.acting_as(actor(team, "Jo Morgan")), pytest.raises(NotAllowed, match="themselves"):
        team.save_review(sid, pid, notes="Changed.", on_behalf_of_id=gp.id)
    assert [r.notes for r in team.reviews(sid, pid)] == ["My own words."]


# ---------------------------------------------------------------- 4. corrections


def test_only_a_clinician_corrects_clinical_content_and_it_is_recorded_as_theirs(
    session: tuple[int, int], team: Clinic
) -> None:
    sid, pid = session
    three_reviews(team, sid, pid)
    finish(team, sid)
    pharmacist = actor(team, "Sam Okafor")
    for name in ("Jo Morgan", "Sam Reid", "Alex Turner"):
        audit_before = len(team.audit_entries())
        with team.acting_as(actor(team, name)), pytest.raises(NotAllowed, match="clinical"):
            team.correct_review(
                sid, pid, "typo", author_id=pharmacist.id,
                medication_changes=[{"action": "stop", "drug": "Metformin"}],
            )
        assert len(team.audit_entries()) == audit_before
    # Her own review, by the author herself.
    with team.acting_as(pharmacist):
        own = team.correct_review(sid, pid, "dose typo", safety_netting="Call 111 if unwell.")
    assert own.author_id == pharmacist.id and own.corrected_by_id == pharmacist.id
    # A colleague corrects it with a reason: recorded as the colleague's correction.
    gp = actor(team, "Dr Priya Shah")
    with team.acting_as(gp):
        fixed = team.correct_review(
            sid, pid, "wrong drug named", author_id=pharmacist.id,
            medication_changes=[{"action": "stop", "drug": "Gliclazide MR"}],
        )
        with pytest.raises(InvalidInput, match="Reason"):
            team.correct_review(sid, pid, " ", author_id=pharmacist.id, notes="x")
    assert fixed.author_id == pharmacist.id and fixed.corrected_by_id == gp.id
    entry = team.audit_entries()[-1]
    assert (entry.action, entry.user_name) == ("correction", "Dr Priya Shah")
    assert entry.after["correction_reason"] == "wrong drug named"  # type: ignore[index]
    record = build_session_record(team, sid).person(pid)
    pharmacist_review = next(r for r in record.reviews if r.author_id == pharmacist.id)
    assert "corrected by Dr Priya Shah (GP)" in record.review_byline(pharmacist_review)
    assert record.review_byline(pharmacist_review).startswith("Documented by Sam Okafor")


def test_goals_are_corrected_by_the_facilitator_or_a_clinician_only(
    session: tuple[int, int], team: Clinic
) -> None:
    sid, pid = session
    with team.acting_as(actor(team, "Jo Morgan")):
        goal = team.set_goal(sid, pid, "Walk", confidence=5)
    finish(team, sid)
    with team.acting_as(actor(team, "Jo Morgan")):
        team.correct_goal(goal.id, "typo", text="Walk daily")  # type: ignore[arg-type]
    with team.acting_as(actor(team, "Chris Lee")):
        team.correct_goal(goal.id, "typo", confidence=6)  # type: ignore[arg-type]
    for name in ("Sam Reid", "Alex Turner"):
        with team.acting_as(actor(team, name)), pytest.raises(NotAllowed):
            team.correct_goal(goal.id, "typo", text="Run")  # type: ignore[arg-type]


# ---------------------------------------------------------------- 5 and 6. measurements


def test_a_typo_is_voided_and_left_out_of_the_board_the_exports_and_monitoring(
    session: tuple[int, int], team: Clinic, tmp_path: Path
) -> None:
    sid, pid = session
    jo = actor(team, "Jo Morgan")
    with team.acting_as(jo):
        team.record_measurement(pid, "height", "170", session_id=sid)
        typo = team.record_measurement(pid, "weight", "48", session_id=sid, confirmed=True)
        right = team.record_measurement(pid, "weight", "83", session_id=sid)
    typo_weight, typo_bmi = typo
    assert typo_bmi.type_key == "bmi"
    # Someone else may not void Jo's value during the session; Jo and a clinician may.
    with team.acting_as(actor(team, "Sam Reid")), pytest.raises(NotAllowed, match="entered"):
        team.void_measurement(typo_weight.id, "typo")  # type: ignore[arg-type]
    with team.acting_as(jo), pytest.raises(InvalidInput, match="Reason"):
        team.void_measurement(typo_weight.id, "")  # type: ignore[arg-type]
    with team.acting_as(jo):
        voided = team.void_measurement(typo_weight.id, "typed 48 for 83")  # type: ignore[arg-type]
    assert {m.type_key for m in voided} == {"weight", "bmi"}  # its derived BMI goes with it
    assert all(m.void_reason == "typed 48 for 83" for m in voided)
    entry = [e for e in team.audit_entries() if e.action == "void"][0]
    assert entry.before["voided_at"] is None and entry.after["voided_at"]  # type: ignore[index]

    shown = {m.id for m in team.measurements(session_id=sid)}
    assert typo_weight.id not in shown and typo_bmi.id not in shown
    struck = {m.id: m for m in team.measurements(session_id=sid, include_voided=True)}
    assert struck[typo_weight.id].voided  # staff screens still see it, struck through
    assert build_board(team, sid).row_for(pid).cell("weight").values == (83,)  # type: ignore[union-attr]
    assert team.latest_measurement(pid, "weight").id == right[0].id  # type: ignore[union-attr]

    voids = [e for e in team.outbox_events() if e.type == "measurement_void"]
    assert {e.payload["measure"] for e in voids} == {"weight", "bmi"}  # type: ignore[index]
    assert all("value" not in e.payload for e in voids)  # type: ignore[operator]
    # The values still standing that day are sent again after the voids, so they are the latest.
    events = team.outbox_events()
    after_void = events[events.index(voids[0]):]
    resent = {e.payload["measure"]: e.payload["value"]  # type: ignore[index]
              for e in after_void if e.type == "measurement"}
    assert resent == {"weight": 83, "bmi": right[1].value}

    finish(team, sid)
    record = build_session_record(team, sid).person(pid)
    assert 48 not in [m.value for m in record.measurements]
    with team.acting_as(actor(team, "Alex Turner")):
        bundle = json.dumps(person_bundle(record, generated_at=record.info.session.started_at,
                                          generated_by="t", version=1))
        table = session_csv([record], {}).decode()
    assert '"value": 48' not in bundle and ",48.0," not in table and ",48," not in table


def test_correcting_a_value_after_the_session_is_for_clinicians_and_makes_a_v2_export(
    session: tuple[int, int], team: Clinic, tmp_path: Path
) -> None:
    sid, pid = session
    jo = actor(team, "Jo Morgan")
    with team.acting_as(jo):
        (systolic, diastolic) = team.record_measurement(pid, "blood_pressure", "148/86",
                                                        session_id=sid)
    finish(team, sid)
    first = export(team, sid, tmp_path)
    assert first.people == 1
    with team.acting_as(jo), pytest.raises(NotAllowed, match="only a clinician"):
        team.correct_measurement(systolic.id, "138/86", "misread")  # type: ignore[arg-type]
    gp = actor(team, "Dr Priya Shah")
    with team.acting_as(gp):
        with pytest.raises(InvalidInput, match="[Bb]lood pressure"):
            team.correct_measurement(systolic.id, "138", "misread")  # type: ignore[arg-type]
        with pytest.raises(NeedsConfirmation):
            team.correct_measurement(systolic.id, "238/86", "misread")  # type: ignore[arg-type]
        new = team.correct_measurement(diastolic.id, "138/86", "misread")  # type: ignore[arg-type]
    assert [(m.type_key, m.value) for m in new] == [("systolic_bp", 138), ("diastolic_bp", 86)]
    assert {m.replaces_id for m in new} == {systolic.id, diastolic.id}
    assert all(m.taken_by == jo.id for m in new)  # still credited to who took the reading
    assert pid in team.corrections_since_export(sid)
    second = export(team, sid, tmp_path, correction=True)
    (pdf,) = [p for p in second.files if p.suffix == ".pdf"]
    assert pdf.stem.endswith("-v2")
    text = " ".join(pdf_text(pdf).split())
    assert "CORRECTION" in text and "misread" in text
    assert "148" not in text.split("Coded summary")[0].split("Measurements")[1]


def test_one_attribution_for_a_reading_in_pdf_csv_and_fhir(
    session: tuple[int, int], team: Clinic, tmp_path: Path
) -> None:
    sid, pid = session
    nurse_taker = actor(team, "Chris Lee")
    with team.acting_as(actor(team, "Jo Morgan")):
        team.record_measurement(pid, "weight", "82", session_id=sid, taken_by_id=nurse_taker.id,
                            confirmed=True)  # far from last time, and right
        with pytest.raises(InvalidInput, match="Taken by"):
            team.record_measurement(
                pid, "weight", "82", session_id=sid, taken_by_id=9999, confirmed=True
            )
    finish(team, sid)
    result = export(team, sid, tmp_path)
    (csv_file,) = [p for p in result.files if p.suffix == ".csv"]
    rows = list(csv.DictReader(io.StringIO(csv_file.read_text("utf-8"))))
    weight = next(r for r in rows if r["item_key"] == "weight")
    assert (weight["clinician"], weight["author"], weight["author_profession"]) == (
        "Chris Lee", "Chris Lee", "Physiotherapist / AHP"
    )
    (bundle_file,) = [p for p in result.files if p.name.endswith(".fhir.json")]
    resources = [e["resource"] for e in json.loads(bundle_file.read_text())["entry"]]
    names = {r["id"]: r["name"][0]["text"] for r in resources
             if r["resourceType"] == "Practitioner"}
    observation = next(r for r in resources if r["resourceType"] == "Observation"
                       and r["code"].get("text") == "Weight")
    (performer,) = observation["performer"]
    assert names[performer["reference"].removeprefix("urn:uuid:")] == "Chris Lee"
    (pdf,) = [p for p in result.files if p.suffix == ".pdf"]
    text = " ".join(pdf_text(pdf).split())
    assert "Taken by" in text and "Chris Lee" in text and "Physiotherapist" in text


def test_going_back_to_the_old_schema_never_drops_a_professionals_review(
    session: tuple[int, int], team: Clinic
) -> None:
    from alembic import command

    from groupclinic_desktop.core import store

    sid, pid = session
    three_reviews(team, sid, pid)
    config = store.alembic_config(team.engine)
    command.downgrade(config, "0005")  # the later steps keep every review
    with pytest.raises(RuntimeError, match="more than one professional"):
        command.downgrade(config, "0004")
    assert store.current_revision(team.engine) == "0005", "the refused step changed nothing"
    command.upgrade(config, "head")
    assert len(team.reviews(sid, pid)) == 3
    assert store.migration_state(team.engine) == "current"
