"""Small widgets the pages share: autosaving text boxes, a saved indicator, a 0-10 scale, the
admin pages' read-only tables, and the error line and Save/Cancel row of the small forms.

Nothing here talks to the store: a widget says "save this text now" and the page does the saving,
so the same widget serves reviews, goals and the agenda.
"""

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSlider,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

# After this long without typing, what was typed is saved (and on leaving the field, at once).
QUIET_MS = 1500


class AutoSaveTextEdit(QPlainTextEdit):
    """Several lines of text that ask to be saved after a pause in typing and on focus-out."""

    save_requested = Signal(str)

    def __init__(
        self, accessible_name: str, placeholder: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setPlaceholderText(placeholder)
        # Tab moves on to the next field, as in a form, instead of typing a tab.
        self.setTabChangesFocus(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(QUIET_MS)
        self._timer.timeout.connect(self.flush)
        self._dirty = False
        self._quiet = False
        self.textChanged.connect(self._typed)

    @property
    def dirty(self) -> bool:
        return self._dirty

    def set_text_quietly(self, text: str) -> None:
        """Show stored text without asking for it to be saved again."""
        self._quiet = True
        try:
            self.setPlainText(text)
        finally:
            self._quiet = False
        self._dirty = False
        self._timer.stop()

    def flush(self) -> None:
        """Save now if anything was typed since the last save."""
        self._timer.stop()
        if self._dirty:
            self._dirty = False
            self.save_requested.emit(self.toPlainText())

    def _typed(self) -> None:
        if self._quiet:
            return
        self._dirty = True
        self._timer.start()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt's name)
        self.flush()
        super().focusOutEvent(event)


class AutoSaveLineEdit(QLineEdit):
    """One line of text that asks to be saved after a pause, on Enter and on focus-out."""

    save_requested = Signal(str)

    def __init__(
        self, accessible_name: str, placeholder: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setPlaceholderText(placeholder)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(QUIET_MS)
        self._timer.timeout.connect(self.flush)
        self._dirty = False
        self.textEdited.connect(self._typed)
        self.editingFinished.connect(self.flush)

    @property
    def dirty(self) -> bool:
        return self._dirty

    def set_text_quietly(self, text: str) -> None:
        self.setText(text)  # setText does not emit textEdited
        self._dirty = False
        self._timer.stop()

    def flush(self) -> None:
        self._timer.stop()
        if self._dirty:
            self._dirty = False
            self.save_requested.emit(self.text())

    def _typed(self, _text: str) -> None:
        self._dirty = True
        self._timer.start()


class SavedIndicator(QLabel):
    """Says in words whether the last change is saved, so colour is never the only signal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Save status")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.clear_state()

    def clear_state(self) -> None:
        self.setText("")
        self.setProperty("state", "none")
        self.setStyleSheet("")

    def saved(self, what: str = "") -> None:
        when = datetime.now().strftime("%H:%M:%S")
        self.setText(f"✓ Saved {what} at {when}".replace("  ", " "))
        self.setProperty("state", "saved")
        self.setStyleSheet("color: #1b5e20;")

    def pending(self, message: str) -> None:
        """Something is typed but cannot be saved yet (e.g. a goal with no words)."""
        self.setText(f"… Not saved yet: {message}")
        self.setProperty("state", "pending")
        self.setStyleSheet("color: #5c3c00;")

    def failed(self, message: str) -> None:
        self.setText(f"✗ Not saved: {message}")
        self.setProperty("state", "failed")
        self.setStyleSheet("color: #b71c1c; font-weight: bold;")

    @property
    def state(self) -> str:
        return str(self.property("state"))


class ConfidenceScale(QWidget):
    """A 0-10 score as a slider and a number box kept in step; arrows, Page keys and typing work.

    It starts as "not asked" (the number box shows a dash) so nobody's score is recorded for
    them by default; moving the slider or typing a number gives the answer.
    """

    value_changed = Signal(int)
    NOT_ASKED = -1

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        low = QLabel("0 not at all")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 10)
        self.slider.setPageStep(1)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setTickInterval(1)
        self.slider.setAccessibleName(f"{accessible_name} (slider, 0 to 10)")
        high = QLabel("10 completely")
        self.number = QSpinBox()
        self.number.setRange(self.NOT_ASKED, 10)
        self.number.setSpecialValueText("—")
        self.number.setValue(self.NOT_ASKED)
        self.number.setAccessibleName(f"{accessible_name} (number, 0 to 10)")
        self.number.setMinimumWidth(64)
        layout.addWidget(low)
        layout.addWidget(self.slider, 1)
        layout.addWidget(high)
        layout.addWidget(self.number)
        self.slider.valueChanged.connect(self._from_slider)
        self.slider.sliderPressed.connect(lambda: self._from_slider(self.slider.value()))
        self.number.valueChanged.connect(self._from_number)
        self.setFocusProxy(self.slider)

    def value(self) -> int | None:
        value = self.number.value()
        return None if value == self.NOT_ASKED else value

    def set_value_quietly(self, value: int | None) -> None:
        for widget, shown in ((self.slider, value or 0), (self.number, value)):
            widget.blockSignals(True)
            widget.setValue(self.NOT_ASKED if shown is None else shown)
            widget.blockSignals(False)

    def _from_slider(self, value: int) -> None:
        if self.number.value() != value:
            self.number.blockSignals(True)
            self.number.setValue(value)
            self.number.blockSignals(False)
            self.value_changed.emit(value)

    def _from_number(self, value: int) -> None:
        if value == self.NOT_ASKED:
            return
        if self.slider.value() != value:
            self.slider.blockSignals(True)
            self.slider.setValue(value)
            self.slider.blockSignals(False)
        self.value_changed.emit(value)


def heading(text: str, scale: float = 1.25) -> QLabel:
    """A bold section heading, larger than body text, that scales with the app's font."""
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def rule() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def read_only_table(headers: Sequence[str], name: str) -> QTableWidget:
    """Whole rows selectable, nothing editable, the last column taking the spare width."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def fill(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            table.setItem(r, c, QTableWidgetItem(text))


def error_line() -> QLabel:
    """Where a form says why it refused what was typed (styled red by the theme)."""
    label = QLabel()
    label.setObjectName("error")
    label.setWordWrap(True)
    label.setAccessibleName("Message")
    return label


def save_or_cancel(dialog: QDialog, save: object) -> QDialogButtonBox:
    """Save runs `save` (which closes the dialog only when the store took the values); Cancel
    closes it with nothing saved."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(save)
    buttons.rejected.connect(dialog.reject)
    return buttons
