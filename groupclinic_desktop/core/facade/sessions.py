"""The Clinic facade: programmes and sessions: planning, starting, phases, finishing."""

import uuid
from collections.abc import Sequence
from datetime import date, time

from sqlmodel import Session, col, select

from groupclinic_desktop.core import outbox, programmes
from groupclinic_desktop.core.errors import InvalidInput, NotFound
from groupclinic_desktop.core.facade import red_flags
from groupclinic_desktop.core.facade.base import (
    ClinicBase,
    _aware,
    _get_in,
    _required,
    snapshot,
)
from groupclinic_desktop.core.programmes import PHASES
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    ClinicSession,
    Mode,
    Programme,
    SessionClinician,
    SessionStatus,
    StaffUser,
    utcnow,
)


class SessionsArea(ClinicBase):
    """Programmes and sessions: planning, starting, phases, finishing."""

    def programmes(self) -> list[Programme]:
        with self._read() as s:
            return list(s.exec(select(Programme).order_by(Programme.name)))

    def programme(self, programme_id: int) -> Programme:
        return self._get(Programme, programme_id, "programme")

    def add_programme(self, template_key: str, name: str | None = None) -> Programme:
        actor = self._require(Permission.PLAN)
        template = programmes.template(template_key)
        with self._write() as s:
            programme = Programme(
                template_key=template_key,
                name=_required(name or template.name, "Programme name"),
                version=1,
                definition=programmes.template_as_dict(template),
            )
            s.add(programme)
            self._audit(s, actor, "create", programme)
        return programme

    def sessions(
        self,
        *,
        day: date | None = None,
        since: date | None = None,
        status: SessionStatus | None = None,
    ) -> list[ClinicSession]:
        with self._read() as s:
            query = select(ClinicSession)
            if day is not None:
                query = query.where(ClinicSession.day == day)
            if since is not None:
                query = query.where(ClinicSession.day >= since)
            if status is not None:
                query = query.where(ClinicSession.status == status)
            query = query.order_by(col(ClinicSession.day), col(ClinicSession.start_time))
            return list(s.exec(query))

    def session(self, session_id: int) -> ClinicSession:
        return self._get(ClinicSession, session_id, "session")

    def session_clinicians(self, session_id: int) -> list[StaffUser]:
        with self._read() as s:
            query = (
                select(StaffUser)
                .join(SessionClinician, col(SessionClinician.staff_id) == StaffUser.id)
                .where(SessionClinician.session_id == session_id)
                .order_by(StaffUser.name)
            )
            return list(s.exec(query))

    def plan_session(
        self,
        programme_id: int,
        day: date,
        start_time: time,
        place: str,
        *,
        mode: Mode = Mode.FACE_TO_FACE,
        facilitator_id: int | None = None,
        clinician_ids: Sequence[int] = (),
        session_number: int | None = None,
        series_uid: str | None = None,
        joining_link: str | None = None,
        joining_instructions: str | None = None,
        drop_in: bool = False,
    ) -> ClinicSession:
        from groupclinic_desktop.core import joining

        actor = self._require(Permission.PLAN)
        mode = Mode(mode)
        link = joining.parse_link(joining_link)
        instructions = joining.parse_instructions(joining_instructions)
        joining.check_joining(mode, link, instructions)
        with self._write() as s:
            programme = _get_in(s, Programme, programme_id, "programme")
            if session_number is None:
                held = s.exec(
                    select(ClinicSession).where(ClinicSession.programme_id == programme_id)
                ).all()
                session_number = len(held) + 1
            row = ClinicSession(
                uid=str(uuid.uuid4()),
                programme_id=programme_id,
                programme_version=programme.version,
                programme_snapshot=programme.definition,
                day=day,
                start_time=start_time,
                place=_required(place, "Place"),
                mode=mode,
                facilitator_id=facilitator_id,
                session_number=session_number,
                series_uid=series_uid,
                joining_link=link,
                joining_instructions=instructions,
                drop_in=bool(drop_in),
            )
            s.add(row)
            s.flush()
            for staff_id in clinician_ids:
                s.add(SessionClinician(session_id=row.id, staff_id=staff_id))  # type: ignore[arg-type]
            self._audit(s, actor, "create", row)
            outbox.session_event(s, row, staff_roles=self._roles_present(s, row))
        return row

    def set_session_joining(
        self,
        session_id: int,
        *,
        mode: Mode | str | None = None,
        joining_link: str | None = None,
        joining_instructions: str | None = None,
    ) -> ClinicSession:
        """Change how a planned or running session is held and joined. Audited; the monitoring
        dataset hears of the new mode. People already checked in keep their channel, so a
        change that would leave someone on a channel the new mode has not is refused."""
        from groupclinic_desktop.core import joining
        from groupclinic_desktop.core.schema import Attendance

        actor = self._require(Permission.PLAN)
        link = joining.parse_link(joining_link)
        instructions = joining.parse_instructions(joining_instructions)
        with self._write() as s:
            row = _get_in(s, ClinicSession, session_id, "session")
            if row.status not in (SessionStatus.PLANNED, SessionStatus.RUNNING):
                raise InvalidInput(
                    f"This session is {row.status.value}; how it is held cannot change now."
                )
            new_mode = row.mode if mode is None else Mode(mode)
            joining.check_joining(new_mode, link, instructions)
            attendances = s.exec(
                select(Attendance).where(Attendance.session_id == session_id)
            ).all()
            for attendance in attendances:
                if attendance.status.present:
                    joining.check_channel(new_mode, attendance.channel)
            before = snapshot(row)
            row.mode = new_mode
            row.joining_link = link
            row.joining_instructions = instructions
            s.add(row)
            # Nobody has joined yet: the expected channel follows the new mode.
            for attendance in attendances:
                if not attendance.status.present and attendance.channel not in new_mode.channels:
                    attendance.channel = new_mode.default_channel
                    s.add(attendance)
            self._audit(s, actor, "update", row, before=before)
            outbox.session_event(s, row, staff_roles=self._roles_present(s, row))
        return row

    def start_session(self, session_id: int, phase: str = "checkin") -> ClinicSession:
        actor = self._require(Permission.RUN_SESSION)
        with self._write() as s:
            row = _get_in(s, ClinicSession, session_id, "session")
            before = snapshot(row)
            if row.status not in (SessionStatus.PLANNED, SessionStatus.RUNNING):
                raise InvalidInput(f"This session is {row.status.value}; it cannot be started.")
            now = utcnow()
            if row.status == SessionStatus.PLANNED:
                row.status = SessionStatus.RUNNING
                row.started_at = now
                row.phase = phase
                row.phase_entered_at = now
                row.phase_minutes = {}
            s.add(row)
            self._audit(s, actor, "update", row, before=before)
            outbox.session_event(s, row, staff_roles=self._roles_present(s, row))
        return row

    def set_phase(self, session_id: int, phase: str) -> ClinicSession:
        """Move to a phase (any order); the time spent in the one we leave is added up."""

        actor = self._require(Permission.RUN_SESSION)
        if phase not in PHASES:
            raise InvalidInput(f"Phase: '{phase}' is not one of {', '.join(PHASES)}.")
        # Every phase change is a durable write: the quick single-row path keeps it cheap.
        with self._write_rows() as rows:
            found = rows.whole(ClinicSession, session_id)
            if found is None:
                raise NotFound(f"No session with id {session_id}.")
            row = ClinicSession(**found)
            if row.status != SessionStatus.RUNNING:
                raise InvalidInput("Start the session before moving between phases.")
            before = snapshot(row)
            _close_phase(row)
            row.phase = phase
            changed = ("phase", "phase_minutes", "phase_entered_at")
            rows.update(ClinicSession, {"id": session_id}, {n: getattr(row, n) for n in changed})
            self._audit_row(rows, actor, "update", row, before=before)
        return row

    def finish_session(self, session_id: int) -> ClinicSession:
        actor = self._require(Permission.RUN_SESSION)
        with self._write() as s:
            row = _get_in(s, ClinicSession, session_id, "session")
            if row.status != SessionStatus.RUNNING:
                raise InvalidInput(
                    f"This session is {row.status.value}; only a running one can be finished."
                )
            red_flags.unacknowledged_in(s, session_id)  # a clinician has heard of every flag
            before = snapshot(row)
            _close_phase(row)
            row.phase_entered_at = None
            row.status = SessionStatus.FINISHED
            row.finished_at = utcnow()
            s.add(row)
            self._audit(s, actor, "update", row, before=before)
            outbox.session_event(s, row, staff_roles=self._roles_present(s, row))
        self.backup(reason="session-finished")
        return row

    def _roles_present(self, s: Session, row: ClinicSession) -> list[str]:
        roles = ["facilitator"] if row.facilitator_id else []
        has_clinician = s.exec(
            select(SessionClinician).where(SessionClinician.session_id == row.id)
        ).first()
        if has_clinician:
            roles.append("clinician")
        return roles


def _close_phase(row: ClinicSession) -> None:
    if row.phase and row.phase_entered_at:
        spent = (utcnow() - _aware(row.phase_entered_at)).total_seconds() / 60  # type: ignore[operator]
        minutes = dict(row.phase_minutes or {})
        minutes[row.phase] = round(minutes.get(row.phase, 0.0) + spent, 2)
        row.phase_minutes = minutes
    row.phase_entered_at = utcnow()
