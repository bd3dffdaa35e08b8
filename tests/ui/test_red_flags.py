"""A red flag from typing 215/125 at check-in to a clinician's acknowledgement in wrap-up."""

from PySide6.QtCore import Qt

from groupclinic_desktop.core.schema import AttendanceStatus, SessionStatus
from groupclinic_desktop.ui.phases.board import BoardPage
from groupclinic_desktop.ui.phases.checkin import CheckInPage
from groupclinic_desktop.ui.phases.one_to_one import OneToOnePage
from groupclinic_desktop.ui.phases.wrapup import WrapUpPage
from tests.ui.conftest import CLINICIAN, sign_in
from tests.ui.test_checkin import answer_dialog, type_into
from tests.ui.test_full_session import page_of


def test_215_over_125_follows_the_person_to_wrap_up_and_never_reaches_the_room(
    qtbot, running
) -> None:
    window = running
    clinic = window.clinic
    sid = window.session_window.session_id
    people = [e.patient for e in clinic.roster(sid)]
    calm, flagged = people[0], people[3]

    page = page_of(window, "checkin", CheckInPage)
    for person, bp in ((calm, "128/78"), (flagged, "215/125")):
        page.select(person.id)
        qtbot.mouseClick(page.attendance_buttons[AttendanceStatus.ATTENDED],
                         Qt.MouseButton.LeftButton)
        for yes, _no, _state in page.consent_buttons.values():
            qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
        if person is flagged:  # very high: asked first, as before (only then: no stray answer)
            answer_dialog("Save it")
        type_into(qtbot, page.rows["blood_pressure"].edit, bp)

    # Beside the field and over the card: what it is, the words to say, and what to do now.
    field = page.rows["blood_pressure"].status.text()
    assert "RED FLAG" in field and "Tell the clinician now" in field and "Say:" in field
    assert page.rows["blood_pressure"].status.property("state") == "red"
    assert page.flag_banner.isVisible() and "Very high blood pressure" in page.flag_banner.text()
    # In the roster, for that person only.
    row = page._row_of(flagged.id)
    assert page.roster.item(row, 0).text().startswith("⚑")
    assert "RED FLAG" in page.roster.item(row, 1).text()
    assert not page.roster.item(page._row_of(calm.id), 0).text().startswith("⚑")
    # Back to the calm person: no flag shown for them.
    page.select(calm.id)
    assert not page.flag_banner.isVisible()
    assert "RED FLAG" not in page.rows["blood_pressure"].status.text()

    # The room never sees an alarm about a named person.
    board = page_of(window, "board", BoardPage)
    qtbot.mouseClick(board.second_screen, Qt.MouseButton.LeftButton)
    assert board.presenter is not None
    shown = " ".join(board.presenter.texts())
    assert flagged.board_name in shown
    assert "RED FLAG" not in shown and "⚑" not in shown and "clinician" not in shown.lower()
    board.presenter.close()

    # Wrap-up will not finish while the flag waits; a facilitator cannot acknowledge it.
    wrapup = page_of(window, "wrapup", WrapUpPage)
    assert wrapup.red_flags.isVisible() and wrapup.red_flags.waiting == 1
    assert not wrapup.finish_button.isEnabled()
    qtbot.mouseClick(wrapup.red_flags.buttons[0], Qt.MouseButton.LeftButton)
    assert "Not acknowledged" in wrapup.red_flags.message.text()
    assert not clinic.red_flags(sid)[0].acknowledged

    # The clinician signs in: the flagged person is at the top of the queue, flagged.
    window.sign_out()
    sign_in(qtbot, window, CLINICIAN)
    reviews = page_of(window, "one_to_ones", OneToOnePage)
    assert reviews.queue_order()[0] == flagged.id
    assert "RED FLAG" in reviews.queue.item(0).text()

    wrapup = page_of(window, "wrapup", WrapUpPage)
    qtbot.mouseClick(wrapup.red_flags.buttons[0], Qt.MouseButton.LeftButton)
    flag = clinic.red_flags(sid)[0]
    assert flag.acknowledged and flag.acknowledged_by == CLINICIAN[0]
    assert any(e.action == "acknowledge" for e in clinic.audit_entries(patient_id=flagged.id))
    assert wrapup.red_flags.waiting == 0 and wrapup.finish_button.isEnabled()
    assert clinic.session(sid).status == SessionStatus.RUNNING
