"""Enrolment and invitations: who is invited to which session, and what they said.

Each invitation is the Attendance row of a person and a session; its `invitation` field tracks
invited, accepted, declined or no reply. This module also gives the batch-messaging CSV (NHS
number, date of birth, name, mobile) that practices' text-message tools accept, the people who
need a letter instead, and the consent wording printed in the session pack. No Qt.
"""

from __future__ import annotations

import csv
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.private_files import private_file
from groupclinic_desktop.core.schema import (
    Attendance,
    ClinicSession,
    InvitationStatus,
    Patient,
    SessionStatus,
)
from groupclinic_desktop.core.spreadsheet import safe_cell
from groupclinic_desktop.resources import resource

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic

BATCH_HEADERS = ("NHS number", "Date of birth", "Name", "Mobile")
# Added for a video or hybrid session with a joining link or instructions: messaging tools offer
# extra columns as merge fields, so the text can carry how to join.
JOINING_HEADERS = ("Joining link", "Joining instructions")
STATUS_WORDS: Mapping[InvitationStatus, str] = {
    InvitationStatus.INVITED: "Invited",
    InvitationStatus.ACCEPTED: "Accepted",
    InvitationStatus.DECLINED: "Declined",
    InvitationStatus.NO_REPLY: "No reply",
}


@dataclass(frozen=True)
class Invitee:
    patient: Patient
    attendance: Attendance

    @property
    def status(self) -> InvitationStatus:
        return self.attendance.invitation

    @property
    def has_mobile(self) -> bool:
        return bool(self.patient.mobile)


@dataclass(frozen=True)
class InviteSummary:
    enrolled: int
    invitations: int  # new invitations written (existing ones are left as they are)
    sessions: tuple[int, ...]


def series(clinic: Clinic, session_id: int) -> list[ClinicSession]:
    """The session and the later planned sessions of its series (or just it, alone)."""
    first = clinic.session(session_id)
    if not first.series_uid:
        return [first]
    later = [
        s
        for s in clinic.sessions(since=first.day, status=SessionStatus.PLANNED)
        if s.series_uid == first.series_uid and s.id != first.id
    ]
    return [first, *later]


def enrol_and_invite(
    clinic: Clinic,
    patient_ids: Iterable[int],
    programme_id: int,
    session_id: int,
    *,
    whole_series: bool = False,
) -> InviteSummary:
    """Enrol people in the programme and invite them to a session (or its whole series).

    People already invited keep their invitation and reply.
    """
    sessions = series(clinic, session_id) if whole_series else [clinic.session(session_id)]
    for s in sessions:
        if s.programme_id != programme_id:
            raise InvalidInput("Invite: the session belongs to another programme", field="Session")
    ids = list(dict.fromkeys(patient_ids))
    already = {p.id for p in clinic.enrolled(programme_id)}
    for patient_id in ids:
        clinic.enrol(patient_id, programme_id)
    new = 0
    for s in sessions:
        assert s.id is not None
        invited = {entry.patient.id for entry in clinic.roster(s.id)}
        for patient_id in ids:
            if patient_id not in invited:
                clinic.invite(s.id, patient_id)
                new += 1
    return InviteSummary(
        enrolled=len([i for i in ids if i not in already]),
        invitations=new,
        sessions=tuple(s.id for s in sessions if s.id is not None),
    )


def invitees(clinic: Clinic, session_id: int) -> list[Invitee]:
    """Everyone invited to a session, by surname, with their invitation status."""
    return [Invitee(e.patient, e.attendance) for e in clinic.roster(session_id)]


def status_counts(clinic: Clinic, session_id: int) -> dict[InvitationStatus, int]:
    counted = Counter(i.status for i in invitees(clinic, session_id))
    return {status: counted.get(status, 0) for status in InvitationStatus}


def still_coming(clinic: Clinic, session_id: int) -> list[Invitee]:
    """Invitees who have not declined: the people on the register and the reminder list."""
    return [i for i in invitees(clinic, session_id) if i.status != InvitationStatus.DECLINED]


def recipients(clinic: Clinic, session_id: int) -> list[Patient]:
    """Who the session's messages and letters go to: invitees who have not declined, or, for a
    drop-in clinic (nobody is invited), everyone enrolled in its programme."""
    session = clinic.session(session_id)
    if session.drop_in:
        return list(clinic.enrolled(session.programme_id))
    return [i.patient for i in still_coming(clinic, session_id)]


def without_mobile(clinic: Clinic, session_id: int) -> list[Patient]:
    """People who need a letter: invited, not declined, and no mobile number on record."""
    return [p for p in recipients(clinic, session_id) if not p.mobile]


def joining_columns(session: ClinicSession) -> dict[str, str]:
    """The joining link and instructions as extra columns, or none for a session without them."""
    if not (session.joining_link or session.joining_instructions):
        return {}
    return {
        "Joining link": session.joining_link or "",
        "Joining instructions": session.joining_instructions or "",
    }


def batch_messaging_rows(clinic: Clinic, session_id: int) -> list[dict[str, str]]:
    """One row per recipient with a mobile, in the columns batch-messaging tools accept:
    NHS number as 10 digits, date of birth as DD/MM/YYYY, full name, mobile as 07..., then the
    joining link and instructions when the session has them."""
    joining = joining_columns(clinic.session(session_id))
    return [
        {
            "NHS number": p.nhs_number,
            "Date of birth": p.date_of_birth.strftime("%d/%m/%Y"),
            "Name": p.full_name,
            "Mobile": p.mobile or "",
            **joining,
        }
        for p in recipients(clinic, session_id)
        if p.mobile
    ]


def write_batch_messaging_csv(clinic: Clinic, session_id: int, out: Path) -> int:
    """Write the batch-messaging CSV; returns how many people are in it."""
    rows = batch_messaging_rows(clinic, session_id)
    headers = (*BATCH_HEADERS, *joining_columns(clinic.session(session_id)))
    out.parent.mkdir(parents=True, exist_ok=True)
    # UTF-8 with a byte-order mark so Excel reads accented names; no cell can run a formula.
    with private_file(out).open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=headers)
        writer.writeheader()
        writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in rows)
    return len(rows)


# --- consent wording ----------------------------------------------------------------------------

def default_wording() -> dict[str, Any]:
    with resource("consent_wording.toml").open("rb") as handle:
        return tomllib.load(handle)


def consent_wording(clinic: Clinic) -> dict[str, Any]:
    """The wording to print: the default with the practice's own fields laid over it."""
    wording = default_wording()
    own = clinic.consent_wording() or {}
    for name, value in own.items():
        if name == "consents":
            wording["consents"] = {**wording["consents"], **value}
        else:
            wording[name] = value
    return wording
