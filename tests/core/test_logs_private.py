"""Logs never hold patient data: a whole session at DEBUG, then the log files are searched."""

import contextlib
import logging
from datetime import date
from pathlib import Path

from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.demo import DEMO_PEOPLE, create_demo
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.logs import setup_logging


def test_a_whole_session_at_debug_logs_no_patient_data(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GROUPCLINIC_DB_KEY", "7" * 64)
    log_file = setup_logging(logging.DEBUG, folder=tmp_path / "logs")
    try:
        with Clinic.open(tmp_path / "store") as clinic:
            create_demo(clinic)
            with clinic.acting_as(SYSTEM):
                session = clinic.sessions(day=date.today())[0]
                clinic.start_session(session.id)
                for entry in clinic.roster(session.id):
                    pid = entry.patient.id
                    clinic.set_attendance(session.id, pid, "attended")
                    clinic.record_measurement(pid, "blood_pressure", "151/87",
                                              session_id=session.id)
                    clinic.record_measurement(pid, "weight", "83.7", session_id=session.id,
                                              confirmed=True)
                    clinic.set_goal(session.id, pid, "Swim on Saturdays", confidence=6)
                    # Refused input must not leak into the logs either.
                    with contextlib.suppress(ClinicError):
                        clinic.record_measurement(pid, "weight", "999.9", session_id=session.id)
                clinic.finish_session(session.id)
    finally:
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, "baseFilename", None) == str(log_file):
                handler.close()
                logging.getLogger().removeHandler(handler)
    text = "".join(p.read_text("utf-8") for p in log_file.parent.glob("groupclinic.log*"))
    assert "store opened" in text  # the log is really being written
    forbidden = ["151/87", "83.7", "999.9", "Swim on Saturdays"]
    for nhs, given, family, _preferred, born, _sex in DEMO_PEOPLE:
        forbidden += [nhs, f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}", given, family, born.isoformat()]
    leaks = [f for f in forbidden if f in text]
    assert leaks == []
