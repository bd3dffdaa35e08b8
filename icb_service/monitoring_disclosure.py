"""Which of a report's counts to hide: small ones, and the ones that would give a small one away.

The rule (also in resources/monitoring/dataset.md, "What the ICB publishes"):

- Primary: a count of people, records or answers from 1 to below the threshold is hidden. Zero
  is shown: it tells nobody anything about a person (and hiding every zero would hide most of
  a practice's breakdowns for no protection).
- Complementary: counts are laid out along every line a reader could add up or subtract along -
  invited = attended + did not attend; a breakdown's groups add up to its total; staff answers
  add up to the responses, and roles or profession groups to all staff; an organisation's figure
  is the sum of the figures one level down (practices and hubs to their PCN, PCNs to their ICB,
  ICBs to the national figure); the months of the trend add up to the period. Wherever a line
  has exactly one hidden cell, its smallest shown cell is hidden too (totals last), until no
  line has exactly one.
- The decision is taken over the whole ICB tree of the scope (every practice, hub and PCN of the
  ICB, and the ICB) for the period and programme asked, whatever level and code the report
  shows, so the same cell is hidden the same way in the practice-, PCN- and ICB-level reports
  of that period. The trend's months are decided after, with the period's figures fixed.
- Figures worked out from counts (rates, proportions, medians, minutes per person, hours
  released) are hidden whenever a count they are worked out from is hidden.

This is the same rule as disclosure.hidden_cells with a work list (a line is looked at again only
when one of its cells is newly hidden), because an ICB tree has a hundred thousand cells.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any


def protect(
    counts: Mapping[Any, float],
    lines: Iterable[Sequence[Any]],
    threshold: int,
    keep: set[Any] | frozenset[Any] = frozenset(),
    fixed: Mapping[Any, bool] | None = None,
) -> set[Any]:
    """The hidden cells. `fixed` cells are already decided (True = hidden) and never changed;
    a line whose only shown cells are fixed is left as it is only when nothing else can be
    hidden (then a fixed shown cell beside one hidden cell is a limit, returned unprotected)."""
    fixed = fixed or {}
    number: dict[Any, int] = {}
    cells: list[Any] = []
    numbered_lines: list[list[int]] = []
    for line in lines:
        numbered = []
        for cell in line:
            n = number.get(cell)
            if n is None:
                n = number[cell] = len(cells)
                cells.append(cell)
            numbered.append(n)
        numbered_lines.append(numbered)
    hidden: set[Any] = {
        cell for cell, n in counts.items()
        if fixed.get(cell, 0 < n < threshold)
    }
    is_hidden = [cell in hidden for cell in cells]
    protect_numbered(
        [counts.get(cell, 0) for cell in cells], numbered_lines, is_hidden,
        [cell in keep for cell in cells], [cell in fixed for cell in cells],
        lambda n: repr(cells[n]),
    )
    return hidden | {cells[n] for n, shut in enumerate(is_hidden) if shut}


def protect_numbered(
    value: Sequence[float],
    lines: Iterable[Sequence[int]],
    is_hidden: list[bool],
    kept: Sequence[bool],
    is_fixed: Sequence[bool],
    name: Callable[[int], str],
) -> None:
    """protect's rule over cells numbered 0..n-1 (value, kept and is_fixed by number, `name`
    for the ties), hiding in `is_hidden`, which comes in with the cells already hidden.

    An ICB tree is a hundred thousand cells: as numbers they are never hashed again, and each
    line keeps how many of its cells are hidden, so looking at a line costs nothing until it
    has exactly one."""
    all_lines = [line for line in lines if len(line) > 1]
    lines_of: list[list[int]] = [[] for _ in value]
    hidden_in = [0] * len(all_lines)
    for index, line in enumerate(all_lines):
        for n in line:
            lines_of[n].append(index)
            if is_hidden[n]:
                hidden_in[index] += 1
    queue = deque(range(len(all_lines)))
    queued = [True] * len(all_lines)
    while queue:
        index = queue.popleft()
        queued[index] = False
        if hidden_in[index] != 1:
            continue
        choices = [n for n in all_lines[index] if not is_hidden[n] and not is_fixed[n]]
        if not choices:
            continue
        # The smallest figure costs readers least; totals go last, and a zero only when nothing
        # else is left (hiding a zero protects little); ties broken by the cell's name, so the
        # same table gives the same choice in every report.
        best = min((value[n] == 0, kept[n], value[n]) for n in choices)
        tied = [n for n in choices if (value[n] == 0, kept[n], value[n]) == best]
        chosen = tied[0] if len(tied) == 1 else min(tied, key=name)
        is_hidden[chosen] = True
        for other in lines_of[chosen]:
            hidden_in[other] += 1
            if not queued[other]:
                queue.append(other)
                queued[other] = True
