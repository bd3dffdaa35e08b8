"""Where one person's notes go over MESH.

In production MESH routes a Send Document message to the patient's registered practice by the
address GPPROVIDER_<NHS number>_<date of birth DDMMYYYY>_<surname> (GPCM CS-060/067), checked
against the demographics in the message. A hub may instead name an explicit mailbox for a member
practice (groupclinic mesh practice ODS --mailbox ID); that wins over automated routing.
"""

from dataclasses import dataclass
from datetime import date

from groupclinic_desktop.core.schema import MemberPractice, Patient


def automated_address(nhs_number: str, born: date, surname: str) -> str:
    """The MESH automated-routing address for a patient's registered GP practice."""
    return f"GPPROVIDER_{nhs_number}_{born:%d%m%Y}_{surname.strip()}"


@dataclass(frozen=True)
class Route:
    mex_to: str  # what goes in Mex-To
    automated: str  # the GPPROVIDER_ address production would route on
    explicit: bool


def route_for(patient: Patient, member: MemberPractice | None) -> Route:
    automated = automated_address(patient.nhs_number, patient.date_of_birth, patient.family_name)
    if member is not None and member.mesh_mailbox:
        return Route(member.mesh_mailbox, automated, True)
    return Route(automated, automated, False)
