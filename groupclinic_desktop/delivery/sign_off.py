"""The one question GP record delivery asks about authorship: do these notes still wait for
their clinician's sign-off? Notes written on a clinician's behalf are not sent until signed.

The store records sign-off on each review (Clinic.awaiting_sign_off); export holds the same
people back.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic


def awaiting_clinician_sign_off(clinic: "Clinic", session_id: int, patient_id: int) -> bool:
    """True while this person's notes from this session wait for a clinician to sign them."""
    return any(
        review.patient_id == patient_id
        for review in clinic.awaiting_sign_off(session_id=session_id)
    )
