"""One person's session as a FHIR R4 `document` Bundle, for integration engines and GP Connect.

Shape: Composition first (its sections carry the narrative: review notes, medication changes,
actions, safety-netting, agenda), then Patient, Encounter, Organization, Practitioner(s),
Observations (measurements, coded findings, questionnaire scores) and Goals.

Codes come from resources/catalogue.toml and resources/fhir.toml. A SNOMED CT code goes in only
when the catalogue marks it confirmed; otherwise the element carries text alone.

Medication changes are narrative only, not MedicationStatement: the GP system holds the
medication record and a prescriber makes the change there; an uncoded MedicationStatement built
from free text could be imported as a second, unchecked medication list.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
import uuid
from datetime import datetime
from html import escape
from typing import Any

from groupclinic_desktop import __version__
from groupclinic_desktop.core.catalogue import MeasurementType, catalogue
from groupclinic_desktop.core.community import coding
from groupclinic_desktop.core.joining import record_words
from groupclinic_desktop.core.questionnaires import get as questionnaire
from groupclinic_desktop.core.questionnaires import score as score_answers
from groupclinic_desktop.core.schema import (
    AttendanceStatus,
    Measurement,
    QuestionnaireResponse,
    StaffUser,
)
from groupclinic_desktop.core.views.session_record import PersonRecord
from groupclinic_desktop.export import interpretation
from groupclinic_desktop.export.coded_summary import bmi_from_earlier_height, coded_rows
from groupclinic_desktop.export.community_notes import carer_lines, signpost_lines, signpost_text
from groupclinic_desktop.resources import resource

# Fixed namespace so the same record always gets the same ids (a re-export is recognisable).
_NAMESPACE = uuid.UUID("6f1c2a4e-5b7d-4e0a-9a55-3c1f0d9b7e21")
XHTML = "http://www.w3.org/1999/xhtml"


@functools.cache
def settings() -> dict[str, Any]:
    """resources/fhir.toml, read once per process."""
    with resource("fhir.toml").open("rb") as handle:
        return tomllib.load(handle)


def bundle_id(person: PersonRecord, version: int) -> str:
    """One version of the document (Bundle.identifier, a UUID URN); version n+1 names version n
    in Composition.relatesTo as the document it replaces."""
    return f"urn:uuid:{_uuid(person, 'document', f'v{version}')}"


def document_id(person: PersonRecord) -> str:
    """The document's identity across its versions (Composition.identifier)."""
    return f"urn:uuid:{_uuid(person, 'document')}"


def person_bundle(
    person: PersonRecord,
    *,
    generated_at: datetime,
    generated_by: str,
    version: int = 1,
    previous_export_at: datetime | None = None,
) -> dict[str, Any]:
    """The FHIR R4 document Bundle for one person's part of one session, as plain JSON data.

    In a correction (version > 1) only what changed after `previous_export_at` is `amended`;
    without that time every Observation of a correction counts as changed.
    """
    builder = _Builder(person, generated_at, generated_by, version, previous_export_at)
    return _without_empties(builder.bundle())


def to_json(bundle: dict[str, Any]) -> bytes:
    return json.dumps(bundle, indent=2, ensure_ascii=False).encode("utf-8")


def _uuid(person: PersonRecord, *parts: str) -> uuid.UUID:
    name = "/".join((person.info.session.uid, person.patient.nhs_number, *parts))
    return uuid.uuid5(_NAMESPACE, name)


def _div(*blocks: str) -> dict[str, str]:
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{"".join(blocks)}</div>'}


def _p(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def _ul(items: list[str]) -> str:
    if not items:
        return _p("None recorded.")
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"


# Control characters FHIR strings (and the narrative's XHTML) cannot hold; tab, CR, LF can stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _without_empties(value: Any) -> Any:
    """FHIR JSON never has empty arrays, objects or strings: drop any that slipped in. Control
    characters in older text (saved before input refused them) are dropped too."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, dict):
        kept = {k: _without_empties(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in ({}, [], "", None)}
    if isinstance(value, list):
        kept_items = [_without_empties(v) for v in value]
        return [v for v in kept_items if v not in ({}, [], "", None)]
    return value


class _Builder:
    def __init__(
        self,
        person: PersonRecord,
        generated_at: datetime,
        generated_by: str,
        version: int,
        previous_export_at: datetime | None = None,
    ) -> None:
        self.person = person
        self.info = person.info
        self.generated_at = generated_at
        self.generated_by = generated_by
        self.version = version
        self.previous_export_at = (
            self.info.local(previous_export_at) if previous_export_at else None
        )
        self.conf = settings()
        self.systems: dict[str, str] = self.conf["systems"]
        self.entries: list[dict[str, Any]] = []
        self.practitioners: dict[int, str] = {}  # staff id -> urn
        self.patient_ref = f"urn:uuid:{_uuid(person, 'patient')}"
        self.encounter_ref = f"urn:uuid:{_uuid(person, 'encounter')}"
        self.org_ref = f"urn:uuid:{_uuid(person, 'organization')}"
        # The registered practice holds the record (custodian); the clinic's organisation wrote it.
        self.custodian_ref = self.org_ref
        if person.registered_ods and person.registered_ods != self.info.ods_code:
            self.custodian_ref = f"urn:uuid:{_uuid(person, 'registered-practice')}"

    # ---- helpers

    def _profile(self, name: str) -> dict[str, Any]:
        profiles = self.conf["profiles"]
        if not profiles.get("emit", False):
            return {}
        return {"meta": {"profile": [profiles["base"] + profiles[name]]}}

    def _add(self, ref: str, resource_type: str, body: dict[str, Any]) -> dict[str, Any]:
        resource = {"resourceType": resource_type, "id": ref.removeprefix("urn:uuid:"), **body}
        self.entries.append({"fullUrl": ref, "resource": resource})
        return resource

    def _practitioner(self, user: StaffUser | None) -> str | None:
        if user is None or user.id is None:
            return None
        if user.id not in self.practitioners:
            ref = f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{self.info.session.uid}/staff/{user.id}')}"
            self.practitioners[user.id] = ref
        return self.practitioners[user.id]

    def _staff_ref(self, staff_id: int | None) -> list[dict[str, str]]:
        ref = self._practitioner(self.person.staff.get(staff_id)) if staff_id else None
        return [{"reference": ref}] if ref else []

    def _time(self, when: datetime | None) -> str:
        """A clinical time: the session's, in the practice's time zone with its offset."""
        return self.info.clinical_time(when).isoformat(timespec="seconds")

    def _stamp(self, when: datetime) -> str:
        """A document time (generated at), in the practice's time zone with its offset."""
        return self.info.local(when).isoformat(timespec="seconds")

    def _status(self, changed_at: datetime | None) -> str:
        """final, or amended for what changed since the version this one replaces."""
        if self.version == 1:
            return "final"
        if self.previous_export_at is None or changed_at is None:
            return "amended"
        return "amended" if self.info.local(changed_at) > self.previous_export_at else "final"

    def _interpretation(self, code: str | None) -> dict[str, Any]:
        if code is None:
            return {}
        coding = {"system": interpretation.SYSTEM, "code": code}
        coding["display"] = interpretation.DISPLAY[code]
        return {"interpretation": [{"coding": [coding], "text": interpretation.WORDS[code]}]}

    def _snomed(self, code: str | None, term: str | None, confirmed: bool) -> list[dict[str, Any]]:
        if not (code and confirmed):
            return []
        coding = {"system": self.systems["snomed"], "code": code}
        if term:
            coding["display"] = term
        return [coding]

    def _loinc(self, code: str | None, extra: list[str] | None = None) -> list[dict[str, Any]]:
        displays: dict[str, str] = self.conf["loinc_display"]
        codings = []
        for each in ([code] if code else []) + list(extra or []):
            coding = {"system": self.systems["loinc"], "code": each}
            if each in displays:
                coding["display"] = displays[each]
            codings.append(coding)
        return codings

    def _vital(self, key: str) -> dict[str, Any]:
        return dict(self.conf.get("vital_signs", {}).get(key, {}))

    def _vital_profile(self, key: str, body: dict[str, Any]) -> dict[str, Any]:
        """meta.profile for a vital sign, only when the observation meets the UK Core profile:
        status final, category vital-signs, a LOINC and a SNOMED CT coding."""
        profiles = self.conf["profiles"]
        name = profiles["blood_pressure"] if key == "blood_pressure" else self._vital(key).get(
            "profile"
        )
        codings = body["code"].get("coding", [])
        systems = {c["system"] for c in codings}
        if (
            not profiles.get("emit", False)
            or not name
            or body["status"] != "final"
            or {self.systems["loinc"], self.systems["snomed"]} - systems
        ):
            return {}
        return {"meta": {"profile": [profiles["base"] + name]}}

    def _category(self, key: str) -> str:
        for category, keys in self.conf["categories"].items():
            if key in keys:
                return "vital-signs" if category == "vital_signs" else category
        return "exam"

    def _quantity(self, mtype: MeasurementType, value: float) -> dict[str, Any]:
        return {
            "value": round(value, mtype.decimals) if mtype.decimals else int(round(value)),
            # UK Core fixes the unit text of some vital signs ("kilogram", "per minute").
            "unit": self._vital(mtype.key).get("unit_text", mtype.unit),
            "system": self.systems["ucum"],
            "code": mtype.ucum,
        }

    def _observation_base(
        self, category: str, when: datetime | None, changed_at: datetime | None
    ) -> dict[str, Any]:
        return {
            "status": self._status(changed_at),
            "category": [
                {"coding": [{"system": self.systems["observation_category"], "code": category}]}
            ],
            "subject": {"reference": self.patient_ref},
            "encounter": {"reference": self.encounter_ref},
            "effectiveDateTime": self._time(when),
        }

    # ---- the bundle

    def bundle(self) -> dict[str, Any]:
        # One Composition per person and version: its id is its fullUrl's UUID, never shared.
        composition_ref = f"urn:uuid:{_uuid(self.person, 'composition', f'v{self.version}')}"
        # The Composition must come first; its body needs the other entries' references.
        self.entries.append({})
        self._patient()
        self._organization()
        self._encounter()
        section_entries: dict[str, list[str]] = {}
        if self.attended:
            section_entries = {
                "measurements": self._measurements(),
                "review": self._findings(),
                "scores": self._scores(),
                "goals": self._goals(),
                "actions": self._signposts(),
                "care_plan": self._care_plan(),
            }
        composition = self._composition(composition_ref, section_entries)
        self._practitioners()  # after the composition, which may name more of them as authors
        self.entries[0] = {"fullUrl": composition_ref, "resource": composition}
        return {
            "resourceType": "Bundle",
            # The app and version that made the document, as the PDF footer says.
            "meta": {"source": f"urn:groupclinic-desktop:{__version__}"},
            "identifier": {
                "system": self.systems["urn"],
                "value": bundle_id(self.person, self.version),
            },
            "type": "document",
            "timestamp": self._stamp(self.generated_at),
            "entry": self.entries,
        }

    @property
    def attended(self) -> bool:
        return self.person.attendance.status != AttendanceStatus.DID_NOT_ATTEND

    def _patient(self) -> None:
        p = self.person.patient
        given = [p.given_name]
        self._add(
            self.patient_ref,
            "Patient",
            {
                **self._profile("patient"),
                "identifier": [{"system": self.systems["nhs_number"], "value": p.nhs_number}],
                "name": [{"use": "official", "family": p.family_name, "given": given}],
                "gender": p.sex.value if p.sex.value in ("male", "female", "other") else "unknown",
                "birthDate": p.date_of_birth.isoformat(),
            },
        )

    def _organization(self) -> None:
        self._add(
            self.org_ref,
            "Organization",
            {
                **self._profile("organization"),
                "identifier": [
                    {"system": self.systems["ods_organization"], "value": self.info.ods_code}
                ],
                "name": self.info.practice_name,
            },
        )
        if self.custodian_ref != self.org_ref:
            self._add(
                self.custodian_ref,
                "Organization",
                {
                    **self._profile("organization"),
                    "identifier": [
                        {
                            "system": self.systems["ods_organization"],
                            "value": self.person.registered_ods,
                        }
                    ],
                    "name": self.person.registered_name,
                },
            )

    def _encounter(self) -> None:
        # How this person joined decides the class: in the room is ambulatory, video or phone
        # is virtual (also for a did-not-attend, whose expected channel is kept).
        klass = self.conf["encounter_class"][self.person.attendance.channel.value]
        start, end = self.info.window
        participants = [self.info.facilitator, *self.info.clinicians]
        body: dict[str, Any] = {
            **self._profile("encounter"),
            # A person who did not attend: the encounter ended before it began (R4 "cancelled").
            "status": "finished" if self.attended else "cancelled",
            "class": {"system": self.systems["act_code"], **klass},
            "type": [self._text_concept(self.conf["encounter_type"])],
            "subject": {"reference": self.patient_ref},
            "participant": [
                {"individual": {"reference": ref}}
                for user in participants
                if (ref := self._practitioner(user)) is not None
            ],
            # The session from its start to its actual finish, in the practice's time zone.
            "period": {
                "start": start.isoformat(timespec="seconds"),
                "end": end.isoformat(timespec="seconds"),
            },
            "serviceProvider": {"reference": self.org_ref},
        }
        self._add(self.encounter_ref, "Encounter", body)

    def _text_concept(self, entry: dict[str, Any]) -> dict[str, Any]:
        concept: dict[str, Any] = {"text": entry["text"]}
        if entry.get("confirmed") and entry.get("code") and entry.get("system"):
            coding = {"system": entry["system"], "code": entry["code"]}
            if entry.get("display"):
                coding["display"] = entry["display"]
            concept["coding"] = [coding]
        return concept

    def _practitioners(self) -> None:
        staff = {u.id: u for u in self.person.staff.values()}
        for staff_id, ref in sorted(self.practitioners.items()):
            user = staff[staff_id]
            # SDS identifiers only when an admin has recorded them (GP Connect CS-036).
            practitioner: dict[str, Any] = {**self._profile("practitioner")}
            if user.sds_user_id:
                practitioner["identifier"] = [
                    {"system": self.systems["sds_user"], "value": user.sds_user_id}
                ]
            self._add(ref, "Practitioner", {**practitioner, "name": [{"text": user.name}]})
            # Each person's profession, in this practice, as text (no confirmed code).
            role_ref = f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{ref}/role')}"
            role: dict[str, Any] = {}
            if user.sds_role_profile_id:
                role["identifier"] = [
                    {"system": self.systems["sds_role_profile"], "value": user.sds_role_profile_id}
                ]
            self._add(
                role_ref,
                "PractitionerRole",
                {
                    **role,
                    "practitioner": {"reference": ref},
                    "organization": {"reference": self.org_ref},
                    "code": [{"text": self.person.profession_of(staff_id)}],
                },
            )

    def _measurements(self) -> list[str]:
        refs: list[str] = []
        readings: dict[str, list[Measurement]] = {}
        singles: list[Measurement] = []
        for m in self.person.session_measurements:
            if m.reading_uid and m.type_key in ("systolic_bp", "diastolic_bp"):
                readings.setdefault(m.reading_uid, []).append(m)
            else:
                singles.append(m)
        for reading_uid, parts in readings.items():
            refs.append(self._blood_pressure(reading_uid, parts))
        for m in singles:
            refs.append(self._single(m))
        return refs

    def _blood_pressure(self, reading_uid: str, parts: list[Measurement]) -> str:
        panel = catalogue().panel("blood_pressure")
        ref = f"urn:uuid:{reading_uid}"
        components = []
        flags = []
        for key in panel.components:
            for m in parts:
                if m.type_key != key:
                    continue
                mtype = catalogue().get(key)
                coding = self._snomed(mtype.snomed_code, mtype.snomed_term, mtype.snomed_confirmed)
                flag = interpretation.flag(self.person, key, m.value)
                flags.append(flag)
                components.append(
                    {
                        "code": {
                            "coding": self._loinc(mtype.loinc) + coding,
                            # UK Core slices the components on this fixed text.
                            "text": self._vital(key).get("component_text", mtype.label),
                        },
                        "valueQuantity": self._quantity(mtype, m.value),
                        **self._interpretation(flag),
                    }
                )
        first = parts[0]
        body: dict[str, Any] = {
            **self._observation_base(
                "vital-signs", first.taken_at, max(p.entered_at for p in parts)
            ),
            "code": {
                "coding": self._loinc(panel.loinc)
                + self._snomed(panel.snomed_code, panel.snomed_term, panel.snomed_confirmed),
                "text": panel.snomed_term or panel.label,
            },
        }
        # One attribution: whoever took the reading (the PDF and CSV say the same).
        if performer := self._staff_ref(first.taken_by):
            body["performer"] = performer
        body.update(self._interpretation(interpretation.worst(flags)))
        body["component"] = components
        self._add(ref, "Observation", {**self._vital_profile("blood_pressure", body), **body})
        return ref

    def _single(self, m: Measurement) -> str:
        mtype = catalogue().get(m.type_key)
        category = self._category(m.type_key)
        ref = f"urn:uuid:{m.uid}"
        snomed = self._snomed(mtype.snomed_code, mtype.snomed_term, mtype.snomed_confirmed)
        loinc = (
            self._loinc(mtype.loinc, self._vital(m.type_key).get("loinc_extra"))
            if category == "vital-signs"
            else []
        )
        coding = loinc + snomed
        body: dict[str, Any] = {
            **self._observation_base(category, m.taken_at, m.entered_at),
            "code": {"coding": coding, "text": mtype.label} if coding else {"text": mtype.label},
        }
        if performer := self._staff_ref(m.taken_by):
            body["performer"] = performer
        body["valueQuantity"] = self._quantity(mtype, m.value)
        body.update(self._interpretation(interpretation.flag(self.person, m.type_key, m.value)))
        notes = []
        if m.source.value == "self_reported":
            notes.append({"text": "Reported by the patient."})
        if m.type_key == "bmi" and bmi_from_earlier_height(self.person):
            notes.append(
                {"text": "Worked out from this session's weight and an earlier height."}
            )
        if notes:
            body["note"] = notes
        if category == "vital-signs":
            claim = self._vital_profile(m.type_key, body)
        else:
            claim = self._profile("observation")
        self._add(ref, "Observation", {**claim, **body})
        return ref

    def _findings(self) -> list[str]:
        refs = []
        rows = [row for row in coded_rows(self.person) if row.kind == "finding"]
        by_author = {self.person.staff_name(r.author_id): r for r in self.person.reviews}
        for index, row in enumerate(rows):
            ref = f"urn:uuid:{_uuid(self.person, 'finding', str(index))}"
            coding = self._snomed(row.code, row.term, bool(row.code))
            # Each finding is credited to the professional whose review holds it.
            review = by_author.get(row.clinician)
            body: dict[str, Any] = {
                **self._profile("observation"),
                # A finding is the session's, whenever the note was typed.
                **self._observation_base("exam", None, review.updated_at if review else None),
                "code": {"coding": coding, "text": row.term} if coding else {"text": row.term},
            }
            if performer := self._staff_ref(review.author_id if review else None):
                body["performer"] = performer
            self._add(ref, "Observation", body)
            refs.append(ref)
        return refs

    def _scores(self) -> list[str]:
        refs = []
        for response in self.person.responses:
            if not response.complete or response.score is None:
                continue
            refs.append(self._score(response))
        return refs

    def _score(self, response: QuestionnaireResponse) -> str:
        q = questionnaire(response.questionnaire_key)
        conf = self.conf["scores"].get(q.key, {"text": q.title, "unit": "{score}"})
        ref = f"urn:uuid:{response.uid}"
        body: dict[str, Any] = {
            **self._profile("observation"),
            **self._observation_base("survey", response.entered_at, response.entered_at),
            "code": {"text": conf["text"]},
        }
        if performer := self._staff_ref(response.entered_by_id):
            body["performer"] = performer
        if q.scoring == "choice":
            body["valueString"] = score_answers(q.key, response.answers or {}).label
        else:
            unit = conf["unit"]
            body["valueQuantity"] = {
                "value": response.score,
                "unit": unit.strip("{}"),
                "system": self.systems["ucum"],
                "code": unit,
            }
        self._add(ref, "Observation", body)
        return ref

    def _goals(self) -> list[str]:
        refs = []
        in_plan = {g.uid for g in self.person.care_plan.goals} if self.person.care_plan else set()
        for goal in self.person.goals:
            if goal.uid in in_plan:
                # The plan's Goal (with its status across sessions) stands for it.
                refs.append(f"urn:uuid:{goal.uid}")
                continue
            ref = f"urn:uuid:{goal.uid}"
            note = f"Confidence {goal.confidence}/10."
            if goal.what_matters:
                note += f" What matters: {goal.what_matters}"
            # No UK Core Goal profile exists (reference note 1.1): the base R4 Goal, unclaimed.
            body: dict[str, Any] = {
                "lifecycleStatus": "active",
                "description": {"text": goal.text},
                "subject": {"reference": self.patient_ref},
                "startDate": self.info.day.isoformat(),
                "expressedBy": {"reference": self.patient_ref},
                "note": [{"text": note}],
            }
            if goal.review_date:
                body["target"] = [{"dueDate": goal.review_date.isoformat()}]
            self._add(ref, "Goal", body)
            refs.append(ref)
        return refs

    def _care_plan(self) -> list[str]:
        """The person's care and support plan as a CarePlan with its Goals (base R4: the UK Core
        CarePlan profile is a draft, reference note 1.1). Coded only where resources/fhir.toml
        holds a confirmed code; otherwise text."""
        plan = self.person.care_plan
        if plan is None:
            return []
        from groupclinic_desktop.export.care_plan_text import (
            ACHIEVEMENT,
            LIFECYCLE,
            STATUS_WORDS,
            action_line,
            support_line,
        )

        conf = self.conf["care_plan"]
        goal_refs = []
        session_goals = {g.uid for g in self.person.goals}
        for goal in plan.goals:
            ref = f"urn:uuid:{goal.uid}"
            goal_refs.append(ref)
            body: dict[str, Any] = {
                "lifecycleStatus": LIFECYCLE[goal.status],
                "description": {"text": goal.text},
                "subject": {"reference": self.patient_ref},
                "expressedBy": {"reference": self.patient_ref},
                "note": [{"text": f"In the care plan: {STATUS_WORDS[goal.status]}."}],
            }
            if goal.status in ACHIEVEMENT:
                body["achievementStatus"] = {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/goal-achievement",
                            "code": ACHIEVEMENT[goal.status],
                        }
                    ],
                    "text": STATUS_WORDS[goal.status],
                }
            # Every clinical date in the document is this session's: a goal set at an earlier
            # session says when in words.
            if goal.set_on == self.info.day:
                body["startDate"] = goal.set_on.isoformat()
            elif goal.set_on:
                body["note"].append({"text": f"Set on {goal.set_on:%d/%m/%Y}."})
            if goal.confidence is not None:
                body["note"].append({"text": f"Confidence {goal.confidence}/10."})
            if goal.review_date:
                body["target"] = [{"dueDate": goal.review_date.isoformat()}]
            self._add(ref, "Goal", body)
        notes = []
        if plan.what_matters:
            notes.append({"text": f"What matters to me: {plan.what_matters}"})
        for item in plan.support:
            notes.append({"text": f"Support: {support_line(item)}"})
        if plan.if_worse:
            notes.append({"text": f"If things get worse: {plan.if_worse}"})
        if plan.next_review:
            notes.append({"text": f"Next review: {plan.next_review:%d/%m/%Y}"})
        notes.append({"text": f"Plan version {plan.version or 'built from the sessions'}."})
        ref = f"urn:uuid:{plan.uid or _uuid(self.person, 'care-plan', str(plan.programme_id))}"
        body = {
            "identifier": [{"system": self.systems["urn"], "value": f"urn:uuid:{ref[9:]}"}],
            "status": "active",
            "intent": "plan",
            # "Care plan review" rides along as a category: coded only once resources/fhir.toml
            # holds a confirmed code with its source; until then its text says "unconfirmed".
            "category": [self._text_concept(conf["category"]), self._text_concept(conf["review"])],
            "title": f"{conf['title']}: {plan.programme_name}",
            "subject": {"reference": self.patient_ref},
            "encounter": {"reference": self.encounter_ref},
            "goal": [{"reference": r} for r in goal_refs],
            "activity": [
                {
                    "detail": {
                        "status": "completed" if action.done else "not-started",
                        "description": action_line(action),
                        **(
                            {"scheduledString": f"by {action.due:%d/%m/%Y}"}
                            if action.due
                            else {}
                        ),
                    }
                }
                for action in plan.actions
            ],
            "note": notes,
        }
        self._add(ref, "CarePlan", body)
        # The session's own goals are in the Goals section already.
        return [ref] + [r for r in goal_refs if r.removeprefix("urn:uuid:") not in session_goals]

    def _signposts(self) -> list[str]:
        # A signposting or referral to community support, as a ServiceRequest whose code is
        # text only until resources/community.toml confirms one.

        refs = []
        for signpost, entry in self.person.signposts:
            ref = f"urn:uuid:{signpost.uid}"
            code = coding(signpost.kind)
            concept: dict[str, Any] = {"text": f"{code.term}: {entry.name}"}
            if code.export_code:
                concept["coding"] = self._snomed(code.export_code, code.term, True)
            # Active: the person has been pointed to the service, which has not happened yet.
            body: dict[str, Any] = {
                "status": "active",
                "intent": "order",
                "code": concept,
                "subject": {"reference": self.patient_ref},
                "encounter": {"reference": self.encounter_ref},
                "authoredOn": self._time(signpost.at),
                "note": [{"text": signpost_text(signpost, entry)}],
            }
            requester = self._staff_ref(signpost.by_id)
            if requester:
                body["requester"] = requester[0]
            self._add(ref, "ServiceRequest", body)
            refs.append(ref)
        return refs

    # ---- the composition and its narrative

    def _composition(self, ref: str, section_entries: dict[str, list[str]]) -> dict[str, Any]:
        titles: dict[str, str] = self.conf["sections"]
        narrative = self._narrative()
        sections = []
        for key, title in titles.items():
            if not self.attended and key != "attendance":
                continue  # a did-not-attend record is its attendance alone
            section: dict[str, Any] = {"title": title, "text": _div(*narrative[key])}
            refs = section_entries.get(key, [])
            if refs:
                section["entry"] = [{"reference": r} for r in refs]
            sections.append(section)
        # Each review's author; with no review and no clinician or facilitator named (planned
        # "choose later"), the organisation alone authors.
        writers = [self.person.staff.get(r.author_id) for r in self.person.reviews if r.author_id]
        authors = [
            {"reference": author}
            for user in (writers or self.info.clinicians or (self.info.facilitator,))
            if (author := self._practitioner(user)) is not None
        ] + [{"reference": self.org_ref}]  # the organisation that ran the clinic
        body: dict[str, Any] = {
            **self._profile("composition"),
            # The same document across its versions; Bundle.identifier names each version.
            "identifier": {"system": self.systems["urn"], "value": document_id(self.person)},
            "status": "amended" if self.version > 1 else "final",
            "type": self._text_concept(self.conf["composition_type"]),
            "subject": {"reference": self.patient_ref},
            "encounter": {"reference": self.encounter_ref},
            "date": self._stamp(self.generated_at),
            "author": authors,
            "title": self._title(),
            "custodian": {"reference": self.custodian_ref},
            "section": sections,
        }
        if self.version > 1:
            body["relatesTo"] = [
                {
                    "code": "replaces",
                    "targetIdentifier": {
                        "system": self.systems["urn"],
                        "value": bundle_id(self.person, self.version - 1),
                    },
                }
            ]
        return {"resourceType": "Composition", "id": ref.removeprefix("urn:uuid:"), **body}

    def _care_plan_narrative(self) -> list[str]:
        from groupclinic_desktop.export.care_plan_text import plan_footer, plan_lines

        plan = self.person.care_plan
        if plan is None:
            return [_p("No care and support plan recorded.")]
        blocks = []
        for heading, lines in plan_lines(plan):
            if lines:
                blocks.append(_p(f"{heading}:") + _ul(lines))
        blocks.append(_p(plan_footer(plan)))
        return blocks

    def _attendance_lines(self) -> list[str]:
        person = self.person
        info = self.info
        start, _ = info.window
        when = f"{start:%d/%m/%Y %H:%M}"
        if not self.attended:
            text = self.conf["attendance"]["did_not_attend"]["text"]
            return [_p(f"{text}: {info.programme_name}, {when}, {info.session.place}.")]
        text = self.conf["attendance"]["attended"]["text"]
        status = person.attendance.status.value.replace("_", " ")
        joined = record_words(person.attendance)
        line = f"{text} {joined}: {info.programme_name}, {when}, {info.session.place} ({status})."
        lines = [_p(line)]
        if person.came_with_carer:
            lines.append(_p("A carer was present."))
        return lines

    def _title(self) -> str:
        title = f"{self.info.programme_name}: group clinic notes, {self.info.day:%d/%m/%Y}"
        if self.version > 1:
            title += f" (CORRECTION, version {self.version})"
        return title

    def _narrative(self) -> dict[str, list[str]]:
        person = self.person
        consents = ", ".join(
            f"{kind.value.replace('_', ' ')}: {'yes' if given else 'no'}"
            for kind, given in sorted(person.consents.items())
        )
        rows = coded_rows(person)
        measurements = [
            f"{r.term}: {r.value} {r.unit} ({r.day:%d/%m/%Y})".replace("  ", " ")
            + (f" [{interpretation.WORDS[r.flag]}]" if r.flag else "")
            for r in rows
            if r.kind == "measurement"
        ]
        scores = [f"{r.term}: {r.value} {r.unit}".strip() for r in rows if r.kind == "score"]
        review_blocks: list[str] = []
        medication: list[str] = []
        actions: list[str] = []
        safety: list[str] = []
        for review in person.reviews:
            if len(person.reviews) > 1:
                review_blocks.append(_p(f"{person.review_author(review)}:"))
            review_blocks.append(_p(review.notes or "No notes recorded."))
            author = person.staff_name(review.author_id)
            findings = [r.term for r in rows if r.kind == "finding" and r.clinician == author]
            if findings:
                review_blocks.append(_p("Findings:") + _ul(findings))
            review_blocks.append(_p(person.review_byline(review)))
            medication += [
                " ".join(
                    part
                    for part in (
                        m["action"].replace("_", " ").capitalize() + ":",
                        m["drug"],
                        m.get("dose") or "",
                        f"({author})" if len(person.reviews) > 1 else "",
                    )
                    if part
                )
                for m in review.medication_changes or []
            ]
            actions += [
                f"{a['text']} (owner: {a.get('owner') or 'not set'}; "
                f"due: {a.get('due') or 'not set'})"
                for a in review.actions or []
            ]
            if review.safety_netting:
                safety.append(_p(f"Safety-netting: {review.safety_netting}"))
        goals = [
            f"{g.text} (confidence {g.confidence}/10"
            + (f"; review by {g.review_date:%d/%m/%Y}" if g.review_date else "")
            + ")"
            for g in person.goals
        ]
        topics = [item.text for item in self.info.covered_topics]

        signposts = signpost_lines(person)
        # Only the carer's own record has carer_visits; the cared-for person's never does.
        carer = [line for visit in person.carer_visits for line in carer_lines(visit)]
        made_by = _p(f"Made by GroupClinic Desktop {__version__}.")
        if not self.attended:
            return {"attendance": [*self._attendance_lines(), made_by]}
        return {
            "attendance": [
                *self._attendance_lines(),
                _p(f"Consent: {consents or 'none recorded'}."),
                made_by,
            ],
            "measurements": [_ul(measurements)],
            "scores": [_ul(scores)],
            "review": review_blocks or [_p("No one-to-one review recorded.")],
            "medication": [
                _ul(medication),
                _p("Medication changes are to be made in the GP system by a prescriber."),
            ]
            if medication
            else [_p("No medication changes.")],
            "actions": [_ul(actions), *safety, *([_ul(signposts)] if signposts else [])],
            "goals": [_ul(goals), *([_p(" ".join(carer))] if carer else [])],
            "care_plan": self._care_plan_narrative(),
            "agenda": [_ul(topics)],
        }
