"""Shared pieces for the printed session pack and invitation letters (reportlab).

Black on white, in the print kit's normal print (export/print_kit.py: nothing under 12 pt),
tick boxes drawn as squares (not glyphs a font may lack), so a mono printer or a photocopy reads
the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from groupclinic_desktop.core.private_files import private_file
from groupclinic_desktop.export.print_kit import NORMAL_PT, fonts

MARGIN = 16 * mm
INK = colors.black
RULE = colors.HexColor("#555555")
SHADE = colors.HexColor("#E6E6E6")  # header rows: light enough for a mono printer


class TickBox(Flowable):
    """An empty square to tick, with an optional word after it."""

    def __init__(self, label: str = "", size: float = 5 * mm, font_size: int = NORMAL_PT) -> None:
        super().__init__()
        self.label, self.size, self.font_size = label, size, font_size
        self.width = size + (4 * mm + len(label) * font_size * 0.55 if label else 0)
        self.height = size

    def draw(self) -> None:
        canvas = self.canv
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(1.2)
        canvas.rect(0, 0, self.size, self.size)
        if self.label:
            canvas.setFont(fonts()[0], self.font_size)
            canvas.drawString(self.size + 2 * mm, 1, self.label)


Footer = Callable[[Canvas, Any], None]


def pack_document(path: str, title: str, footer: Footer) -> BaseDocTemplate:
    """An A4 document with a portrait and a landscape page template, both with the footer."""
    doc = BaseDocTemplate(
        str(private_file(path)),
        pagesize=A4,
        title=title,
        author="GroupClinic Desktop",
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 6 * mm,
    )
    portrait_frame = Frame(
        MARGIN, MARGIN + 6 * mm, A4[0] - 2 * MARGIN, A4[1] - 2 * MARGIN - 6 * mm, id="portrait"
    )
    wide = landscape(A4)
    landscape_frame = Frame(
        MARGIN, MARGIN + 6 * mm, wide[0] - 2 * MARGIN, wide[1] - 2 * MARGIN - 6 * mm, id="landscape"
    )
    doc.addPageTemplates(
        [
            PageTemplate(id="portrait", frames=[portrait_frame], pagesize=A4, onPage=footer),
            PageTemplate(id="landscape", frames=[landscape_frame], pagesize=wide, onPage=footer),
        ]
    )
    return doc
