"""The main window: sign-in, then the session home, then the running session.

After sign-in the app goes straight back into a session of today that was left running (after a
crash too). The idle lock swaps every page that could show patient data for the sign-in screen.

At start-up the window is first painted from a Glance (the practice's name and staff names, read
without the facade); attach(clinic) then hands it the Clinic facade, opened and checked behind the
painted window (ui/opening.py). Until then only the sign-in page exists, and it holds a sign-in.
"""

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from groupclinic_desktop import __version__
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.ui.idle_lock import IdleWatcher
from groupclinic_desktop.ui.sign_in import SignInPage
from groupclinic_desktop.ui.theme import Theme

if TYPE_CHECKING:
    # Imported where first used: the facade, the schema and the session pages cost about half a
    # second, and the first paint needs none of them. Nor of the Qt classes of the menus' actions
    # and the message boxes, whose enums PySide builds as each class is first imported.
    from PySide6.QtGui import QAction, QCloseEvent

    from groupclinic_desktop.core.clinic import Actor, Clinic
    from groupclinic_desktop.core.glance import Glance
    from groupclinic_desktop.ui.home import SessionHome
    from groupclinic_desktop.ui.session_window import SessionWindow
    from groupclinic_desktop.ui.sync_status import SyncRunner, SyncStatusBar

ROLE_WORDS = {"facilitator": "facilitator", "clinician": "clinician", "admin": "admin",
              "co_facilitator": "co-facilitator"}
DEFAULT_IDLE_MINUTES = 5  # until the facade says the practice's own (Setting idle_lock_minutes)


# Help > Keyboard shortcuts (F1): every key the app answers to, in the clinic's words.
SHORTCUTS = (
    ("F1", "this list"),
    ("Ctrl+L", "lock the screen now (hand over to a colleague)"),
    ("Ctrl+= / Ctrl+- / Ctrl+0", "bigger, smaller, normal text"),
    ("Ctrl+Shift+H", "high contrast"),
    ("Enter or Tab", "check-in: save the value and move to the next field"),
    ("Alt+Down / Alt+Up", "check-in: next / previous person (lands on their first empty field)"),
    ("Alt+A, Alt+L", "check-in: attended, late"),
    ("Space, Y or N", "check-in: on a button, press it; on a consent, yes or no"),
    ("Alt+Q", "check-in: the questionnaires panel, and back"),
    ("Ctrl+F", "check-in: find someone to add as a drop-in"),
    ("B", "board page or room screen: blank the room screen, B again shows it"),
    ("Esc, Q or Ctrl+W", "room screen: close it (or its Close button, or right-click)"),
    ("Page Down / Page Up", "room screen: next / previous page of people (they also turn by "
                            "themselves)"),
)


def close_room_screens() -> None:
    """Close every room screen (presenter view): none may outlive the main window."""
    import sys

    presenter = sys.modules.get("groupclinic_desktop.ui.presenter")
    if presenter is None:  # never imported: no room screen was ever shown
        return
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, presenter.PresenterWindow):
            widget.close()


def window_title(clinic: "Clinic") -> str:
    practice = clinic.practice()
    return _title(practice.name if practice else None, bool(practice and practice.is_demo),
                  clinic.read_only)


def _title(practice_name: str | None, is_demo: bool, read_only: bool) -> str:
    name = practice_name or "No practice"
    demo = " — DEMO" if is_demo and "DEMO" not in name else ""
    read_only_words = " — READ-ONLY: nothing can be saved" if read_only else ""
    return f"GroupClinic {__version__} — {name}{demo}{read_only_words}"


class MainWindow(QMainWindow):
    """Made with an open Clinic, or with a Glance and then attach(clinic) once it is open."""

    first_painted = Signal()

    def __init__(
        self,
        clinic: "Clinic | None" = None,
        today: date | None = None,
        *,
        idle_ms: int | None = None,
        glance: "Glance | None" = None,
    ) -> None:
        super().__init__()
        if clinic is None and glance is None:
            raise ValueError("MainWindow needs an open Clinic or a Glance at the store.")
        self.clinic: Clinic | None = None
        self.glance = glance
        self.today = today or date.today()
        self.theme = Theme(clinic, glance=glance)
        self.theme.apply()
        if clinic is None and glance is not None:
            self.setWindowTitle(_title(glance.practice_name, glance.is_demo, False))
        self.resize(1366, 768)
        self.setMinimumSize(1024, 640)
        self.locked = False
        self._painted = False
        self._idle_ms = idle_ms
        self._page_before_lock: QWidget | None = None

        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.sign_in = SignInPage(clinic, glance=glance)
        self.sign_in.signed_in.connect(self._signed_in)
        self.home: SessionHome | None = None
        self.session_window: SessionWindow | None = None
        self.admin_home: QWidget | None = None
        self.sync_runner: SyncRunner | None = None
        self.sync_bar: SyncStatusBar | None = None
        self.backup_timer: QTimer | None = None
        self.stack.addWidget(self.sign_in)
        self.idle = IdleWatcher(
            idle_ms if idle_ms is not None else DEFAULT_IDLE_MINUTES * 60_000, self
        )
        self.idle.idle.connect(self.lock)
        if clinic is not None:
            self._take(clinic)
        self._build_menus()
        self.show_sign_in()

    def event(self, event: QEvent) -> bool:
        # The first paint is the moment to open the facade behind the window (ui/opening.py).
        # (Events come while __init__ runs too, before _painted exists: the style sheet's.)
        if not getattr(self, "_painted", True) and event.type() == QEvent.Type.Paint:
            self._painted = True
            QTimer.singleShot(0, self.first_painted.emit)
        return super().event(event)

    def attach(self, clinic: "Clinic") -> None:
        """Take the facade, opened and checked: sign-in works from now on (a held one goes on)."""
        self._fill_menus()  # if no paint came first
        self._take(clinic)
        self.sign_in.attach(clinic)

    def _take(self, clinic: "Clinic") -> None:
        """Everything past the sign-in page, which needs the facade."""
        from groupclinic_desktop.ui.home import SessionHome

        self.clinic = clinic
        self.theme.attach(clinic)
        self.setWindowTitle(window_title(clinic))
        self.home = SessionHome(clinic, self.today)
        self.home.open_session.connect(self.open_session)
        self.stack.addWidget(self.home)
        self._start_sync()
        # Daily backups while the app is in use: checked at sign-in and every hour.
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(60 * 60 * 1000)
        self.backup_timer.timeout.connect(self.daily_backup)
        self.backup_timer.start()
        if self._idle_ms is None:
            self.idle.set_timeout(clinic.idle_lock_minutes() * 60_000)
        if clinic.read_only:
            from PySide6.QtWidgets import QLabel

            banner = QLabel("READ-ONLY — the store could not be opened normally; you can look "
                            "but nothing can be saved. Restore a backup to carry on working.")
            banner.setObjectName("readOnlyBanner")
            banner.setWordWrap(True)
            banner.setStyleSheet("background:#8a1538; color:white; padding:6px; font-weight:bold;")
            self.statusBar().addWidget(banner, 1)

    # ---------------------------------------------------------------- menus and shortcuts

    def _build_menus(self) -> None:
        """The menu bar's menus now; their actions now with a facade, else after the first paint
        (nothing in them can be used before someone signs in, and the first paint is timed)."""
        self._menus = (
            self.menuBar().addMenu("&View"),
            self.menuBar().addMenu("&Session"),
            self.menuBar().addMenu("&Help"),
        )
        if self.clinic is not None:
            self._fill_menus()
        else:
            self.first_painted.connect(self._fill_menus)

    def _fill_menus(self) -> None:
        if hasattr(self, "lock_action"):
            return
        view, session, help_menu = self._menus
        self.bigger_action = self._action(view, "Bigger text", ["Ctrl+=", "Ctrl++"], self.bigger)
        self.smaller_action = self._action(view, "Smaller text", ["Ctrl+-"], self.smaller)
        self._action(view, "Normal text size", ["Ctrl+0"], self.reset_text)
        self.contrast_action = self._action(
            view, "High contrast", ["Ctrl+Shift+H"], self.toggle_contrast
        )
        self.contrast_action.setCheckable(True)
        self.contrast_action.setChecked(self.theme.high_contrast)
        self.lock_action = self._action(session, "Lock screen now", ["Ctrl+L"], self.lock)
        self._action(session, "Back to sessions", [], self.show_home)
        self._action(session, "Sign out", [], self.sign_out)
        self._action(help_menu, "Keyboard shortcuts", ["F1"], self.show_shortcuts)
        self._action(help_menu, "About GroupClinic", [], self.about)

    def shortcuts_html(self) -> str:
        minutes = self.clinic.idle_lock_minutes() if self.clinic is not None else None
        idle = f"after {minutes} minutes without use" if minutes else "after a few minutes idle"
        rows = "".join(f"<tr><td><b>{k}</b></td><td>{what}</td></tr>" for k, what in SHORTCUTS)
        return (
            f"<h3>Keyboard shortcuts</h3><table cellspacing='6'>{rows}</table>"
            f"<p>The screen locks itself {idle}; what is typed is saved first.</p>"
        )

    def show_shortcuts(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(self, "Keyboard shortcuts", self.shortcuts_html())

    def about(self) -> None:
        if self.clinic is not None:
            practice = self.clinic.practice()
            name, is_demo = (practice.name, practice.is_demo) if practice else ("", False)
            data_dir = self.clinic.location.data_dir
        else:
            assert self.glance is not None
            name, is_demo = self.glance.practice_name, self.glance.is_demo
            data_dir = self.glance.location.data_dir
        demo = "<p><b>This is the DEMO practice: fictional people.</b></p>" if is_demo else ""
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self, "About GroupClinic",
            f"<h3>GroupClinic Desktop {__version__}</h3>"
            f"<p>{name}</p>{demo}"
            f"<p>Store: {data_dir}</p>"
            "<p>Runs NHS group clinics offline; only the pseudonymised monitoring dataset "
            "leaves this laptop, and only to the ICB service the practice sets up.</p>",
        )

    # ---------------------------------------------------------------- sync in the background

    def _start_sync(self) -> None:
        from groupclinic_desktop.ui.sync_status import SyncRunner, SyncStatusBar

        assert self.clinic is not None
        self.sync_runner = SyncRunner(self.clinic, parent=self)
        self.sync_bar = SyncStatusBar()
        self.sync_bar.follow(self.sync_runner)
        self.statusBar().addPermanentWidget(self.sync_bar)
        # The worker only runs once the practice has set up the ICB service's address.
        if self.clinic.sync_settings().get("url"):
            self.sync_runner.start()
        else:
            self.sync_runner.refresh()  # shows "not set up" rather than waiting for a first pass
        # GP record delivery over MESH: sends what is queued and collects acknowledgements.
        if self.clinic.delivery_settings().get("url"):
            from groupclinic_desktop.ui.gp_delivery import shared_runner

            self.delivery_runner = shared_runner(self.clinic, self)
            self.delivery_runner.start()

    def closeEvent(self, event: "QCloseEvent") -> None:  # noqa: N802 - Qt's name
        if self.ask_before_closing and self._session_running() and not self.confirm_close():
            event.ignore()
            return
        close_room_screens()  # never leave the group's numbers on the projector
        if self.sync_runner is not None:
            self.sync_runner.stop()
        if getattr(self, "delivery_runner", None) is not None:
            self.delivery_runner.stop()
        if self.backup_timer is not None:
            self.backup_timer.stop()
        super().closeEvent(event)

    ask_before_closing = False  # the app (ui/app.py) turns it on; windows made by tests do not ask

    def _session_running(self) -> bool:
        if self.session_window is None or self.clinic is None:
            return False
        from groupclinic_desktop.core.schema import SessionStatus

        try:
            session = self.clinic.session(self.session_window.session_id)
        except Exception:  # noqa: BLE001 - a store problem must not stop the window closing
            return False
        return session.status == SessionStatus.RUNNING

    def confirm_close(self) -> bool:
        """Closing mid-session: ask first; everything typed is saved already."""
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Close GroupClinic?")
        box.setText(
            "A session is running. Close GroupClinic now?\n\nEverything typed is saved; the "
            "room screen closes too. Open GroupClinic again to carry on where you left off."
        )
        close = box.addButton("Close GroupClinic", QMessageBox.ButtonRole.YesRole)
        stay = box.addButton("Keep working", QMessageBox.ButtonRole.NoRole)
        box.setDefaultButton(stay)
        box.exec()
        return box.clickedButton() is close

    def save_typing(self) -> None:
        """Save what is typed but not yet saved (autosave fields, a value being entered)."""
        from PySide6.QtWidgets import QLineEdit

        from groupclinic_desktop.ui.widgets import AutoSaveLineEdit, AutoSaveTextEdit

        for edit in self.findChildren(AutoSaveTextEdit) + self.findChildren(AutoSaveLineEdit):
            edit.flush()
        focused = QApplication.focusWidget()
        if isinstance(focused, QLineEdit) and not isinstance(focused, AutoSaveLineEdit):
            focused.editingFinished.emit()  # a check-in value: saved as on Tab

    def bring_forward(self) -> None:
        """Another start of the app asked for this window (ui/single_instance.py)."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def _action(self, menu, text: str, keys: list[str], slot) -> "QAction":  # type: ignore[no-untyped-def]
        from PySide6.QtGui import QAction, QKeySequence

        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def bigger(self) -> None:
        self.theme.bigger()

    def smaller(self) -> None:
        self.theme.smaller()

    def reset_text(self) -> None:
        self.theme.reset_size()

    def toggle_contrast(self) -> None:
        self.theme.toggle_contrast()
        self.contrast_action.setChecked(self.theme.high_contrast)

    # ---------------------------------------------------------------- where we are

    def show_sign_in(self) -> None:
        self.sign_in.lock_for(None)
        self.stack.setCurrentWidget(self.sign_in)
        self.statusBar().showMessage("Not signed in")
        self.sign_in.names.setFocus()

    def show_home(self) -> None:
        from groupclinic_desktop.core.schema import Role

        actor = self.clinic.actor if self.clinic is not None else None
        if actor is None or self.locked or self.home is None:
            return
        if actor.role == Role.ADMIN:
            self.show_admin()
            return
        self.home.refresh()
        self.stack.setCurrentWidget(self.home)

    def show_admin(self) -> None:
        from groupclinic_desktop.ui.admin_home import AdminHome

        if self.admin_home is None:
            self.admin_home = AdminHome(self.clinic, self.sync_runner, self._restored)
            self.stack.addWidget(self.admin_home)
        else:
            self.admin_home.show_sign_in_troubles()  # type: ignore[attr-defined]
        self.stack.setCurrentWidget(self.admin_home)

    def _restored(self) -> None:
        """After a restore the store was replaced underneath us: close, and start again."""
        assert self.clinic is not None and self.sync_runner is not None
        self.sync_runner.stop()
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(self, "Restored", "The backup was restored. GroupClinic will "
                                "now close; start it again to carry on.")
        self.clinic.close()
        QApplication.quit()

    def open_session(self, session_id: int) -> None:
        from groupclinic_desktop.ui.session_window import SessionWindow

        if self.session_window is not None and self.session_window.session_id != session_id:
            self._close_session_window()
        if self.session_window is None:
            self.session_window = SessionWindow(self.clinic, session_id)
            self.session_window.leave.connect(self.show_home)
            self.stack.addWidget(self.session_window)
        self.stack.setCurrentWidget(self.session_window)

    def _close_session_window(self) -> None:
        if self.session_window is not None:
            self.stack.removeWidget(self.session_window)
            self.session_window.deleteLater()
            self.session_window = None

    def daily_backup(self) -> None:
        """Today's backup, if not made yet. A backup that cannot be made (a full disk) never
        stops the clinic: the status bar says why, and the next sign-in or hour tries again."""

        if self.clinic is None:
            return
        try:
            self.clinic.ensure_daily_backup()
        except ClinicError as exc:
            self.statusBar().showMessage(
                f"{self.statusBar().currentMessage()}  ·  Today's backup was not made: {exc}"
            )

    def _signed_in(self, actor: "Actor") -> None:
        from groupclinic_desktop.core.schema import SessionStatus

        assert self.clinic is not None  # the sign-in page signs in only through the facade
        from groupclinic_desktop.core.professions import label

        role = ROLE_WORDS.get(actor.role.value, actor.role.value)
        user = next((u for u in self.clinic.staff() if u.id == actor.id), None)
        profession = label(user.profession) if user is not None else ""
        who = f"{profession}, {role}" if profession else role
        self.statusBar().showMessage(f"Signed in as {actor.name} ({who})")
        self.idle.start()
        self.daily_backup()
        if self.locked:
            self.unlock()
            return
        running = self.clinic.running_session(self.today)
        if running is not None and running.status == SessionStatus.RUNNING:
            self.open_session(running.id)  # type: ignore[arg-type]
        else:
            self.show_home()

    def sign_out(self) -> None:
        self.idle.stop()
        self.save_typing()  # in the name of who typed it, before they are signed out
        close_room_screens()  # nobody signed in: nothing of the group on the projector
        if self.clinic is not None:
            self.clinic.sign_out()
        self._close_session_window()
        if self.admin_home is not None:
            self.stack.removeWidget(self.admin_home)
            self.admin_home.deleteLater()
            self.admin_home = None
        self.locked = False
        self.show_sign_in()

    # ---------------------------------------------------------------- idle lock

    def lock(self) -> None:
        """Hide every page that can show patient data and ask for a PIN again."""
        if self.clinic is None or self.clinic.actor is None or self.locked:
            return
        self.locked = True
        self.idle.stop()
        self.save_typing()  # every word typed so far is saved in the name of who typed it
        # A question left open (e.g. "Save this unusual value?") is answered "no" and closed.
        from PySide6.QtWidgets import QDialog

        modal = QApplication.activeModalWidget()
        if isinstance(modal, QDialog):
            modal.reject()
        current = self.stack.currentWidget()
        self._page_before_lock = current if current is not self.sign_in else self.home
        self.stack.setCurrentWidget(self.sign_in)
        for page in (self.home, self.session_window, self.admin_home):
            if page is not None:
                page.hide()
        self.sign_in.lock_for(self.clinic.actor)
        self.statusBar().showMessage("Locked")
        if self.session_window is not None:
            self.session_window.bus.locked.emit(True)

    def unlock(self) -> None:
        self.locked = False
        assert self.home is not None  # locking needs someone signed in, so the facade is here
        target = self._page_before_lock or self.home
        if target is self.home:
            self.home.refresh()
        self.stack.setCurrentWidget(target)
        if self.session_window is not None:
            self.session_window.current_page().refresh()
            self.session_window.bus.locked.emit(False)
