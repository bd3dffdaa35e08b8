"""The GP Connect "Send Document" message for one person, and reading its ITK3 acknowledgements.

The message is an ITK3 FHIR STU3 Bundle of type "message" [GPCM]:
  1. MessageHeader (ITK-MessageHeader-2): event ITK007C, the handling extension (acks requested,
     recipient type FA, message definition, SenderReference, local extension), the sender's MESH
     mailbox as source, the header Organization as sender, the document bundle as focus.
  2. the header Organization (CareConnect-ITK-Header-Organization-1) with its ODS code.
  3. the document: a Bundle of type "document" (ITK-Document-Bundle-1) holding the Composition
     (first; its first section entry is the PDF), the Binary PDF, the Patient, the author
     Practitioner(s), the Organization (custodian: the sender) and the Encounter.
Fixed values and their requirement ids are in resources/send_document.toml.
"""

from __future__ import annotations

import base64
import functools
import json
import tomllib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from groupclinic_desktop.core.views.session_record import PersonRecord
from groupclinic_desktop.resources import resource

_NAMESPACE = uuid.UUID("0b7f3c52-6a61-4f0e-8d2b-2f7d9c4e5a10")
_XHTML_OPEN = '<div xmlns="http://www.w3.org/1999/xhtml">'


@functools.cache
def spec() -> dict[str, Any]:
    with resource("send_document.toml").open("rb") as handle:
        return tomllib.load(handle)


@dataclass(frozen=True)
class Sender:
    ods_code: str
    name: str
    mailbox: str
    phone: str | None = None


def _instant(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")


def subject(person: PersonRecord) -> str:
    """Mex-Subject (CS-068)."""
    info = person.info
    return (
        f"Consultation report for {person.patient.full_name}, NHS Number "
        f"{person.patient.nhs_number}, seen at {info.practice_name}, ODS Code {info.ods_code}"
    )


def build_message(
    person: PersonRecord,
    pdf: bytes,
    *,
    sender: Sender,
    delivery_uid: str,
    message_uid: str,
    generated_at: datetime,
    version: int = 1,
) -> dict[str, Any]:
    """The Send Document message bundle for one person's notes, as plain JSON data.

    delivery_uid is the ITK SenderReference (the same on every attempt); message_uid names this
    attempt (the bundle's identifier and the MessageHeader's id, which acknowledgements quote).
    """
    return _Message(person, pdf, sender, delivery_uid, message_uid, generated_at, version).build()


def to_bytes(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _Message:
    def __init__(
        self,
        person: PersonRecord,
        pdf: bytes,
        sender: Sender,
        delivery_uid: str,
        message_uid: str,
        generated_at: datetime,
        version: int,
    ) -> None:
        self.person = person
        self.pdf = pdf
        self.sender = sender
        self.delivery_uid = delivery_uid
        self.message_uid = message_uid
        self.when = _instant(generated_at)
        self.version = version
        self.spec = spec()
        self.systems: dict[str, str] = self.spec["systems"]
        self.profiles: dict[str, str] = self.spec["profiles"]

    def _id(self, *parts: str) -> str:
        # Stable within one attempt; a new attempt (message_uid) gets new resource ids.
        return str(uuid.uuid5(_NAMESPACE, "/".join((self.message_uid, *parts))))

    def _meta(self, profile: str) -> dict[str, Any]:
        return {"meta": {"profile": [self.profiles[profile]], "lastUpdated": self.when}}

    def _entry(self, resource_id: str, resource_type: str, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "fullUrl": f"urn:uuid:{resource_id}",
            "resource": {"resourceType": resource_type, "id": resource_id, **body},
        }

    def _ods(self, code: str) -> list[dict[str, str]]:
        return [{"system": self.systems["ods_organization"], "value": code}]

    # ---- the message

    def build(self) -> dict[str, Any]:
        header_org = self._id("header-organization")
        document_id = self._id("document")
        return {
            "resourceType": "Bundle",
            "id": self.message_uid,
            **self._meta("message_bundle"),
            "identifier": {
                "system": self.systems["message_identifier"],
                "value": self.message_uid,
            },
            "type": "message",
            "entry": [
                self._header(header_org, document_id),
                self._entry(
                    header_org,
                    "Organization",
                    {
                        **self._meta("header_organization"),
                        "identifier": self._ods(self.sender.ods_code),
                        "name": self.sender.name,
                    },
                ),
                {
                    "fullUrl": f"urn:uuid:{document_id}",
                    "resource": self._document(document_id),
                },
            ],
        }

    def _header(self, header_org: str, document_id: str) -> dict[str, Any]:
        handling = self.spec["handling"]
        event = self.spec["event"]
        return self._entry(
            self.message_uid,
            "MessageHeader",
            {
                **self._meta("message_header"),
                "extension": [
                    {
                        "url": self.systems["handling"],
                        "extension": [
                            {"url": "BusAckRequested", "valueBoolean": handling["bus_ack"]},
                            {"url": "InfAckRequested", "valueBoolean": handling["inf_ack"]},
                            {
                                "url": "RecipientType",
                                "valueCoding": {
                                    "system": self.systems["recipient_type"],
                                    "code": handling["recipient_type"],
                                    "display": handling["recipient_type_display"],
                                },
                            },
                            {
                                "url": "MessageDefinition",
                                "valueReference": {"reference": handling["message_definition"]},
                            },
                            {"url": "SenderReference", "valueString": self.delivery_uid},
                            {"url": "LocalExtension", "valueString": handling["local_extension"]},
                        ],
                    }
                ],
                "event": {
                    "system": self.systems["message_event"],
                    "code": event["send"],
                    "display": event["send_display"],
                },
                "sender": {"reference": f"urn:uuid:{header_org}"},
                "timestamp": self.when,
                "source": {"endpoint": self.sender.mailbox},
                "focus": [{"reference": f"urn:uuid:{document_id}"}],
            },
        )

    # ---- the document

    def _document(self, document_id: str) -> dict[str, Any]:
        ids = {
            name: self._id(name)
            for name in ("composition", "binary", "patient", "organization", "encounter")
        }
        practitioners = self._practitioners()
        entries = [
            # STU3 Composition.author may name a Practitioner, never a PractitionerRole.
            self._composition(ids, [pid for pid, e in practitioners
                                    if e["resource"]["resourceType"] == "Practitioner"]),
            self._entry(
                ids["binary"],
                "Binary",
                {
                    **self._meta("binary"),
                    "contentType": "application/pdf",
                    "content": base64.b64encode(self.pdf).decode("ascii"),
                },
            ),
            self._patient(ids["patient"]),
            *[entry for _, entry in practitioners],
            self._organization(ids["organization"]),
            self._encounter(ids),
        ]
        return {
            "resourceType": "Bundle",
            "id": document_id,
            **self._meta("document_bundle"),
            "identifier": {"system": self.systems["message_identifier"], "value": document_id},
            "type": "document",
            "entry": entries,
        }

    def _composition(self, ids: dict[str, str], practitioner_ids: list[str]) -> dict[str, Any]:
        patient = self.person.patient
        info = self.person.info
        conf = self.spec["composition"]
        text = (
            f"Consultation report for {patient.full_name}, NHS Number {patient.nhs_number}, "
            f"seen at {info.practice_name}, ODS Code {info.ods_code}, Version {self.version}"
        )
        authors = [{"reference": f"urn:uuid:{p}"} for p in practitioner_ids] or [
            {"reference": f"urn:uuid:{ids['organization']}"}
        ]
        body: dict[str, Any] = {
            **self._meta("composition"),
            "text": {"status": "generated", "div": f"{_XHTML_OPEN}{_escape(text)}</div>"},
            "identifier": {
                "system": self.systems["message_identifier"],
                "value": ids["composition"],
            },
            "status": "final",
            "type": {
                "coding": [
                    {
                        "system": self.systems["snomed"],
                        "code": conf["type_code"],
                        "display": conf["type_display"],
                    }
                ]
            },
            "subject": {"reference": f"urn:uuid:{ids['patient']}"},
            "encounter": {"reference": f"urn:uuid:{ids['encounter']}"},
            "date": self.when,
            "author": authors,
            "title": conf["title"],
            "confidentiality": conf["confidentiality"],
            "custodian": {"reference": f"urn:uuid:{ids['organization']}"},
            "section": [
                {
                    "title": conf["title"],
                    "text": {
                        "status": "generated",
                        "div": f"{_XHTML_OPEN}The consultation report is the attached PDF.</div>",
                    },
                    "entry": [{"reference": f"urn:uuid:{ids['binary']}"}],
                }
            ],
        }
        # Corrections are not sent over MESH yet (each person goes once, version 1); a
        # replacement would name the earlier document's UUID in relatesTo (SD-038/039).
        return self._entry(ids["composition"], "Composition", body)

    def _patient(self, patient_id: str) -> dict[str, Any]:
        p = self.person.patient
        gender = p.sex.value if p.sex.value in ("male", "female", "other") else "unknown"
        return self._entry(
            patient_id,
            "Patient",
            {
                **self._meta("patient"),
                "identifier": [{"system": self.systems["nhs_number"], "value": p.nhs_number}],
                "name": [{"use": "official", "family": p.family_name, "given": [p.given_name]}],
                "gender": gender,
                "birthDate": p.date_of_birth.isoformat(),
            },
        )

    def _practitioners(self) -> list[tuple[str, dict[str, Any]]]:
        # The clinician who answers for the review, with their SDS user ID (the sdsUserID
        # slice, CS-036) and a PractitionerRole with their SDS role profile ID, when an admin
        # has recorded them (docs/gp-record-delivery.md).
        name = self.person.responsible_clinician
        if not name:
            return []
        user = self.person.responsible_clinician_user
        practitioner_id = self._id("practitioner", name)
        body: dict[str, Any] = {**self._meta("practitioner")}
        if user is not None and user.sds_user_id:
            body["identifier"] = [{"system": self.systems["sds_user"], "value": user.sds_user_id}]
        body["name"] = [{"text": name}]
        found = [(practitioner_id, self._entry(practitioner_id, "Practitioner", body))]
        if user is not None and user.sds_role_profile_id:
            role_id = self._id("practitioner-role", name)
            role = {
                **self._meta("practitioner_role"),
                "identifier": [
                    {"system": self.systems["sds_role_profile"], "value": user.sds_role_profile_id}
                ],
                "practitioner": {"reference": f"urn:uuid:{practitioner_id}"},
                "organization": {"reference": f"urn:uuid:{self._id('organization')}"},
            }
            found.append((role_id, self._entry(role_id, "PractitionerRole", role)))
        return found

    def _organization(self, organization_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            **self._meta("organization"),
            "identifier": self._ods(self.sender.ods_code),
            "name": self.sender.name,
        }
        if self.sender.phone:
            body["telecom"] = [{"system": "phone", "value": self.sender.phone, "use": "work"}]
        return self._entry(organization_id, "Organization", body)

    def _encounter(self, ids: dict[str, str]) -> dict[str, Any]:
        session = self.person.info.session
        start = datetime.combine(session.day, session.start_time).astimezone()
        return self._entry(
            ids["encounter"],
            "Encounter",
            {
                **self._meta("encounter"),
                "status": "finished",
                "subject": {"reference": f"urn:uuid:{ids['patient']}"},
                "period": {"start": start.isoformat(timespec="seconds")},
                "serviceProvider": {"reference": f"urn:uuid:{ids['organization']}"},
            },
        )


def _escape(text: str) -> str:
    from html import escape

    return escape(text)


# ---- acknowledgements


@dataclass(frozen=True)
class Acknowledgement:
    """One ITK3 response: which message it answers, and what it says."""

    sender_reference: str | None  # our delivery uid
    answers: str | None  # the MessageHeader id of the message it answers
    code: str  # ITK response code, e.g. 20013 or 30001
    ok: bool
    business: bool  # True for the business ack (3xxxx), False for the infrastructure ack
    reason: str  # words for the admin; never patient data


def read_acknowledgement(body: bytes) -> Acknowledgement:
    """Read an ITK3 response bundle; ValueError when it is not one."""
    try:
        bundle = json.loads(body)
    except ValueError as exc:
        raise ValueError("the acknowledgement is not JSON") from exc
    if not isinstance(bundle, dict) or bundle.get("type") != "message":
        raise ValueError("the acknowledgement is not a FHIR message bundle")
    resources = [e.get("resource", {}) for e in bundle.get("entry", []) if isinstance(e, dict)]
    header = next((r for r in resources if r.get("resourceType") == "MessageHeader"), None)
    if header is None:
        raise ValueError("the acknowledgement has no MessageHeader")
    systems = spec()["systems"]
    reference = None
    for ext in header.get("extension", []):
        if ext.get("url") == systems["handling"]:
            for sub in ext.get("extension", []):
                if sub.get("url") == "SenderReference":
                    reference = sub.get("valueString")
    response = header.get("response") or {}
    code = ""
    for outcome in (r for r in resources if r.get("resourceType") == "OperationOutcome"):
        for issue in outcome.get("issue", []):
            for coding in (issue.get("details") or {}).get("coding", []):
                if coding.get("system") == systems["response_codes"]:
                    code = str(coding.get("code", ""))
    if not code:
        raise ValueError("the acknowledgement carries no ITK response code")
    responses = spec()["responses"]
    business = code.startswith("3")
    positive = responses["positive_business" if business else "positive_infrastructure"]
    # The code decides: a duplicate (20007/20008) comes as a fatal error of that copy, yet the
    # practice holds the message, so for this delivery it is good news.
    ok = code in positive
    words = responses["text"].get(code, "no description for this code")
    return Acknowledgement(
        sender_reference=reference,
        answers=response.get("identifier"),
        code=code,
        ok=ok,
        business=business,
        reason=f"ITK {code}: {words}",
    )
