"""The agenda page, driven as a facilitator would: topic board, quick add, votes, order, merge."""

import os
import tempfile
import warnings
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.schema import AttendanceStatus
from groupclinic_desktop.ui.phases.agenda import TEXT, AgendaPage
from groupclinic_desktop.ui.phases.base import SessionBus

# Screenshots for a person to look at; outside the source tree unless asked for.
SHOTS = Path(os.environ.get("GROUPCLINIC_SHOTS", tempfile.gettempdir())) / "groupclinic-screens"


def sign_in(clinic: Clinic, name: str) -> None:
    pins = {"Jo Morgan": "2468", "Dr Priya Shah": "1357", "Alex Turner": "9753"}
    staff = next(s for s in clinic.staff() if s.name == name)
    clinic.sign_in(staff.id, pins[name])  # type: ignore[arg-type]


def todays_session(clinic: Clinic, present: int = 4) -> int:
    """Start the demo's session for today as Jo, with the first few people checked in."""
    sign_in(clinic, "Jo Morgan")
    session = clinic.sessions(day=date.today())[0]
    assert session.id is not None
    clinic.start_session(session.id)
    for entry in clinic.roster(session.id)[:present]:
        clinic.set_attendance(session.id, entry.patient.id, AttendanceStatus.ATTENDED)  # type: ignore[arg-type]
    return session.id


@pytest.fixture
def page(demo: Clinic, qtbot: QtBot) -> AgendaPage:
    sid = todays_session(demo)
    bus = SessionBus()
    widget = AgendaPage(demo, sid, bus)
    qtbot.addWidget(widget)
    widget.resize(1366, 620)
    activate(widget)
    return widget


def activate(widget: QWidget) -> None:
    """Make the page the active window, as the person at the laptop would be using it, so
    keyboard focus (and saving when focus leaves a field) behaves as on a real screen."""
    widget.show()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        QApplication.setActiveWindow(widget)


def texts(clinic: Clinic, sid: int) -> list[str]:
    return [item.text for item in clinic.agenda(sid)]


def add(qtbot: QtBot, page: AgendaPage, text: str, raised_by: str = "") -> None:
    qtbot.keyClicks(page.question, text)
    if raised_by:
        qtbot.keyClicks(page.raised_by, raised_by)
    qtbot.keyClick(page.question, Qt.Key.Key_Return)


def test_topic_button_and_quick_add_save_at_once(page: AgendaPage, qtbot: QtBot) -> None:
    sid = page.session_id
    changes: list[bool] = []
    page.bus.changes.connect(lambda notice: changes.append("agenda_item" in notice.kinds))
    qtbot.mouseClick(page.topic_buttons["Getting moving"], Qt.MouseButton.LeftButton)
    add(qtbot, page, "Can I drink alcohol on metformin?", raised_by="Tariq")
    items = page.clinic.agenda(sid)
    assert [(i.text, i.topic, i.raised_by) for i in items] == [
        ("Getting moving", "Getting moving", None),
        ("Can I drink alcohol on metformin?", None, "Tariq"),
    ]
    assert page.question.text() == "" and page.raised_by.text() == ""
    assert len(changes) == 2
    # Pressing the same topic again selects it rather than adding it twice.
    qtbot.mouseClick(page.topic_buttons["Getting moving"], Qt.MouseButton.LeftButton)
    assert len(page.clinic.agenda(sid)) == 2
    assert page.list.currentItem().text(TEXT) == "Getting moving"


def test_empty_question_is_not_added(page: AgendaPage, qtbot: QtBot) -> None:
    qtbot.keyClick(page.question, Qt.Key.Key_Return)
    assert page.clinic.agenda(page.session_id) == []
    assert "type the question" in page.status.text()


def test_votes_keyboard_order_covered_and_merge(page: AgendaPage, qtbot: QtBot) -> None:
    sid = page.session_id
    for text in ("Hypos at night", "Feet tingling", "Night hypos", "Eating out"):
        add(qtbot, page, text)
    tree = page.list
    tree.setFocus()
    # Select "Eating out" (last) and move it to the top with Alt+Up three times.
    tree.setCurrentItem(tree.topLevelItem(3))
    for _ in range(3):
        qtbot.keyClick(tree, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert texts(page.clinic, sid) == [
        "Eating out",
        "Hypos at night",
        "Feet tingling",
        "Night hypos",
    ]
    # Two votes with the plus key, one taken back with minus, then tick it covered with Space.
    qtbot.keyClick(tree, Qt.Key.Key_Plus)
    qtbot.keyClick(tree, Qt.Key.Key_Plus)
    qtbot.keyClick(tree, Qt.Key.Key_Minus)
    qtbot.keyClick(tree, Qt.Key.Key_Space)
    first = page.clinic.agenda(sid)[0]
    assert (first.text, first.votes, first.covered) == ("Eating out", 1, True)
    assert tree.topLevelItem(0).text(0) == "Covered"  # said in words, not only a tick
    # Vote for "Feet tingling" with the button, then sort by votes.
    tree.setCurrentItem(tree.topLevelItem(2))
    for _ in range(2):
        qtbot.mouseClick(page.buttons["vote_up"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.buttons["sort"], Qt.MouseButton.LeftButton)
    assert texts(page.clinic, sid)[:2] == ["Feet tingling", "Eating out"]

    # Merge the two hypo questions: the upper one stays, with both items' votes.
    def hypos() -> list:
        return [tree.topLevelItem(r) for r in range(4) if "ypos" in tree.topLevelItem(r).text(TEXT)]

    tree.setCurrentItem(hypos()[1])
    qtbot.keyClick(tree, Qt.Key.Key_Plus)
    tree.clearSelection()
    for item in hypos():
        item.setSelected(True)
    qtbot.mouseClick(page.buttons["merge"], Qt.MouseButton.LeftButton)
    remaining = page.clinic.agenda(sid)
    assert [i.text for i in remaining] == ["Feet tingling", "Eating out", "Hypos at night"]
    assert remaining[2].votes == 1
    assert len(page.clinic.agenda(sid, include_merged=True)) == 4


def test_edit_text_in_place_and_tick_covered_box(page: AgendaPage, qtbot: QtBot) -> None:
    sid = page.session_id
    add(qtbot, page, "Sleep problms")
    tree = page.list
    item = tree.topLevelItem(0)
    tree.setCurrentItem(item)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_F2)
    editor = tree.viewport().findChild(QLineEdit)
    assert editor is not None, "F2 opens the text for editing"
    editor.selectAll()
    qtbot.keyClicks(editor, "Sleep problems")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # Qt commits an in-place edit on its next turn of the event loop.
    qtbot.waitUntil(lambda: texts(page.clinic, sid) == ["Sleep problems"], timeout=2000)
    # Clicking the covered box ticks it in the store.
    rect = tree.visualItemRect(tree.topLevelItem(0))
    qtbot.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 10, rect.center().y())
    )
    assert page.clinic.agenda(sid)[0].covered


def test_drag_and_drop_order_is_saved(page: AgendaPage, qtbot: QtBot) -> None:
    sid = page.session_id
    for text in ("One", "Two", "Three"):
        add(qtbot, page, text)
    tree = page.list
    item = tree.topLevelItem(2)
    tree.clearSelection()
    tree.setCurrentItem(item)
    item.setSelected(True)
    # A drop as Qt delivers it from a drag inside the list: "Three" dropped on top of "One".
    mime = tree.model().mimeData([tree.indexFromItem(item)])
    target = tree.visualItemRect(tree.topLevelItem(0))
    drop = QDropEvent(
        QPoint(target.center().x(), target.top() + 1).toPointF(),
        Qt.DropAction.MoveAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    tree.dropEvent(drop)
    qtbot.waitUntil(lambda: texts(page.clinic, sid)[0] == "Three", timeout=2000)
    assert sorted(texts(page.clinic, sid)) == ["One", "Three", "Two"]


def test_screenshot(page: AgendaPage, qtbot: QtBot) -> None:
    for topic in ("Getting moving", "My medicines"):
        qtbot.mouseClick(page.topic_buttons[topic], Qt.MouseButton.LeftButton)
    add(qtbot, page, "Is walking enough exercise, or do I need the gym?", raised_by="Maggie")
    add(qtbot, page, "My feet tingle at night - should I worry?")
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(SHOTS / "agenda.png"))
