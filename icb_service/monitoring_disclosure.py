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

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
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
    hidden: set[Any] = {
        cell for cell, n in counts.items()
        if fixed.get(cell, 0 < n < threshold)
    }
    all_lines = [list(line) for line in lines if len(line) > 1]
    lines_of: dict[Any, list[int]] = defaultdict(list)
    for index, line in enumerate(all_lines):
        for cell in line:
            lines_of[cell].append(index)
    queue = deque(range(len(all_lines)))
    queued = set(queue)
    while queue:
        index = queue.popleft()
        queued.discard(index)
        line = all_lines[index]
        in_line = [cell for cell in line if cell in hidden]
        if len(in_line) != 1:
            continue
        choices = [cell for cell in line if cell not in hidden and cell not in fixed]
        if not choices:
            continue
        # The smallest figure costs readers least; totals go last, and a zero only when nothing
        # else is left (hiding a zero protects little); ties broken by the cell's name, so the
        # same table gives the same choice in every report.
        choices.sort(key=lambda cell: (counts.get(cell, 0) == 0, cell in keep,
                                       counts.get(cell, 0), repr(cell)))
        chosen = choices[0]
        hidden.add(chosen)
        for other in lines_of[chosen]:
            if other not in queued:
                queue.append(other)
                queued.add(other)
    return hidden

