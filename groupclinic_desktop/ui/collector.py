"""Python's cyclic garbage collector, run on the UI thread only.

Left to itself, Python collects on whichever thread allocates past its threshold. A page or dialog
left in a reference cycle (a slot's lambda holding its own widget) is then destroyed on that
thread: the store opening, the sync worker, a cohort import. Qt objects may only be destroyed on
the thread that owns them, and one such collection crashed the whole app in a test run. So the app
turns automatic collection off and a timer on the UI thread collects whatever has fallen due.
"""

import gc

from PySide6.QtCore import QCoreApplication, QTimer

# Often enough that garbage never piles up for long; a check with nothing due costs ~1 µs.
CHECK_EVERY_MS = 250

_timer: QTimer | None = None


def collect_due() -> int | None:
    """Collect as Python itself would at its next allocation: nothing until the youngest
    generation has passed its threshold, then the oldest generation past its own.

    Python also puts a full collection off until a quarter more objects have outlived the
    last one; that count is not exposed, so here a full one follows every ten middle ones (the
    objects set aside by settle_memory()'s freeze are never walked either way).

    Returns the generation collected, or None when nothing was due.
    """
    counts, thresholds = gc.get_count(), gc.get_threshold()
    if counts[0] <= thresholds[0]:
        return None
    generation = next(g for g in (2, 1, 0) if g == 0 or counts[g] > thresholds[g])
    gc.collect(generation)
    return generation


def collect_on_ui_thread() -> None:
    """Turn automatic collection off for good and collect what is due from a timer on the UI
    thread (the thread of the running QApplication). Calling it again changes nothing."""
    global _timer
    gc.disable()
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("collect_on_ui_thread() needs the QApplication made first")
    if _timer is not None:
        return
    _timer = QTimer(app)
    _timer.setObjectName("groupclinic-collector")
    _timer.timeout.connect(collect_due)
    _timer.start(CHECK_EVERY_MS)
