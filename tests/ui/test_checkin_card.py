"""Check-in fits one screen and goes at the speed of the keyboard.

At 1366x768 with normal text one person's arrival, consents and measurements are on screen
without scrolling; "Next person" lands on the next person's first empty field; one person with
arrival, three consents, blood pressure and weight takes at most 12 key presses besides the
characters of the two values themselves. Bigger text never hides a name for good.
"""

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind
from groupclinic_desktop.ui.main_window import MainWindow
from groupclinic_desktop.ui.phases.checkin import CheckInPage, roster_name
from tests.ui.test_checkin import checkin_page, near_last

# The target of issue 20: the person's arrival, three consents, BP and weight, from "Next person".
MOST_PRESSES = 12


class Keyboard:
    """Presses keys on whatever has the focus, as a person at the laptop does, and counts them.

    `presses` counts every key that moves, answers or saves; `characters` counts the characters
    of the values typed (a blood pressure is "138/84" however it is entered)."""

    def __init__(self) -> None:
        self.presses = 0
        self.characters = 0

    @staticmethod
    def focus() -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def press(self, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
        QTest.keyClick(self.focus(), key, modifier)
        self.presses += 1

    def type(self, text: str) -> None:
        for char in text:
            QTest.keyClick(self.focus(), char)
            self.characters += 1


def visible_in(page: CheckInPage, widget: QWidget) -> bool:
    """The whole widget is inside the card's visible area (nothing to scroll to reach it)."""
    viewport = page.person_scroll.viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return widget.isVisible() and viewport.rect().contains(QRect(top_left, widget.size()))


def card_widgets(page: CheckInPage) -> list[QWidget]:
    widgets: list[QWidget] = [page.person_title, *page.attendance_buttons.values(), page.carer]
    for yes, no, state in page.consent_buttons.values():
        widgets += [yes, no, state]
    for row in page.rows.values():
        widgets += [row.label, row.edit, row.last]
    return [*widgets, page.next_button, page.questions_button]


def test_one_person_fits_the_screen_and_takes_at_most_12_key_presses(
    qtbot, running: MainWindow
) -> None:
    page = checkin_page(running)
    clinic = running.clinic
    sid = page.session_id
    people = [e.patient for e in clinic.roster(sid)]
    first, person = people[0], people[1]
    page.select(first.id)
    page.next_button.setFocus()  # the last person is done; the facilitator goes on
    weight = near_last(clinic, person.id, "weight", "82.4")
    keys = Keyboard()

    keys.press(Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # Next person
    assert page.patient_id == person.id and page.person_title.text() == roster_name(person)
    assert page.person_scroll.verticalScrollBar().value() == 0
    # Everything for this person is on screen, with nothing to scroll.
    assert page.person_scroll.verticalScrollBar().maximum() == 0
    hidden = [w.accessibleName() or w.objectName() for w in card_widgets(page)
              if not visible_in(page, w)]
    assert hidden == []
    assert keys.focus() is page.attendance_buttons[AttendanceStatus.ATTENDED]

    keys.press(Qt.Key.Key_Space)  # Attended
    for kind in ConsentKind:  # each consent asked in turn: Space on Yes
        assert keys.focus() is page.consent_buttons[kind][0], kind
        keys.press(Qt.Key.Key_Space)
    assert keys.focus() is page.rows["hba1c"].edit  # the first measurement not taken yet
    keys.press(Qt.Key.Key_Tab)  # HbA1c comes from the lab: on to blood pressure
    assert keys.focus() is page.rows["blood_pressure"].edit
    keys.type("138/84")
    keys.press(Qt.Key.Key_Return)
    assert keys.focus() is page.rows["weight"].edit  # Enter saved it and moved on
    keys.type(weight)
    keys.press(Qt.Key.Key_Return)
    assert keys.focus() is page.rows["total_cholesterol"].edit
    # The questionnaires open in their own panel and close again from the keyboard too.
    QTest.keyClick(keys.focus(), Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    assert page.questions.isVisible() and not page.card.isVisible()
    assert keys.focus() is page.answer_rows[("confidence", "confidence")].edit
    QTest.keyClick(keys.focus(), Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    assert page.card.isVisible() and not page.questions.isVisible()

    print(f"check-in of one person: {keys.presses} key presses + {keys.characters} characters")
    assert keys.presses <= MOST_PRESSES

    entry = next(e for e in clinic.roster(sid) if e.patient.id == person.id)
    assert entry.attendance.status == AttendanceStatus.ATTENDED
    consents = clinic.consents(sid)
    assert all(consents[(person.id, kind)] is True for kind in ConsentKind)
    taken = {m.type_key: m.value for m in clinic.measurements(patient_id=person.id,
                                                              session_id=sid)}
    assert (taken["systolic_bp"], taken["diastolic_bp"]) == (138, 84)
    assert taken["weight"] == float(weight)
    assert page.rows["weight"].status.text() == "✓ saved"


def test_n_answers_no_and_a_finished_person_lands_on_next_person(
    qtbot, running: MainWindow
) -> None:
    page = checkin_page(running)
    clinic = running.clinic
    person = page.patient_id
    # Coming to check-in, the keyboard is ready on the first person's arrival.
    attended = page.attendance_buttons[AttendanceStatus.ATTENDED]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is attended, timeout=5000)
    keys = Keyboard()
    keys.press(Qt.Key.Key_Space)
    keys.press(Qt.Key.Key_Y)
    keys.press(Qt.Key.Key_N)  # no to the board by name
    keys.press(Qt.Key.Key_Y)
    consents = clinic.consents(page.session_id)
    assert consents[(person, ConsentKind.SHARE_RESULTS)] is False
    assert page.consent_buttons[ConsentKind.SHARE_RESULTS][2].text() == "✓ saved: no"
    assert consents[(person, ConsentKind.MONITORING)] is True
    # A "did not attend" has nothing more to ask: Next person is next.
    page.step(+1)
    page.set_status(AttendanceStatus.DID_NOT_ATTEND)
    page.step(-1)
    page.step(+1)
    assert keys.focus() is page.next_button
    keys.press(Qt.Key.Key_Return)  # Enter on "Next person" goes on, as Space does
    assert page.roster.currentRow() == 2


def test_bigger_text_never_hides_a_name_for_good(qtbot, running: MainWindow) -> None:
    page = checkin_page(running)
    try:
        for _ in range(4):
            running.bigger()  # 1.75 times the normal text
        QApplication.processEvents()
        cut_short = 0
        for row in range(page.roster.rowCount()):
            item = page.roster.item(row, 0)
            pid = item.data(Qt.ItemDataRole.UserRole)
            name = roster_name(page.entries[pid].patient)
            room = page.roster.columnWidth(0) - 12  # the cell's padding
            cut_short += page.roster.fontMetrics().horizontalAdvance(item.text()) > room
            # Cut short in the roster or not, the full name is a hover away...
            assert name in item.toolTip()
            # ...and choosing the person shows it whole over the card, wrapped, never clipped.
            page.select(pid)
            QApplication.processEvents()
            title = page.person_title
            assert title.text() == name and title.wordWrap()
            assert title.heightForWidth(title.width()) <= title.height()
            # The words themselves are inside the visible part of the card (the card may be
            # wider than the screen at this size and scroll sideways; the name never does).
            viewport = page.person_scroll.viewport()
            at = title.mapTo(viewport, QPoint(0, 0))
            words = min(title.fontMetrics().horizontalAdvance(name), title.width())
            assert at.x() >= 0 and at.x() + words <= viewport.width()
            assert at.y() >= 0 and at.y() + title.height() <= viewport.height()
        assert cut_short  # at this size some names do not fit the roster: the case in point
    finally:
        running.reset_text()


def test_phq9_item_9_is_alerted_on_the_questionnaire_panel_like_a_measurement(
    qtbot, demo
) -> None:
    from datetime import date, time

    from groupclinic_desktop.core.clinic import SYSTEM
    from groupclinic_desktop.core.schema import Role
    from groupclinic_desktop.ui.phases.base import SessionBus

    admin = next(u for u in demo.staff() if u.role == Role.ADMIN)
    with demo.acting_as(admin):
        programme = demo.create_programme_from_template("weight_medicines", "Weight medicines")
    with demo.acting_as(SYSTEM):
        session = demo.plan_session(programme.id, date.today(), time(14), "Health centre")
        person = demo.patients()[0]
        demo.enrol(person.id, programme.id)
        demo.invite(session.id, person.id)
        demo.start_session(session.id)
    demo.sign_in(next(u.id for u in demo.staff() if u.name == "Jo Morgan"), "2468")
    page = CheckInPage(demo, session.id, SessionBus())
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.mouseClick(page.attendance_buttons[AttendanceStatus.ATTENDED], Qt.MouseButton.LeftButton)

    qtbot.mouseClick(page.questions_button, Qt.MouseButton.LeftButton)  # their own panel
    assert page.questions.isVisible() and not page.card.isVisible()
    for n in range(1, 10):
        row = page.answer_rows[("phq9", f"item{n}")]
        row.edit.setFocus()
        qtbot.keyClicks(row.edit, "2" if n == 9 else "0")
        qtbot.keyClick(row.edit, Qt.Key.Key_Return)
    item9 = page.answer_rows[("phq9", "item9")]
    # Beside the answer: what it is, the words to say and "Tell the clinician now", in red.
    words = item9.status.text()
    assert "RED FLAG" in words and "Say:" in words and "Tell the clinician now" in words
    assert item9.status.property("state") == "red"
    assert page.flag_banner.isVisible() and "Tell the clinician now" in page.flag_banner.text()
    assert page.roster.item(0, 0).text().startswith("⚑")
    assert "RED FLAG" not in page.answer_rows[("phq9", "item1")].status.text()
    # Changing another answer saves the questionnaire again: still one flag, not two.
    item1 = page.answer_rows[("phq9", "item1")]
    item1.edit.setFocus()
    item1.edit.selectAll()
    qtbot.keyClicks(item1.edit, "1")
    qtbot.keyClick(item1.edit, Qt.Key.Key_Return)
    flags = demo.red_flags(session.id, person.id)
    assert [f.rule_key for f in flags] == ["phq9_self_harm"]
    response = next(r for r in demo.responses(session_id=session.id, patient_id=person.id)
                    if r.questionnaire_key == "phq9")
    assert response.complete and response.score == 3

    # Back on the card, where item 9 is not on screen: the banner carries the words to say.
    qtbot.mouseClick(page.questions_button, Qt.MouseButton.LeftButton)
    assert page.card.isVisible() and "Say:" in page.flag_banner.text()
    assert page.questions_button.text().startswith("⚑")  # the panel with the flag is marked
