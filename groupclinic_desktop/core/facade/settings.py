"""The Clinic facade: practice settings and what the session screens ask for."""

from datetime import date
from typing import Any

from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.facade.base import (
    SYSTEM,
    ClinicBase,
)
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    ClinicSession,
    SessionStatus,
    Setting,
)


class SettingsArea(ClinicBase):
    """Practice settings and what the session screens ask for."""

    # Display preferences are not clinical data, so anyone at the laptop may change them (even on
    # the sign-in screen); every other setting (e.g. the idle lock) is for an admin.
    DISPLAY_SETTING_PREFIX = "display."
    IDLE_LOCK_DEFAULT_MINUTES = 5

    def setting(self, key: str, default: Any = None) -> Any:
        """A practice setting's value (JSON), or default when it was never set."""

        with self._read() as s:
            row = s.get(Setting, key)
            return default if row is None else row.value

    def set_setting(self, key: str, value: Any) -> None:
        """Save a setting, audited. display.* keys need no sign-in; others need an admin."""

        if key.startswith(self.DISPLAY_SETTING_PREFIX):
            actor = self._actor or SYSTEM
        else:
            actor = self._require(Permission.MANAGE_USERS)
        if key == "idle_lock_minutes" and (
            isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 60
        ):
            raise InvalidInput(
                f"Idle lock: {value!r} is not a whole number of minutes from 1 to 60.",
                field="Idle lock",
            )
        self._save_setting(actor, key, value)

    def idle_lock_minutes(self) -> int:
        """Minutes without input before the screen locks (Setting "idle_lock_minutes")."""
        value = self.setting("idle_lock_minutes", self.IDLE_LOCK_DEFAULT_MINUTES)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 1:
            return self.IDLE_LOCK_DEFAULT_MINUTES
        return int(min(value, 60))

    def running_session(self, day: date | None = None) -> ClinicSession | None:
        """The session left running on a day (today by default), to resume straight into."""
        running = self.sessions(day=day or date.today(), status=SessionStatus.RUNNING)
        return running[-1] if running else None
