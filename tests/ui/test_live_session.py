"""The live session cannot mislead: consent per person, big changes asked, drop-ins and DNAs."""

from PySide6.QtCore import Qt

from groupclinic_desktop.core.schema import ConsentKind
from tests.ui.test_checkin import answer_dialog, checkin_page, type_into


def test_each_persons_consent_buttons_show_that_persons_answers_only(qtbot, running) -> None:
    page = checkin_page(running)
    people = [e.patient for e in running.clinic.roster(page.session_id)]
    first, second = people[0], people[1]
    page.select(first.id)
    yes, _no, _state = page.consent_buttons[ConsentKind.SHARE_RESULTS]
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    _yes, no, _state = page.consent_buttons[ConsentKind.MONITORING]
    qtbot.mouseClick(no, Qt.MouseButton.LeftButton)

    page.select(second.id)  # not asked yet: neither Yes nor No, for every consent
    for kind, (yes, no, state) in page.consent_buttons.items():
        assert not yes.isChecked() and not no.isChecked(), kind
        assert state.text() == "not asked yet"

    page.select(first.id)  # back: exactly what they said
    share, monitoring = (page.consent_buttons[k] for k in (ConsentKind.SHARE_RESULTS,
                                                           ConsentKind.MONITORING))
    assert share[0].isChecked() and not share[1].isChecked()
    assert monitoring[1].isChecked() and not monitoring[0].isChecked()
    confidentiality = page.consent_buttons[ConsentKind.CONFIDENTIALITY]
    assert not confidentiality[0].isChecked() and not confidentiality[1].isChecked()


def test_a_big_change_since_last_time_asks_is_that_right(qtbot, running) -> None:
    page = checkin_page(running)
    clinic = running.clinic
    pid = page.patient_id
    assert pid is not None
    last = clinic.latest_measurement(pid, "weight")
    assert last is not None
    far = f"{last.value * 0.7:.1f}"  # 30 % less: most likely a typo
    answer_dialog("Check again")
    type_into(qtbot, page.rows["weight"].edit, far)
    assert clinic.measurements(patient_id=pid, session_id=page.session_id) == []
    assert "Not saved" in page.rows["weight"].status.text()
    answer_dialog("Save it")
    type_into(qtbot, page.rows["weight"].edit, far)
    saved = clinic.measurements(patient_id=pid, session_id=page.session_id, type_key="weight")
    assert [(m.value, m.confirmed_unusual) for m in saved] == [(float(far), True)]


def test_someone_not_in_the_store_is_added_on_the_day_as_a_drop_in(qtbot, running) -> None:
    from groupclinic_desktop.core.validation import nhs_check_digit
    from groupclinic_desktop.ui.phases.checkin import NewPersonDialog
    from tests.ui.test_wrapup import when_a_dialog_opens

    page = checkin_page(running)
    clinic = running.clinic
    first9 = "999000215"
    nhs = first9 + str(nhs_check_digit(first9))
    patients_before = len(clinic.patients())
    tries: list[str] = []

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, NewPersonDialog)
        dialog.nhs.setText("999 000 0000" if not tries else nhs)
        dialog.given.setText("Wiktoria")
        dialog.family.setText("Nowak")
        dialog.born.setText("14/03/1961")
        tries.append(dialog.error.text())
        if len(tries) == 1:
            when_a_dialog_opens(qtbot, fill)  # shown again with the reason
        dialog.accept()

    when_a_dialog_opens(qtbot, fill)
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert tries[0] == "" and tries[1].startswith("NHS number")  # one line naming the field
    added = clinic.patient_by_nhs_number(nhs)
    assert added is not None and added.added_on_day is not None
    assert len(clinic.patients()) == patients_before + 1  # the refused try left nothing behind
    entry = next(e for e in clinic.roster(page.session_id) if e.patient.id == added.id)
    assert entry.attendance.status.value == "drop_in"
    assert page.patient_id == added.id and "Wiktoria Nowak" in page.person_title.text()
    assert [p.id for p in clinic.added_on_the_day()] == [added.id]
    assert any(e.action == "create" for e in clinic.audit_entries(patient_id=added.id))


def test_did_not_attend_asks_first_when_values_or_consents_are_saved(qtbot, running) -> None:
    from groupclinic_desktop.core.schema import AttendanceStatus

    page = checkin_page(running)
    clinic = running.clinic
    pid = page.patient_id
    yes, _no, _state = page.consent_buttons[ConsentKind.CONFIDENTIALITY]
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    dna = page.attendance_buttons[AttendanceStatus.DID_NOT_ATTEND]
    answer_dialog("Keep as they are")
    qtbot.mouseClick(dna, Qt.MouseButton.LeftButton)
    status = {e.patient.id: e.attendance.status for e in clinic.roster(page.session_id)}
    assert status[pid] == AttendanceStatus.INVITED and not dna.isChecked()
    answer_dialog("Mark did not attend")
    qtbot.mouseClick(dna, Qt.MouseButton.LeftButton)
    status = {e.patient.id: e.attendance.status for e in clinic.roster(page.session_id)}
    assert status[pid] == AttendanceStatus.DID_NOT_ATTEND
    assert clinic.consents(page.session_id)[(pid, ConsentKind.CONFIDENTIALITY)] is True


def test_a_roster_name_is_readable_in_full_and_next_person_starts_at_the_top(
    qtbot, running
) -> None:
    from groupclinic_desktop.ui.phases.checkin import roster_name

    page = checkin_page(running)
    for row in range(page.roster.rowCount()):
        pid = page.roster.item(row, 0).data(Qt.ItemDataRole.UserRole)
        assert roster_name(page.entries[pid].patient) in page.roster.item(row, 0).toolTip()
    page.person_scroll.verticalScrollBar().setValue(page.person_scroll.verticalScrollBar().maximum())
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    assert page.person_scroll.verticalScrollBar().value() == 0
