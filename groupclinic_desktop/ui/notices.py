"""The UI's one subscription to the core's change notices (core/changes.py).

The core calls its subscribers on the thread that wrote. `ClinicNotices` re-emits each change
set as a Qt signal from an object that lives on the UI thread, so Qt queues it there when the
write happened on a worker thread (and delivers it at once when it happened on the UI thread).
Pages never hear of writes any other way: each decides from the change set whether to refresh.
"""

from __future__ import annotations

import contextlib
import weakref

from PySide6.QtCore import QCoreApplication, QObject, Signal

from groupclinic_desktop.core.changes import ChangeSet
from groupclinic_desktop.core.clinic import Clinic

_bridges: weakref.WeakKeyDictionary[Clinic, ClinicNotices] = weakref.WeakKeyDictionary()


class ClinicNotices(QObject):
    """Carries one Clinic's change sets to the UI thread."""

    arrived = Signal(object)  # ChangeSet, always delivered on the UI thread

    def __init__(self, clinic: Clinic) -> None:
        # Owned by the application (UI thread): never destroyed by a worker thread letting go.
        super().__init__(QCoreApplication.instance())
        self._stop = clinic.notices.subscribe(self._heard)

    def _heard(self, changes: ChangeSet) -> None:
        try:
            self.arrived.emit(changes)
        except RuntimeError:  # the application (and this object with it) has gone
            self._stop()


def notices_for(clinic: Clinic) -> ClinicNotices:
    """The one bridge for this Clinic, made on first use (call on the UI thread)."""
    bridge = _bridges.get(clinic)
    if bridge is None:
        bridge = _bridges[clinic] = ClinicNotices(clinic)
        # When the Clinic goes, so does its bridge, on the UI thread whoever lets go of it.
        weakref.finalize(clinic, _let_go, bridge)
    return bridge


def _let_go(bridge: ClinicNotices) -> None:
    with contextlib.suppress(RuntimeError):  # gone with the application already
        bridge.deleteLater()
