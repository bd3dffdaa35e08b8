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
