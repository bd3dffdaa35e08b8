"""The Clinic facade: a person's details and equity fields."""

from typing import Any

from groupclinic_desktop.core.equity import clean_details
from groupclinic_desktop.core.facade.base import (
    ClinicBase,
    _get_in,
    snapshot,
)
from groupclinic_desktop.core.facade.organisation import member_or_refuse
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    Patient,
)


class PatientDetailsArea(ClinicBase):
    """A person's details and equity fields."""

    def update_patient_details(self, patient_id: int, **fields: Any) -> Patient:
        """Change a person's details and equity fields (admin, facilitator or clinician).

        Every equity field is optional: None or "" records "not stated". Values are checked by
        core.equity.clean_details; the change is one audited transaction.
        """

        actor = self._require(Permission.PLAN)
        # The registered practice must be a member practice: checked against the store below.
        practice = fields.pop("registered_ods", None)
        clean = clean_details(fields)
        with self._write() as s:
            if practice is not None:
                clean["registered_ods"] = member_or_refuse(s, practice)
            row = _get_in(s, Patient, patient_id, "patient")
            before = snapshot(row)
            changed = False
            for name, value in clean.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)
                    changed = True
            # A decile says the quintile too; a stale quintile beside a new decile would mislead.
            if "imd_decile" in clean and clean["imd_decile"] is not None:
                quintile = (clean["imd_decile"] + 1) // 2
                if row.imd_quintile != quintile:
                    row.imd_quintile, changed = quintile, True
            if changed:
                s.add(row)
                self._audit(s, actor, "update", row, before=before, patient_id=patient_id)
        return row
