"""Reading a monitoring report as a reader would: every published count, and every line along
which a reader could add them up, to look for a hidden count that can be worked out.

Independent of the service's own suppression code: the lines come from the published JSON and
the register, and "worked out" means any linear combination of the published lines (solved with
numpy), not just one subtraction.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

# Figures that are not counts of people or answers (never suppressed, or worked out from counts).
NOT_COUNTS = ("rate", "proportion", "median", "per_", "hours", "usual_appointment",
              "clinician_minutes", "sessions", "one_to_one")


def flatten(figures: dict[str, Any], prefix: str = "") -> dict[str, float | None]:
    """figure path -> value (None when suppressed), for every Figure in a Figures object."""
    found: dict[str, float | None] = {}
    for key, value in figures.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and set(value) == {"value", "suppressed"}:
            found[path] = None if value["suppressed"] else value["value"]
        elif isinstance(value, dict):
            found.update(flatten(value, path + "/"))
        elif isinstance(value, list):
            for item in value:
                name = "/".join(
                    str(item[k]) for k in ("measure", "instrument", "question", "kind",
                                           "dimension", "group", "item", "step") if k in item
                )
                found.update(flatten(
                    {k: v for k, v in item.items() if k not in (
                        "measure", "instrument", "question", "kind", "dimension", "group",
                        "item", "step", "text")},
                    f"{path}/{name}/",
                ))
    return found


def is_count(path: str) -> bool:
    return not any(word in path for word in NOT_COUNTS)


def within_lines(paths: set[str]) -> list[list[str]]:
    """Lines inside one organisation's figures."""
    lines = [["invited", "attended", "did_not_attend"]]
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in paths:
        parts = path.split("/")
        if parts[0] in ("equity", "delivery") and parts[-1] == "invited":
            groups[(parts[0], parts[1])].append(parts[2])
            lines.append([f"{parts[0]}/{parts[1]}/{parts[2]}/{n}"
                          for n in ("invited", "attended", "did_not_attend")])
    for (section, dimension), members in groups.items():
        for n in ("invited", "attended", "did_not_attend"):
            lines.append([n, *(f"{section}/{dimension}/{g}/{n}" for g in members)])
    staff_groups: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in paths:
        parts = path.split("/")
        if parts[0] == "staff_experience" and parts[-1] == "responses":
            question = parts[1]
            if len(parts) == 3:
                lines.append([path, *(f"staff_experience/{question}/answers/{a}"
                                      for a in "12345")])
            else:
                kind, group = parts[2], parts[3]
                staff_groups[question][kind].append(group)
                lines.append([path, *(f"staff_experience/{question}/{kind}/{group}/answers/{a}"
                                      for a in "12345")])
    for question, kinds in staff_groups.items():
        for kind, members in kinds.items():
            lines.append([f"staff_experience/{question}/responses",
                          *(f"staff_experience/{question}/{kind}/{g}/responses" for g in members)])
            for a in "12345":
                lines.append([f"staff_experience/{question}/answers/{a}",
                              *(f"staff_experience/{question}/{kind}/{g}/answers/{a}"
                                for g in members)])
    return [[p for p in line if p in paths] for line in lines]


class Reader:
    """Everything published across several reports, keyed (organisation, period, path)."""

    def __init__(self) -> None:
        self.cells: dict[tuple[str, str, str], float | None] = {}
        self.lines: list[list[tuple[str, str, str]]] = []
        self.conflicts: list[str] = []

    def publish(self, key: tuple[str, str, str], value: float | None) -> None:
        if key in self.cells and self.cells[key] != value:
            self.conflicts.append(f"{key}: {self.cells[key]} in one report, {value} in another")
        self.cells.setdefault(key, value)
        if value is None:
            self.cells[key] = None

    def read(self, report: dict[str, Any]) -> None:
        period = f"{report['from']}..{report['to']}"
        total = report["total"]
        whole = f"{total['level']}:{total['code']}"
        blocks = [(whole, total["figures"])]
        blocks += [(f"{o['level']}:{o['code']}", o["figures"]) for o in report["organisations"]]
        all_paths: set[str] = set()
        for org, figures in blocks:
            flat = {p: v for p, v in flatten(figures).items() if is_count(p)}
            all_paths |= set(flat)
            for path, value in flat.items():
                self.publish((org, period, path), value)
            for line in within_lines(set(flat)):
                self.lines.append([(org, period, p) for p in line])
        rows = [org for org, _ in blocks[1:] if org != whole]
        if rows:
            for path in all_paths:
                self.lines.append([(whole, period, path), *((r, period, path) for r in rows)])
        months = report["trend"]
        for name in ("invited", "attended", "did_not_attend", "people_reviewed"):
            self.lines.append([(whole, period, name if name != "people_reviewed" else
                                "time_released/people_reviewed"),
                               *((whole, f"{m['month']}@{period}", name) for m in months)])
        for m in months:
            for name in ("invited", "attended", "did_not_attend", "people_reviewed"):
                f = m[name]
                self.publish((whole, f"{m['month']}@{period}", name),
                             None if f["suppressed"] else f["value"])
            self.lines.append([(whole, f"{m['month']}@{period}", n)
                               for n in ("invited", "attended", "did_not_attend")])

    def add_tree(self, parts: dict[str, list[str]], periods: set[str]) -> None:
        """Lines across levels: an organisation's count is the sum of its parts'."""
        paths = {key[2] for key in self.cells}
        for whole, members in parts.items():
            for period in periods:
                for path in paths:
                    line = [(whole, period, path), *((m, period, path) for m in members)]
                    if all(cell in self.cells for cell in line):
                        self.lines.append(line)

    def recoverable(self) -> list[tuple[str, str, str]]:
        """Hidden cells that some combination of published lines pins down exactly."""
        hidden = sorted({cell for cell, v in self.cells.items() if v is None})
        # Lines only link the hidden cells they share: solve each linked group on its own.
        parent = {cell: cell for cell in hidden}

        def root(cell: Any) -> Any:
            while parent[cell] != cell:
                parent[cell] = parent[parent[cell]]
                cell = parent[cell]
            return cell

        signed_lines = []
        for line in self.lines:
            cells = [c for c in line if c in self.cells]
            unknown = [(position, c) for position, c in enumerate(cells) if c in parent]
            if len(cells) < 2 or not unknown:
                continue
            # whole - sum(parts) = published numbers: the first cell of a line is its total
            signed_lines.append([(c, 1.0 if position == 0 else -1.0) for position, c in unknown])
            for _, c in unknown[1:]:
                parent[root(c)] = root(unknown[0][1])
        groups: dict[Any, list[list[tuple[Any, float]]]] = defaultdict(list)
        for line in signed_lines:
            groups[root(line[0][0])].append(line)
        found = []
        for lines in groups.values():
            cells = sorted({c for line in lines for c, _ in line})
            index = {c: i for i, c in enumerate(cells)}
            matrix = np.zeros((len(lines), len(cells)))
            for row, line in enumerate(lines):
                for c, sign in line:
                    matrix[row, index[c]] += sign
            # A cell is pinned down exactly when its unit vector lies in the lines' row space.
            _, singular, right = np.linalg.svd(matrix, full_matrices=False)
            basis = right[singular > 1e-9 * max(1.0, float(singular.max(initial=0.0)))]
            for c, i in index.items():
                unit = np.zeros(len(cells))
                unit[i] = 1
                if np.linalg.norm(basis.T @ basis[:, i] - unit) < 1e-6:
                    found.append(c)
        return found
