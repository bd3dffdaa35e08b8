"""Starting the Qt app: open the practice store, set up a first practice, show the window.

A store that cannot be opened (damaged, locked, newer, key missing) gets a screen that says what
happened and offers the safe actions; a store with no practice yet asks whether to set up the
practice (with its first admin: there is no default password) or to try the demo practice.
"""

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from groupclinic_desktop import __version__
from groupclinic_desktop.core.clinic import Clinic


def open_clinic(data_dir: Path | None) -> Clinic:
    """The normal way in: open the store, creating an empty one on a first start."""
    return Clinic.open(data_dir, create=True)


def run_app(data_dir: Path | None = None, argv: list[str] | None = None) -> int:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("GroupClinic")
    app.setApplicationVersion(__version__)
    from groupclinic_desktop.ui.first_run import FirstRunDialog
    from groupclinic_desktop.ui.store_problem import open_or_ask

    clinic = open_or_ask(data_dir, open_clinic)
    if clinic is None:
        return 1
    if clinic.practice() is None and not clinic.read_only and FirstRunDialog(clinic).ask() in (
        "quit",
        None,
    ):
        clinic.close()
        return 0
    from groupclinic_desktop.ui.main_window import MainWindow

    window = MainWindow(clinic)
    window.show()
    try:
        return app.exec()
    finally:
        clinic.close()
