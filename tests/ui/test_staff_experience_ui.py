"""The end of a clinic as the staff live it: the facilitator finishes the session on the shared
laptop, then the practice nurse and the facilitator each answer the three staff questions for
themselves (one skips a question); what is queued for the ICB has their role and profession and
nothing else of them. The admin sets a programme's usual appointment minutes, and a bad figure is
refused with the field named and nothing changed."""

from __future__ import annotations

import json
from datetime import date, time

from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.schema import AttendanceStatus, Role
from groupclinic_desktop.ui.home import SessionHome
from groupclinic_desktop.ui.phases.base import SessionBus
from groupclinic_desktop.ui.phases.wrapup import WrapUpPage
from groupclinic_desktop.ui.programmes import ProgrammeEditor
from groupclinic_desktop.ui.staff_experience import StaffQuestionsDialog
from tests.ui.test_agenda import activate, sign_in
from tests.ui.test_wrapup import when_a_dialog_opens

NURSE = "Kim Ahmed"


def nurse_led_session(clinic: Clinic) -> int:
    """Today's afternoon clinic run by Jo (care coordinator) with Kim (practice nurse)."""
    with clinic.acting_as(SYSTEM):
        kim = clinic.add_staff(NURSE, Role.CLINICIAN, "4826", "practice_nurse")
        jo = next(u for u in clinic.staff() if u.name == "Jo Morgan")
        programme = clinic.programmes()[0]
        session = clinic.plan_session(
            programme.id, date.today(), time(15, 0), "Riverside room 2",  # type: ignore[arg-type]
            facilitator_id=jo.id, clinician_ids=[kim.id],  # type: ignore[list-item]
        )
    sid = session.id
    assert sid is not None
    sign_in(clinic, "Jo Morgan")
    clinic.start_session(sid)
    for entry in clinic.roster(clinic.sessions(day=date.today())[0].id)[:3]:  # type: ignore[arg-type]
        clinic.invite(sid, entry.patient.id)  # type: ignore[arg-type]
        clinic.set_attendance(sid, entry.patient.id, AttendanceStatus.ATTENDED)  # type: ignore[arg-type]
    return sid


def answer(dialog: StaffQuestionsDialog, choices: dict[str, int]) -> None:
    """Press the buttons a person would, then Save."""
    for key, value in choices.items():
        dialog.buttons[key][value - 1].click()
    dialog.save_button.click()


def test_each_member_of_staff_answers_for_themselves_and_nothing_names_them(
    demo: Clinic, qtbot: QtBot
) -> None:
    sid = nurse_led_session(demo)
    page = WrapUpPage(demo, sid, SessionBus())
    qtbot.addWidget(page)
    page.resize(1366, 700)
    activate(page)
    panel = page.staff_panel
    assert not panel.isVisible()  # nothing to answer while the clinic is still running

    when_a_dialog_opens(qtbot, lambda box: box.button(QMessageBox.StandardButton.Yes).click())  # type: ignore[attr-defined]
    page.finish_button.click()
    qtbot.waitUntil(lambda: panel.isVisible())
    lines = [b.text() for b in panel.answer_buttons]
    # By role and profession only, the signed-in facilitator's own line first.
    assert lines == [
        "Care coordinator, facilitator (you, signed in): answer…",
        "Practice nurse, clinician: answer…",
    ]
    assert all(NURSE not in text and "Jo Morgan" not in text for text in lines)
    # The keyboard is on the first line (the page's focus, whichever window is active now).
    qtbot.waitUntil(lambda: page.focusWidget() is panel.answer_buttons[0])

    before = len(demo.outbox_events())
    # Kim answers on Jo's laptop: two questions, and presses "Mostly" twice to skip the second.
    when_a_dialog_opens(qtbot, lambda d: (
        d.buttons["workload"][3].click(),  # type: ignore[attr-defined]
        d.buttons["workload"][3].click(),  # type: ignore[attr-defined]
        answer(d, {"satisfying": 4, "time_well_used": 5}),  # type: ignore[arg-type]
    ))
    panel.answer_buttons[1].click()
    qtbot.waitUntil(lambda: "Practice nurse, clinician: ✓ answered" in panel_text(panel))
    # Jo answers for herself: every question.
    when_a_dialog_opens(qtbot, lambda d: answer(  # type: ignore[arg-type]
        d, {"satisfying": 5, "workload": 2, "time_well_used": 4}))  # type: ignore[arg-type]
    panel.answer_buttons[0].click()
    qtbot.waitUntil(lambda: not panel.answer_buttons)
    assert "Thank you: your answers are saved" in panel.thanks.text()

    events = [e for e in demo.outbox_events()[before:] if e.type == "staff_experience"]
    session_uid = demo.session(sid).uid
    assert [(e.schema_version, e.payload) for e in events] == [
        (1, {"session_uid": session_uid, "role": "clinician", "profession": "practice_nurse",
             "answers": {"satisfying": 4, "time_well_used": 5}}),
        (1, {"session_uid": session_uid, "role": "facilitator",
             "profession": "care_coordinator",
             "answers": {"satisfying": 5, "workload": 2, "time_well_used": 4}}),
    ]
    staff_ids = {str(u.id) for u in demo.staff()}
    for event in events:
        text = json.dumps(event.payload)
        assert NURSE not in text and "Jo Morgan" not in text
        assert not set(event.payload) & {"staff_id", "user_id", "name", "author_id"}
        assert not {str(v) for v in event.payload.values()} & staff_ids

    # Stored on the laptop without anyone's id, and the audit says a set was given, not what.
    rows = demo.staff_experience_answers([sid])
    assert sorted(rows[0].model_dump()) == ["answers", "id", "profession", "role", "session_id"]
    sign_in(demo, "Alex Turner")  # the admin reads the audit trail
    entries = [e for e in demo.audit_entries() if e.entity == "staff_experience"]
    assert len(entries) == 2 and all(e.entity_id is None for e in entries)
    assert all(set(e.after or {}) == {"session_id", "questions_answered"} for e in entries)


def panel_text(panel: object) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in panel.findChildren(QLabel))  # type: ignore[attr-defined]


def test_someone_else_who_helped_can_skip_the_whole_set_and_nothing_is_sent(
    demo: Clinic, qtbot: QtBot
) -> None:
    sid = nurse_led_session(demo)
    demo.finish_session(sid)
    page = WrapUpPage(demo, sid, SessionBus())
    qtbot.addWidget(page)
    activate(page)
    before = len(demo.outbox_events())

    def as_a_volunteer(d: StaffQuestionsDialog) -> None:
        d.role.setCurrentIndex(d.role.findData("facilitator"))
        d.profession.setCurrentIndex(d.profession.findData("volunteer_lived_experience"))
        assert not d.save_button.isEnabled()  # nothing chosen: only Skip makes sense
        d.skip_button.click()

    when_a_dialog_opens(qtbot, as_a_volunteer)  # type: ignore[arg-type]
    page.staff_panel.other_button.click()
    qtbot.waitUntil(lambda: "Skipped" in page.staff_panel.thanks.text())
    assert [e for e in demo.outbox_events()[before:] if e.type == "staff_experience"] == []
    # The two planned lines still wait for their own answers, and the day's list of sessions
    # offers the way back to them for whoever left before answering.
    assert len(page.staff_panel.answer_buttons) == 2
    home = SessionHome(demo)
    qtbot.addWidget(home)
    home.refresh()
    card = home.cards[sid]
    assert card.button is not None and card.button.text() == "Staff questions…"


def test_usual_appointment_minutes_set_by_the_admin_and_a_bad_figure_refused(
    demo: Clinic, qtbot: QtBot
) -> None:
    sign_in(demo, "Alex Turner")
    editor = ProgrammeEditor(demo)
    qtbot.addWidget(editor)
    activate(editor)
    # The default and where it comes from are shown where the figure is set.
    assert editor.usual_minutes.text() == "" and editor.usual_minutes.placeholderText() == "20"
    assert "20 minutes (our own figure" in editor.usual_default.text()
    programme = demo.programmes()[0]

    for bad, reason in (("200", "200 is outside 1-120 minutes"),
                        ("0", "0 is outside 1-120 minutes"),
                        ("twenty", "'twenty' is not a whole number of minutes"),
                        ("12.5", "'12.5' is not a whole number of minutes")):
        editor.usual_minutes.clear()
        qtbot.keyClicks(editor.usual_minutes, bad)
        editor.save_button.click()
        assert editor.message.text().startswith(f"Usual appointment minutes: {reason}")
        unchanged = demo.programme(programme.id)  # type: ignore[arg-type]
        assert unchanged.version == programme.version
        assert unchanged.definition == programme.definition

    editor.usual_minutes.clear()
    qtbot.keyClicks(editor.usual_minutes, "30")
    editor.save_button.click()
    assert editor.message.text().startswith("Saved:")
    assert demo.programme(programme.id).definition["usual_appointment_minutes"] == 30  # type: ignore[arg-type, index]

    # The next session event carries the practice's own figure, at schema 3.
    sign_in(demo, "Jo Morgan")
    today = demo.sessions(day=date.today())[0]
    demo.start_session(today.id)  # type: ignore[arg-type]
    event = [e for e in demo.outbox_events() if e.type == "session"][-1]
    assert event.schema_version == 3 and event.payload["usual_appointment_minutes"] == 30

    # Blank goes back to the default.
    sign_in(demo, "Alex Turner")
    editor.reload()
    assert editor.usual_minutes.text() == "30"
    editor.usual_minutes.clear()
    editor.save_button.click()
    assert "usual_appointment_minutes" not in demo.programme(programme.id).definition  # type: ignore[arg-type, operator]
    QApplication.processEvents()
