"""One review per professional on screen: each clinician edits their own review and reads
colleagues' read-only; voided values struck through; wrap-up offers only what the signed-in
person may change, and lists and signs reviews written on a clinician's behalf."""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from groupclinic_desktop.core.clinic import SYSTEM, Actor, Clinic
from groupclinic_desktop.core.schema import Role
from groupclinic_desktop.ui.home import SessionHome
from groupclinic_desktop.ui.phases.base import SessionBus
from groupclinic_desktop.ui.phases.one_to_one import OneToOnePage
from groupclinic_desktop.ui.phases.registry import NotForYourRolePage, make_page
from groupclinic_desktop.ui.phases.wrapup import CorrectionDialog, WrapUpPage
from tests.ui.test_agenda import SHOTS, activate, todays_session
from tests.ui.test_wrapup import when_a_dialog_opens

PINS = {"Jo Morgan": "2468", "Dr Priya Shah": "1357", "Alex Turner": "9753",
        "Sam Reid": "8642", "Sam Okafor": "5827"}


def sign_in(clinic: Clinic, name: str) -> None:
    user = next(s for s in clinic.staff() if s.name == name)
    clinic.sign_in(user.id, PINS[name])  # type: ignore[arg-type]


def one_to_one(clinic: Clinic, sid: int, qtbot: QtBot) -> OneToOnePage:
    page = OneToOnePage(clinic, sid, SessionBus())
    qtbot.addWidget(page)
    page.resize(1366, 768)
    activate(page)
    return page


def with_pharmacist(demo: Clinic) -> int:
    with demo.acting_as(SYSTEM):
        demo.add_staff("Sam Okafor", Role.CLINICIAN, "5827", "clinical_pharmacist")
    return todays_session(demo, present=3)


def type_notes(qtbot: QtBot, page: OneToOnePage, text: str) -> None:
    page.notes.setFocus()
    page.notes.selectAll()
    qtbot.keyClicks(page.notes, text)
    qtbot.keyClick(page.notes, Qt.Key.Key_Tab)  # leaving the field saves it


def test_each_clinician_writes_their_own_review_and_reads_colleagues(
    demo: Clinic, qtbot: QtBot
) -> None:
    sid = with_pharmacist(demo)
    sign_in(demo, "Dr Priya Shah")
    gp_page = one_to_one(demo, sid, qtbot)
    first = gp_page.patient_id
    assert first is not None
    assert "No colleague has written" in gp_page.colleagues.text()
    type_notes(qtbot, gp_page, "Feet checked, HbA1c improving.")
    gp_page.hide()

    sign_in(demo, "Sam Okafor")
    page = one_to_one(demo, sid, qtbot)
    assert page.patient_id == first
    assert page.notes.toPlainText() == ""  # her own review starts empty: nothing overwritten
    assert "Dr Priya Shah (GP)" in page.colleagues.text()
    assert "Feet checked, HbA1c improving." in page.colleagues.text()
    type_notes(qtbot, page, "Hypos on gliclazide: stopped gliclazide.")
    reviews = {r.author_id: r.notes for r in demo.reviews(sid, first)}
    assert sorted(reviews.values()) == [
        "Feet checked, HbA1c improving.", "Hypos on gliclazide: stopped gliclazide."
    ]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(SHOTS / "one-to-one-colleagues.png"))

    page.hide()
    sign_in(demo, "Dr Priya Shah")
    gp_again = one_to_one(demo, sid, qtbot)
    assert gp_again.notes.toPlainText() == "Feet checked, HbA1c improving."
    assert "Sam Okafor (Clinical pharmacist)" in gp_again.colleagues.text()
    # The colleagues' panel is text only: nothing there can be edited.
    assert not gp_again.colleagues.textInteractionFlags() & Qt.TextInteractionFlag.TextEditable


def test_a_voided_value_is_struck_through_with_its_reason(demo: Clinic, qtbot: QtBot) -> None:
    sid = todays_session(demo, present=2)  # as Jo, who takes the weights
    pid = demo.roster(sid)[0].patient.id
    (typo,) = [m for m in demo.record_measurement(pid, "weight", "48", session_id=sid,  # type: ignore[arg-type]
                                                  confirmed=True) if m.type_key == "weight"]
    demo.record_measurement(pid, "weight", "83", session_id=sid)  # type: ignore[arg-type]
    demo.void_measurement(typo.id, "typed 48 for 83")  # type: ignore[arg-type]
    sign_in(demo, "Dr Priya Shah")
    page = one_to_one(demo, sid, qtbot)
    assert page.patient_id == pid
    assert page.voided.isVisibleTo(page)
    assert "<s>Weight 48 kg</s>" in page.voided.text()
    assert "typed 48 for 83" in page.voided.text()
    rows = {page.numbers.item(r, 0).text(): r for r in range(page.numbers.rowCount())}
    assert "83" in page.numbers.item(rows["Weight"], 1).text()
    # Progress over time: left out of the figures, shown struck through to staff.
    from groupclinic_desktop.ui.progress import ProgressView

    qtbot.mouseClick(page.progress_button, Qt.MouseButton.LeftButton)
    view = page.progress_dialog.findChild(ProgressView)
    assert view is not None and "<s>Weight 48 kg</s>" in view.voided.text()
    weight_rows = [view.table.item(r, 2).text() for r in range(view.table.rowCount())
                   if view.table.item(r, 0).text() == "Weight"]
    assert weight_rows and "48" not in weight_rows[0]
    page.progress_dialog.close()


def test_a_co_facilitator_sees_no_review_page(demo: Clinic, qtbot: QtBot) -> None:
    sid = todays_session(demo, present=2)
    sign_in(demo, "Sam Reid")
    page = make_page("one_to_ones", demo, sid, SessionBus())
    qtbot.addWidget(page)
    assert isinstance(page, NotForYourRolePage)


def test_wrap_up_lists_on_behalf_reviews_and_their_clinician_signs_them(
    demo: Clinic, qtbot: QtBot
) -> None:
    sid = todays_session(demo, present=2)  # Jo is signed in
    gp = next(u for u in demo.staff() if u.name == "Dr Priya Shah")
    pid = demo.roster(sid)[0].patient.id
    demo.save_review(sid, pid, notes="Dictated by Dr Shah.", on_behalf_of_id=gp.id)  # type: ignore[arg-type]
    page = WrapUpPage(demo, sid, SessionBus())
    qtbot.addWidget(page)
    activate(page)
    assert "Awaiting sign-off" in page.summary_view.toPlainText()
    assert "awaiting sign-off by Dr Priya Shah" in page.summary_view.toPlainText()
    assert not page.sign_button.isVisibleTo(page)  # Jo cannot sign for her

    sign_in(demo, "Dr Priya Shah")
    home = SessionHome(demo)
    qtbot.addWidget(home)
    home.refresh()
    texts = [w.text() for w in home.body.findChildren(type(home.greeting))]
    assert "Awaiting your sign-off: 1" in texts

    page.refresh()
    assert page.sign_button.isVisibleTo(page)
    when_a_dialog_opens(qtbot, lambda box: box.button(QMessageBox.StandardButton.Yes).click())  # type: ignore[attr-defined]
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    assert demo.awaiting_sign_off(session_id=sid) == []
    assert "Awaiting sign-off" not in page.summary_view.toPlainText()
    assert demo.audit_entries()[-1].action == "sign_off"


def test_the_correction_dialog_offers_only_what_the_signed_in_person_may_change(
    demo: Clinic, qtbot: QtBot
) -> None:
    sid = with_pharmacist(demo)
    pid = demo.roster(sid)[0].patient.id
    for name in ("Dr Priya Shah", "Sam Okafor"):
        user = next(u for u in demo.staff() if u.name == name)
        with demo.acting_as(Actor(user.id, user.name, user.role)):
            demo.save_review(sid, pid, notes=f"Notes by {name}")  # type: ignore[arg-type]
    demo.set_goal(sid, pid, "Walk daily", confidence=6)  # type: ignore[arg-type]
    demo.finish_session(sid)

    page = WrapUpPage(demo, sid, SessionBus())  # Jo, the facilitator
    qtbot.addWidget(page)
    activate(page)
    dialog = CorrectionDialog(demo, sid, page)
    qtbot.addWidget(dialog)
    offered = [dialog.field.itemText(i) for i in range(dialog.field.count())]
    assert offered == ["Goal (their words)", "What matters to them"]  # no clinical content

    sign_in(demo, "Alex Turner")
    page.refresh()
    assert not page.correct_button.isVisibleTo(page)  # an admin changes no content

    sign_in(demo, "Dr Priya Shah")
    page.refresh()
    assert page.correct_button.isVisibleTo(page)
    dialog = CorrectionDialog(demo, sid, page)
    qtbot.addWidget(dialog)
    assert dialog.field.itemText(0) == "Review notes"
    authors = [dialog.author.itemText(i) for i in range(dialog.author.count())]
    assert authors == ["Dr Priya Shah (GP)", "Sam Okafor (Clinical pharmacist)"]
    dialog.author.setCurrentIndex(1)  # the pharmacist's review, corrected by the GP
    assert dialog.text.toPlainText() == "Notes by Sam Okafor"
    dialog.text.setPlainText("Notes by Sam Okafor; gliclazide stopped.")
    dialog.reason.setText("pharmacist asked me to add the stop")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    pharmacist = next(u for u in demo.staff() if u.name == "Sam Okafor")
    review = demo.review(sid, pid, author_id=pharmacist.id)  # type: ignore[arg-type]
    assert review is not None and review.notes.endswith("gliclazide stopped.")
    assert review.corrected_by_id == next(u.id for u in demo.staff() if u.name == "Dr Priya Shah")



def test_check_in_voids_a_typo_through_its_dialog(demo: Clinic, qtbot: QtBot) -> None:
    from groupclinic_desktop.ui.measurement_fix import FixMeasurementDialog
    from groupclinic_desktop.ui.phases.checkin import CheckInPage

    sid = todays_session(demo, present=2)  # Jo, the facilitator, is signed in
    pid = demo.roster(sid)[0].patient.id
    assert pid is not None
    demo.record_measurement(pid, "weight", "48", session_id=sid, confirmed=True)
    page = CheckInPage(demo, sid, SessionBus())
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    page.refresh()
    page.select(pid)
    assert not page.voided.isVisibleTo(page)

    def void(dialog: object) -> None:
        d: FixMeasurementDialog = dialog  # type: ignore[assignment]
        assert d.value.currentText().startswith("Weight: 48 kg")
        d.buttons.button(QDialogButtonBox.StandardButton.Save).click()  # no reason yet
        assert "Reason" in d.problem.text()
        d.right.setText("83")
        d.reason.setText("typed 48 for 83")
        d.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    when_a_dialog_opens(qtbot, void)
    qtbot.mouseClick(page.fix_button, Qt.MouseButton.LeftButton)
    weights = demo.measurements(patient_id=pid, session_id=sid, type_key="weight",
                                include_voided=True)
    assert [(m.value, m.voided) for m in weights] == [(48, True), (83, False)]
    assert page.voided.isVisibleTo(page) and "<s>Weight 48 kg</s>" in page.voided.text()
    assert page.rows["weight"].edit.text() in ("83", "83.0")


def test_after_the_session_a_clinician_corrects_a_value_from_wrap_up(
    demo: Clinic, qtbot: QtBot
) -> None:
    from groupclinic_desktop.ui.measurement_fix import FixMeasurementDialog

    sid = todays_session(demo, present=2)  # Jo
    pid = demo.roster(sid)[0].patient.id
    assert pid is not None
    demo.record_measurement(pid, "blood_pressure", "174/96", session_id=sid, confirmed=True)
    demo.finish_session(sid)
    page = WrapUpPage(demo, sid, SessionBus())
    qtbot.addWidget(page)
    activate(page)
    assert not page.fix_button.isVisibleTo(page)  # the facilitator: not after the session

    sign_in(demo, "Dr Priya Shah")
    page.refresh()
    assert page.fix_button.isVisibleTo(page)

    def correct(dialog: object) -> None:
        d: FixMeasurementDialog = dialog  # type: ignore[assignment]
        d.person.setCurrentIndex(d.person.findData(pid))
        assert d.value.currentText().startswith("Systolic BP: 174 mmHg")
        d.right.setText("148")  # half a blood pressure is refused, as at check-in
        d.reason.setText("misread the machine")
        d.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        assert "lood pressure" in d.problem.text()
        d.right.setText("148/86")
        d.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    when_a_dialog_opens(qtbot, correct)
    qtbot.mouseClick(page.fix_button, Qt.MouseButton.LeftButton)
    standing = [(m.type_key, m.value) for m in demo.measurements(patient_id=pid, session_id=sid)]
    assert standing == [("systolic_bp", 148), ("diastolic_bp", 86)]
    assert demo.audit_entries()[-1].action == "correction"


def test_the_export_screen_names_who_is_held_back_for_sign_off(
    demo: Clinic, qtbot: QtBot, tmp_path: Path
) -> None:
    from groupclinic_desktop.ui.export_view import ExportView

    (finished,) = [s for s in demo.sessions() if s.status.value == "finished"]
    first = demo.reviews(finished.id)[0]  # type: ignore[arg-type]
    jo = next(u for u in demo.staff() if u.name == "Jo Morgan")
    gp = next(u for u in demo.staff() if u.name == "Dr Priya Shah")
    with demo.engine.begin() as conn:  # written by Jo for the GP before the session finished
        conn.exec_driver_sql(
            "UPDATE review SET documented_by_id = ?, on_behalf_of_id = ? WHERE id = ?",
            (jo.id, gp.id, first.id),
        )
    name = demo.patient(first.patient_id).full_name
    sign_in(demo, "Alex Turner")
    out = tmp_path / "for-emis"
    view = ExportView(demo, choose_folder=lambda parent: str(out))
    qtbot.addWidget(view)
    view.show()
    rows = {view.people.item(r, 0).text(): view.people.item(r, 2).text()
            for r in range(view.people.rowCount())}
    assert rows[name] == "held back: awaiting sign-off by Dr Priya Shah"
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    assert "Exported notes for 9 people" in view.message.text()
    assert f"Held back until signed: {name}" in view.message.text()
    assert not [p for p in out.glob("*.pdf") if demo.patient(first.patient_id).family_name
                in p.name]
