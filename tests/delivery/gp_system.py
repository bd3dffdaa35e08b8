"""A receiving GP system, played by the tests: it reads its MESH inbox, checks each Send
Document message against the specification and answers with ITK3 acknowledgements."""

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fhir.resources.STU3.bundle import Bundle
from mesh_client import MeshClient

from tests.delivery.sandbox import PASSWORD, SHARED_KEY

ITK = "https://fhir.nhs.uk/STU3"
HANDLING = f"{ITK}/StructureDefinition/Extension-ITK-MessageHandling-2"
RESPONSE_CODES = f"{ITK}/CodeSystem/ITK-ResponseCodes-1"


@dataclass
class Received:
    mesh_id: str
    sender: str
    recipient: str
    workflow_id: str
    subject: str
    local_id: str
    bundle: dict[str, Any]

    def resources(self, kind: str) -> list[dict[str, Any]]:
        document = self.document
        return [e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == kind]

    @property
    def header(self) -> dict[str, Any]:
        return self.bundle["entry"][0]["resource"]

    @property
    def document(self) -> dict[str, Any]:
        return self.bundle["entry"][2]["resource"]

    @property
    def handling(self) -> dict[str, Any]:
        (ext,) = [e for e in self.header["extension"] if e["url"] == HANDLING]
        found: dict[str, Any] = {}
        for sub in ext["extension"]:
            found[sub["url"]] = next(v for k, v in sub.items() if k.startswith("value"))
        return found

    @property
    def patient(self) -> dict[str, Any]:
        (patient,) = self.resources("Patient")
        return patient


def client(url: str, mailbox: str) -> MeshClient:
    return MeshClient(url, mailbox, PASSWORD, shared_key=SHARED_KEY.encode(), max_retries=0)


def fetch_inbox(url: str, mailbox: str) -> list[Received]:
    """Everything in the mailbox's inbox, read, then acknowledged on MESH."""
    found = []
    with client(url, mailbox) as mesh:
        mesh.handshake()
        for mesh_id in mesh.list_messages():
            message = mesh.retrieve_message(mesh_id)
            body = message.read()
            message.close()
            found.append(
                Received(
                    mesh_id=mesh_id,
                    sender=message.sender or "",
                    recipient=message.recipient or "",
                    workflow_id=message.workflow_id or "",
                    subject=message.subject or "",
                    local_id=message.local_id or "",
                    bundle=json.loads(body),
                )
            )
            mesh.acknowledge_message(mesh_id)
    return found


def validate(received: Received) -> list[str]:
    """The message against GP Connect Send Document; the problems found (empty when valid)."""
    problems: list[str] = []
    try:
        Bundle.model_validate(received.bundle)  # the FHIR STU3 structure, every resource
    except ValueError as exc:
        problems.append(f"not valid FHIR STU3: {str(exc)[:300]}")
    bundle = received.bundle
    if bundle.get("type") != "message":
        problems.append("outer bundle is not a message")
    if f"{ITK}/StructureDefinition/ITK-Message-Bundle-1" not in bundle["meta"]["profile"]:
        problems.append("outer bundle profile")
    if bundle["identifier"]["system"] != "https://tools.ietf.org/html/rfc4122":
        problems.append("bundle identifier system")
    header = received.header
    if header["resourceType"] != "MessageHeader":
        problems.append("MessageHeader is not first")
    if header["event"]["code"] != "ITK007C":
        problems.append("event is not ITK007C")
    handling = received.handling
    expected = {
        "BusAckRequested": True,
        "InfAckRequested": True,
        "LocalExtension": "SendDocument-ConsultationReport",
    }
    for key, value in expected.items():
        if handling.get(key) != value:
            problems.append(f"handling {key} = {handling.get(key)!r}")
    if handling["RecipientType"]["code"] != "FA":
        problems.append("recipient type")
    if not handling["MessageDefinition"]["reference"].endswith(
        "ITK-GPConnectSendDocument-MessageDefinition-1"
    ):
        problems.append("message definition")
    if not handling.get("SenderReference"):
        problems.append("no SenderReference")
    if header["source"]["endpoint"] != received.sender:
        problems.append("source endpoint is not the sending mailbox")
    if "destination" in header or "receiver" in header:
        problems.append("destination/receiver present (CS-053)")
    urls = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    sender_org = urls.get(header["sender"]["reference"], {})
    if sender_org.get("resourceType") != "Organization" or not sender_org.get("identifier"):
        problems.append("header sender organisation")
    if header["focus"][0]["reference"] != bundle["entry"][2]["fullUrl"]:
        problems.append("focus is not the document bundle")
    document = received.document
    if document["type"] != "document":
        problems.append("payload is not a document bundle")
    inner = {e["fullUrl"]: e["resource"] for e in document["entry"]}
    composition = document["entry"][0]["resource"]
    if composition["resourceType"] != "Composition":
        problems.append("Composition is not first")
    if composition["type"]["coding"][0]["code"] != "371531000":
        problems.append("composition type")
    if composition["title"] != "Consultation report":
        problems.append("composition title")
    first = inner.get(composition["section"][0]["entry"][0]["reference"], {})
    if first.get("resourceType") != "Binary" or first.get("contentType") != "application/pdf":
        problems.append("first section entry is not the PDF")
    elif not base64.b64decode(first["content"]).startswith(b"%PDF"):
        problems.append("the Binary is not a PDF")
    for key in ("subject", "custodian"):
        if composition[key]["reference"] not in inner:
            problems.append(f"composition {key} is not in the document")
    for resource in [*urls.values(), *inner.values()]:
        if not resource.get("id") or not resource.get("meta", {}).get("profile"):
            problems.append(f"{resource['resourceType']} lacks id or meta.profile")
    patient = received.patient
    nhs = patient["identifier"][0]
    if nhs["system"] != "https://fhir.nhs.uk/Id/nhs-number":
        problems.append("patient NHS number system")
    if patient["name"][0].get("use") != "official":
        problems.append("patient name is not official")
    return problems


def routing_fields(received: Received) -> str:
    """The GPPROVIDER_ address production would route this message on, from its Patient."""
    patient = received.patient
    born = datetime.strptime(patient["birthDate"], "%Y-%m-%d")
    return (
        f"GPPROVIDER_{patient['identifier'][0]['value']}_{born:%d%m%Y}_"
        f"{patient['name'][0]['family']}"
    )


def acknowledgement(received: Received, code: str, mailbox: str) -> bytes:
    """An ITK3 response (event ITK008M) to a received message."""
    ok = code in ("20013", "30001")
    header_id = str(uuid.uuid4())
    outcome_id = str(uuid.uuid4())
    bundle = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"profile": [f"{ITK}/StructureDefinition/ITK-Message-Bundle-1"]},
        "identifier": {"system": "https://tools.ietf.org/html/rfc4122", "value": header_id},
        "type": "message",
        "entry": [
            {
                "fullUrl": f"urn:uuid:{header_id}",
                "resource": {
                    "resourceType": "MessageHeader",
                    "id": header_id,
                    "extension": [
                        {
                            "url": HANDLING,
                            "extension": [
                                {"url": "BusAckRequested", "valueBoolean": False},
                                {"url": "InfAckRequested", "valueBoolean": False},
                                {
                                    "url": "SenderReference",
                                    "valueString": received.handling["SenderReference"],
                                },
                            ],
                        }
                    ],
                    "event": {"system": f"{ITK}/CodeSystem/ITK-MessageEvent-2", "code": "ITK008M"},
                    "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
                    "source": {"endpoint": mailbox},
                    "response": {
                        "identifier": received.header["id"],
                        "code": "ok" if ok else "fatal-error",
                        "details": {"reference": f"urn:uuid:{outcome_id}"},
                    },
                },
            },
            {
                "fullUrl": f"urn:uuid:{outcome_id}",
                "resource": {
                    "resourceType": "OperationOutcome",
                    "id": outcome_id,
                    "issue": [
                        {
                            "severity": "information" if ok else "fatal",
                            "code": "informational" if ok else "processing",
                            "details": {"coding": [{"system": RESPONSE_CODES, "code": code}]},
                        }
                    ],
                },
            },
        ],
    }
    Bundle.model_validate(bundle)
    return json.dumps(bundle).encode()


def send_acknowledgement(url: str, mailbox: str, received: Received, code: str) -> None:
    with client(url, mailbox) as mesh:
        mesh.send_message(
            received.sender,
            acknowledgement(received, code, mailbox),
            workflow_id="GPFED_CONSULT_REPORT_ACK",
            local_id=mailbox,
            content_type="application/fhir+json",
        )
