"""The Clinic facade: patients and their enrolment."""

from datetime import date

from sqlmodel import col, select

from groupclinic_desktop.core import text_checks, validation
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.facade.base import (
    ClinicBase,
    _get_in,
)
from groupclinic_desktop.core.facade.organisation import member_or_refuse
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    Enrolment,
    Patient,
    Programme,
    Sex,
)


class PatientsArea(ClinicBase):
    """Patients and their enrolment."""

    def patients(self) -> list[Patient]:
        with self._read() as s:
            return list(s.exec(select(Patient).order_by(Patient.family_name, Patient.given_name)))

    def patient(self, patient_id: int) -> Patient:
        return self._get(Patient, patient_id, "patient")

    def patient_by_nhs_number(self, text: str) -> Patient | None:
        nhs = validation.parse_nhs_number(text)
        with self._read() as s:
            return s.exec(select(Patient).where(Patient.nhs_number == nhs)).first()

    def add_patient(
        self,
        nhs_number: str,
        given_name: str,
        family_name: str,
        date_of_birth: date | str,
        *,
        sex: Sex | str = Sex.UNKNOWN,
        preferred_name: str | None = None,
        mobile: str | None = None,
        hypo_risk: bool = False,
        registered_ods: str | None = None,
    ) -> Patient:
        """Add a person; registered_ods defaults to the store's only member practice."""
        actor = self._require(Permission.PLAN)
        row = Patient(
            nhs_number=validation.parse_nhs_number(nhs_number),
            given_name=text_checks.parse_name(given_name, "First name"),
            family_name=text_checks.parse_name(family_name, "Surname"),
            preferred_name=text_checks.parse_name(preferred_name, "Preferred name", required=False),
            date_of_birth=validation.parse_date_of_birth(date_of_birth),
            sex=_sex(sex),
            mobile=(mobile or "").strip() or None,
            hypo_risk=hypo_risk,
        )
        with self._write() as s:
            row.registered_ods = member_or_refuse(s, registered_ods)
            clash = s.exec(select(Patient).where(Patient.nhs_number == row.nhs_number)).first()
            if clash is not None:
                raise InvalidInput(
                    "NHS number: a patient with this NHS number is already recorded.",
                    field="NHS number",
                )
            s.add(row)
            s.flush()
            self._audit(s, actor, "create", row, patient_id=row.id)
        return row

    def enrol(self, patient_id: int, programme_id: int) -> Enrolment:
        actor = self._require(Permission.PLAN)
        with self._write() as s:
            _get_in(s, Patient, patient_id, "patient")
            _get_in(s, Programme, programme_id, "programme")
            existing = s.exec(
                select(Enrolment).where(
                    Enrolment.patient_id == patient_id, Enrolment.programme_id == programme_id
                )
            ).first()
            if existing is not None:
                return existing
            row = Enrolment(patient_id=patient_id, programme_id=programme_id)
            s.add(row)
            self._audit(s, actor, "create", row, patient_id=patient_id)
        return row

    def enrolled(self, programme_id: int) -> list[Patient]:
        with self._read() as s:
            query = (
                select(Patient)
                .join(Enrolment, col(Enrolment.patient_id) == Patient.id)
                .where(Enrolment.programme_id == programme_id, Enrolment.active == True)  # noqa: E712
                .order_by(Patient.family_name, Patient.given_name)
            )
            return list(s.exec(query))


def _sex(value: Sex | str) -> Sex:
    try:
        return Sex(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(s.value for s in Sex)
        raise InvalidInput(f"Sex: '{value}' is not one of {allowed}.", field="Sex") from None
