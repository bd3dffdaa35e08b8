"""The Clinic facade: carers who come with the people they care for."""

import uuid

from sqlmodel import col, select

from groupclinic_desktop.core import validation
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.facade.base import (
    ClinicBase,
    _get_in,
    _refuse_if_closed,
    _required,
    snapshot,
)
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    Attendance,
    CarerVisit,
    ClinicSession,
    Patient,
    utcnow,
)


class CarersArea(ClinicBase):
    """Carers who come with the people they care for."""

    def add_carer_visit(
        self,
        session_id: int,
        cares_for_patient_id: int,
        carer_name: str,
        *,
        confidentiality_agreed: bool,
        carer_nhs_number: str | None = None,
    ) -> CarerVisit:
        """Record a carer who came with someone, with their own confidentiality agreement.

        A carer registered at the practice is named by NHS number: their record (which must
        already be held) is linked and marked as a carer, and only that record ever receives the
        carer's goal and wellbeing score. Without one, the visit stays local to this session.
        """

        actor = self._require(Permission.CHECK_IN)
        name = _required(carer_name, "Carer's name")
        if not confidentiality_agreed:
            raise InvalidInput(
                "Confidentiality: a carer joins the group only after agreeing to keep what is "
                "said in the room private.",
                field="Confidentiality",
            )
        nhs = validation.parse_nhs_number(carer_nhs_number) if carer_nhs_number else None
        with self._write() as s:
            session = _get_in(s, ClinicSession, session_id, "session")
            _refuse_if_closed(session)
            _get_in(s, Patient, cares_for_patient_id, "patient")
            carer_id: int | None = None
            if nhs is not None:
                carer = s.exec(select(Patient).where(Patient.nhs_number == nhs)).first()
                if carer is None:
                    raise InvalidInput(
                        "Carer's NHS number: nobody with this NHS number is on the practice's "
                        "record; leave it empty for a carer registered elsewhere.",
                        field="Carer's NHS number",
                    )
                if carer.id == cares_for_patient_id:
                    raise InvalidInput(
                        "Carer's NHS number: that is the person being cared for.",
                        field="Carer's NHS number",
                    )
                carer_id = carer.id
                if carer.is_carer is not True:
                    before = snapshot(carer)
                    carer.is_carer = True
                    s.add(carer)
                    self._audit(s, actor, "update", carer, before=before, patient_id=carer.id)
            row = CarerVisit(
                uid=str(uuid.uuid4()),
                session_id=session_id,
                cares_for_patient_id=cares_for_patient_id,
                carer_patient_id=carer_id,
                carer_name=name,
                confidentiality_agreed=True,
                recorded_by_id=actor.id,
            )
            s.add(row)
            # Filed under the carer's own record (when registered), never the cared-for person's.
            self._audit(s, actor, "create", row, patient_id=carer_id)
            attendance = s.exec(
                select(Attendance).where(
                    Attendance.session_id == session_id,
                    Attendance.patient_id == cares_for_patient_id,
                )
            ).first()
            if attendance is not None and not attendance.carer_present:
                before = snapshot(attendance)
                attendance.carer_present = True
                attendance.updated_at = utcnow()
                s.add(attendance)
                self._audit(
                    s, actor, "update", attendance, before=before, patient_id=cares_for_patient_id
                )
        return row

    def set_carer_wellbeing(
        self,
        visit_id: int,
        *,
        goal: str | None = None,
        goal_confidence: int | None = None,
        swemwbs_score: int | None = None,
    ) -> CarerVisit:
        """The carer's own goal (with confidence 0-10) and SWEMWBS raw total (7-35), if they
        wish. None leaves a value as it is; an empty goal removes the goal."""

        actor = self._require(Permission.CHECK_IN)
        for value, label, low, high in (
            (goal_confidence, "Carer's confidence", 0, 10),
            (swemwbs_score, "Carer's wellbeing (SWEMWBS total)", 7, 35),
        ):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
            ):
                raise InvalidInput(
                    f"{label}: {value!r} is not a whole number from {low} to {high}.", field=label
                )
        with self._write() as s:
            row = _get_in(s, CarerVisit, visit_id, "carer visit")
            _refuse_if_closed(_get_in(s, ClinicSession, row.session_id, "session"))
            before = snapshot(row)
            if goal is not None:
                row.goal = goal.strip()
            if goal_confidence is not None:
                row.goal_confidence = goal_confidence
            if swemwbs_score is not None:
                row.swemwbs_score = swemwbs_score
            if row.goal and row.goal_confidence is None:
                raise InvalidInput(
                    "Carer's confidence: a goal needs a confidence from 0 to 10.",
                    field="Carer's confidence",
                )
            row.updated_at = utcnow()
            s.add(row)
            self._audit(s, actor, "update", row, before=before, patient_id=row.carer_patient_id)
        return row

    def carer_visits(
        self,
        *,
        session_id: int | None = None,
        cares_for_patient_id: int | None = None,
        carer_patient_id: int | None = None,
    ) -> list[CarerVisit]:
        with self._read() as s:
            query = select(CarerVisit)
            if session_id is not None:
                query = query.where(CarerVisit.session_id == session_id)
            if cares_for_patient_id is not None:
                query = query.where(CarerVisit.cares_for_patient_id == cares_for_patient_id)
            if carer_patient_id is not None:
                query = query.where(CarerVisit.carer_patient_id == carer_patient_id)
            return list(s.exec(query.order_by(col(CarerVisit.id))))
