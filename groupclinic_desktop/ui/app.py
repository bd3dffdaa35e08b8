"""Starting the Qt app: open the practice store (the demo on first start), show the window."""

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from groupclinic_desktop import __version__
from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError


def open_clinic(data_dir: Path | None) -> Clinic:
    """Open the store; on a first start with no practice, create the demo practice."""
    clinic = Clinic.open(data_dir, create=True)
    if clinic.practice() is None:
        from groupclinic_desktop.core.demo import create_demo

        create_demo(clinic)
    return clinic


def run_app(data_dir: Path | None = None, argv: list[str] | None = None) -> int:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("GroupClinic")
    app.setApplicationVersion(__version__)
    try:
        clinic = open_clinic(data_dir)
    except ClinicError as exc:
        QMessageBox.critical(None, "GroupClinic cannot open the practice store", str(exc))
        return 1
    from groupclinic_desktop.ui.main_window import MainWindow

    window = MainWindow(clinic)
    window.show()
    try:
        return app.exec()
    finally:
        clinic.close()
