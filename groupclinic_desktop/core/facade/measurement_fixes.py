"""The Clinic facade: voiding or correcting a mistaken measurement.

A voided value is never deleted: it stays for the audit trail and is shown struck through on
staff screens, and is left out of the board, hand-outs, progress, outcomes, exports and
monitoring. Blood pressure is voided as its pair, and a BMI worked out from a voided weight or
height goes with it.
"""

from groupclinic_desktop.core import audit, outbox
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed, NotFound
from groupclinic_desktop.core.facade.base import (
    BLOOD_PRESSURE,
    SYSTEM,
    Actor,
    ClinicBase,
    _aware,
    _required,
    snapshot,
)
from groupclinic_desktop.core.facade.checkin import (
    _derived_bmi,
    _person,
    _Subject,
    _subject,
    add_measurement,
    parse_reading,
)
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.rows import Rows
from groupclinic_desktop.core.schema import (
    ClinicSession,
    Measurement,
    Role,
    SessionStatus,
    utcnow,
)

OPEN = (SessionStatus.PLANNED, SessionStatus.RUNNING)
BP_KEYS = ("systolic_bp", "diastolic_bp")


class MeasurementFixesArea(ClinicBase):
    """Void or correct a measurement, with the same checks as recording one."""

    def void_measurement(self, measurement_id: int, reason: str) -> list[Measurement]:
        """Void a mistaken value (its blood-pressure partner and derived BMI too)."""
        actor = self._require(Permission.CHECK_IN)
        why = _required(reason, "Reason")
        with self._write_rows() as rows:
            fix = self._start_fix(rows, actor, measurement_id)
            voided = self._void(rows, actor, fix, why)
            self._supersede(rows, fix, voided)
        return voided

    def correct_measurement(
        self, measurement_id: int, text: str | float, reason: str, *, confirmed: bool = False
    ) -> list[Measurement]:
        """Replace a mistaken value with the right one: the old is voided, the new names it.

        The new value passes the same checks as record_measurement (blood pressure as one
        pair; a BMI worked out again from a corrected weight or height)."""
        actor = self._require(Permission.CHECK_IN)
        why = _required(reason, "Reason")
        with self._write_rows() as rows:
            fix = self._start_fix(rows, actor, measurement_id)
            first = fix.rows[0]
            if first.type_key == "bmi":
                raise InvalidInput(
                    "BMI is worked out by the app; correct the weight or height instead.",
                    field="BMI",
                )
            key = BLOOD_PRESSURE if first.type_key in BP_KEYS else first.type_key
            values = parse_reading(key, text, confirmed)
            voided = self._void(rows, actor, fix, why)
            reading_uid = first.reading_uid if len(values) > 1 else None
            saved: list[Measurement] = []
            by_key = {m.type_key: m for m in fix.rows}
            for type_key, value in values:
                old = by_key.get(type_key, first)
                saved.append(
                    add_measurement(
                        self,
                        rows, actor, fix.subject, type_key, value, first.taken_at, first.source,
                        reading_uid, confirmed, taken_by_id=old.taken_by, replaces_id=old.id,
                    )
                )
            if first.type_key in ("weight", "height"):
                bmi = _derived_bmi(rows, first.patient_id, saved[0])
                old_bmi = next((m for m in voided if m.type_key == "bmi"), None)
                if bmi is not None:
                    saved.append(
                        add_measurement(
                            self,
                            rows, actor, fix.subject, "bmi", bmi, first.taken_at, first.source,
                            None, True, taken_by_id=first.taken_by,
                            replaces_id=old_bmi.id if old_bmi else None,
                        )
                    )
            for row in saved:
                _audit(rows, actor, fix, "correct", None, row, why)
        return saved

    def may_fix_measurement(self, m: Measurement) -> bool:
        """Whether the signed-in person may void or correct this value now (for the UI)."""
        actor = self._actor
        if actor is None:
            return False
        with self._read() as s:
            session = s.get(ClinicSession, m.session_id) if m.session_id else None
        closed = session is not None and session.status not in OPEN
        return _refusal(actor, m, closed) is None

    # ---- the steps

    def _start_fix(self, rows: Rows, actor: Actor, measurement_id: int) -> "_Fix":
        found = rows.whole(Measurement, measurement_id)
        if found is None:
            raise NotFound(f"No measurement with id {measurement_id}.")
        target = Measurement.model_construct(**found)
        if target.voided_at is not None:
            raise InvalidInput("This value is already voided.", field="Measurement")
        closed = False
        if target.session_id is not None:
            session = rows.first(ClinicSession, ("status",), {"id": target.session_id})
            assert session is not None
            closed = SessionStatus(session["status"]) not in OPEN
        refusal = _refusal(actor, target, closed)
        if refusal:
            raise NotAllowed(refusal)
        subject = _subject(rows, target.patient_id, target.session_id, closed_ok=True)
        group = [target] + _partners(rows, target)
        return _Fix(group, subject, closed)

    def _void(self, rows: Rows, actor: Actor, fix: "_Fix", reason: str) -> list[Measurement]:
        now = utcnow()
        done: list[Measurement] = []
        for m in fix.rows:
            before = snapshot(m)
            rows.update(
                Measurement,
                {"id": m.id},
                {"voided_at": now, "voided_by_id": actor.id, "void_reason": reason},
            )
            row = _whole(rows, m.id)  # type: ignore[arg-type]
            _audit(rows, actor, fix, "void", before, row, reason)
            done.append(row)
        return done

    def _supersede(self, rows: Rows, fix: "_Fix", voided: list[Measurement]) -> None:
        """Tell the ICB each voided reading is gone; a value left standing for the same day is
        sent again so that it, not the void, is the latest word."""
        if fix.subject.opted_out:
            return
        for m in voided:
            outbox.emit_row(
                rows,
                "measurement_void",
                outbox.measurement_void_payload(fix.subject.session_uid, m.patient_id, m),
            )
            standing = _standing_same_day(rows, m)
            if standing is not None:
                payload = outbox.measurement_payload(
                    fix.subject.session_uid,
                    m.patient_id,
                    _person(rows, fix.subject, standing.type_key, standing.taken_at),
                    standing,
                    None,
                    fix.subject.programme,
                )
                outbox.emit_row(rows, "measurement", payload)


class _Fix:
    def __init__(self, group: list[Measurement], subject: _Subject, closed: bool) -> None:
        self.rows = group
        self.subject = subject
        self.closed = closed


def _audit(
    rows: Rows,
    actor: Actor,
    fix: _Fix,
    action: str,
    before: dict[str, object] | None,
    row: Measurement,
    reason: str,
) -> None:
    """One audit entry for one value of the group voided or saved in its place."""
    audit.append_row(
        rows,
        user_id=actor.id,
        user_name=actor.name,
        # After a session finishes a void or a correction is a correction of its record (-v2
        # exports).
        action="correction" if fix.closed else action,
        entity="measurement",
        entity_id=row.id,
        patient_id=row.patient_id,
        before=before,
        after={**snapshot(row), "correction_reason": reason},
    )


def _refusal(actor: Actor, m: Measurement, closed: bool) -> str | None:
    """During a session whoever entered the value, or a clinician; afterwards clinicians."""
    if actor is SYSTEM or actor.role == Role.CLINICIAN:
        return None
    if closed:
        return (
            "After a session is finished only a clinician can void or correct a measurement."
        )
    if actor.id is not None and actor.id == m.entered_by_id:
        return None
    return "Only whoever entered this value, or a clinician, can void or correct it."


def _partners(rows: Rows, target: Measurement) -> list[Measurement]:
    """The other half of a blood pressure, and a BMI worked out from this weight or height."""
    found: list[Measurement] = []
    cursor = rows._cursor  # noqa: SLF001 - the same open transaction; plain ids only
    if target.reading_uid and target.type_key in BP_KEYS:
        ids = cursor.execute(
            "SELECT id FROM measurement WHERE reading_uid = ? AND id != ? AND voided_at IS NULL",
            (target.reading_uid, target.id),
        ).fetchall()
        found += [_whole(rows, i) for (i,) in ids]
    if target.type_key in ("weight", "height"):
        # A derived BMI is saved in the same write, with the same taken_at and session.
        bmi = _same_reading(rows, target, "bmi")
        if bmi is not None:
            found.append(bmi)
    return found


def _same_reading(rows: Rows, target: Measurement, key: str) -> Measurement | None:
    for m in _unvoided(rows, target.patient_id, key):
        if m.session_id == target.session_id and _aware(m.taken_at) == _aware(target.taken_at):
            return m
    return None


def _standing_same_day(rows: Rows, m: Measurement) -> Measurement | None:
    day = m.taken_at.date()
    same = [
        x
        for x in _unvoided(rows, m.patient_id, m.type_key)
        if x.session_id == m.session_id and x.taken_at.date() == day
    ]
    return same[-1] if same else None


def _unvoided(rows: Rows, patient_id: int, key: str) -> list[Measurement]:
    cursor = rows._cursor  # noqa: SLF001
    ids = cursor.execute(
        "SELECT id FROM measurement WHERE patient_id = ? AND type_key = ? AND voided_at IS NULL "
        "ORDER BY taken_at, id",
        (patient_id, key),
    ).fetchall()
    return [_whole(rows, i) for (i,) in ids]


def _whole(rows: Rows, measurement_id: int) -> Measurement:
    found = rows.whole(Measurement, measurement_id)
    assert found is not None
    return Measurement.model_construct(**found)

