"""The status part of the admin's pages for the background services (ICB sync, GP record
delivery): a titled box with the figures and a summary, a read-only table of what needs
attention, and the page's buttons; and the one-line message under the page.
"""

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.ui.widgets import fill, read_only_table


def message_line() -> QLabel:
    """What the last button did, or why it could not."""
    label = QLabel("")
    label.setWordWrap(True)
    label.setAccessibleName("Message")
    return label


class StatusBox(QGroupBox):
    """Figures (label: value), a summary line, the table and a row of buttons, top to bottom."""

    def __init__(
        self, title: str, headers: Sequence[str], table_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(title, parent)
        box = QVBoxLayout(self)
        self.figures = QFormLayout()
        box.addLayout(self.figures)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        box.addWidget(self.summary)
        self.table = read_only_table(headers, table_name)
        box.addWidget(self.table, 1)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        box.addLayout(self.buttons)

    def figure(self, label: str, value: str = "…") -> QLabel:
        shown = QLabel(value)
        shown.setWordWrap(True)
        self.figures.addRow(label, shown)
        return shown

    def button(self, text: str, pressed: Callable[[], object], name: str = "") -> QPushButton:
        button = QPushButton(text)
        if name:
            button.setAccessibleName(name)
        button.clicked.connect(pressed)
        self.buttons.insertWidget(self.buttons.count() - 1, button)  # before the stretch
        return button

    def show_rows(self, rows: Sequence[Sequence[str]]) -> None:
        fill(self.table, rows)
