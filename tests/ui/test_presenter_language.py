"""The room's language: chosen on the board page, the presenter view follows through Qt's
translation system, and Urdu is laid out right to left."""

from datetime import date

import pytest
from PySide6.QtCore import Qt

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.schema import AttendanceStatus, ConsentKind
from groupclinic_desktop.ui.phases.base import SessionBus
from groupclinic_desktop.ui.phases.board import BoardPage

TODAY = date.today()


@pytest.fixture
def page(qtbot, demo: Clinic):  # type: ignore[no-untyped-def]
    sid = demo.sessions(day=TODAY)[0].id
    jo = next(u for u in demo.staff() if u.name == "Jo Morgan")
    demo.sign_in(jo.id, "2468")  # type: ignore[arg-type]
    demo.start_session(sid)  # type: ignore[arg-type]
    for entry in demo.roster(sid):  # type: ignore[arg-type]
        pid = entry.patient.id
        demo.set_attendance(sid, pid, AttendanceStatus.ATTENDED)  # type: ignore[arg-type]
        demo.set_consent(sid, pid, ConsentKind.SHARE_RESULTS, True)  # type: ignore[arg-type]
    board_page = BoardPage(demo, sid, SessionBus())  # type: ignore[arg-type]
    qtbot.addWidget(board_page)
    board_page.resize(1280, 800)
    board_page.show()
    board_page.show_on_second_screen()
    yield board_page
    board_page.presenter.close()


def choose(qtbot, page: BoardPage, name: str) -> None:  # type: ignore[no-untyped-def]
    """Pick a language in the room-language box with the keyboard, as at the laptop."""
    from PySide6.QtWidgets import QApplication

    page.language.setFocus()
    qtbot.wait(QApplication.keyboardInputInterval() + 50)  # a fresh type-ahead search
    qtbot.keyClicks(page.language, name)


def test_english_by_default_left_to_right_with_no_warning(page: BoardPage) -> None:
    presenter = page.presenter
    assert page.language.currentData() == "en"
    assert presenter.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert any(t.startswith("Sugar level (HbA1c)") for t in presenter.texts())
    assert page.language_warning.isHidden()


def test_choosing_urdu_turns_the_room_view_to_urdu_right_to_left(qtbot, page: BoardPage) -> None:  # type: ignore[no-untyped-def]
    choose(qtbot, page, "Urdu")
    presenter = page.presenter

    assert page.clinic.session_language(page.session_id) == "ur"  # saved in the store
    assert presenter.layoutDirection() == Qt.LayoutDirection.RightToLeft
    texts = presenter.texts()
    assert any(t.startswith("شوگر کی سطح (HbA1c)") for t in texts)  # plain label, translated
    assert any("140/90 mmHg سے کم" in t for t in texts)  # the target in words
    assert "گروپ" in texts  # the group line
    assert "✓ ہدف پر    ~ ہدف کے قریب    ! ہدف سے باہر    پرانا = پرانی ریڈنگ" in texts
    assert not any(t.startswith("Sugar level") for t in texts)
    assert presenter.windowTitle() == "گروپ کے نتائج کا بورڈ"
    # The facilitator is told the translation is not yet checked.
    assert page.language_warning.isVisible()
    assert "native speaker" in page.language_warning.text()
    # The laptop's own board stays in English with clinical labels.
    assert "HbA1c" in page.table.horizontalHeaderItem(0).text()
    assert "شوگر" not in page.table.horizontalHeaderItem(0).text()


def test_polish_then_back_to_english(qtbot, page: BoardPage) -> None:  # type: ignore[no-untyped-def]
    choose(qtbot, page, "Polish")
    presenter = page.presenter
    assert presenter.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert any(t.startswith("Poziom cukru (HbA1c)") for t in presenter.texts())
    assert "Grupa" in presenter.texts()

    choose(qtbot, page, "English")
    assert page.clinic.session_language(page.session_id) == "en"
    assert any(t.startswith("Sugar level (HbA1c)") for t in presenter.texts())
    assert page.language_warning.isHidden()


def test_a_confirmed_translation_shows_no_warning(qtbot, page: BoardPage) -> None:  # type: ignore[no-untyped-def]
    from groupclinic_desktop.core.clinic import SYSTEM

    with page.clinic.acting_as(SYSTEM):
        page.clinic.confirm_language("pl")
    choose(qtbot, page, "Polish")
    assert page.clinic.session_language(page.session_id) == "pl"
    assert page.language_warning.isHidden()


def test_the_locked_screen_says_paused_in_the_rooms_language(qtbot, page: BoardPage) -> None:  # type: ignore[no-untyped-def]
    choose(qtbot, page, "Urdu")
    page.bus.locked.emit(True)
    assert page.presenter.paused.text() == "سیشن روک دیا گیا ہے"
    assert page.presenter.stack.currentWidget() is page.presenter.paused
