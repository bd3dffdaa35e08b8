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


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.FACILITATOR: frozenset(
        {Permission.CHECK_IN, Permission.REVIEW_ON_BEHALF, Permission.RUN_SESSION, Permission.PLAN}
    ),
    Role.CLINICIAN: frozenset(
        {Permission.CHECK_IN, Permission.REVIEW, Permission.RUN_SESSION, Permission.PLAN}
    ),
    Role.ADMIN: frozenset(
        {
            Permission.PLAN,
            Permission.MANAGE_USERS,
            Permission.EXPORT,
            Permission.SYNC,
            Permission.RESTORE,
        }
    ),
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in GRANTS[role]
