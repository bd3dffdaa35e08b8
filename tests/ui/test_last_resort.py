"""An error nothing caught, on any thread: logged without its values, and one plain note shown."""

import logging
import sys
import threading

from PySide6.QtWidgets import QApplication, QMessageBox

from groupclinic_desktop.ui import last_resort

NHS_NUMBER = "9434765919"


def _boxes() -> list[QMessageBox]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.objectName() == "last-resort-message" and w.isVisible()
    ]


def _fail_with_patient_data() -> None:
    raise ValueError(f"could not file notes for {NHS_NUMBER} Fatima Khan")


def test_a_worker_thread_error_is_logged_without_values_and_told_once(
    qtbot, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    last_resort.install()
    assert sys.excepthook is last_resort.report

    caplog.set_level(logging.ERROR, logger=last_resort.__name__)
    workers = [
        threading.Thread(target=_fail_with_patient_data, name=f"export-{n}") for n in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    qtbot.waitUntil(lambda: len(_boxes()) == 1)
    qtbot.wait(50)
    assert len(_boxes()) == 1, "three errors at once make one note, not three"
    assert "Everything you entered before this was saved" in _boxes()[0].text()

    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "builtins.ValueError on thread export-0" in logged
    assert "_fail_with_patient_data" in logged, "the log says where it happened"
    assert NHS_NUMBER not in logged and "Fatima" not in logged, "no patient data in the log"
    for box in _boxes():
        box.close()


def test_an_interrupt_is_not_reported(qtbot, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.ERROR, logger=last_resort.__name__)
    last_resort.report(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert not caplog.records


def test_a_store_error_nothing_caught_says_its_own_sentence(qtbot, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    from groupclinic_desktop.core.errors import StoreError

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    last_resort.install()
    caplog.set_level(logging.ERROR, logger=last_resort.__name__)
    sentence = "The store is busy: another program is holding it. Nothing was changed."

    def refused() -> None:
        raise StoreError(sentence, kind="locked")

    worker = threading.Thread(target=refused, name="sync")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(_boxes()) == 1)
    assert _boxes()[0].text() == sentence
    assert "StoreError on thread sync" in "\n".join(r.getMessage() for r in caplog.records)
    for box in _boxes():
        box.close()
