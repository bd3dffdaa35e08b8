"""Hybrid sessions through the facade: mode, each attendance's channel, the remote checks, the
joining link in invitations and letters, cadence and drop-in clinics, and migration 0009."""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from groupclinic_desktop.core import invitations, store
from groupclinic_desktop.core.clinic import SYSTEM, Actor, Clinic
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.schema import AttendanceStatus, Channel, Mode, Role

LINK = "https://meet.example.nhs.uk/group/diabetes-42"
WORDS = "Join 10 minutes early. By phone: call 0300 123 4567 and give code 4242."


def facilitator(clinic: Clinic):  # type: ignore[no-untyped-def]
    user = next(u for u in clinic.staff() if u.role == Role.FACILITATOR)
    return clinic.acting_as(Actor(user.id, user.name, user.role))


def programme_id(clinic: Clinic) -> int:
    return clinic.programmes()[0].id  # type: ignore[return-value]


def store_state(clinic: Clinic) -> tuple[int, int, int, list[tuple]]:
    """What a refused change must leave exactly as it was."""
    rows = [(a.patient_id, a.status, a.channel, a.identity_confirmed, a.private_place)
            for s in clinic.sessions() for a in (e.attendance for e in clinic.roster(s.id))]
    return len(clinic.sessions()), len(clinic.audit_entries()), len(clinic.outbox_events()), rows


def hybrid_session(clinic: Clinic) -> int:
    with facilitator(clinic) as c:
        session = c.plan_session(
            programme_id(c), date.today(), time(14), "Riverside room 2", mode=Mode.HYBRID,
            joining_link=LINK, joining_instructions=WORDS,
        )
    return session.id  # type: ignore[return-value]


def test_hybrid_session_with_all_three_channels(demo: Clinic) -> None:
    sid = hybrid_session(demo)
    people = [p.id for p in demo.enrolled(programme_id(demo))][:4]
    with facilitator(demo) as c:
        invitations.enrol_and_invite(c, people, programme_id(c), sid)
        # Nobody has joined yet: a hybrid session expects people in the room.
        assert {e.attendance.channel for e in c.roster(sid)} == {Channel.IN_ROOM}
        c.start_session(sid)
        c.set_attendance(sid, people[0], "attended", channel="in_room")
        c.set_attendance(sid, people[1], "attended", channel="video",
                         identity_confirmed=True, private_place=True)
        c.set_attendance(sid, people[2], "late", channel=Channel.PHONE, identity_confirmed=True)
        c.set_attendance(sid, people[3], "did_not_attend")
        before = store_state(c)
        # The identity and private-place checks are for video and phone attendees only.
        with pytest.raises(InvalidInput, match="Identity check: only for people joining by video"):
            c.set_attendance(sid, people[0], identity_confirmed=True)
        assert store_state(c) == before

    roster = {e.patient.id: e.attendance for e in demo.roster(sid)}
    assert [roster[p].channel for p in people[:3]] == [Channel.IN_ROOM, Channel.VIDEO,
                                                        Channel.PHONE]
    assert (roster[people[1]].identity_confirmed, roster[people[1]].private_place) == (True, True)
    assert (roster[people[2]].identity_confirmed, roster[people[2]].private_place) == (True, False)

    session = demo.session(sid)
    events = [e for e in demo.outbox_events()
              if (e.payload or {}).get("session_uid") == session.uid]
    sessions = [e for e in events if e.type == "session"]
    # Session events are at schema 3 now (protocol 3), which keeps the hybrid fields of 2.
    assert sessions and all(e.schema_version == 3 for e in sessions)
    assert sessions[-1].payload["mode"] == "hybrid" and sessions[-1].payload["drop_in"] is False
    latest = {}
    for e in events:
        if e.type == "attendance":
            assert e.schema_version == 2
            latest[e.payload["patient_id"]] = e.payload
    assert [latest[p]["channel"] for p in people] == ["in_room", "video", "phone", None]
    # The joining link is for people, not for monitoring.
    assert all(LINK not in str(e.payload) for e in demo.outbox_events())


def test_the_channel_must_fit_the_mode(demo: Clinic) -> None:
    today = next(s for s in demo.sessions() if s.day == date.today())  # face to face
    person = demo.roster(today.id)[0].patient.id  # type: ignore[arg-type]
    with facilitator(demo) as c:
        before = store_state(c)
        with pytest.raises(InvalidInput, match="Channel: a face to face session is joined in"):
            c.set_attendance(today.id, person, "attended", channel="video")  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="Channel: 'zoom' is not one of"):
            c.set_attendance(today.id, person, "attended", channel="zoom")  # type: ignore[arg-type]
        assert store_state(c) == before
        video = c.plan_session(programme_id(c), date.today(), time(18), "Online",
                               mode="video", joining_link=LINK)
        c.invite(video.id, person)  # type: ignore[arg-type]
        assert c.roster(video.id)[0].attendance.channel == Channel.VIDEO  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="Channel: a video session is joined video or phone"):
            c.set_attendance(video.id, person, "attended", channel="in_room")  # type: ignore[arg-type]
        # Someone already on video blocks a change to face to face, and nothing changes.
        c.set_attendance(video.id, person, "attended", channel="phone")  # type: ignore[arg-type]
        before = store_state(c)
        with pytest.raises(InvalidInput, match="Channel"):
            c.set_session_joining(video.id, mode="face_to_face")  # type: ignore[arg-type]
        assert store_state(c) == before
        moved = c.set_session_joining(video.id, mode="hybrid", joining_link=LINK)  # type: ignore[arg-type]
        assert moved.mode == Mode.HYBRID


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("http://meet.example.org/x", "must start with https://"),
        ("javascript:alert(1)", "must start with https://"),
        ("https://meet example.org/x", "must not contain spaces"),
        ("https:///nohost", "has no web site name"),
        ("https://localhost/x", "has no web site name"),
        ("https://user:secret@meet.example.org/x", "must not hold a user name or password"),
        ("https://meet.example.org/" + "x" * 600, "at most 500"),
        ("https://meet.example.org:port/x", "is not a web address"),
    ],
)
def test_a_bad_joining_link_names_the_field_and_changes_nothing(
    demo: Clinic, link: str, reason: str
) -> None:
    with facilitator(demo) as c:
        before = store_state(c)
        with pytest.raises(InvalidInput, match=f"Joining link: .*{reason}"):
            c.plan_session(programme_id(c), date.today(), time(14), "Room", mode="hybrid",
                           joining_link=link)
        with pytest.raises(InvalidInput, match="Joining link"):
            c.plan_series(programme_id(c), date.today(), time(14), "Room", every="week", count=3,
                          mode="video", joining_link=link)
        assert store_state(c) == before


def test_a_face_to_face_session_has_no_joining_link(demo: Clinic) -> None:
    with facilitator(demo) as c:
        before = store_state(c)
        with pytest.raises(InvalidInput, match="Joining link: a face-to-face session"):
            c.plan_session(programme_id(c), date.today(), time(14), "Room", joining_link=LINK)
        with pytest.raises(InvalidInput, match="Joining instructions: must not contain control"):
            c.plan_session(programme_id(c), date.today(), time(14), "Room", mode="video",
                           joining_instructions="Join\x07 early")
        assert store_state(c) == before


def test_invitations_csv_and_letters_carry_the_joining_link(demo: Clinic, tmp_path: Path) -> None:
    sid = hybrid_session(demo)
    with demo.acting_as(SYSTEM):
        texted = demo.add_patient("9990000212", "Ann", "Mobile", "1960-01-01",
                                  mobile="07700 900123")
    people = [texted.id, *[p.id for p in demo.enrolled(programme_id(demo))][:2]]
    with facilitator(demo) as c:
        invitations.enrol_and_invite(c, people, programme_id(c), sid)
        written = invitations.write_batch_messaging_csv(c, sid, tmp_path / "sms.csv")
    with (tmp_path / "sms.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert written == 1 and list(rows[0]) == [
        "NHS number", "Date of birth", "Name", "Mobile", "Joining link", "Joining instructions"
    ]
    assert rows[0]["Joining link"] == LINK and rows[0]["Joining instructions"] == WORDS

    from groupclinic_desktop.export.letters import invitation_letters

    with facilitator(demo) as c:
        pdf, count = invitation_letters(c, sid, tmp_path / "letters.pdf")
    assert count == 2
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        flat = " ".join(text.split())
        assert f"Join by video: {LINK}" in flat
        assert "Join 10 minutes early." in flat and "somewhere private" in flat
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert f"Pages:           {count}" in info  # one page a letter, large print kept


def test_weekly_fortnightly_monthly_and_quarterly_series(demo: Clinic) -> None:
    first = date.today() + timedelta(days=3)
    with facilitator(demo) as c:
        fortnightly = c.plan_series(programme_id(c), first, time(10), "Room", every="fortnight",
                                    count=3)
        quarterly = c.plan_series(programme_id(c), date(first.year + 1, 1, 31), time(10), "Room",
                                  every="quarter", count=4, mode="video", joining_link=LINK)
        before = store_state(c)
        with pytest.raises(InvalidInput, match="Repeat: 'yearly' is not one of week, fortnight, "
                                               "month, quarter"):
            c.plan_series(programme_id(c), first, time(10), "Room", every="yearly", count=2)
        assert store_state(c) == before
    assert [s.day for s in fortnightly] == [first + timedelta(weeks=2 * n) for n in range(3)]
    year = first.year + 1
    assert [s.day for s in quarterly] == [date(year, 1, 31), date(year, 4, 30),
                                          date(year, 7, 31), date(year, 10, 31)]
    assert {s.joining_link for s in quarterly} == {LINK}
    assert {s.mode for s in quarterly} == {Mode.VIDEO}


def test_a_drop_in_clinic_has_no_fixed_roster(demo: Clinic) -> None:
    with demo.acting_as(SYSTEM):
        outsider = demo.add_patient("9990000220", "Olu", "Outside", "1955-05-05")
    enrolled = [p.id for p in demo.enrolled(programme_id(demo))]
    with facilitator(demo) as c:
        clinic = c.plan_drop_in_clinic(programme_id(c), date.today(), time(13), "Hub café",
                                       mode="hybrid", joining_link=LINK)
        sid = clinic.id
        assert clinic.drop_in and c.roster(sid) == []  # type: ignore[arg-type]
        before = store_state(c)
        with pytest.raises(InvalidInput, match="Invite: a drop-in clinic has no fixed roster"):
            c.invite(sid, enrolled[0])  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="Drop-in: this person is not enrolled"):
            c.set_attendance(sid, outsider.id, "drop_in")  # type: ignore[arg-type]
        assert store_state(c) == before
        assert [p.id for p in c.drop_in_candidates(sid)] == [  # type: ignore[arg-type]
            p.id for p in c.enrolled(programme_id(c))
        ]
        c.start_session(sid)  # type: ignore[arg-type]
        c.set_attendance(sid, enrolled[0], "drop_in", channel="video")  # type: ignore[arg-type]
        new = c.add_new_drop_in(sid, "9990000239", "Nia", "Newcomer", "1970-02-02",  # type: ignore[arg-type]
                                channel="phone")
        assert new.id in {p.id for p in c.enrolled(programme_id(c))}
        roster = {e.patient.id: e.attendance for e in c.roster(sid)}  # type: ignore[arg-type]
        assert {pid: (a.status, a.channel) for pid, a in roster.items()} == {
            enrolled[0]: (AttendanceStatus.DROP_IN, Channel.VIDEO),
            new.id: (AttendanceStatus.DROP_IN, Channel.PHONE),
        }
        assert enrolled[0] not in {p.id for p in c.drop_in_candidates(sid)}  # type: ignore[arg-type]
        # Its text message goes to everyone enrolled: nobody is invited to a drop-in clinic.
        assert len(invitations.recipients(c, sid)) == len(c.enrolled(programme_id(c)))  # type: ignore[arg-type]
    event = [e for e in demo.outbox_events() if e.type == "session"][-1]
    assert event.payload["drop_in"] is True


def test_migration_0009_keeps_every_row_and_gives_each_attendance_its_channel(
    demo_dir: Path, demo: Clinic
) -> None:
    from alembic import command

    with facilitator(demo) as c:
        video = c.plan_session(programme_id(c), date.today(), time(18), "Online", mode="video",
                               joining_link=LINK)
        people = [p.id for p in c.enrolled(programme_id(c))][:3]
        for pid in people:
            c.invite(video.id, pid)  # type: ignore[arg-type]
        hybrid = hybrid_session(c)
        c.invite(hybrid, people[0])
    before = {
        (s.id, s.uid, s.day, s.status, s.place): [
            (e.patient.id, e.attendance.status, e.attendance.invitation) for e in demo.roster(s.id)
        ]
        for s in demo.sessions()
    }
    modes = {s.id: s.mode for s in demo.sessions()}
    config = store.alembic_config(demo.engine)
    command.downgrade(config, "0008")
    with demo.engine.connect() as conn:
        columns = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(attendance)")}
        assert "channel" not in columns
        hybrid_mode = conn.exec_driver_sql(
            f"SELECT mode FROM clinic_session WHERE id = {hybrid}").scalar()
        assert hybrid_mode == "VIDEO"  # the older app's nearest mode: people joined remotely
    demo.close()
    with Clinic.open(demo_dir, create=False) as clinic:  # opening migrates it up again
        assert store.current_revision(clinic.engine) == store.head_revision()
        after = {
            (s.id, s.uid, s.day, s.status, s.place): [
                (e.patient.id, e.attendance.status, e.attendance.invitation)
                for e in clinic.roster(s.id)
            ]
            for s in clinic.sessions()
        }
        assert after == before  # every session and attendance kept
        for s in clinic.sessions():
            expected = Channel.VIDEO if s.mode == Mode.VIDEO else Channel.IN_ROOM
            assert {e.attendance.channel for e in clinic.roster(s.id)} <= {expected}
            assert s.drop_in is False
            if s.id not in (hybrid,):
                assert s.mode == modes[s.id]
        assert clinic.session(video.id).joining_link is None  # type: ignore[arg-type]
        assert [e.attendance.channel for e in clinic.roster(video.id)] == [Channel.VIDEO] * 3  # type: ignore[arg-type]
        assert clinic.verify_audit() == []
