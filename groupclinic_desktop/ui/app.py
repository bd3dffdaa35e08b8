"""Starting the Qt app: open the practice store, set up a first practice, show the window.

A store that cannot be opened (damaged, locked, newer, key missing) gets a screen that says what
happened and offers the safe actions; a store with no practice yet asks whether to set up the
practice (with its first admin: there is no default password) or to try the demo practice.

The everyday start (a practice with staff, schema current) paints the sign-in page first from a
Glance (core/glance.py) and opens and checks the store right behind it (ui/opening.py): the
person sees their name at once instead of after a second or more of imports and checking.
"""

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from groupclinic_desktop import __version__
from groupclinic_desktop.logs import open_log_file

if TYPE_CHECKING:
    from groupclinic_desktop.core.glance import Glance
    from groupclinic_desktop.ui.main_window import MainWindow
    from groupclinic_desktop.ui.opening import StoreOpener


def run_app(data_dir: Path | None = None, argv: list[str] | None = None) -> int:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("GroupClinic")
    app.setApplicationVersion(__version__)
    from groupclinic_desktop.ui import single_instance

    # Already running on this store (perhaps behind another window): bring it forward, quietly.
    name = single_instance.server_name(data_dir)
    if single_instance.ask_running_app(name):
        return 0
    from groupclinic_desktop.ui import last_resort

    last_resort.install()
    # No cyclic collection until the store is open; settle_memory() then hands it to this thread.
    gc.disable()
    from groupclinic_desktop.core import glance as first_look

    glance = first_look.take(data_dir)
    if glance is None:
        open_log_file()
        return _run_opened_first(app, data_dir, name)
    window, opener = show_first_look(glance, data_dir)
    listener = single_instance.Listener(name, window.bring_forward, window)
    from groupclinic_desktop.ui.opening import START_ANYWAY_MS

    # The log file held back by the cli (logs.py) opens once the window is up, or after a while.
    window.first_painted.connect(open_log_file)
    QTimer.singleShot(START_ANYWAY_MS, open_log_file)
    opener.ready.connect(lambda _clinic: settle_memory())
    opener.gave_up.connect(lambda: app.exit(1))  # Quit on the store-problem screen
    try:
        return app.exec()
    finally:
        listener.close()
        opener.close()


def settle_memory() -> None:
    """Set what is alive once the store is open (modules, the facade, the window) aside from the
    garbage collector, then leave collecting to the UI thread from now on (ui/collector.py).

    A full collection walks every tracked object: with all of that loaded it took 85-220 ms,
    landing on whatever click came next. gc.freeze() leaves them out for good.
    """
    from groupclinic_desktop.ui.collector import collect_on_ui_thread

    gc.collect()
    gc.freeze()
    collect_on_ui_thread()


def show_first_look(
    glance: "Glance", data_dir: Path | None
) -> tuple["MainWindow", "StoreOpener"]:
    """The main window drawn from a Glance and shown; the store opens behind it once painted."""
    from groupclinic_desktop.ui.main_window import MainWindow
    from groupclinic_desktop.ui.opening import open_behind

    window = MainWindow(glance=glance)
    window.ask_before_closing = True  # closing mid-session asks first
    opener = open_behind(window, glance, data_dir)
    window.show()
    return window, opener


def _run_opened_first(app: QApplication, data_dir: Path | None, name: str) -> int:
    """Every other start (new store, no practice yet, a store problem, a migration due): open the
    facade first, with its screens, then show the window."""
    from groupclinic_desktop.ui.first_run import FirstRunDialog
    from groupclinic_desktop.ui.opening import open_clinic
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
    from groupclinic_desktop.ui.single_instance import Listener

    window = MainWindow(clinic)
    window.ask_before_closing = True  # closing mid-session asks first
    window.show()
    listener = Listener(name, window.bring_forward, window)
    settle_memory()
    try:
        return app.exec()
    finally:
        listener.close()
        clinic.close()
