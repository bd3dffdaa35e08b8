"""A write the store refuses (another program holds it) says so beside the field, in a sentence
the facilitator can act on, and nothing is saved; once the store is free the value saves."""

from PySide6.QtCore import Qt
from sqlalchemy import event

from groupclinic_desktop.core import store
from groupclinic_desktop.ui.phases.checkin import CheckInPage


def test_a_value_typed_while_the_store_is_held_elsewhere_says_why_and_saves_later(
    qtbot, running
) -> None:  # type: ignore[no-untyped-def]
    page = running.session_window.current_page()
    assert isinstance(page, CheckInPage)
    clinic, pid = running.clinic, page.patient_id
    # Wait 0.2 s for the lock, not 30 s: the test need not wait as a person's laptop would.
    event.listen(clinic.engine, "connect", lambda conn, _r: conn.execute("PRAGMA busy_timeout=200"))
    clinic.engine.dispose()
    other = store._keyed_connection(clinic.location.db_path, clinic._key)
    other.isolation_level = None
    other.execute("BEGIN IMMEDIATE")  # a second program holds the store's write lock
    row = page.rows["blood_pressure"]
    try:
        row.edit.setFocus()
        qtbot.keyClicks(row.edit, "136/82")
        qtbot.keyClick(row.edit, Qt.Key.Key_Return)
        assert row.status.text().startswith("✗ Not saved: The store is busy (another program")
        assert clinic.measurements(patient_id=pid, session_id=page.session_id) == []
    finally:
        other.execute("ROLLBACK")
        other.close()
    qtbot.keyClick(row.edit, Qt.Key.Key_Return)  # free again: Enter saves it
    assert row.status.text().startswith("✓ saved")
    assert len(clinic.measurements(patient_id=pid, session_id=page.session_id)) == 2
