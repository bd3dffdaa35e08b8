"""The Clinic facade: check-in: roster, attendance, consent, measurements and questionnaires."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from groupclinic_desktop.core import audit, outbox, questionnaires, targets, text_checks, validation
from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.errors import InvalidInput, NotFound
from groupclinic_desktop.core.facade.base import (
    BLOOD_PRESSURE,
    Actor,
    ClinicBase,
    RosterEntry,
    _get_in,
    _refuse_if_closed,
    _refuse_if_status_closed,
    snapshot,
)
from groupclinic_desktop.core.facade.organisation import member_or_refuse
from groupclinic_desktop.core.facade.patients import _sex
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.rows import Rows
from groupclinic_desktop.core.schema import (
    Attendance,
    AttendanceStatus,
    Channel,
    ClinicSession,
    Consent,
    ConsentKind,
    InvitationStatus,
    Measurement,
    Patient,
    PersonalTarget,
    Programme,
    QuestionnaireResponse,
    Source,
    StaffUser,
    utcnow,
)


class CheckinArea(ClinicBase):
    """Check-in: roster, attendance, consent, measurements and questionnaires."""

    def roster(self, session_id: int) -> list[RosterEntry]:
        with self._read() as s:
            query = (
                select(Attendance, Patient)
                .join(Patient, col(Patient.id) == Attendance.patient_id)
                .where(Attendance.session_id == session_id)
                .order_by(Patient.family_name, Patient.given_name)
            )
            return [RosterEntry(a, p) for a, p in s.exec(query)]

    def invite(self, session_id: int, patient_id: int) -> Attendance:
        actor = self._require(Permission.PLAN)
        with self._write() as s:
            if _get_in(s, ClinicSession, session_id, "session").drop_in:
                raise InvalidInput(
                    "Invite: a drop-in clinic has no fixed roster; anyone enrolled may come, and "
                    "is added as they arrive.",
                    field="Session",
                )
            return self._set_attendance(
                s,
                actor,
                session_id,
                patient_id,
                status=AttendanceStatus.INVITED,
                only_if_new=True,
            )

    def set_invitation(
        self, session_id: int, patient_id: int, invitation: InvitationStatus | str
    ) -> Attendance:
        actor = self._require(Permission.PLAN)
        with self._write() as s:
            return self._set_attendance(
                s, actor, session_id, patient_id, invitation=InvitationStatus(invitation)
            )

    def set_attendance(
        self,
        session_id: int,
        patient_id: int,
        status: AttendanceStatus | str | None = None,
        *,
        carer_present: bool | None = None,
        identity_confirmed: bool | None = None,
        private_place: bool | None = None,
        channel: Channel | str | None = None,
    ) -> Attendance:
        """Mark attended, late, did not attend, cancelled or drop-in (adds a drop-in too), and
        how the person joins: in the room, by video or by phone (it must fit the session's
        mode). The identity and private-place checks are for video and phone attendees only."""
        actor = self._require(Permission.CHECK_IN)
        with self._write() as s:
            return self._set_attendance(
                s,
                actor,
                session_id,
                patient_id,
                status=None if status is None else AttendanceStatus(status),
                carer_present=carer_present,
                identity_confirmed=identity_confirmed,
                private_place=private_place,
                channel=None if channel is None else _channel(channel),
            )

    def drop_in_candidates(self, session_id: int) -> list[Patient]:
        """Who may be added at a drop-in clinic: people enrolled in its programme (active), not
        on its roster yet, by surname."""
        from groupclinic_desktop.core.schema import Enrolment

        with self._read() as s:
            session = _get_in(s, ClinicSession, session_id, "session")
            here = select(Attendance.patient_id).where(Attendance.session_id == session_id)
            query = (
                select(Patient)
                .join(Enrolment, col(Enrolment.patient_id) == Patient.id)
                .where(
                    Enrolment.programme_id == session.programme_id,
                    col(Enrolment.active).is_(True),
                    col(Patient.id).not_in(here),
                )
                .order_by(Patient.family_name, Patient.given_name)
            )
            return list(s.exec(query))

    def add_new_drop_in(
        self,
        session_id: int,
        nhs_number: str,
        given_name: str,
        family_name: str,
        date_of_birth: date | str,
        *,
        sex: str = "unknown",
        registered_ods: str | None = None,
        today: date | None = None,
        channel: Channel | str | None = None,
    ) -> Patient:
        """Someone not in the store yet who came on the day: added, marked for the admin to
        check against the GP record, and on the roster as a drop-in; one audited transaction.

        The usual checks apply (NHS number's check digit and uniqueness, names, date of birth,
        the registered practice: a member practice, required when there are several); bad input
        names the field and leaves the store as it was.
        """

        actor = self._require(Permission.CHECK_IN)
        row = Patient(
            nhs_number=validation.parse_nhs_number(nhs_number),
            given_name=text_checks.parse_name(given_name, "First name"),
            family_name=text_checks.parse_name(family_name, "Surname"),
            date_of_birth=validation.parse_date_of_birth(date_of_birth),
            sex=_sex(sex),
            added_on_day=today or date.today(),
        )
        with self._write() as s:
            _refuse_if_closed(_get_in(s, ClinicSession, session_id, "session"))
            row.registered_ods = member_or_refuse(s, registered_ods)
            clash = s.exec(select(Patient).where(Patient.nhs_number == row.nhs_number)).first()
            if clash is not None:
                raise InvalidInput(
                    "NHS number: this person is already recorded; find them by name or NHS "
                    "number and add them as a drop-in.",
                    field="NHS number",
                )
            s.add(row)
            s.flush()
            self._audit(s, actor, "create", row, patient_id=row.id)
            session = _get_in(s, ClinicSession, session_id, "session")
            if session.drop_in:
                # A drop-in clinic is open to those enrolled: whoever comes is enrolled too.
                from groupclinic_desktop.core.schema import Enrolment

                enrolment = Enrolment(patient_id=row.id, programme_id=session.programme_id)  # type: ignore[arg-type]
                s.add(enrolment)
                s.flush()
                self._audit(s, actor, "create", enrolment, patient_id=row.id)
            self._set_attendance(
                s,
                actor,
                session_id,
                row.id,  # type: ignore[arg-type]
                status=AttendanceStatus.DROP_IN,
                channel=None if channel is None else _channel(channel),
            )
        return row

    def added_on_the_day(self) -> list[Patient]:
        """People a facilitator added on the day, for the admin to check against the GP record."""
        with self._read() as s:
            query = select(Patient).where(col(Patient.added_on_day).is_not(None))
            return list(s.exec(query.order_by(col(Patient.added_on_day), col(Patient.id))))

    def _set_attendance(
        self,
        s: Session,
        actor: Actor,
        session_id: int,
        patient_id: int,
        *,
        status: AttendanceStatus | None = None,
        invitation: InvitationStatus | None = None,
        carer_present: bool | None = None,
        identity_confirmed: bool | None = None,
        private_place: bool | None = None,
        channel: Channel | None = None,
        only_if_new: bool = False,
    ) -> Attendance:
        from groupclinic_desktop.core import joining

        session = _get_in(s, ClinicSession, session_id, "session")
        _refuse_if_closed(session)
        patient = _get_in(s, Patient, patient_id, "patient")
        row = s.exec(
            select(Attendance).where(
                Attendance.session_id == session_id, Attendance.patient_id == patient_id
            )
        ).first()
        if row is not None and only_if_new:
            return row
        before = snapshot(row) if row is not None else None
        if row is None:
            if session.drop_in:
                _refuse_unless_enrolled(s, session, patient)
            row = Attendance(
                session_id=session_id, patient_id=patient_id, channel=session.mode.default_channel
            )
        if channel is not None:
            joining.check_channel(session.mode, channel)
        remote = (channel or row.channel).remote
        if not remote and (identity_confirmed or private_place):
            raise InvalidInput(
                "Identity check: only for people joining by video or phone; this person is in "
                "the room.",
                field="Identity check",
            )
        changes = {
            "status": status,
            "invitation": invitation,
            "carer_present": carer_present,
            "identity_confirmed": identity_confirmed,
            "private_place": private_place,
            "channel": channel,
        }
        for name, value in changes.items():
            if value is not None:
                setattr(row, name, value)
        row.updated_at = utcnow()
        s.add(row)
        self._audit(
            s, actor, "update" if before else "create", row, before=before, patient_id=patient_id
        )
        moved = before is not None and channel is not None and before.get("channel") != channel
        if status is not None or before is None or moved:
            outbox.attendance_event(s, session, patient, row)
        return row

    def set_consent(
        self, session_id: int, patient_id: int, kind: ConsentKind | str, given: bool
    ) -> Consent:
        actor = self._require(Permission.CHECK_IN)
        kind = ConsentKind(kind)
        with self._write() as s:
            session = _get_in(s, ClinicSession, session_id, "session")
            _refuse_if_closed(session)
            _get_in(s, Patient, patient_id, "patient")
            row = s.exec(
                select(Consent).where(
                    Consent.session_id == session_id,
                    Consent.patient_id == patient_id,
                    Consent.kind == kind,
                )
            ).first()
            before = snapshot(row) if row else None
            if row is None:
                row = Consent(session_id=session_id, patient_id=patient_id, kind=kind, given=given)
            row.given = given
            row.recorded_at = utcnow()
            row.recorded_by_id = actor.id
            s.add(row)
            self._audit(s, actor, "consent", row, before=before, patient_id=patient_id)
        return row

    def consents(self, session_id: int) -> dict[tuple[int, ConsentKind], bool]:
        with self._read() as s:
            rows = s.exec(select(Consent).where(Consent.session_id == session_id))
            return {(c.patient_id, c.kind): c.given for c in rows}

    # ----------------------------------------------------------------- measurements

    def record_measurement(
        self,
        patient_id: int,
        type_key: str,
        text: str | float,
        *,
        session_id: int | None = None,
        taken_at: datetime | None = None,
        source: Source | str = Source.IN_SESSION,
        confirmed: bool = False,
        taken_by_id: int | None = None,
    ) -> list[Measurement]:
        """Validate and save one measurement (blood pressure as its two halves).

        Refuses values outside hard limits (InvalidInput) and asks for confirmation of unusual
        ones (NeedsConfirmation); a weight with a known height also saves the derived BMI.
        `taken_by_id` names who took the reading when it is not the person entering it.
        """
        actor = self._require(Permission.CHECK_IN)
        source = Source(source)
        taken = validation.check_taken_at(taken_at or utcnow())
        values = parse_reading(type_key, text, confirmed)
        if taken_by_id is not None:
            self._check_staff(taken_by_id, "Taken by")
        reading_uid = str(uuid.uuid4()) if len(values) > 1 else None
        saved: list[Measurement] = []
        # The busiest write of a session: the quick single-row path (core.rows), not the ORM.
        with self._write_rows() as rows:
            subject = _subject(rows, patient_id, session_id)
            if not confirmed:
                for key, value in values:
                    _check_big_change(rows, subject, key, value, taken)
            for key, value in values:
                saved.append(
                    add_measurement(
                        self, rows, actor, subject, key, value, taken, source, reading_uid,
                        confirmed, taken_by_id=taken_by_id,
                    )
                )
            if type_key in ("weight", "height"):
                bmi = _derived_bmi(rows, patient_id, saved[0])
                if bmi is not None:
                    saved.append(
                        add_measurement(
                            self, rows, actor, subject, "bmi", bmi, taken, source, None, True,
                            taken_by_id=taken_by_id,
                        )
                    )
        return saved

    def _check_staff(self, staff_id: int, field: str) -> None:
        with self._read() as s:
            user = s.get(StaffUser, staff_id)
        if user is None or not user.active:
            raise InvalidInput(f"{field}: no active staff member with id {staff_id}.", field=field)

    def measurements(
        self,
        *,
        patient_id: int | None = None,
        session_id: int | None = None,
        type_key: str | None = None,
        include_voided: bool = False,
    ) -> list[Measurement]:
        """Measurements, oldest first. Voided values are left out unless asked for (the staff
        screens that show them struck through)."""
        with self._read() as s:
            query = select(Measurement)
            if not include_voided:
                query = query.where(col(Measurement.voided_at).is_(None))
            if patient_id is not None:
                query = query.where(Measurement.patient_id == patient_id)
            if session_id is not None:
                query = query.where(Measurement.session_id == session_id)
            if type_key is not None:
                query = query.where(Measurement.type_key == type_key)
            query = query.order_by(col(Measurement.taken_at), col(Measurement.id))
            return list(s.exec(query))

    def latest_measurement(
        self, patient_id: int, type_key: str, *, before: datetime | None = None
    ) -> Measurement | None:
        with self._read() as s:
            return _latest(s, patient_id, type_key, before=before)

    # ----------------------------------------------------------------- questionnaires

    def record_questionnaire(
        self, session_id: int, patient_id: int, key: str, answers: dict[str, Any]
    ) -> QuestionnaireResponse:
        """Score and save a questionnaire; an incomplete one is kept, with no score."""

        actor = self._require(Permission.CHECK_IN)
        result = questionnaires.score(key, answers)
        feeds = questionnaires.get(key).measurement
        # An answer that is also a measurement (activity minutes) is checked as one first.
        measured = (
            validation.parse_measurement(feeds, result.value, confirmed=True)
            if feeds and result.value is not None
            else None
        )
        # Single answers saved as measures (PHQ-9 item 9), so the red-flag table sees them.
        item_values = {
            measure: validation.parse_measurement(measure, value, confirmed=True)
            for measure, value in questionnaires.item_measures(key, answers).items()
        }
        with self._write() as s:
            session = _get_in(s, ClinicSession, session_id, "session")
            _refuse_if_closed(session)
            patient = _get_in(s, Patient, patient_id, "patient")
            if (feeds and measured is not None) or item_values:
                subject = _Subject(
                    patient_id,
                    patient.date_of_birth,
                    patient.hypo_risk,
                    session_id,
                    session.uid,
                    outbox.opted_out(s, session_id, patient_id),
                )
                rows = self._rows_in(s)
                if feeds and measured is not None:
                    add_measurement(
                        self, rows, actor, subject, feeds, measured, utcnow(),
                        Source.SELF_REPORTED, None, True,
                    )
                for measure, value in item_values.items():
                    # Saved again with another answer changed: the same item answer is not a
                    # second reading (nor a second red flag to acknowledge).
                    if _session_value(rows, patient_id, session_id, measure) == value:
                        continue
                    add_measurement(
                        self, rows, actor, subject, measure, value, utcnow(),
                        Source.SELF_REPORTED, None, True,
                    )
            row = s.exec(
                select(QuestionnaireResponse).where(
                    QuestionnaireResponse.session_id == session_id,
                    QuestionnaireResponse.patient_id == patient_id,
                    QuestionnaireResponse.questionnaire_key == key,
                )
            ).first()
            before = snapshot(row) if row else None
            if row is None:
                row = QuestionnaireResponse(
                    uid=str(uuid.uuid4()),
                    session_id=session_id,
                    patient_id=patient_id,
                    questionnaire_key=key,
                )
            row.answers = audit.plain(dict(answers))
            row.score = result.value
            row.raw = result.raw
            row.complete = result.complete
            row.entered_by_id = actor.id
            row.entered_at = utcnow()
            s.add(row)
            self._audit(
                s,
                actor,
                "update" if before else "create",
                row,
                before=before,
                patient_id=patient_id,
            )
            outbox.questionnaire_event(s, session, patient, row)
        return row

    def responses(
        self, *, session_id: int | None = None, patient_id: int | None = None
    ) -> list[QuestionnaireResponse]:
        with self._read() as s:
            query = select(QuestionnaireResponse)
            if session_id is not None:
                query = query.where(QuestionnaireResponse.session_id == session_id)
            if patient_id is not None:
                query = query.where(QuestionnaireResponse.patient_id == patient_id)
            return list(s.exec(query.order_by(col(QuestionnaireResponse.entered_at))))


def new_measurement(
    patient_id: int,
    session_id: int | None,
    key: str,
    value: float,
    taken: datetime,
    source: Source,
    reading_uid: str | None,
    confirmed: bool,
    entered_by_id: int | None,
    *,
    taken_by_id: int | None = None,
    replaces_id: int | None = None,
    uid: str | None = None,
) -> dict[str, Any]:
    """A new measurement's column values (id aside), for the writers that skip the ORM.
    Who took it defaults to who entered it, so every export credits the same person.
    `uid`: a fresh one made by the caller (a bulk import makes them in batches)."""
    return {
        "uid": uid or str(uuid.uuid4()),
        "patient_id": patient_id,
        "session_id": session_id,
        "type_key": key,
        "value": value,
        "unit": catalogue().get(key).unit,
        "taken_at": taken,
        "source": source,
        "reading_uid": reading_uid,
        "confirmed_unusual": confirmed,
        "entered_by_id": entered_by_id,
        "entered_at": utcnow(),
        "taken_by_id": taken_by_id if taken_by_id is not None else entered_by_id,
        "replaces_id": replaces_id,
    }


def parse_reading(type_key: str, text: str | float, confirmed: bool) -> list[tuple[str, float]]:
    """The checked (key, value) pairs of one reading typed in: blood pressure as its pair."""
    if type_key == BLOOD_PRESSURE:
        systolic, diastolic = validation.parse_blood_pressure(str(text), confirmed=confirmed)
        return [("systolic_bp", systolic), ("diastolic_bp", diastolic)]
    mtype = catalogue().get(type_key)
    if mtype.derived:
        raise InvalidInput(
            f"{mtype.label} is worked out by the app, not typed in.", field=mtype.label
        )
    return [(type_key, validation.parse_measurement(type_key, text, confirmed=confirmed))]


@dataclass(frozen=True)
class _Subject:
    """What saving a measurement needs to know of the person and the session."""

    patient_id: int
    born: date
    hypo_risk: bool
    session_id: int | None
    session_uid: str | None
    opted_out: bool  # declined monitoring consent for this session: no outbox event
    sex: str | None = None
    programme: dict[str, Any] | None = None  # the session's programme, for its targets


def _subject(
    rows: Rows, patient_id: int, session_id: int | None, *, closed_ok: bool = False
) -> _Subject:
    """closed_ok: for fixing a value after the session (void or correct), not for new ones."""
    person = rows.first(Patient, ("date_of_birth", "hypo_risk", "sex"), {"id": patient_id})
    if person is None:
        raise NotFound(f"No patient with id {patient_id}.")
    session_uid = None
    programme = None
    if session_id is not None:
        session = rows.first(
            ClinicSession,
            ("uid", "status", "programme_snapshot", "programme_id"),
            {"id": session_id},
        )
        if session is None:
            raise NotFound(f"No session with id {session_id}.")
        if not closed_ok:
            _refuse_if_status_closed(session["status"])
        session_uid = session["uid"]
        # The board reads the session's programme the same way (its snapshot, else the live one).
        programme = session["programme_snapshot"]
        if not programme and session["programme_id"] is not None:
            found = rows.first(Programme, ("definition",), {"id": session["programme_id"]})
            programme = (found or {}).get("definition")
    return _Subject(
        patient_id,
        person["date_of_birth"],
        person["hypo_risk"],
        session_id,
        session_uid,
        outbox.opted_out_row(rows, session_id, patient_id),
        sex=getattr(person["sex"], "value", person["sex"]),
        programme=dict(programme) if programme else None,
    )


def add_measurement(
    area: ClinicBase,
    rows: Rows,
    actor: Actor,
    subject: _Subject,
    key: str,
    value: float,
    taken: datetime,
    source: Source,
    reading_uid: str | None,
    confirmed: bool,
    *,
    taken_by_id: int | None = None,
    replaces_id: int | None = None,
) -> Measurement:
    """Write one value with its audit entry and (for a measure the ICB receives) its outbox
    event, inside the caller's write; check-in and a measurement's correction share it."""
    previous = _latest_value(rows, subject.patient_id, key)
    values = new_measurement(
        subject.patient_id, subject.session_id, key, value, taken, source, reading_uid,
        confirmed, actor.id, taken_by_id=taken_by_id, replaces_id=replaces_id,
    )
    # model_construct: every value is checked already, and full construction costs more
    # than the insert itself.
    row = Measurement.model_construct(id=rows.insert(Measurement, values), **values)
    area._audit_row(rows, actor, "create", row, patient_id=subject.patient_id)
    if not subject.opted_out and outbox.is_sent_measure(key):
        payload = outbox.measurement_payload(
            subject.session_uid,
            subject.patient_id,
            _person(rows, subject, key, taken),
            row,
            previous,
            subject.programme,
        )
        outbox.emit_row(rows, "measurement", payload)
    return row


def _person(rows: Rows, subject: _Subject, key: str, taken: datetime) -> targets.Person:
    """The person as the board sees them on the day: age, sex, hypo risk and own target."""
    own = rows.first(
        PersonalTarget,
        ("below", "above"),
        {"patient_id": subject.patient_id, "type_key": key, "active": True},
        newest_by=("id",),
    )
    personal = {key: targets.PersonalLevel(own["below"], own["above"])} if own else {}
    return targets.Person.on(
        taken.date(),
        born=subject.born,
        sex=subject.sex,
        hypo_risk=subject.hypo_risk,
        personal=personal,
    )


def _check_big_change(
    rows: Rows, subject: _Subject, key: str, value: float, taken: datetime
) -> None:
    """Ask "Is that right?" when a value moved far from the person's previous one.

    A value already typed at this session is a correction of it, not a change: not asked again.
    """
    if key not in validation.big_change_limits():
        return
    found = rows.first(
        Measurement,
        ("value", "taken_at", "session_id"),
        {"patient_id": subject.patient_id, "type_key": key},
        newest_by=("taken_at", "id"),
    )
    if found is None or (subject.session_id and found["session_id"] == subject.session_id):
        return
    validation.check_big_change(
        key, value, float(found["value"]), found["taken_at"].date(), taken.date()
    )


def _latest_value(rows: Rows, patient_id: int, type_key: str) -> float | None:
    found = rows.first(
        Measurement,
        ("value",),
        {"patient_id": patient_id, "type_key": type_key, "voided_at": None},
        newest_by=("taken_at", "id"),
    )
    return None if found is None else float(found["value"])


def _session_value(rows: Rows, patient_id: int, session_id: int, type_key: str) -> float | None:
    """This person's latest standing value of a measure in one session."""
    found = rows.first(
        Measurement,
        ("value",),
        {"patient_id": patient_id, "session_id": session_id, "type_key": type_key,
         "voided_at": None},
        newest_by=("taken_at", "id"),
    )
    return None if found is None else float(found["value"])


def _derived_bmi(rows: Rows, patient_id: int, new: Measurement) -> float | None:
    weight = new.value if new.type_key == "weight" else _latest_value(rows, patient_id, "weight")
    height = new.value if new.type_key == "height" else _latest_value(rows, patient_id, "height")
    if weight is None or height is None:
        return None
    try:
        return validation.bmi(weight, height)
    except InvalidInput:
        return None  # an implausible BMI from old data is not worth blocking a new weight


def _latest(
    s: Session, patient_id: int, type_key: str, *, before: datetime | None = None
) -> Measurement | None:
    query = select(Measurement).where(
        Measurement.patient_id == patient_id,
        Measurement.type_key == type_key,
        col(Measurement.voided_at).is_(None),
    )
    if before is not None:
        query = query.where(Measurement.taken_at < before)
    query = query.order_by(col(Measurement.taken_at).desc(), col(Measurement.id).desc())
    return s.exec(query.limit(1)).first()


def _channel(value: Channel | str) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        words = ", ".join(c.value for c in Channel)
        raise InvalidInput(f"Channel: '{value}' is not one of {words}.", field="Channel") from None


def _refuse_unless_enrolled(s: Session, session: ClinicSession, patient: Patient) -> None:
    """A drop-in clinic is open to the people enrolled in its programme."""
    from groupclinic_desktop.core.schema import Enrolment

    enrolled = s.exec(
        select(Enrolment).where(
            Enrolment.patient_id == patient.id,
            Enrolment.programme_id == session.programme_id,
            col(Enrolment.active).is_(True),
        )
    ).first()
    if enrolled is None:
        raise InvalidInput(
            "Drop-in: this person is not enrolled in this programme; a drop-in clinic is open to "
            "those enrolled (enrol them first, or add someone new with New person).",
            field="Drop-in",
        )
