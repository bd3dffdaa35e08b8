"""Check-in driven from the keyboard and mouse, then checked against the store."""

from datetime import date

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from groupclinic_desktop.core.clinic import SYSTEM
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind
from groupclinic_desktop.core.validation import nhs_check_digit
from groupclinic_desktop.ui.main_window import MainWindow
from groupclinic_desktop.ui.phases.checkin import CheckInPage, roster_name

# What the facilitator types for eight people: (blood pressure, weight, cholesterol, confidence).
TYPED = [
    ("138/84", "82.4", "4.9", "7"),
    ("152/92", "95.1", "5.6", "5"),
    ("128/78", "70.3", "4.2", "8"),
    ("144/88", "101.0", "6.1", "6"),
    ("131/80", "66.8", "3.9", "9"),
    ("160/96", "88.2", "5.2", "4"),
    ("122/74", "59.5", "4.4", "7"),
    ("149/90", "112.6", "5.8", "6"),
]


def near_last(clinic, patient_id: int, key: str, typed: str) -> str:  # type: ignore[no-untyped-def]
    """A value close to the person's last one (within the big-change limits), else as typed.

    The typed weights above are arbitrary; a real person's weight is near last time's, and a
    far one asks "Is that right?" (resources/big_changes.toml), which these tests are not about.
    """
    last = clinic.latest_measurement(patient_id, key)
    if last is None:
        return typed
    wobble = (float(typed) % 3.0) - 1.5  # -1.5 to +1.5, different for each row of TYPED
    return f"{last.value + wobble:.1f}"


def checkin_page(window: MainWindow) -> CheckInPage:
    assert window.session_window is not None
    page = window.session_window.current_page()
    assert isinstance(page, CheckInPage)
    return page


def type_into(qtbot, edit, text: str, key=Qt.Key.Key_Return) -> None:  # type: ignore[no-untyped-def]
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, key)


def answer_dialog(button_text: str) -> None:
    """Click a button of the question that pops up next, as the facilitator would."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        for button in box.buttons():
            if button.text() == button_text:
                button.click()
                return

    QTimer.singleShot(20, click)


def test_eight_people_checked_in_store_holds_exactly_what_was_typed(qtbot, running) -> None:
    page = checkin_page(running)
    clinic = running.clinic
    sid = page.session_id
    people = [e.patient for e in clinic.roster(sid)][:8]
    weights = {
        p.id: near_last(clinic, p.id, "weight", t[1]) for p, t in zip(people, TYPED, strict=True)
    }
    for person, (bp, _, chol, confidence) in zip(people, TYPED, strict=True):
        weight = weights[person.id]
        page.select(person.id)
        assert page.person_title.text() == roster_name(person)
        qtbot.mouseClick(
            page.attendance_buttons[AttendanceStatus.ATTENDED], Qt.MouseButton.LeftButton
        )
        for yes, _no, _state in page.consent_buttons.values():
            qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
        # Tab moves on and saves; Enter saves too.
        type_into(qtbot, page.rows["blood_pressure"].edit, bp, Qt.Key.Key_Tab)
        assert page.rows["weight"].edit.hasFocus()
        type_into(qtbot, page.rows["weight"].edit, weight)
        type_into(qtbot, page.rows["total_cholesterol"].edit, chol)
        type_into(qtbot, page.answer_rows[("confidence", "confidence")].edit, confidence)
        for key in ("blood_pressure", "weight", "total_cholesterol"):
            assert page.rows[key].status.text() == "✓ saved"

    for person, (bp, _, chol, confidence) in zip(people, TYPED, strict=True):
        weight = weights[person.id]
        taken = {m.type_key: m for m in clinic.measurements(patient_id=person.id, session_id=sid)}
        systolic, diastolic = bp.split("/")
        assert taken["systolic_bp"].value == float(systolic)
        assert taken["diastolic_bp"].value == float(diastolic)
        assert taken["systolic_bp"].reading_uid == taken["diastolic_bp"].reading_uid
        assert taken["weight"].value == float(weight)
        assert taken["total_cholesterol"].value == float(chol)
        assert "bmi" in taken  # worked out from the weight and the height on record
        assert set(taken) == {"systolic_bp", "diastolic_bp", "weight", "total_cholesterol", "bmi"}
        responses = {
            r.questionnaire_key: r for r in clinic.responses(session_id=sid, patient_id=person.id)
        }
        assert responses["confidence"].score == float(confidence)
    consents = clinic.consents(sid)
    statuses = {e.patient.id: e.attendance.status for e in clinic.roster(sid)}
    for person in people:
        assert statuses[person.id] == AttendanceStatus.ATTENDED
        for kind in ConsentKind:
            assert consents[(person.id, kind)] is True
    # The two not checked in are untouched.
    others = [pid for pid in statuses if pid not in {p.id for p in people}]
    assert all(statuses[pid] == AttendanceStatus.INVITED for pid in others)
    assert not any(clinic.measurements(patient_id=pid, session_id=sid) for pid in others)


def test_out_of_limits_value_is_refused_with_the_reason_beside_the_field(qtbot, running) -> None:
    page = checkin_page(running)
    row = page.rows["hba1c"]
    row.edit.setFocus()
    qtbot.keyClicks(row.edit, "300")
    assert "above the highest plausible value" in row.status.text()
    assert row.status.property("state") == "red"
    qtbot.keyClick(row.edit, Qt.Key.Key_Return)
    assert "Not saved" in row.status.text()
    assert running.clinic.measurements(session_id=page.session_id) == []


def test_unusual_value_is_saved_only_after_confirming(qtbot, running) -> None:
    page = checkin_page(running)
    pid = page.patient_id
    row = page.rows["blood_pressure"]
    row.edit.setFocus()
    qtbot.keyClicks(row.edit, "190/100")
    assert "You will be asked to confirm" in row.status.text()
    answer_dialog("Check again")
    qtbot.keyClick(row.edit, Qt.Key.Key_Return)
    assert running.clinic.measurements(session_id=page.session_id) == []
    assert "Not saved" in row.status.text()

    answer_dialog("Save it")
    with qtbot.waitSignal(page.bus.changes) as signal:
        qtbot.keyClick(row.edit, Qt.Key.Key_Return)
    assert signal.args[0].people_in({"measurement"}, page.session_id) == {pid}
    saved = running.clinic.measurements(session_id=page.session_id, type_key="systolic_bp")
    assert [(m.value, m.confirmed_unusual) for m in saved] == [(190.0, True)]
    # Saved, and 190 is a red flag (NICE NG136 severe hypertension): said beside the field.
    assert row.status.text().startswith("✓ saved · ⚑ RED FLAG")


def test_each_field_shows_the_previous_value_and_date(qtbot, running) -> None:
    page = checkin_page(running)
    clinic = running.clinic
    pid = page.patient_id
    assert pid is not None
    earlier = [m for m in clinic.measurements(patient_id=pid, type_key="weight")]
    last = earlier[-1]
    expected = f"last: {last.value:.1f} on {last.taken_at.astimezone():%d %b %Y}"
    assert page.rows["weight"].last.text() == expected
    assert page.rows["blood_pressure"].last.text().startswith("last: ")
    assert "/" in page.rows["blood_pressure"].last.text()
    # BMI is worked out, never typed.
    assert page.rows["bmi"].edit.isReadOnly()
    type_into(qtbot, page.rows["weight"].edit, f"{last.value + 0.6:.1f}")
    bmi = clinic.measurements(patient_id=pid, session_id=page.session_id, type_key="bmi")
    assert page.rows["bmi"].edit.text() == f"{bmi[-1].value:.1f}"


def test_a_drop_in_is_found_by_nhs_number_and_added(qtbot, running) -> None:
    clinic = running.clinic
    first9 = "999000011"
    nhs = first9 + str(nhs_check_digit(first9))
    with clinic.acting_as(SYSTEM):
        newcomer = clinic.add_patient(nhs, "Nia", "Roberts", date(1969, 3, 2), sex="female")
    page = checkin_page(running)
    page.search.setFocus()
    qtbot.keyClicks(page.search, nhs[:3] + " " + nhs[3:6] + " " + nhs[6:])
    assert page.found.count() == 1
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    statuses = {e.patient.id: e.attendance.status for e in clinic.roster(page.session_id)}
    assert statuses[newcomer.id] == AttendanceStatus.DROP_IN
    assert page.patient_id == newcomer.id
    assert page.person_title.text() == "Nia Roberts"
    names = [page.roster.item(r, 0).text() for r in range(page.roster.rowCount())]
    assert "Nia Roberts" in names


def test_carer_and_attendance_changes_are_saved_at_once(qtbot, running) -> None:
    page = checkin_page(running)
    pid = page.patient_id
    qtbot.mouseClick(page.attendance_buttons[AttendanceStatus.LATE], Qt.MouseButton.LeftButton)
    page.carer.click()
    qtbot.mouseClick(page.consent_buttons[ConsentKind.SHARE_RESULTS][1], Qt.MouseButton.LeftButton)
    entry = next(e for e in running.clinic.roster(page.session_id) if e.patient.id == pid)
    assert entry.attendance.status == AttendanceStatus.LATE
    assert entry.attendance.carer_present is True
    assert running.clinic.consents(page.session_id)[(pid, ConsentKind.SHARE_RESULTS)] is False
    assert page.consent_buttons[ConsentKind.SHARE_RESULTS][2].text() == "✓ saved: no"


def test_video_session_records_identity_and_private_place(qtbot, demo) -> None:
    from datetime import time

    from groupclinic_desktop.core.schema import Mode
    from groupclinic_desktop.ui.phases.base import SessionBus

    programme = demo.programmes()[0]
    with demo.acting_as(SYSTEM):
        video = demo.plan_session(
            programme.id, date.today(), time(14, 0), "Video call", mode=Mode.VIDEO
        )
        person = demo.enrolled(programme.id)[0]
        demo.invite(video.id, person.id)
        demo.start_session(video.id)
    demo.sign_in(next(u.id for u in demo.staff() if u.name == "Jo Morgan"), "2468")
    page = CheckInPage(demo, video.id, SessionBus())
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    assert page.identity.isVisible() and page.private.isVisible()
    page.resize(1000, 700)
    qtbot.mouseClick(page.identity, Qt.MouseButton.LeftButton)
    # and from the keyboard: Tab to it, Space to tick it
    page.private.setFocus()
    qtbot.keyClick(page.private, Qt.Key.Key_Space)
    attendance = demo.roster(video.id)[0].attendance
    assert attendance.identity_confirmed is True
    assert attendance.private_place is True


def test_face_to_face_session_does_not_ask_about_video(qtbot, running) -> None:
    page = checkin_page(running)
    assert not page.identity.isVisible()
    assert not page.private.isVisible()
