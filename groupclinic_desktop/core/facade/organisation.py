"""The Clinic facade: who runs the clinics (a practice, a PCN or a hub), its member practices and
each person's registered practice.

A neighbourhood clinic serves people registered at several practices, and their notes belong in
their own practice's record, so every person carries the ODS code of their registered practice
and it must be one of the store's member practices.
"""

import re

from sqlmodel import Session, col, select

from groupclinic_desktop.core.errors import InvalidInput, NotFound
from groupclinic_desktop.core.facade.base import (
    ClinicBase,
    _get_in,
    _required,
    snapshot,
)
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    MemberPractice,
    OrganisationKind,
    Patient,
    Practice,
)

_MAILBOX = re.compile(r"[A-Z0-9]{3,20}")


def clean_ods(text: str | None, field: str = "ODS code") -> str:
    """An ODS organisation code: 3-10 letters and digits, kept upper case."""
    code = (text or "").strip().upper()
    if not code.isalnum() or not 3 <= len(code) <= 10:
        raise InvalidInput(f"{field}: '{code}' is not an ODS code.", field=field)
    return code


def clean_mailbox(text: str | None) -> str | None:
    """A MESH mailbox id (e.g. X26ABC1); "" or None clears it (automated routing)."""
    box = (text or "").strip().upper()
    if not box:
        return None
    if not _MAILBOX.fullmatch(box):
        raise InvalidInput(
            f"MESH mailbox: '{box}' is not a mailbox id (letters and digits).", field="MESH mailbox"
        )
    return box


def add_own_member(s: Session, practice: Practice) -> MemberPractice | None:
    """A single practice is its own member practice (called when the practice is created)."""
    if practice.kind != OrganisationKind.PRACTICE:
        return None
    found = s.exec(select(MemberPractice).where(MemberPractice.ods_code == practice.ods_code))
    if found.first() is not None:
        return None
    member = MemberPractice(ods_code=practice.ods_code, name=practice.name)
    s.add(member)
    return member


def default_registered(s: Session) -> str | None:
    """The practice a new person is registered at when nobody said: the only member, if one."""
    members = list(s.exec(select(MemberPractice).where(MemberPractice.active == True)))  # noqa: E712
    return members[0].ods_code if len(members) == 1 else None


def member_or_refuse(s: Session, ods: str | None, field: str = "Registered practice") -> str:
    """The ODS code of an active member practice, or a one-line refusal naming the field."""
    if ods is None:
        ods = default_registered(s)
        if ods is None:
            raise InvalidInput(
                f"{field}: required, because this store serves several member practices.",
                field=field,
            )
    code = clean_ods(ods, field)
    member = s.exec(select(MemberPractice).where(MemberPractice.ods_code == code)).first()
    if member is None or not member.active:
        raise InvalidInput(f"{field}: '{code}' is not a member practice here.", field=field)
    return code


class OrganisationArea(ClinicBase):
    """The organisation that runs the clinics, its member practices, registered practices."""

    def organisation(self) -> Practice | None:
        with self._read() as s:
            return s.exec(select(Practice)).first()

    def set_organisation(
        self, kind: OrganisationKind | str, *, pcn_ods_code: str | None = None
    ) -> Practice:
        """Say whether the store's organisation is one practice, a PCN or a hub (admin)."""
        actor = self._require(Permission.MANAGE_USERS)
        try:
            kind = OrganisationKind(str(kind).strip().lower())
        except ValueError:
            raise InvalidInput(
                f"Organisation: '{kind}' is not one of practice, pcn, hub.", field="Organisation"
            ) from None
        pcn = clean_ods(pcn_ods_code, "PCN ODS code") if pcn_ods_code else None
        with self._write() as s:
            org = s.exec(select(Practice)).first()
            if org is None:
                raise NotFound("This store holds no practice yet.")
            before = snapshot(org)
            org.kind = kind
            org.pcn_ods_code = org.ods_code if kind == OrganisationKind.PCN else pcn
            s.add(org)
            self._audit(s, actor, "update", org, before=before)
            add_own_member(s, org)
        return org

    def member_practices(self, *, active_only: bool = True) -> list[MemberPractice]:
        with self._read() as s:
            query = select(MemberPractice).order_by(col(MemberPractice.ods_code))
            if active_only:
                query = query.where(MemberPractice.active == True)  # noqa: E712
            return list(s.exec(query))

    def member_practice(self, ods_code: str) -> MemberPractice | None:
        code = (ods_code or "").strip().upper()
        with self._read() as s:
            return s.exec(select(MemberPractice).where(MemberPractice.ods_code == code)).first()

    def add_member_practice(
        self, ods_code: str, name: str, *, mesh_mailbox: str | None = None
    ) -> MemberPractice:
        """Add a practice whose patients this store may hold (admin, audited)."""
        actor = self._require(Permission.MANAGE_USERS)
        code = clean_ods(ods_code, "Member practice ODS code")
        name = _required(name, "Member practice name")
        mailbox = clean_mailbox(mesh_mailbox)
        with self._write() as s:
            row = s.exec(select(MemberPractice).where(MemberPractice.ods_code == code)).first()
            if row is not None and row.active:
                raise InvalidInput(
                    f"Member practice ODS code: {code} is already a member practice.",
                    field="Member practice ODS code",
                )
            before = snapshot(row) if row else None
            row = row or MemberPractice(ods_code=code, name=name)
            row.name, row.active, row.mesh_mailbox = name, True, mailbox
            s.add(row)
            self._audit(s, actor, "update" if before else "create", row, before=before)
        return row

    def set_practice_mailbox(self, ods_code: str, mailbox: str | None) -> MemberPractice:
        """An explicit MESH mailbox for a member practice, used instead of automated routing.

        The organisation's own ODS code is accepted too: it is added as a member when missing,
        so a hub that is also a practice can receive its own people's notes.
        """
        actor = self._require(Permission.MANAGE_USERS)
        code = clean_ods(ods_code)
        box = clean_mailbox(mailbox)
        with self._write() as s:
            row = s.exec(select(MemberPractice).where(MemberPractice.ods_code == code)).first()
            if row is None:
                org = s.exec(select(Practice)).first()
                if org is None or org.ods_code != code:
                    raise InvalidInput(
                        f"ODS code: '{code}' is not a member practice here; add it first.",
                        field="ODS code",
                    )
                row = MemberPractice(ods_code=code, name=org.name)
                before = None
            else:
                before = snapshot(row)
            row.mesh_mailbox = box
            s.add(row)
            self._audit(s, actor, "update" if before else "create", row, before=before)
        return row

    def set_registered_practice(self, patient_id: int, ods_code: str) -> Patient:
        """Change the practice a person is registered at (a member practice), audited."""
        actor = self._require(Permission.PLAN)
        with self._write() as s:
            code = member_or_refuse(s, ods_code)
            row = _get_in(s, Patient, patient_id, "patient")
            if row.registered_ods == code:
                return row
            before = snapshot(row)
            row.registered_ods = code
            s.add(row)
            self._audit(s, actor, "update", row, before=before, patient_id=patient_id)
        return row

    def registered_practice_name(self, ods_code: str | None) -> str:
        """The member practice's name for an ODS code (the code itself when unknown)."""
        if not ods_code:
            return ""
        member = self.member_practice(ods_code)
        return member.name if member else ods_code
