"""The care and support plan and the list of what is due, clicked through as staff would: the
plan from the goals phase, the one-to-one and the person's details; the list from the home
screen (facilitators, care coordinators) and the admin's home."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.schema import PlanGoalStatus
from groupclinic_desktop.ui.care_plan import CarePlanDialog
from groupclinic_desktop.ui.due_list import DueListDialog, DueListPage
from groupclinic_desktop.ui.main_window import MainWindow
from groupclinic_desktop.ui.phases.base import SessionBus
from groupclinic_desktop.ui.phases.goals import GoalsPage
from tests.ui.conftest import ADMIN, FACILITATOR, sign_in
from tests.ui.test_agenda import activate, todays_session

LEFT = Qt.MouseButton.LeftButton


def open_dialogs(kind: type) -> list:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def test_the_plan_from_the_goals_phase(demo: Clinic, qtbot: QtBot, tmp_path: Path) -> None:
    sid = todays_session(demo, present=3)
    page = GoalsPage(demo, sid, SessionBus())
    qtbot.addWidget(page)
    page.resize(1366, 640)
    activate(page)
    pid = page.patient_id
    assert pid is not None
    demo.set_goal(sid, pid, "Walk to the shop and back", confidence=7)
    qtbot.mouseClick(page.plan_button, LEFT)
    (dialog,) = open_dialogs(CarePlanDialog)
    qtbot.addWidget(dialog)
    view = dialog.view
    goals = [view.goals.item(r, 0).text() for r in range(view.goals.rowCount())]
    assert goals[-1] == "Walk to the shop and back"  # this session's goal is in the plan
    # Last time's goal (from the demo's earlier session) is achieved.
    view.goals.setCurrentCell(0, 0)
    qtbot.mouseClick(view.goal_buttons[PlanGoalStatus.ACHIEVED], LEFT)
    assert "Saved: goal achieved" in view.message.text()
    assert view.goals.item(0, 1).text().startswith("achieved")
    # A goal typed on the goals page while the plan is open shows in it at once.
    page.goal_text.set_text_quietly("Walk to the park and back")
    page.confidence.set_value_quietly(8)
    assert page.save()
    assert view.goals.item(view.goals.rowCount() - 1, 0).text() == "Walk to the park and back"
    # An agreed action with who and when.
    qtbot.keyClicks(view.new_action, "Phone the pharmacy about the new inhaler")
    qtbot.keyClicks(view.new_owner, "Their daughter")
    qtbot.keyClicks(view.new_due, "20/12/2030")
    qtbot.mouseClick(view.add_action_button, LEFT)
    # Bad input: one line naming the field, nothing saved.
    qtbot.keyClicks(view.new_goal, "Swim")
    qtbot.keyClicks(view.new_goal_review, "32/01/2031")
    qtbot.mouseClick(view.add_goal_button, LEFT)
    assert view.message.text().startswith("Not saved: Goal review date:")
    plan = demo.care_plan(pid)
    assert plan.version == 2
    assert plan.goals[0].status == PlanGoalStatus.ACHIEVED
    assert [(a.text, a.owner) for a in plan.actions][-1] == (
        "Phone the pharmacy about the new inhaler", "Their daughter")
    assert demo.care_plan_versions(pid)[-1].session_id == sid
    written = view.print_copy(tmp_path / "their-copy.pdf")
    assert written is not None and written.read_bytes().startswith(b"%PDF")


def test_the_plan_from_the_one_to_one_and_the_persons_details(
    demo: Clinic, qtbot: QtBot
) -> None:
    from groupclinic_desktop.ui.patient_details import PatientDetailsDialog
    from groupclinic_desktop.ui.phases.one_to_one import OneToOnePage

    sid = todays_session(demo, present=2)
    page = OneToOnePage(demo, sid, SessionBus())
    qtbot.addWidget(page)
    page.resize(1366, 700)
    activate(page)
    pid = page.patient_id
    assert pid is not None
    qtbot.mouseClick(page.plan_button, LEFT)
    assert page.plan_dialog is not None and page.plan_dialog.isVisible()
    qtbot.addWidget(page.plan_dialog)
    assert demo.patient(pid).full_name in page.plan_dialog.view.title.text()
    page.plan_dialog.close()
    details = PatientDetailsDialog(demo, pid)
    qtbot.addWidget(details)
    qtbot.mouseClick(details.plan_button, LEFT)
    assert details.plan_dialog is not None and details.plan_dialog.isVisible()
    qtbot.addWidget(details.plan_dialog)
    assert demo.patient(pid).full_name in details.plan_dialog.view.title.text()


def test_what_is_due_from_the_home_screen(window: MainWindow, qtbot: QtBot) -> None:
    sign_in(qtbot, window, FACILITATOR)
    home = window.home
    assert home is not None and home.due_button.isVisible()
    qtbot.mouseClick(home.due_button, LEFT)
    (dialog,) = open_dialogs(DueListDialog)
    qtbot.addWidget(dialog)
    page = dialog.page
    assert page.items, "the demo has overdue actions"
    first = page.items[0]
    page.table.setCurrentCell(0, 0)
    page.method.setCurrentIndex(page.method.findData("call"))
    page.outcome.setCurrentIndex(page.outcome.findData("message_left"))
    qtbot.keyClicks(page.note, "Left a message with their son.")
    qtbot.mouseClick(page.contact_button, LEFT)
    assert page.message.text().startswith("Contact recorded")
    (contact,) = window.clinic.follow_ups(patient_id=first.patient_id)
    assert (contact.method, contact.outcome, contact.note) == (
        "call", "message_left", "Left a message with their son.")
    page.choose(first.key)
    qtbot.mouseClick(page.done_button, LEFT)
    assert first.key not in {i.key for i in page.items}


def test_the_admin_has_what_is_due_as_a_tab(window: MainWindow, qtbot: QtBot) -> None:
    sign_in(qtbot, window, ADMIN)
    admin = window.admin_home
    assert admin is not None
    tabs = admin.tabs  # type: ignore[attr-defined]
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == "What is due")
    tabs.setCurrentIndex(index)
    assert isinstance(tabs.widget(index), DueListPage)
    assert tabs.widget(index).table.rowCount() > 0
