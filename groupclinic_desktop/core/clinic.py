"""The Clinic facade: the one door to a practice's data.

The UI, the CLI, the sync worker and the tests all go through it, so every rule lives here once:
who may do what, validation against the catalogue, and one transaction per write that also holds
its audit entry and, where the change belongs to the monitoring dataset, an outbox event.
"""

from groupclinic_desktop.core.facade.agenda import AgendaArea

# Names the rest of the app takes from here, as the facade's public vocabulary.
from groupclinic_desktop.core.facade.base import (  # noqa: F401
    BLOOD_PRESSURE,
    EXPORT_FORMATS,
    SYSTEM,
    Actor,
    ClinicBase,
    RosterEntry,
    snapshot,
)
from groupclinic_desktop.core.facade.board import BoardArea
from groupclinic_desktop.core.facade.care_plans import CarePlansArea
from groupclinic_desktop.core.facade.carers import CarersArea
from groupclinic_desktop.core.facade.checkin import CheckinArea
from groupclinic_desktop.core.facade.cohort_import import CohortImportArea
from groupclinic_desktop.core.facade.community import CommunityArea
from groupclinic_desktop.core.facade.delivery import DeliveryArea
from groupclinic_desktop.core.facade.export_log import ExportLogArea
from groupclinic_desktop.core.facade.follow_up import FollowUpArea
from groupclinic_desktop.core.facade.goals import GoalsArea
from groupclinic_desktop.core.facade.languages import LanguagesArea
from groupclinic_desktop.core.facade.measurement_fixes import MeasurementFixesArea
from groupclinic_desktop.core.facade.organisation import OrganisationArea
from groupclinic_desktop.core.facade.patient_details import PatientDetailsArea
from groupclinic_desktop.core.facade.patients import PatientsArea
from groupclinic_desktop.core.facade.programmes import ProgrammesArea
from groupclinic_desktop.core.facade.records import RecordsArea
from groupclinic_desktop.core.facade.red_flags import RedFlagsArea, SessionFlag  # noqa: F401
from groupclinic_desktop.core.facade.reviews import ReviewsArea
from groupclinic_desktop.core.facade.sessions import SessionsArea
from groupclinic_desktop.core.facade.settings import SettingsArea
from groupclinic_desktop.core.facade.staff import StaffArea
from groupclinic_desktop.core.facade.staff_experience import (  # noqa: F401
    StaffExperienceArea,
    StaffPlace,
)
from groupclinic_desktop.core.facade.store_safety import StoreSafetyArea
from groupclinic_desktop.core.facade.sync import SyncArea
from groupclinic_desktop.core.facade.wrapup import WrapupArea


class Clinic(
    StaffArea,
    SessionsArea,
    PatientsArea,
    CheckinArea,
    MeasurementFixesArea,
    AgendaArea,
    ReviewsArea,
    GoalsArea,
    RecordsArea,
    SettingsArea,
    BoardArea,
    SyncArea,
    WrapupArea,
    ExportLogArea,
    CohortImportArea,
    ProgrammesArea,
    StoreSafetyArea,
    PatientDetailsArea,
    CommunityArea,
    CarersArea,
    LanguagesArea,
    RedFlagsArea,
    OrganisationArea,
    DeliveryArea,
    CarePlansArea,
    FollowUpArea,
    StaffExperienceArea,
    ClinicBase,
):
    """One open practice store. Use `Clinic.open(data_dir)`; close it when done.

    Each area of the clinic lives in its own module under core/facade/; this class puts
    them together so that the UI, the CLI, the sync worker and the tests share one door.
    """
