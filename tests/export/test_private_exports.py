"""Exported files are readable by their owner alone, and the export screen warns about a folder
that others can look into (issue 21, point 3)."""

import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from groupclinic_desktop.core import invitations
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.schema import SessionStatus
from groupclinic_desktop.core.views.outcomes import programme_outcomes
from groupclinic_desktop.core.views.progress import person_progress

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


@pytest.fixture
def usual_umask() -> Iterator[None]:
    old = os.umask(0o022)  # the usual umask, under which every new file was 0644
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_export_writer_makes_files_only_their_owner_can_read(
    demo: Clinic, tmp_path: Path, usual_umask: None
) -> None:
    from groupclinic_desktop.export.batch import export_session
    from groupclinic_desktop.export.outcomes_report import write_csv
    from groupclinic_desktop.export.progress_pdf import write_progress_pdf
    from groupclinic_desktop.export.session_pack import session_pack

    files = tmp_path / "exports"
    files.mkdir()
    with demo.acting_as(SYSTEM):
        (finished,) = demo.sessions(status=SessionStatus.FINISHED)
        out = files / "for-emis"
        export_session(demo, finished.id, out)
        today = demo.sessions(day=date.today())[0]
        session_pack(demo, today.id, files / "pack.pdf")
        invitations.write_batch_messaging_csv(demo, today.id, files / "invites.csv")
        demo.export_audit_trail(files / "audit.csv")
        person = demo.roster(finished.id)[0].patient
        programme = demo.programmes()[0]
        write_progress_pdf(
            person_progress(demo, person.id, programme.id), person.full_name, files / "progress.pdf"
        )
        write_csv(programme_outcomes(demo, programme.id), files / "outcomes.csv")
    assert mode(out) == 0o700  # a folder made for the export is private too
    written = [p for p in files.rglob("*") if p.is_file()]
    assert len(written) >= 9 * 2 + 1 + 4
    for path in written:
        assert mode(path) == 0o600, path.name


def test_the_export_screen_warns_when_others_can_look_into_the_folder(
    qtbot, demo: Clinic, tmp_path: Path, usual_umask: None  # type: ignore[no-untyped-def]
) -> None:
    from PySide6.QtCore import Qt

    from groupclinic_desktop.ui.export_view import ExportView

    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    with demo.acting_as(SYSTEM):
        chosen = [str(shared)]
        view = ExportView(demo, choose_folder=lambda parent: chosen[0])
        qtbot.addWidget(view)
        view.show()
        qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
        assert "Exported notes" in view.message.text()
        assert "other accounts on this laptop can look into this folder" in view.message.text()
        for path in shared.iterdir():
            assert mode(path) == 0o600
    from groupclinic_desktop.ui.export_view import folder_warning

    assert folder_warning(private) == ""
