"""The hand-over keeps every word: type, lock, hand over, and the store holds it all."""

from PySide6.QtCore import Qt

from groupclinic_desktop.core.schema import AttendanceStatus
from groupclinic_desktop.ui.phases.one_to_one import OneToOnePage
from tests.ui.conftest import CLINICIAN, FACILITATOR, sign_in, staff_id
from tests.ui.test_full_session import page_of


def test_type_lock_hand_over_and_every_word_is_in_the_store(qtbot, running) -> None:
    window = running
    clinic = window.clinic
    sid = window.session_window.session_id
    people = [e.patient for e in clinic.roster(sid)][:2]
    for person in people:
        clinic.set_attendance(sid, person.id, AttendanceStatus.ATTENDED)
    doctor = staff_id(clinic, CLINICIAN[0])

    # The facilitator opens the one-to-ones: they may only write for a named clinician.
    page = page_of(window, "one_to_ones", OneToOnePage)
    assert not page.form.isEnabled()
    first = page.patient_id

    # Hand-over: lock, the clinician signs in; she documents in her own name at once.
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked
    sign_in(qtbot, window, CLINICIAN)
    page = window.session_window.current_page()
    assert isinstance(page, OneToOnePage) and page.patient_id == first
    assert page.form.isEnabled()
    assert "choose the clinician" not in page.status.text()
    page.notes.setFocus()
    qtbot.keyClicks(page.notes, "BP discussed; home readings for a week.")
    # The idle lock comes before the pause that would have saved it: nothing is lost.
    window.lock()
    review = clinic.review(sid, first, author_id=doctor)
    assert review is not None and review.notes == "BP discussed; home readings for a week."
    assert review.documented_by_id == doctor and review.on_behalf_of_id is None

    # She signs in again and carries on; then the facilitator takes over, writing for her.
    sign_in(qtbot, window, CLINICIAN)
    page = window.session_window.current_page()
    page.safety.setFocus()
    qtbot.keyClicks(page.safety, "Call 111 if headaches or blurred vision.")
    window.sign_out()
    review = clinic.review(sid, first, author_id=doctor)
    assert review.safety_netting == "Call 111 if headaches or blurred vision."  # type: ignore[union-attr]
    assert review.notes == "BP discussed; home readings for a week."  # type: ignore[union-attr]

    sign_in(qtbot, window, FACILITATOR)
    window.home.cards[sid].button.click()  # type: ignore[index,union-attr]
    page = page_of(window, "one_to_ones", OneToOnePage)
    # The facilitator's own form is for notes written on a clinician's behalf; what the
    # clinician wrote herself is shown to them read-only, every word of it.
    assert "BP discussed; home readings for a week." in page.colleagues.text()
