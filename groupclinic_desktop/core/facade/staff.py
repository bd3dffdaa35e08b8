"""The Clinic facade: the practice and its staff."""

from sqlmodel import select

from groupclinic_desktop.core import auth, professions, sign_in_guard, text_checks
from groupclinic_desktop.core.errors import InvalidInput, NotFound
from groupclinic_desktop.core.facade.base import (
    ClinicBase,
    _aware,
    _get_in,
    _required,
    snapshot,
)
from groupclinic_desktop.core.facade.organisation import add_own_member
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    Practice,
    Role,
    StaffUser,
)

# SDS identifiers are numbers issued by the NHS Spine Directory Service: published examples of
# user IDs run from 9 digits ("014585858") to 12 ("111122223333"), role profile IDs are 12
# ("555086415105"); anything else is a typing slip. Systems: reference note, section 1.2.
SDS_ID_DIGITS = (9, 12)


def check_sds_id(value: str | None, field: str) -> str | None:
    """A blank clears the ID; spaces a person typed between digit groups are dropped."""
    text = "".join((value or "").split())
    if not text:
        return None
    low, high = SDS_ID_DIGITS
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput(f"{field}: '{text}' must be digits only.", field=field)
    if not low <= len(text) <= high:
        raise InvalidInput(
            f"{field}: '{text}' has {len(text)} digits; an SDS ID has {low} to {high}.",
            field=field,
        )
    return text


class StaffArea(ClinicBase):
    """The practice and its staff."""

    def practice(self) -> Practice | None:
        with self._read() as s:
            return s.exec(select(Practice)).first()

    def create_practice(self, ods_code: str, name: str, *, is_demo: bool = False) -> Practice:
        actor = self._require(Permission.MANAGE_USERS)
        ods_code = ods_code.strip().upper()
        if not ods_code.isalnum() or not 3 <= len(ods_code) <= 10:
            raise InvalidInput(f"ODS code: '{ods_code}' is not an ODS code.", field="ODS code")
        with self._write() as s:
            if s.exec(select(Practice)).first() is not None:
                raise InvalidInput("This store already holds a practice.")
            practice = Practice(
                ods_code=ods_code, name=_required(name, "Practice name"), is_demo=is_demo
            )
            s.add(practice)
            self._audit(s, actor, "create", practice)
            add_own_member(s, practice)
        self.location.remember_practice(practice.ods_code)
        return practice

    def staff(self, *, active_only: bool = True) -> list[StaffUser]:
        with self._read() as s:
            query = select(StaffUser).order_by(StaffUser.name)
            if active_only:
                query = query.where(StaffUser.active == True)  # noqa: E712
            return list(s.exec(query))

    def add_staff(
        self, name: str, role: Role, pin: str, profession: str | None = None
    ) -> StaffUser:
        """Add a staff member; the role decides what they may do, the profession what the
        record shows beside their name (a key or label of resources/professions.toml)."""
        actor = self._require(Permission.MANAGE_USERS)
        chosen = professions.check(profession)
        with self._write() as s:
            user = StaffUser(
                name=str(text_checks.parse_name(name, "Name")),
                role=Role(role),
                pin_hash=auth.hash_pin(pin),
                profession=chosen,
            )
            s.add(user)
            self._audit(s, actor, "create", user)
        return user

    def sign_in_troubles(self) -> list[StaffUser]:
        """Staff with wrong PINs since their last sign-in, or locked out now (admin): the admin
        is told, so that guessing at a colleague's PIN never goes unseen."""
        self._require(Permission.MANAGE_USERS)
        kept = sign_in_guard.read_failures(self.location.data_dir)
        troubled = []
        for user in self.staff():
            extra, until = kept.get(user.id, (0, None))  # type: ignore[arg-type]
            user.failed_sign_ins += extra
            locked_until = _aware(user.locked_until)
            if until and (locked_until is None or locked_until < until):
                user.locked_until = until
            if user.failed_sign_ins or user.locked_until:
                troubled.append(user)
        return troubled

    def unlock_staff(self, staff_id: int) -> StaffUser:
        """Lift a colleague's lock-out and clear their wrong-PIN count (admin), audited."""
        actor = self._require(Permission.MANAGE_USERS)
        with self._write() as s:
            user = _get_in(s, StaffUser, staff_id, "staff member")
            before = snapshot(user)
            user.failed_sign_ins = 0
            user.locked_until = None
            s.add(user)
            self._audit(s, actor, "unlock", user, before=before)
        kept = sign_in_guard.read_failures(self.location.data_dir)
        if kept.pop(staff_id, None) is not None:
            sign_in_guard.write_failures(self.location.data_dir, kept)
        return user

    def set_staff_active(self, staff_id: int, active: bool) -> StaffUser:
        """Allow or stop someone signing in (admin). Nobody can stop themselves."""
        actor = self._require(Permission.MANAGE_USERS)
        if actor.id == staff_id and not active:
            raise InvalidInput("You cannot stop yourself signing in; ask another admin.")
        with self._write() as s:
            user = _get_in(s, StaffUser, staff_id, "staff member")
            before = snapshot(user)
            user.active = active
            s.add(user)
            self._audit(s, actor, "update", user, before=before)
        return user

    def set_staff_profession(self, staff_id: int, profession: str | None) -> StaffUser:
        """Record or change someone's profession (admin); reviews keep the one they were
        written under."""
        actor = self._require(Permission.MANAGE_USERS)
        chosen = professions.check(profession)
        with self._write() as s:
            user = _get_in(s, StaffUser, staff_id, "staff member")
            before = snapshot(user)
            user.profession = chosen
            s.add(user)
            self._audit(s, actor, "update", user, before=before)
        return user

    def set_staff_sds_ids(
        self, staff_id: int, sds_user_id: str | None, sds_role_profile_id: str | None
    ) -> StaffUser:
        """Record or clear someone's SDS user ID and SDS role profile ID (admin), audited; the
        GP-record documents then name them on the Practitioner and PractitionerRole."""
        actor = self._require(Permission.MANAGE_USERS)
        user_id = check_sds_id(sds_user_id, "SDS user ID")
        role_id = check_sds_id(sds_role_profile_id, "SDS role profile ID")
        with self._write() as s:
            user = _get_in(s, StaffUser, staff_id, "staff member")
            before = snapshot(user)
            user.sds_user_id = user_id
            user.sds_role_profile_id = role_id
            s.add(user)
            self._audit(s, actor, "update", user, before=before)
        return user

    def find_staff(self, name_part: str) -> StaffUser:
        """The one active staff member whose name contains `name_part` (any case)."""

        wanted = name_part.strip().casefold()
        every = self.staff()
        exact = [u for u in every if u.name.casefold() == wanted]
        found = exact or [u for u in every if wanted and wanted in u.name.casefold()]
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFound(f"User: no staff member's name contains '{name_part}'.")
        names = "; ".join(u.name for u in found)
        raise InvalidInput(
            f"User: '{name_part}' matches more than one staff member ({names}); give more of "
            "the name.",
            field="User",
        )
