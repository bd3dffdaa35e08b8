"""Who may do what. Enforced in the Clinic facade, so the UI and the CLI cannot bypass it."""

from enum import StrEnum

from groupclinic_desktop.core.schema import Role


class Permission(StrEnum):
    CHECK_IN = "check_in"  # attendance, consent, measurements, questionnaires, agenda, goals
    REVIEW = "review"  # document a one-to-one review in one's own name
    REVIEW_ON_BEHALF = "review_on_behalf"  # document a review for a named clinician
    RUN_SESSION = "run_session"  # start, move between phases, finish
    PLAN = "plan"  # programmes, sessions, patients, enrolment, invitations
    MANAGE_USERS = "manage_users"
    EXPORT = "export"
    SYNC = "sync"
    RESTORE = "restore"
    READ_REVIEWS = "read_reviews"  # see the text of one-to-one reviews
    CARE_PLAN = "care_plan"  # change a person's care and support plan
    # The care coordinator's list of what is due between sessions: contacts, re-invitations.
    # Staff whose profession is care coordinator may use it whatever their role
    # (core/facade/follow_up.py): the list is their job.
    FOLLOW_UP = "follow_up"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.FACILITATOR: frozenset(
        {
            Permission.CHECK_IN,
            Permission.REVIEW_ON_BEHALF,
            Permission.RUN_SESSION,
            Permission.PLAN,
            Permission.READ_REVIEWS,
            Permission.CARE_PLAN,
            Permission.FOLLOW_UP,
        }
    ),
    Role.CLINICIAN: frozenset(
        {
            Permission.CHECK_IN,
            Permission.REVIEW,
            Permission.RUN_SESSION,
            Permission.PLAN,
            Permission.READ_REVIEWS,
            Permission.CARE_PLAN,
        }
    ),
    Role.ADMIN: frozenset(
        {
            Permission.PLAN,
            Permission.MANAGE_USERS,
            Permission.EXPORT,
            Permission.SYNC,
            Permission.RESTORE,
            Permission.READ_REVIEWS,
            Permission.CARE_PLAN,
            Permission.FOLLOW_UP,
        }
    ),
    # Volunteers and VCFSE partners help with check-in, the board, the agenda and goals; they
    # never see or write one-to-one reviews and never export.
    # They help people put their goals into their plan in the goals phase.
    Role.CO_FACILITATOR: frozenset({Permission.CHECK_IN, Permission.CARE_PLAN}),
}

# Roles whose clinical content (reviews, voids after a session) carries professional weight.
CLINICAL_ROLES = frozenset({Role.CLINICIAN})


def allows(role: Role, permission: Permission) -> bool:
    return permission in GRANTS[role]
