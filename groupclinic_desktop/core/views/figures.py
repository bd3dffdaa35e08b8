"""A published figure of the practice's reports: a number, or None with the reason it is hidden."""

from __future__ import annotations

from dataclasses import dataclass

from groupclinic_desktop.core.views import board


@dataclass(frozen=True)
class Figure:
    """A published number, or None with the reason it is not shown."""

    value: float | None
    reason: str = ""
    people: int = 0  # the group behind it

    @property
    def shown(self) -> bool:
        return self.value is not None

    def text(self, kind: str = "count", decimals: int = 1) -> str:
        if self.value is None:
            return "suppressed" if self.reason.endswith("(suppressed)") else "-"
        if kind == "percent":
            return f"{self.value * 100:.0f}%"
        if kind == "change":
            rounded = round(self.value, decimals)
            if rounded == 0:
                return "0"
            sign = "+" if rounded > 0 else board.MINUS
            return f"{sign}{abs(rounded):.{decimals}f}"
        return f"{self.value:g}"


def suppressed(people: int, threshold: int, what: str = "people") -> Figure:
    return Figure(None, f"fewer than {threshold} {what} (suppressed)", people)


# Complementary suppression: a figure hidden only so that a small one cannot be worked out.
PROTECTING = "hidden so that a smaller suppressed figure cannot be worked out from it (suppressed)"


def protecting(people: int) -> Figure:
    return Figure(None, PROTECTING, people)
