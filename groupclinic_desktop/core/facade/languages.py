"""The Clinic facade: the language of each session's patient-facing views."""

from groupclinic_desktop.core import i18n
from groupclinic_desktop.core.facade.base import ClinicBase
from groupclinic_desktop.core.roles import Permission


class LanguagesArea(ClinicBase):
    """The language of each session's patient-facing views."""

    # The group's language for a session's patient-facing views (presenter, room PDF) and
    # whether the practice has had a translation checked by a native speaker.
    SESSION_LANGUAGE_PREFIX = "session_language."
    LANGUAGE_CONFIRMED_PREFIX = "i18n.confirmed."

    def session_language(self, session_id: int) -> str:
        """The language code the room sees for this session ("en" unless one was chosen)."""
        chosen = self.setting(f"{self.SESSION_LANGUAGE_PREFIX}{session_id}")
        return i18n.normalise(chosen) or i18n.SOURCE_LANGUAGE

    def set_session_language(self, session_id: int, code: str) -> str:
        """Choose the room's language for a session; whoever runs the session may."""
        actor = self._require(Permission.RUN_SESSION)
        chosen = i18n.language(code).code
        self.session(session_id)  # NotFound for a session that does not exist
        self._save_setting(actor, f"{self.SESSION_LANGUAGE_PREFIX}{session_id}", chosen)
        return chosen

    def language_confirmed(self, code: str) -> bool:
        """True once the practice confirmed a native speaker checked this translation."""
        chosen = i18n.language(code).code
        if chosen == i18n.SOURCE_LANGUAGE:
            return True
        return bool(self.setting(f"{self.LANGUAGE_CONFIRMED_PREFIX}{chosen}", False))

    def confirm_language(self, code: str, confirmed: bool = True) -> None:
        """Record (admin only) that a native speaker has checked a translation, or undo it."""
        chosen = i18n.language(code).code
        self.set_setting(f"{self.LANGUAGE_CONFIRMED_PREFIX}{chosen}", bool(confirmed))

    def words(self, code: str | None) -> i18n.Words:
        """Words for PDFs in this language, with the practice's own confirmation of the
        translation (an unconfirmed one carries a small-print review note)."""
        chosen = i18n.language(code).code if code else i18n.SOURCE_LANGUAGE
        return i18n.words(chosen, confirmed=self.language_confirmed(chosen))

    def patient_language(self, patient_id: int, session_id: int | None = None) -> str:
        """A person's own PDF language: their preferred language when we have it, else the
        session's, else English."""
        own = i18n.normalise(self.patient(patient_id).preferred_language)
        if own:
            return own
        if session_id is not None:
            return self.session_language(session_id)
        return i18n.SOURCE_LANGUAGE
