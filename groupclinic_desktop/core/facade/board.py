"""The Clinic facade: the biometric board: personal targets and board displays."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from groupclinic_desktop.core import audit
from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.facade.base import (
    ClinicBase,
    _get_in,
    _required,
    snapshot,
)
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    ClinicSession,
    Measurement,
    Patient,
    PersonalTarget,
)


class BoardArea(ClinicBase):
    """The biometric board: personal targets and board displays."""

    BOARD_DISPLAYS = ("second_screen", "png", "room_pdf", "handout", "remote_share")

    def set_personal_target(
        self,
        patient_id: int,
        type_key: str,
        *,
        below: float | None = None,
        above: float | None = None,
        reason: str,
    ) -> PersonalTarget:
        """A clinician's own target for one person (e.g. a relaxed HbA1c for frailty).

        It replaces the person's earlier personal target for that measurement; the board uses it
        instead of the guideline's. Clinicians only, with a reason, audited.
        """
        actor = self._require(Permission.REVIEW)
        mtype = catalogue().get(type_key)
        why = _required(reason, f"{mtype.label} personal target: reason")
        for level in (below, above):
            if level is None:
                continue
            if isinstance(level, bool) or not isinstance(level, int | float):
                raise InvalidInput(
                    f"{mtype.label} personal target: '{level}' is not a number.", field=mtype.label
                )
            if not mtype.hard_min <= level <= mtype.hard_max:
                raise InvalidInput(
                    f"{mtype.label} personal target: {level:g} {mtype.unit} is outside the "
                    f"plausible range ({mtype.hard_min:g}-{mtype.hard_max:g} {mtype.unit}).",
                    field=mtype.label,
                )
        if below is None and above is None:
            raise InvalidInput(
                f"{mtype.label} personal target: give a level to stay below or above.",
                field=mtype.label,
            )
        if below is not None and above is not None and above > below:
            raise InvalidInput(
                f"{mtype.label} personal target: the lower level ({above:g}) is above the upper "
                f"level ({below:g}).",
                field=mtype.label,
            )
        with self._write() as s:
            _get_in(s, Patient, patient_id, "patient")
            current = s.exec(
                select(PersonalTarget).where(
                    PersonalTarget.patient_id == patient_id,
                    PersonalTarget.type_key == type_key,
                    PersonalTarget.active == True,  # noqa: E712
                )
            ).all()
            for old in current:
                before = snapshot(old)
                old.active = False
                s.add(old)
                self._audit(s, actor, "update", old, before=before, patient_id=patient_id)
            row = PersonalTarget(
                patient_id=patient_id,
                type_key=type_key,
                below=None if below is None else float(below),
                above=None if above is None else float(above),
                reason=why,
                set_by_id=actor.id,
            )
            s.add(row)
            self._audit(s, actor, "create", row, patient_id=patient_id)
        return row

    def personal_targets(self, patient_id: int | None = None) -> list[PersonalTarget]:
        """Active personal targets of one person (or of everyone, for the board in one read)."""
        with self._read() as s:
            query = select(PersonalTarget).where(PersonalTarget.active == True)  # noqa: E712
            if patient_id is not None:
                query = query.where(PersonalTarget.patient_id == patient_id)
            return list(s.exec(query.order_by(col(PersonalTarget.id))))

    def board_measurements(
        self,
        patient_ids: Sequence[int],
        type_keys: Sequence[str],
        *,
        until: datetime | None = None,
    ) -> list[Measurement]:
        """Everyone's values for the board's columns in one read, oldest first."""
        if not patient_ids or not type_keys:
            return []
        with self._read() as s:
            query = select(Measurement).where(
                col(Measurement.patient_id).in_(list(patient_ids)),
                col(Measurement.type_key).in_(list(type_keys)),
                col(Measurement.voided_at).is_(None),  # a voided value never reaches the board
            )
            if until is not None:
                query = query.where(Measurement.taken_at < until)
            query = query.order_by(col(Measurement.taken_at), col(Measurement.id))
            return list(s.exec(query))

    def record_board_display(self, session_id: int, how: str, shown: dict[str, Any]) -> None:
        """Audit that the board left the laptop's own screen (second screen, PNG, PDFs).

        `shown` says who appeared and how (patient ids by name or by code); never names.
        """
        if how not in self.BOARD_DISPLAYS:
            raise InvalidInput(
                f"Board display: '{how}' is not one of {', '.join(self.BOARD_DISPLAYS)}."
            )
        actor = self._require(Permission.CHECK_IN)
        with self._write() as s:
            _get_in(s, ClinicSession, session_id, "session")
            audit.append(
                s,
                user_id=actor.id,
                user_name=actor.name,
                action="board_display",
                entity="clinic_session",
                entity_id=session_id,
                after={"how": how, **shown},
            )
