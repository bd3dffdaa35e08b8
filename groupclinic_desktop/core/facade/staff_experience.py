"""The Clinic facade: the staff's own answers about a session they ran (anonymous).

At the end of a session each member of staff who helped run it may answer three short questions
(core/staff_experience.py). The answers are kept and sent with the role and profession only: no
staff id, no name and no time of answering are stored with them, and the audit entry says that
a set was recorded for the session without saying what it held or whose it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from groupclinic_desktop.core import audit, outbox, professions
from groupclinic_desktop.core import staff_experience as questions
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.facade.base import ClinicBase, _get_in
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    ClinicSession,
    SessionClinician,
    SessionStatus,
    StaffExperience,
    StaffUser,
)

ANSWERABLE = (SessionStatus.FINISHED, SessionStatus.EXPORTED)


@dataclass(frozen=True)
class StaffPlace:
    """One member of staff who ran the session, as the question set knows them: a role and a
    profession (no name). `state` is "waiting", "answered" or "skipped"; `mine` marks the place
    of whoever is signed in, so the screen can offer it first."""

    role: str
    profession: str
    state: str
    mine: bool = False

    @property
    def words(self) -> str:
        job = professions.label(self.profession) if self.profession != "not_recorded" else ""
        role = questions.ROLE_WORDS[self.role]
        return f"{job}, {role.lower()}" if job else role


class StaffExperienceArea(ClinicBase):
    """The end-of-session staff questions: who is asked, and their anonymous answers."""

    def staff_experience_places(self, session_id: int) -> list[StaffPlace]:
        """The facilitator and clinicians of the session, each with whether a set was given
        for someone of their role and profession (answers carry no name to match on)."""
        me = self._actor.id if self._actor else None
        with self._read() as s:
            session = _get_in(s, ClinicSession, session_id, "session")
            people: list[tuple[str, StaffUser]] = []
            if session.facilitator_id is not None:
                facilitator = s.get(StaffUser, session.facilitator_id)
                if facilitator is not None:
                    people.append(("facilitator", facilitator))
            clinicians = s.exec(
                select(StaffUser)
                .join(SessionClinician, col(SessionClinician.staff_id) == StaffUser.id)
                .where(SessionClinician.session_id == session_id)
                .order_by(StaffUser.name)
            ).all()
            people += [("clinician", user) for user in clinicians]
            given = list(
                s.exec(select(StaffExperience).where(StaffExperience.session_id == session_id))
            )
        answered = Counter((r.role, r.profession) for r in given if r.answers)
        skipped = Counter((r.role, r.profession) for r in given if not r.answers)
        places = []
        for role, user in people:
            pair = (role, questions.sent_profession(user.profession))
            if answered[pair]:
                answered[pair] -= 1
                state = "answered"
            elif skipped[pair]:
                skipped[pair] -= 1
                state = "skipped"
            else:
                state = "waiting"
            places.append(StaffPlace(*pair, state=state, mine=user.id == me))
        return places

    def record_staff_experience(
        self,
        session_id: int,
        *,
        role: str,
        profession: str | None,
        answers: Mapping[str, Any],
    ) -> StaffExperience:
        """Keep one person's answers (skipped questions left out), and queue them for the ICB in
        the same transaction. No answers at all is a skip: kept so the page stops asking, never
        sent. Refused before the session is finished."""
        actor = self._require(Permission.CHECK_IN)
        role = questions.checked_role(role)
        job = questions.sent_profession(professions.check(profession))
        given = questions.checked_answers(answers)
        with self._write() as s:
            session = _get_in(s, ClinicSession, session_id, "session")
            if session.status not in ANSWERABLE:
                raise InvalidInput(
                    "Staff questions: they are asked once the session is finished "
                    f"(this one is {session.status.value})."
                )
            row = StaffExperience(
                session_id=session_id, role=role, profession=job, answers=given
            )
            s.add(row)
            s.flush()
            # Deliberately neither the row's id nor its answers: the entry names who was signed
            # in, and on a shared laptop that may be the very person answering.
            audit.append(
                s,
                user_id=actor.id,
                user_name=actor.name,
                action="create" if given else "skip",
                entity="staff_experience",
                after={"session_id": session_id, "questions_answered": len(given)},
            )
            if given:
                outbox.staff_experience_event(
                    s, session, role=role, profession=job, answers=given
                )
        return row

    def staff_experience_answers(self, session_ids: Iterable[int]) -> list[StaffExperience]:
        """Every answer set (skips left out) given about these sessions, for the outcomes."""
        wanted = list(session_ids)
        if not wanted:
            return []
        with self._read() as s:
            rows = s.exec(
                select(StaffExperience).where(col(StaffExperience.session_id).in_(wanted))
            ).all()
        return [r for r in rows if r.answers]
