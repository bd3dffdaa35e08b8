"""The Clinic facade: editing programmes, planning series, progress and outcomes."""

import uuid
from collections.abc import Sequence
from datetime import date, time
from types import EllipsisType
from typing import Any

from sqlmodel import Session, col, select

from groupclinic_desktop.core import appointments, audit, outbox, programmes
from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed
from groupclinic_desktop.core.facade.base import (
    SYSTEM,
    Actor,
    ClinicBase,
    _get_in,
    _required,
    snapshot,
)
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    ClinicSession,
    Mode,
    Programme,
    Role,
    SessionClinician,
    SessionStatus,
    StaffUser,
)


class ProgrammesArea(ClinicBase):
    """Editing programmes, planning series, progress and outcomes."""

    SERIES_STEPS = ("week", "fortnight", "month", "quarter")
    MAX_SERIES = 52
    PROGRAMME_FIELDS = ("measurements", "targets", "topics", "phase_minutes", "questionnaires")

    def _require_admin(self) -> Actor:
        """Programme definitions are the practice's policy: an admin changes them."""
        actor = self._require(Permission.PLAN)
        if actor is not SYSTEM and actor.role != Role.ADMIN:
            raise NotAllowed(f"A {actor.role.value} may not change programmes; ask an admin.")
        return actor

    def create_programme_from_template(self, template_key: str, name: str) -> Programme:
        """A new programme (version 1) from a template in resources/programmes. Admin only."""
        self._require_admin()
        wanted = _required(name, "Programme name")
        if any(p.name == wanted for p in self.programmes()):
            raise InvalidInput(
                f"Programme name: '{wanted}' is already used by another programme.",
                field="Programme name",
            )
        return self.add_programme(template_key, wanted)

    def update_programme(
        self,
        programme_id: int,
        *,
        name: str | None = None,
        measurements: Sequence[str] | None = None,
        targets: dict[str, dict[str, Any]] | None = None,
        topics: Sequence[str] | None = None,
        phase_minutes: dict[str, int] | None = None,
        questionnaires: dict[str, str] | None = None,
        usual_appointment_minutes: int | str | None | EllipsisType = ...,
    ) -> Programme:
        """Change a programme; only given fields change. Admin only, audited.

        usual_appointment_minutes is the practice's own length of the one-to-one appointment a
        review replaces (1-120); None or blank goes back to the default in
        resources/monitoring/appointments.toml. The sessions' monitoring events carry it.

        The edited definition is checked against the catalogue and questionnaires, and the
        version goes up by one. Sessions keep the snapshot they were planned with, so past
        sessions (and sessions already planned) are not changed by the edit.
        Removing a measurement also drops its target and stale-window overrides.
        """

        actor = self._require_admin()
        # Checked before anything is opened: a refused figure changes nothing.
        minutes = (
            None if usual_appointment_minutes is ...
            else appointments.checked(usual_appointment_minutes)
        )
        with self._write() as s:
            row = _get_in(s, Programme, programme_id, "programme")
            before = snapshot(row)
            new = dict(row.definition or {})
            if usual_appointment_minutes is not ...:
                if minutes is None:
                    new.pop(appointments.KEY, None)
                else:
                    new[appointments.KEY] = minutes
            if name is not None:
                wanted = _required(name, "Programme name")
                clash = s.exec(
                    select(Programme).where(Programme.name == wanted, Programme.id != row.id)
                ).first()
                if clash is not None:
                    raise InvalidInput(
                        f"Programme name: '{wanted}' is already used by another programme.",
                        field="Programme name",
                    )
                new["name"] = wanted
            if measurements is not None:
                keys = [str(k) for k in measurements]
                new["measurements"] = keys
                for table in ("targets", "stale_after_days"):
                    new[table] = {k: v for k, v in (new.get(table) or {}).items() if k in keys}
                new["domains"] = [
                    {**d, "measurements": [k for k in d.get("measurements", []) if k in keys]}
                    for d in new.get("domains") or []
                ]
            if targets is not None:
                new["targets"] = {k: _target_fields(k, v) for k, v in targets.items()}
            if topics is not None:
                new["topics"] = [str(t).strip() for t in topics if str(t).strip()]
            if phase_minutes is not None:
                new["phase_minutes"] = {**(new.get("phase_minutes") or {}), **phase_minutes}
            if questionnaires is not None:
                asked = {str(k): str(v) for k, v in questionnaires.items()}
                new["questionnaires"] = asked
                new["domains"] = [
                    {**d, "questionnaires": [k for k in d.get("questionnaires", []) if k in asked]}
                    for d in new.get("domains") or []
                ]
            changed = new != (row.definition or {}) or (name is not None and name != row.name)
            if not changed:
                return row
            new["version"] = row.version + 1
            programmes.checked_definition(new)  # raises InvalidInput naming the field
            row.definition = audit.plain(new)
            row.version += 1
            if name is not None:
                row.name = new["name"]
            s.add(row)
            self._audit(s, actor, "update", row, before=before)
        return row

    def plan_series(
        self,
        programme_id: int,
        first_day: date,
        start_time: time,
        place: str,
        *,
        every: str = "month",
        count: int,
        mode: Mode = Mode.FACE_TO_FACE,
        facilitator_id: int | None = None,
        clinician_ids: Sequence[int] = (),
        joining_link: str | None = None,
        joining_instructions: str | None = None,
    ) -> list[ClinicSession]:
        """Plan `count` sessions a week, a fortnight, a month or a quarter apart in ONE
        transaction.

        They share a series id and are numbered on from the programme's existing sessions. A
        monthly or quarterly series keeps the day of the month (the 31st becomes the month's
        last day). Video and hybrid series may carry a joining link and instructions.
        """
        from groupclinic_desktop.core import joining

        actor = self._require(Permission.PLAN)
        if every not in self.SERIES_STEPS:
            raise InvalidInput(
                f"Repeat: '{every}' is not one of {', '.join(self.SERIES_STEPS)}.", field="Repeat"
            )
        mode = Mode(mode)
        link = joining.parse_link(joining_link)
        instructions = joining.parse_instructions(joining_instructions)
        joining.check_joining(mode, link, instructions)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 52:
            raise InvalidInput(
                f"Number of sessions: {count!r} is not a whole number from 1 to {self.MAX_SERIES}.",
                field="Number of sessions",
            )
        if first_day < date.today():
            raise InvalidInput(
                f"First session: {first_day:%d %b %Y} is in the past.", field="First session"
            )
        where = _required(place, "Place")
        series_uid = str(uuid.uuid4())
        planned: list[ClinicSession] = []
        with self._write() as s:
            programme = _get_in(s, Programme, programme_id, "programme")
            _check_session_staff(s, facilitator_id, clinician_ids)
            numbers = s.exec(
                select(ClinicSession.session_number).where(
                    ClinicSession.programme_id == programme_id
                )
            ).all()
            first_number = max(numbers, default=0) + 1
            for index in range(count):
                row = ClinicSession(
                    uid=str(uuid.uuid4()),
                    programme_id=programme_id,
                    programme_version=programme.version,
                    programme_snapshot=programme.definition,
                    day=_series_day(first_day, every, index),
                    start_time=start_time,
                    place=where,
                    mode=mode,
                    facilitator_id=facilitator_id,
                    session_number=first_number + index,
                    series_uid=series_uid,
                    joining_link=link,
                    joining_instructions=instructions,
                )
                s.add(row)
                s.flush()
                for staff_id in clinician_ids:
                    s.add(SessionClinician(session_id=row.id, staff_id=staff_id))  # type: ignore[arg-type]
                self._audit(s, actor, "create", row)
                outbox.session_event(s, row, staff_roles=self._roles_present(s, row))
                planned.append(row)
        return planned

    def plan_drop_in_clinic(
        self,
        programme_id: int,
        day: date,
        start_time: time,
        place: str,
        *,
        mode: Mode = Mode.FACE_TO_FACE,
        facilitator_id: int | None = None,
        clinician_ids: Sequence[int] = (),
        joining_link: str | None = None,
        joining_instructions: str | None = None,
    ) -> ClinicSession:
        """One drop-in clinic, open to anyone enrolled in the programme: nobody is invited, and
        people are added to its roster as they arrive. Numbered on like any session."""
        if day < date.today():
            raise InvalidInput(f"Date: {day:%d %b %Y} is in the past.", field="Date")
        with self._read() as s:
            _check_session_staff(s, facilitator_id, clinician_ids)
            numbers = s.exec(
                select(ClinicSession.session_number).where(
                    ClinicSession.programme_id == programme_id
                )
            ).all()
        return self.plan_session(
            programme_id,
            day,
            start_time,
            place,
            mode=mode,
            facilitator_id=facilitator_id,
            clinician_ids=clinician_ids,
            session_number=max(numbers, default=0) + 1,
            joining_link=joining_link,
            joining_instructions=joining_instructions,
            drop_in=True,
        )

    def series(self, series_uid: str) -> list[ClinicSession]:
        """The sessions of one series, in date order."""
        with self._read() as s:
            query = (
                select(ClinicSession)
                .where(ClinicSession.series_uid == series_uid)
                .order_by(col(ClinicSession.day), col(ClinicSession.start_time))
            )
            return list(s.exec(query))

    def move_session(
        self,
        session_id: int,
        day: date,
        start_time: time | None = None,
        place: str | None = None,
    ) -> ClinicSession:
        """Move one planned session to another day (and time or place). Audited."""
        actor = self._require(Permission.PLAN)
        if day < date.today():
            raise InvalidInput(f"New date: {day:%d %b %Y} is in the past.", field="New date")
        with self._write() as s:
            row = _get_in(s, ClinicSession, session_id, "session")
            _refuse_unless_planned(row, "moved")
            before = snapshot(row)
            row.day = day
            if start_time is not None:
                row.start_time = start_time
            if place is not None:
                row.place = _required(place, "Place")
            s.add(row)
            self._audit(s, actor, "update", row, before=before)
            outbox.session_event(s, row, staff_roles=self._roles_present(s, row))
        return row

    def cancel_session(self, session_id: int, reason: str) -> ClinicSession:
        """Cancel one planned session; the reason goes in the audit trail (not the dataset)."""
        actor = self._require(Permission.PLAN)
        why = _required(reason, "Reason for cancelling")
        with self._write() as s:
            row = _get_in(s, ClinicSession, session_id, "session")
            _refuse_unless_planned(row, "cancelled")
            before = snapshot(row)
            row.status = SessionStatus.CANCELLED
            s.add(row)
            s.flush()
            audit.append(
                s,
                user_id=actor.id,
                user_name=actor.name,
                action="cancel",
                entity="clinic_session",
                entity_id=row.id,
                before=before,
                after={**snapshot(row), "cancel_reason": why},
            )
            outbox.session_event(s, row, staff_roles=self._roles_present(s, row))
        return row

    def outcomes_suppress_below(self) -> int:
        """Figures about fewer people than this are not shown (Setting, default 5)."""
        value = self.setting("outcomes_suppress_below", 5)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return 5
        return value


def _series_day(first: date, every: str, index: int) -> date:
    from calendar import monthrange
    from datetime import timedelta

    if every == "week":
        return first + timedelta(weeks=index)
    if every == "fortnight":
        return first + timedelta(weeks=2 * index)
    months_apart = 3 if every == "quarter" else 1
    month = first.month - 1 + index * months_apart
    year, month = first.year + month // 12, month % 12 + 1
    return date(year, month, min(first.day, monthrange(year, month)[1]))


def _refuse_unless_planned(session: ClinicSession, what: str) -> None:
    if session.status != SessionStatus.PLANNED:
        raise InvalidInput(
            f"This session is {session.status.value}; only a planned session can be {what}."
        )


def _check_session_staff(
    s: Session, facilitator_id: int | None, clinician_ids: Sequence[int]
) -> None:
    if facilitator_id is not None and s.get(StaffUser, facilitator_id) is None:
        raise InvalidInput("Facilitator: choose a member of staff.", field="Facilitator")
    for staff_id in clinician_ids:
        user = s.get(StaffUser, staff_id)
        if user is None or user.role != Role.CLINICIAN:
            raise InvalidInput("Clinicians: choose clinicians only.", field="Clinicians")


def _target_fields(key: str, fields: dict[str, Any]) -> dict[str, Any]:
    """An admin's target for a programme: numbers inside the catalogue's plausible range."""
    mtype = catalogue().get(key)
    clean = {k: v for k, v in fields.items() if v is not None and v != ""}
    for name in ("below", "above", "below_if_hypo_risk", "below_if_older", "above_if_female"):
        if name not in clean:
            continue
        level = clean[name]
        if isinstance(level, bool) or not isinstance(level, int | float):
            raise InvalidInput(
                f"{mtype.label} target: '{level}' is not a number.", field=mtype.label
            )
        if not mtype.hard_min <= level <= mtype.hard_max:
            raise InvalidInput(
                f"{mtype.label} target: {level:g} {mtype.unit} is outside the plausible range "
                f"({mtype.hard_min:g}-{mtype.hard_max:g} {mtype.unit}).",
                field=mtype.label,
            )
    return clean
