"""What every screenshot script shares: a throwaway store and folders, settling Qt, and saving
a grab or a PDF's first page next to the scripts.

`prepare(platform)` must run before PySide6 is imported, because Qt reads QT_QPA_PLATFORM when it
starts and the app reads the XDG folders when its modules load.
"""

import os
import secrets
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = (1366, 768)


def prepare(platform: str | None = None) -> None:
    """Set Qt's platform unless the caller chose one, and point the app at a new store."""
    if platform:
        os.environ.setdefault("QT_QPA_PLATFORM", platform)
    # A throwaway key for the throwaway store, so no keyring is needed.
    os.environ["GROUPCLINIC_DB_KEY"] = secrets.token_hex(32)
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ.setdefault(name, tempfile.mkdtemp(prefix="groupclinic-shots-"))


def settle(rounds: int = 8, wait_ms: int = 30) -> None:
    """Let Qt lay out and paint before a grab."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    for _ in range(rounds):
        QApplication.processEvents()
        if wait_ms:
            QTest.qWait(wait_ms)


def shot(name: str, window: object = None) -> None:
    """Save the whole screen, so a dialog over its window is in the picture too; offscreen, where
    there is no screen to grab, save `window` alone."""
    from PySide6.QtWidgets import QApplication, QWidget

    settle()
    path = HERE / f"{name}.png"
    if QApplication.platformName() == "offscreen" and isinstance(window, QWidget):
        window.grab().save(str(path))
    else:
        if isinstance(window, QWidget):
            window.raise_()
            settle()
        QApplication.primaryScreen().grabWindow(0).save(str(path))
    print(f"wrote {path.relative_to(HERE.parent.parent)}")


def pdf_page_png(pdf: Path, name: str) -> None:
    """The PDF's first page at 60 dpi, as a reader would glance at it."""
    target = HERE / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(target.with_suffix(""))],
        check=True,
    )
    print(f"wrote docs/screenshots/{name}")
