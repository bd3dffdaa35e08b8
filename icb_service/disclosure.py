"""Small-number suppression with complementary (secondary) suppression, for any table of counts.

Primary: a count below the threshold is hidden. Complementary: wherever published figures add
up (a total and its parts, or invited = attended + did not attend as a reader would assume), a
line with exactly one hidden cell would give that cell away by subtraction, so the smallest other
cell in the line is hidden too, until no line has exactly one. Plain Python with no imports from
either app, so the ICB service and the practice's own outcomes report apply the same rule.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

Cell = TypeVar("Cell", bound=Hashable)  # however a table names its cells: (row, column) pairs


def hidden_cells(
    counts: Mapping[Cell, int],
    lines: Iterable[Sequence[Cell]],
    threshold: int,
    keep: Iterable[Cell] = (),
    primary: Iterable[Cell] | None = None,
    follows: Iterable[tuple[Cell, Cell]] = (),
) -> set[Cell]:
    """The cells to hide.

    `keep` names cells (headline totals) to hide only as a last resort; `primary` replaces the
    below-threshold rule when a report has its own; each (leader, follower) pair in `follows`
    hides the follower whenever the leader is hidden (a group's attenders are shown only when
    the group is).
    """
    hidden = (
        {cell for cell, n in counts.items() if n < threshold} if primary is None else set(primary)
    )
    preferred_last = set(keep)
    lines = [list(line) for line in lines if len(line) > 1]
    pairs = list(follows)
    changed = True
    while changed:  # ends: each pass hides at least one more cell, or stops
        changed = False
        for leader, follower in pairs:
            if leader in hidden and follower not in hidden:
                hidden.add(follower)
                changed = True
        for line in lines:
            in_line = [cell for cell in line if cell in hidden]
            if len(in_line) != 1:
                continue
            shown = [cell for cell in line if cell not in hidden]
            # The smallest figure costs readers least; headline totals go last.
            shown.sort(key=lambda cell: (cell in preferred_last, counts[cell], line.index(cell)))
            hidden.add(shown[0])
            changed = True
    return hidden


def derivable(
    published: Mapping[Hashable, int | None], lines: Iterable[Sequence[Hashable]]
) -> list[Hashable]:
    """Hidden cells that one subtraction along a line would reveal (for tests and checks)."""
    found = []
    for line in lines:
        missing = [cell for cell in line if published.get(cell) is None]
        if len(missing) == 1:
            found.append(missing[0])
    return found
