"""The Clinic facade: red flags of a session and the clinician's acknowledgement of each.

A flag is worked out from the session's saved values and the rules (core.red_flags), so it can
never be missed by a screen that forgot to raise it; only the acknowledgement is stored. A
session with a flag nobody acknowledged cannot be finished (see `unacknowledged_in`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from groupclinic_desktop.core import red_flags
from groupclinic_desktop.core.errors import InvalidInput, NotFound
from groupclinic_desktop.core.facade.base import ClinicBase, _get_in, _refuse_if_closed
from groupclinic_desktop.core.roles import Permission
from groupclinic_desktop.core.schema import (
    ClinicSession,
    Measurement,
    RedFlagAcknowledgement,
    StaffUser,
)


@dataclass(frozen=True)
class SessionFlag:
    """One rule met by one reading in a session, and who (if anyone) has acknowledged it."""

    session_id: int
    patient_id: int
    measurement_id: int  # the reading's first value (systolic for blood pressure)
    flag: red_flags.Flag
    text: str  # the reading as typed: "215/125"
    taken_at: datetime
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    note: str = ""

    @property
    def rule_key(self) -> str:
        return self.flag.key

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class RedFlagsArea(ClinicBase):
    """Red flags: worked out from saved values; acknowledged by a clinician, audited."""

    def red_flags(self, session_id: int, patient_id: int | None = None) -> list[SessionFlag]:
        """Every flag of the session (or of one person in it), oldest first."""
        with self._read() as s:
            return flags_in(s, session_id, patient_id)

    def acknowledge_red_flag(
        self, session_id: int, measurement_id: int, rule_key: str, note: str = ""
    ) -> RedFlagAcknowledgement:
        """A clinician says they have heard about this flag; audited. Only a clinician may."""
        actor = self._require(Permission.REVIEW)
        with self._write() as s:
            _refuse_if_closed(_get_in(s, ClinicSession, session_id, "session"))
            flag = next(
                (
                    f
                    for f in flags_in(s, session_id)
                    if f.measurement_id == measurement_id and f.rule_key == rule_key
                ),
                None,
            )
            if flag is None:
                raise NotFound(f"No red flag {rule_key!r} for value {measurement_id} here.")
            if flag.acknowledged:
                return _acknowledgement(s, session_id, measurement_id, rule_key)  # type: ignore[return-value]
            row = RedFlagAcknowledgement(
                session_id=session_id,
                patient_id=flag.patient_id,
                measurement_id=measurement_id,
                rule_key=rule_key,
                note=(note or "").strip(),
                acknowledged_by_id=actor.id,
            )
            s.add(row)
            s.flush()
            self._audit(s, actor, "acknowledge", row, patient_id=flag.patient_id)
        return row


def flags_in(s: Session, session_id: int, patient_id: int | None = None) -> list[SessionFlag]:
    query = select(Measurement).where(Measurement.session_id == session_id)
    if patient_id is not None:
        query = query.where(Measurement.patient_id == patient_id)
    values = list(s.exec(query.order_by(col(Measurement.taken_at), col(Measurement.id))))
    acks = {
        (a.measurement_id, a.rule_key): a
        for a in s.exec(
            select(RedFlagAcknowledgement).where(RedFlagAcknowledgement.session_id == session_id)
        )
    }
    names = {u.id: u.name for u in s.exec(select(StaffUser))} if acks else {}
    found = []
    for reading in _readings(values):
        first = reading[0]
        by_key = {m.type_key: m.value for m in reading}
        for flag in red_flags.flags_for_reading(by_key):
            ack = acks.get((first.id, flag.key))  # type: ignore[arg-type]
            found.append(
                SessionFlag(
                    session_id=session_id,
                    patient_id=first.patient_id,
                    measurement_id=first.id,  # type: ignore[arg-type]
                    flag=flag,
                    text="/".join(f"{m.value:g}" for m in reading),
                    taken_at=first.taken_at,
                    acknowledged_by=names.get(ack.acknowledged_by_id) if ack else None,
                    acknowledged_at=ack.acknowledged_at if ack else None,
                    note=ack.note if ack else "",
                )
            )
    return found


def unacknowledged_in(s: Session, session_id: int) -> None:
    """Refuse (InvalidInput) while any flag of the session waits for a clinician."""
    waiting = [f for f in flags_in(s, session_id) if not f.acknowledged]
    if waiting:
        first = waiting[0]
        raise InvalidInput(
            f"Red flags: {len(waiting)} not yet acknowledged by a clinician "
            f"(first: {first.flag.rule.title}, {first.text}). A clinician acknowledges each "
            "one in wrap-up before the session can finish.",
            field="Red flags",
        )


def _readings(values: Iterable[Measurement]) -> list[list[Measurement]]:
    """Values grouped into readings: a blood pressure's two halves share a reading uid."""
    groups: dict[str, list[Measurement]] = {}
    for m in values:
        groups.setdefault(m.reading_uid or f"id:{m.id}", []).append(m)
    return list(groups.values())


def _acknowledgement(
    s: Session, session_id: int, measurement_id: int, rule_key: str
) -> RedFlagAcknowledgement | None:
    return s.exec(
        select(RedFlagAcknowledgement).where(
            RedFlagAcknowledgement.session_id == session_id,
            RedFlagAcknowledgement.measurement_id == measurement_id,
            RedFlagAcknowledgement.rule_key == rule_key,
        )
    ).first()
