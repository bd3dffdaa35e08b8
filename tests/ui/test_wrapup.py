"""Wrap-up: the summary and its gaps, finishing with confirmation, and reasoned corrections."""

from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind, SessionStatus
from groupclinic_desktop.core.views.summary import session_summary
from groupclinic_desktop.ui.phases.base import SessionBus
from groupclinic_desktop.ui.phases.wrapup import CorrectionDialog, WrapUpPage
from tests.ui.test_agenda import SHOTS, activate, sign_in, todays_session


def when_a_dialog_opens(qtbot: QtBot, act: Callable[[object], None]) -> None:
    """Answer the next modal dialog the way a person would, once it is on screen."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(50, answer)
            return
        act(dialog)

    QTimer.singleShot(50, answer)


@pytest.fixture
def session(demo: Clinic) -> int:
    """Today's session with three people in: two complete, one with gaps; one not marked."""
    sid = todays_session(demo, present=3)
    people = [e.patient for e in demo.roster(sid)]
    for person in people[:2]:
        demo.set_consent(sid, person.id, ConsentKind.CONFIDENTIALITY, True)  # type: ignore[arg-type]
        demo.set_consent(sid, person.id, ConsentKind.SHARE_RESULTS, True)  # type: ignore[arg-type]
        demo.record_measurement(person.id, "blood_pressure", "132/84", session_id=sid)  # type: ignore[arg-type]
        demo.set_goal(sid, person.id, "Walk every day", confidence=7)  # type: ignore[arg-type]
    demo.set_attendance(sid, people[3].id, AttendanceStatus.DID_NOT_ATTEND)  # type: ignore[arg-type]
    item = demo.add_agenda_item(sid, "Getting moving", topic="Getting moving")
    demo.update_agenda_item(item.id, covered=True)  # type: ignore[arg-type]
    demo.add_agenda_item(sid, "Sleep")
    sign_in(demo, "Dr Priya Shah")
    for person in people[:2]:
        demo.save_review(sid, person.id, notes="Reviewed in the group.")  # type: ignore[arg-type]
    sign_in(demo, "Jo Morgan")
    return sid


def make_page(clinic: Clinic, sid: int, qtbot: QtBot) -> WrapUpPage:
    page = WrapUpPage(clinic, sid, SessionBus())
    qtbot.addWidget(page)
    page.resize(1366, 640)
    activate(page)
    return page


def test_summary_names_the_gaps_in_words(demo: Clinic, session: int) -> None:
    summary = session_summary(demo, session)
    people = [e.patient for e in demo.roster(session)]
    third = people[2].full_name
    assert [p.name for p in summary.came] == [p.full_name for p in people[:3]]
    assert summary.measured == {"Systolic BP": 2, "Diastolic BP": 2}
    assert summary.topics_covered == ("Getting moving",) and summary.topics_open == ("Sleep",)
    assert summary.reviews_missing == (third,)
    assert len(summary.goals_set) == 2
    kinds = {(g.kind, g.patient_id) for g in summary.gaps}
    pid = people[2].id
    assert {
        ("no_review", pid),
        ("no_confidentiality", pid),
        ("no_share_consent", pid),
        ("no_goal", pid),
    } <= kinds
    # Those not yet marked (invited, never checked in) are a gap too; the DNA is not.
    assert {g.patient_id for g in summary.gaps if g.kind == "not_marked"} == {
        p.id for p in people[4:]
    }
    assert all(g.patient_id != people[3].id for g in summary.gaps)


def test_page_shows_gaps_and_finishes_after_confirmation(
    demo: Clinic, session: int, qtbot: QtBot
) -> None:
    page = make_page(demo, session, qtbot)
    text = page.summary_view.toPlainText()
    third = demo.roster(session)[2].patient.full_name
    assert "Needs attention" in text
    assert f"{third}: attended but has no one-to-one review." in text
    assert f"{third}: attended but no confidentiality agreement is recorded." in text
    assert not page.correct_button.isVisibleTo(page)
    # Saying No leaves it running.
    when_a_dialog_opens(
        qtbot,
        lambda box: box.button(QMessageBox.StandardButton.No).click(),  # type: ignore[attr-defined]
    )
    qtbot.mouseClick(page.finish_button, Qt.MouseButton.LeftButton)
    assert demo.session(session).status == SessionStatus.RUNNING
    # Saying Yes finishes it, makes a backup, and closes the record to everyday edits.
    when_a_dialog_opens(
        qtbot,
        lambda box: box.button(QMessageBox.StandardButton.Yes).click(),  # type: ignore[attr-defined]
    )
    qtbot.mouseClick(page.finish_button, Qt.MouseButton.LeftButton)
    assert demo.session(session).status == SessionStatus.FINISHED
    assert any("session-finished" in f.name for f in demo.location.backup_dir.iterdir())
    assert page.correct_button.isVisibleTo(page) and not page.finish_button.isVisibleTo(page)
    assert "Finished" in page.state_label.text()
    with pytest.raises(InvalidInput):
        demo.add_agenda_item(session, "Too late")


def test_correction_needs_a_reason_and_is_audited(demo: Clinic, session: int, qtbot: QtBot) -> None:
    demo.finish_session(session)
    sign_in(demo, "Dr Priya Shah")
    page = make_page(demo, session, qtbot)
    first = demo.roster(session)[0].patient
    dialog = CorrectionDialog(demo, session, page)
    qtbot.addWidget(dialog)
    activate(dialog)
    assert dialog.text.toPlainText() == "Reviewed in the group."
    dialog.text.selectAll()
    qtbot.keyClicks(dialog.text, "Reviewed in the group; BP recheck in 2 weeks.")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert "Reason for the correction" in dialog.problem.text()
    assert demo.review(session, first.id).notes == "Reviewed in the group."  # type: ignore[arg-type, union-attr]
    qtbot.keyClicks(dialog.reason, "Recheck interval left out")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert demo.review(session, first.id).notes.endswith("BP recheck in 2 weeks.")  # type: ignore[arg-type, union-attr]
    entry = demo.audit_entries(patient_id=first.id)[-1]
    assert entry.action == "correction" and entry.user_name == "Dr Priya Shah"
    assert entry.after["correction_reason"] == "Recheck interval left out"  # type: ignore[index]
    assert entry.before["notes"] == "Reviewed in the group."  # type: ignore[index]
    assert demo.verify_audit() == []


def test_goal_correction_through_the_page(demo: Clinic, session: int, qtbot: QtBot) -> None:
    demo.finish_session(session)
    page = make_page(demo, session, qtbot)
    first = demo.roster(session)[0].patient

    def correct(dialog: object) -> None:
        d: CorrectionDialog = dialog  # type: ignore[assignment]
        d.field.setCurrentIndex(d.field.findData("goal"))
        d.text.setPlainText("Walk every day after lunch")
        d.reason.setText("Person asked for their own words")
        d.buttons.button(d.buttons.StandardButton.Save).click()

    when_a_dialog_opens(qtbot, correct)
    qtbot.mouseClick(page.correct_button, Qt.MouseButton.LeftButton)
    (goal,) = demo.goals(session_id=session, patient_id=first.id)
    assert goal.text == "Walk every day after lunch"
    assert "correction" in page.status.text()


def test_running_session_cannot_be_corrected(demo: Clinic, session: int) -> None:
    first = demo.roster(session)[0].patient
    # A facilitator never corrects clinical content; a clinician corrects only a closed record.
    with pytest.raises(NotAllowed, match="clinical content"):
        demo.correct_review(session, first.id, "typo", notes="x")  # type: ignore[arg-type]
    sign_in(demo, "Dr Priya Shah")
    with pytest.raises(InvalidInput, match="corrections are for finished sessions"):
        demo.correct_review(session, first.id, "typo", notes="x")  # type: ignore[arg-type]


def test_screenshot(demo: Clinic, session: int, qtbot: QtBot) -> None:
    page = make_page(demo, session, qtbot)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(SHOTS / "wrapup.png"))
    assert date.today() == demo.session(session).day
