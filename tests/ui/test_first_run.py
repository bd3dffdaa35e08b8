"""First run: a real practice gets its own first admin (no default password); the demo is marked."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed
from groupclinic_desktop.core.schema import Role
from groupclinic_desktop.ui.first_run import FirstRunDialog


def fill(qtbot, dialog: FirstRunDialog, pin_again: str = "4827") -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(dialog.ods, "a81001")
    qtbot.keyClicks(dialog.name, "Hillside Surgery")
    qtbot.keyClicks(dialog.admin, "Sam Patel")
    qtbot.keyClicks(dialog.pin, "4827")
    qtbot.keyClicks(dialog.pin_again, pin_again)
    qtbot.keyClick(dialog.pin_again, Qt.Key.Key_Return)


def test_setting_up_a_practice_makes_its_first_admin_with_the_chosen_pin(
    qtbot, clinic: Clinic, tmp_path: Path
) -> None:
    dialog = FirstRunDialog(clinic)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.grab().save(str(tmp_path / "first-run.png"))
    fill(qtbot, dialog)
    assert dialog.choice == "practice"
    practice = clinic.practice()
    assert practice.ods_code == "A81001" and not practice.is_demo
    (admin,) = clinic.staff()
    assert admin.name == "Sam Patel" and admin.role == Role.ADMIN
    assert clinic.sign_in(admin.id, "4827").role == Role.ADMIN
    with pytest.raises(NotAllowed):
        clinic.sign_in(admin.id, "0000")
    # Audited as the system (nobody could sign in yet), and the PIN hash is not in the trail.
    created = [e for e in clinic.audit_entries() if e.action == "create"]
    assert {e.entity for e in created} >= {"practice", "staff_user"}
    assert all(e.user_name == SYSTEM.name for e in created)
    assert all("scrypt" not in str(e.after) for e in clinic.audit_entries())


def test_two_different_pins_are_refused_and_nothing_is_written(qtbot, clinic: Clinic) -> None:
    dialog = FirstRunDialog(clinic)
    qtbot.addWidget(dialog)
    fill(qtbot, dialog, pin_again="4828")
    assert dialog.choice == "quit" and not dialog.problem.isHidden()
    assert "not the same" in dialog.problem.text()
    assert clinic.practice() is None and clinic.staff() == []


def test_a_short_pin_is_refused_with_a_clear_message(qtbot, clinic: Clinic) -> None:
    dialog = FirstRunDialog(clinic)
    qtbot.addWidget(dialog)
    for field, text in ((dialog.ods, "A81001"), (dialog.name, "Hillside"), (dialog.admin, "Sam"),
                        (dialog.pin, "12"), (dialog.pin_again, "12")):
        qtbot.keyClicks(field, text)
    qtbot.mouseClick(dialog.set_up, Qt.MouseButton.LeftButton)
    assert "PIN: must have at least 4 characters" in dialog.problem.text()
    assert clinic.practice() is None and clinic.staff() == []


def test_trying_the_demo_makes_the_clearly_marked_demo(qtbot, clinic: Clinic) -> None:
    dialog = FirstRunDialog(clinic)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.try_demo, Qt.MouseButton.LeftButton)
    assert dialog.choice == "demo"
    practice = clinic.practice()
    assert practice.is_demo and "(DEMO)" in practice.name


def test_the_first_admin_can_be_made_only_once(clinic: Clinic) -> None:
    clinic.create_first_admin("Sam Patel", "4827")
    with pytest.raises(NotAllowed, match="already has staff"):
        clinic.create_first_admin("Someone Else", "5827")
    with pytest.raises(NotAllowed):
        clinic.set_up_practice("A81001", "Hillside", "Another Admin", "6283")
    assert [u.name for u in clinic.staff()] == ["Sam Patel"]


def test_set_up_refuses_a_store_that_already_has_a_practice(demo: Clinic) -> None:
    with pytest.raises(InvalidInput, match="already holds a practice"):
        demo.set_up_practice("A81001", "Hillside", "Sam Patel", "4827")
    assert demo.practice().is_demo


def cli_setup(data_dir: Path, stdin: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GROUPCLINIC_DB_KEY="5" * 64)
    return subprocess.run(
        [sys.executable, "-m", "groupclinic_desktop", "--data-dir", str(data_dir), "setup",
         "--ods", "A81001", "--name", "Hillside Surgery", "--admin", "Sam Patel", *extra],
        input=stdin, capture_output=True, text=True, env=env, timeout=120,
    )


def test_groupclinic_setup_reads_the_pin_twice_and_refuses_an_existing_practice(
    tmp_path: Path, monkeypatch
) -> None:
    folder = tmp_path / "real"
    mismatch = cli_setup(folder, "4827\n4828\n")
    assert mismatch.returncode == 1 and "not the same" in mismatch.stderr
    done = cli_setup(folder, "4827\n4827\n")
    assert done.returncode == 0, done.stderr
    assert "4827" not in done.stdout + done.stderr
    again = cli_setup(folder, "9999\n9999\n")
    assert again.returncode == 1 and "already holds a practice" in again.stderr
    monkeypatch.setenv("GROUPCLINIC_DB_KEY", "5" * 64)
    with Clinic.open(folder, create=False) as clinic:
        (admin,) = clinic.staff()
        assert clinic.sign_in(admin.id, "4827").name == "Sam Patel"
        assert not clinic.practice().is_demo
