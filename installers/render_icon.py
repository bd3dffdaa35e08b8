"""Render resources/icons/groupclinic.svg to the PNG the bundles and the window use.

Run after editing the SVG: `.venv/bin/python installers/render_icon.py [SIZE]` (default 256).
Qt's own SVG renderer is used so the PNG matches what the app would draw.
"""

import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"


def render(size: int = 256) -> Path:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "groupclinic.svg"))
    if not renderer.isValid():
        raise SystemExit("error: groupclinic.svg is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    target = ICONS / "groupclinic.png"
    if not image.save(str(target)):
        raise SystemExit(f"error: could not write {target}")
    return target


if __name__ == "__main__":
    print(render(int(sys.argv[1]) if len(sys.argv) > 1 else 256))
