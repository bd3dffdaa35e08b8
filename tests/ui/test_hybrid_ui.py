"""Hybrid sessions in the app: the facilitator marks how each person joins at check-in (with the
identity and private-place checks for video and phone only), remote attendees show as such on
the roster, the board page says how to share the board with them, and planning offers every
cadence, drop-in clinics, video and hybrid with a joining link."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time, timedelta

import pytest
from PySide6.QtCore import QDate, QPoint, Qt

from groupclinic_desktop.core.clinic import SYSTEM, Actor, Clinic
from groupclinic_desktop.core.schema import AttendanceStatus, Channel, Mode, Role
from groupclinic_desktop.ui.main_window import MainWindow
from groupclinic_desktop.ui.phases.base import SessionBus
from groupclinic_desktop.ui.phases.board import BoardPage
from groupclinic_desktop.ui.phases.checkin import CheckInPage
from groupclinic_desktop.ui.programmes import ProgrammeEditor
from tests.ui.conftest import FACILITATOR, sign_in, todays_session

LINK = "https://meet.example.nhs.uk/riverside/hybrid-group"


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def tick(qtbot, box) -> None:  # type: ignore[no-untyped-def]
    """Click a check box on its box, as a person does (its middle may be empty space)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


@pytest.fixture
def hybrid(qtbot, demo: Clinic) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    """Today's demo session made hybrid, then started by the facilitator from the home screen."""
    with demo.acting_as(SYSTEM):
        demo.set_session_joining(todays_session(demo).id, mode="hybrid", joining_link=LINK)  # type: ignore[arg-type]
    window = MainWindow(demo)
    qtbot.addWidget(window)
    window.ask_before_closing = False
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    sign_in(qtbot, window, FACILITATOR)
    session = todays_session(demo)
    click(qtbot, window.home.cards[session.id].button)  # type: ignore[index]
    yield window
    window.idle.stop()


def checkin(window: MainWindow) -> CheckInPage:
    page = window.session_window.current_page()  # type: ignore[union-attr]
    assert isinstance(page, CheckInPage)
    return page


def test_the_facilitator_marks_room_video_and_phone(qtbot, hybrid: MainWindow) -> None:  # type: ignore[no-untyped-def]
    page = checkin(hybrid)
    clinic, sid = hybrid.clinic, page.session_id
    people = [e.patient.id for e in clinic.roster(sid)][:3]
    assert page.channel_row.isVisibleTo(page)

    page.select(people[0])
    click(qtbot, page.attendance_buttons[AttendanceStatus.ATTENDED])
    assert page.channel_buttons[Channel.IN_ROOM].isChecked()
    assert not page.identity.isVisibleTo(page) and not page.private.isVisibleTo(page)

    page.select(people[1])
    click(qtbot, page.attendance_buttons[AttendanceStatus.ATTENDED])
    click(qtbot, page.channel_buttons[Channel.VIDEO])
    assert page.identity.isVisibleTo(page) and page.private.isVisibleTo(page)
    tick(qtbot, page.identity)
    tick(qtbot, page.private)

    page.select(people[2])
    click(qtbot, page.attendance_buttons[AttendanceStatus.LATE])
    click(qtbot, page.channel_buttons[Channel.PHONE])
    tick(qtbot, page.identity)

    stored = {e.patient.id: e.attendance for e in clinic.roster(sid)}
    assert [stored[p].channel for p in people] == [Channel.IN_ROOM, Channel.VIDEO, Channel.PHONE]
    assert (stored[people[1]].identity_confirmed, stored[people[1]].private_place) == (True, True)
    assert (stored[people[2]].identity_confirmed, stored[people[2]].private_place) == (True, False)
    # Remote attendees are shown as such on the roster, and counted.
    shown = {page.roster.item(r, 0).data(Qt.ItemDataRole.UserRole): page.roster.item(r, 1).text()
             for r in range(page.roster.rowCount())}
    assert shown[people[0]] == "Attended"
    assert shown[people[1]] == "Attended · 🎥 video"
    assert shown[people[2]] == "Late · 📞 phone"
    assert "3 here (2 joining remotely)" in page.counts.text()

    # The one-to-one queue marks them too, so the clinician turns to the screen.
    hybrid.session_window.go_to("one_to_ones")  # type: ignore[union-attr]
    queue = hybrid.session_window.current_page().queue  # type: ignore[union-attr]
    labels = [queue.item(r).text() for r in range(queue.count())]
    assert sum("· 🎥 video" in text for text in labels) == 1
    assert sum("· 📞 phone" in text for text in labels) == 1


def test_a_face_to_face_session_asks_nothing_about_channels(qtbot, running) -> None:  # type: ignore[no-untyped-def]
    page = checkin(running)
    assert not page.channel_row.isVisibleTo(page)
    assert not page.identity.isVisibleTo(page)


def test_the_board_page_says_how_to_share_with_remote_attendees(  # type: ignore[no-untyped-def]
    qtbot, demo: Clinic, tmp_path
) -> None:
    sid = todays_session(demo).id
    jo = next(u for u in demo.staff() if u.name == "Jo Morgan")
    demo.sign_in(jo.id, "2468")  # type: ignore[arg-type]
    demo.set_session_joining(sid, mode="video", joining_link=LINK)  # type: ignore[arg-type]
    demo.start_session(sid)  # type: ignore[arg-type]
    for entry in demo.roster(sid):  # type: ignore[arg-type]
        demo.set_attendance(sid, entry.patient.id, "attended", channel="video")  # type: ignore[arg-type]
    page = BoardPage(demo, sid, SessionBus())  # type: ignore[arg-type]
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    assert page.share_button.isVisible()
    assert "never share this window" in page.remote_note.text()
    saved = page.save_for_remote(tmp_path / "board-to-share.png")
    assert saved is not None and saved.read_bytes().startswith(b"\x89PNG")
    assert "never share the GroupClinic window" in page.remote_note.text()
    assert [e.after["how"] for e in demo.audit_entries()  # type: ignore[index]
            if e.action == "board_display"] == ["remote_share"]


@pytest.fixture
def editor(qtbot, demo: Clinic) -> Iterator[ProgrammeEditor]:  # type: ignore[no-untyped-def]
    admin = next(u for u in demo.staff() if u.role == Role.ADMIN)
    with demo.acting_as(Actor(admin.id, admin.name, admin.role)):  # type: ignore[arg-type]
        widget = ProgrammeEditor(demo)
        qtbot.addWidget(widget)
        widget.resize(1100, 900)
        widget.show()
        yield widget


def test_planning_a_fortnightly_hybrid_series_with_a_joining_link(qtbot, editor, demo) -> None:  # type: ignore[no-untyped-def]
    dialog = editor.series_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    first = date.today() + timedelta(days=7)
    dialog.first_day.setDate(QDate(first))
    qtbot.keyClicks(dialog.place, "Riverside room 2")
    dialog.every.setCurrentIndex(dialog.every.findData("fortnight"))
    dialog.count.setValue(3)
    assert not dialog.joining_link.isEnabled()  # face to face: no link to give
    dialog.mode.setCurrentIndex(dialog.mode.findData("hybrid"))
    assert dialog.joining_link.isEnabled()
    before = len(demo.sessions())
    qtbot.keyClicks(dialog.joining_link, "http://meet.example.org/x")
    click(qtbot, dialog.ok_button)
    assert "Joining link: must start with https://" in dialog.message.text()
    assert len(demo.sessions()) == before
    dialog.joining_link.clear()
    qtbot.keyClicks(dialog.joining_link, LINK)
    qtbot.keyClicks(dialog.joining_instructions, "Join 10 minutes early.")
    click(qtbot, dialog.ok_button)
    assert [s.day for s in dialog.planned] == [first + timedelta(weeks=2 * n) for n in range(3)]
    assert {(s.mode, s.joining_link, s.joining_instructions) for s in dialog.planned} == {
        (Mode.HYBRID, LINK, "Join 10 minutes early.")
    }


def test_planning_a_drop_in_clinic(qtbot, editor, demo) -> None:  # type: ignore[no-untyped-def]
    dialog = editor.series_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.place, "Hub community room")
    dialog.every.setCurrentIndex(dialog.every.findData("drop_in"))
    assert not dialog.count.isEnabled()
    assert dialog.ok_button.text() == "Plan the drop-in clinic"
    options = [dialog.every.itemText(i) for i in range(dialog.every.count())]
    assert options == ["Every month", "Every week", "Every fortnight",
                       "Every quarter (3 months)",
                       "A single drop-in clinic (open to anyone enrolled)"]
    click(qtbot, dialog.ok_button)
    assert len(dialog.planned) == 1 and dialog.planned[0].drop_in
    assert demo.roster(dialog.planned[0].id) == []


def test_a_drop_in_clinic_adds_people_enrolled_as_they_arrive(qtbot, demo: Clinic) -> None:  # type: ignore[no-untyped-def]
    jo = next(u for u in demo.staff() if u.name == "Jo Morgan")
    demo.sign_in(jo.id, "2468")  # type: ignore[arg-type]
    with demo.acting_as(SYSTEM):
        outsider = demo.add_patient("9990000220", "Olu", "Outside", "1955-05-05")
    clinic_session = demo.plan_drop_in_clinic(
        demo.programmes()[0].id, date.today(), time(13), "Hub community room",  # type: ignore[arg-type]
        mode="hybrid", joining_link=LINK,
    )
    sid = clinic_session.id
    demo.start_session(sid)  # type: ignore[arg-type]
    page = CheckInPage(demo, sid, SessionBus())  # type: ignore[arg-type]
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    assert page.roster.rowCount() == 0
    assert page.counts.text().startswith("Drop-in clinic: add people as they arrive")
    # Only people enrolled in the programme are offered; anyone else is added as someone new.
    qtbot.keyClicks(page.search, "Outside")
    assert not page.found.isVisible() and "New person" in page.search_note.text()
    page.search.clear()
    someone = demo.enrolled(demo.programmes()[0].id)[0]  # type: ignore[arg-type]
    qtbot.keyClicks(page.search, someone.family_name)
    assert page.found.isVisible()
    click(qtbot, page.add_button)
    click(qtbot, page.channel_buttons[Channel.VIDEO])
    roster = {e.patient.id: e.attendance for e in demo.roster(sid)}  # type: ignore[arg-type]
    assert outsider.id not in roster
    assert (roster[someone.id].status, roster[someone.id].channel) == (
        AttendanceStatus.DROP_IN, Channel.VIDEO
    )
    assert page.roster.item(0, 1).text() == "Drop-in · 🎥 video"


def test_changing_how_a_planned_session_is_held(qtbot, editor, demo) -> None:  # type: ignore[no-untyped-def]
    editor._fill_sessions()
    planned = next(s for s in demo.sessions() if s.day > date.today())
    row = next(i for i in range(editor.sessions.count())
               if editor.sessions.item(i).data(Qt.ItemDataRole.UserRole) == planned.id)
    editor.sessions.setCurrentRow(row)
    assert not editor.set_joining_selected("hybrid", "ftp://meet.example.org/x", "")
    assert "Joining link: must start with https://" in editor.message.text()
    assert demo.session(planned.id).mode == Mode.FACE_TO_FACE
    assert editor.set_joining_selected("hybrid", LINK, "Join early.")
    changed = demo.session(planned.id)
    assert (changed.mode, changed.joining_link, changed.joining_instructions) == (
        Mode.HYBRID, LINK, "Join early."
    )
    assert ", hybrid" in editor.sessions.currentItem().text()
