"""How the app looks: a calm normal theme, a high-contrast theme and text scaling.

The choice is a display preference kept in the practice store (Setting "display.theme"), so the
clinic laptop opens the way the facilitator left it. Colours are never the only signal: every
coloured state also has words or a symbol next to it.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:  # the first paint draws the theme before the facade is imported
    from groupclinic_desktop.core.clinic import Clinic
    from groupclinic_desktop.core.glance import Glance

SETTING_KEY = "display.theme"
SCALES = (0.85, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0)
BASE_POINT_SIZE = 11.0


@dataclass(frozen=True)
class Palette:
    window: str
    text: str
    muted: str
    panel: str
    border: str
    accent: str
    accent_text: str
    ok: str
    amber: str
    red: str
    amber_back: str
    red_back: str
    focus: str


NORMAL = Palette(
    window="#f7f7f5",
    text="#1d1d1b",
    muted="#505a5f",
    panel="#ffffff",
    border="#b1b4b6",
    accent="#005eb8",  # NHS blue
    accent_text="#ffffff",
    ok="#00703c",
    amber="#8a4b00",
    red="#b10e1e",
    amber_back="#fff1d6",
    red_back="#fde2e4",
    focus="#ffb81c",
)
HIGH_CONTRAST = Palette(
    window="#000000",
    text="#ffffff",
    muted="#e8e8e8",
    panel="#000000",
    border="#ffffff",
    accent="#ffff00",
    accent_text="#000000",
    ok="#7dff7d",
    amber="#ffd000",
    red="#ff8080",
    amber_back="#332800",
    red_back="#3a0000",
    focus="#00ffff",
)


class Theme:
    """The current look; change it with bigger(), smaller(), toggle_contrast().

    Made from a Glance (before the facade is open) it saves nothing until attach(clinic): a change
    made meanwhile is saved then.
    """

    def __init__(self, clinic: "Clinic | None" = None, *, glance: "Glance | None" = None) -> None:
        self.clinic = clinic
        self.scale = 1.0
        self.high_contrast = False
        self._unsaved = False
        source: Any = clinic if clinic is not None else glance
        if source is not None:
            saved = source.setting(SETTING_KEY, {}) or {}
            if isinstance(saved, dict):
                scale = saved.get("scale", 1.0)
                if isinstance(scale, int | float) and min(SCALES) <= scale <= max(SCALES):
                    self.scale = float(scale)
                self.high_contrast = saved.get("high_contrast") is True

    @property
    def palette(self) -> Palette:
        return HIGH_CONTRAST if self.high_contrast else NORMAL

    def bigger(self) -> None:
        self._step(+1)

    def smaller(self) -> None:
        self._step(-1)

    def reset_size(self) -> None:
        self.scale = 1.0
        self._changed()

    def toggle_contrast(self) -> None:
        self.high_contrast = not self.high_contrast
        self._changed()

    def apply(self, app: QApplication | None = None) -> None:
        app = app or QApplication.instance()  # type: ignore[assignment]
        if app is None:
            return
        font = QFont(app.font())
        font.setPointSizeF(BASE_POINT_SIZE * self.scale)
        app.setFont(font)
        app.setStyleSheet(stylesheet(self.palette, self.scale))

    def _step(self, direction: int) -> None:
        nearest = min(range(len(SCALES)), key=lambda i: abs(SCALES[i] - self.scale))
        index = max(0, min(len(SCALES) - 1, nearest + direction))
        self.scale = SCALES[index]
        self._changed()

    def attach(self, clinic: "Clinic") -> None:
        """Save through this facade from now on, and save any change made before it was open."""
        self.clinic = clinic
        if self._unsaved and not clinic.read_only:
            self._save()

    def _changed(self) -> None:
        self.apply()
        self._unsaved = True
        if self.clinic is not None:
            self._save()

    def _save(self) -> None:
        assert self.clinic is not None
        self.clinic.set_setting(
            SETTING_KEY, {"scale": self.scale, "high_contrast": self.high_contrast}
        )
        self._unsaved = False


def stylesheet(p: Palette, scale: float = 1.0) -> str:
    """One style sheet for the whole app; object names pick out the special widgets."""

    def pt(size: float) -> str:
        return f"{size * scale:.1f}pt"

    return f"""
    QWidget {{ color: {p.text}; background: {p.window}; font-size: {pt(BASE_POINT_SIZE)}; }}
    QLineEdit, QTextEdit, QPlainTextEdit, QListWidget, QTableWidget, QComboBox, QSpinBox {{
        background: {p.panel}; border: 1px solid {p.border}; padding: 3px;
    }}
    QLineEdit:focus, QListWidget:focus, QTableWidget:focus, QPushButton:focus,
    QCheckBox:focus, QComboBox:focus, QToolButton:focus {{ border: 3px solid {p.focus}; }}
    QPushButton, QToolButton {{
        background: {p.panel}; border: 1px solid {p.border}; border-radius: 4px;
        padding: 5px 10px; min-height: 1.6em;
    }}
    QCheckBox::indicator {{ width: 1.1em; height: 1.1em; border: 2px solid {p.text};
        background: {p.panel}; }}
    QCheckBox::indicator:checked {{ background: {p.accent}; border: 2px solid {p.text};
        image: none; }}
    QPushButton:checked {{ background: {p.accent}; color: {p.accent_text}; font-weight: bold; }}
    QPushButton#primary {{ background: {p.accent}; color: {p.accent_text}; font-weight: bold; }}
    QPushButton:disabled {{ color: {p.muted}; }}
    QPushButton#primary:disabled {{ background: {p.panel}; color: {p.muted};
        border: 1px solid {p.border}; }}
    QHeaderView::section {{ background: {p.window}; color: {p.text}; padding: 4px;
        border: 1px solid {p.border}; font-weight: bold; }}
    QTableWidget::item:selected, QListWidget::item:selected {{
        background: {p.accent}; color: {p.accent_text}; }}
    QGroupBox {{ border: 1px solid {p.border}; margin-top: 1.2em; padding: 6px; }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 8px; font-weight: bold; }}
    QListWidget#staffNames {{ font-size: {pt(15)}; }}
    QListWidget#staffNames::item {{ padding: 10px; border-bottom: 1px solid {p.border}; }}
    QLabel#title {{ font-size: {pt(18)}; font-weight: bold; }}
    QLabel#subtitle {{ font-size: {pt(13)}; font-weight: bold; }}
    QLabel#muted {{ color: {p.muted}; }}
    QLabel#demoBanner {{ background: {p.amber_back}; color: {p.amber}; font-weight: bold;
        padding: 6px; border: 2px solid {p.amber}; }}
    QLabel#error {{ color: {p.red}; font-weight: bold; }}
    QLabel[state="ok"] {{ color: {p.ok}; font-weight: bold; }}
    QLabel[state="amber"] {{ color: {p.amber}; background: {p.amber_back}; font-weight: bold; }}
    QLabel[state="red"] {{ color: {p.red}; background: {p.red_back}; font-weight: bold; }}
    QLabel[state="info"] {{ color: {p.muted}; }}
    QPushButton[phase="current"] {{ background: {p.accent}; color: {p.accent_text};
        font-weight: bold; border: 2px solid {p.text}; }}
    QPushButton[phase="current"][time="amber"] {{ background: {p.amber_back}; color: {p.amber};
        border: 3px solid {p.amber}; }}
    QPushButton[phase="current"][time="red"] {{ background: {p.red_back}; color: {p.red};
        border: 3px solid {p.red}; }}
    QFrame#cueCard {{ background: {p.panel}; border: 1px solid {p.border}; }}
    QFrame#lockScreen {{ background: {p.window}; }}
    QLabel[centred="true"] {{ qproperty-alignment: AlignCenter; }}
    """


def set_state(widget: object, state: str) -> None:
    """Restyle a widget for a state ("ok", "amber", "red", "info", "") set as a property."""
    widget.setProperty("state", state)  # type: ignore[attr-defined]
    style = widget.style()  # type: ignore[attr-defined]
    style.unpolish(widget)
    style.polish(widget)
