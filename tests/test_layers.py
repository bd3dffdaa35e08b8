"""The layers hold: imports point down (ui → export/sync/delivery → core), and no new circle.

Read from the source with the ast module, so an import inside a function counts as much as one at
the top of a file: a function-local import still ties the two files together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "groupclinic_desktop"

# Circles that are allowed to stay. None: the views sit above the facade and the facade's areas
# share their helpers through its base, so nothing calls back into a module that imports it.
KNOWN_CIRCLES: list[frozenset[str]] = []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for top in (PACKAGE, "icb_service"):
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every project module that `name` imports, wherever in the file the import stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            # `from package import module` ties the file to that module; any other name ties it
            # to the module (or package) that defines it.
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                targets.add(submodule if submodule in MODULES else base)
    return {_owner(t) for t in targets if _owner(t)}


def _owner(target: str) -> str | None:
    """The project module a dotted import resolves to (the longest known prefix)."""
    parts = target.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


GRAPH = {name: _imports(name, path) - {name} for name, path in MODULES.items()}


def _layer(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "icb_service":
        return "icb_service"
    if len(parts) > 1 and parts[1] == "core":
        return "core"
    return parts[1] if len(parts) > 1 else "package"


# What each lower layer must never import.
FORBIDDEN = {
    "core": {"ui", "export", "sync", "delivery", "commands", "cli", "selftest"},
    "export": {"ui", "commands", "cli", "selftest"},
    "sync": {"ui", "export", "commands", "cli", "selftest"},
    "delivery": {"ui", "commands", "cli", "selftest"},
    "icb_service": {"ui", "export", "delivery", "commands", "cli", "selftest", "core"},
}


@pytest.mark.parametrize("lower", sorted(FORBIDDEN))
def test_imports_point_down(lower: str) -> None:
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _layer(module) == lower
        for target in targets
        if _layer(target) in FORBIDDEN[lower]
    )
    assert not upward, "an import runs back up the layers:\n" + "\n".join(upward)


def test_the_facade_never_imports_a_view() -> None:
    back = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if module.startswith(f"{PACKAGE}.core.facade") or module == f"{PACKAGE}.core.clinic"
        for target in targets
        if target.startswith(f"{PACKAGE}.core.views")
    )
    assert not back, "\n".join(back)


def test_only_views_and_what_stands_above_core_import_a_view() -> None:
    """The views are core's top band: no rule, no facade area and no other core module reads
    from one, so a view can always be built from the facade below it."""
    back = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _layer(module) == "core" and not module.startswith(f"{PACKAGE}.core.views")
        for target in targets
        if target.startswith(f"{PACKAGE}.core.views")
    )
    assert not back, "\n".join(back)


# What the desktop shares with the ICB service: the protocol (what may be sent), the small-number
# rule (which cells a published table hides), so the practice's own outcomes report and the ICB's
# figures hide the same cells, and where resources/ is. Nothing else is the desktop's business.
SHARED_WITH_ICB = {
    "icb_service.protocol",
    "icb_service.disclosure",
    "icb_service.dataset",
    "icb_service.resources",
}


def test_the_desktop_shares_only_the_contract_with_the_icb_service() -> None:
    reaching = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if module.startswith(PACKAGE)
        for target in targets
        if target.startswith("icb_service") and target not in SHARED_WITH_ICB
    )
    assert not reaching, "\n".join(reaching)
    # The shared part stands on its own: it imports nothing else of either app.
    for module in SHARED_WITH_ICB:
        assert GRAPH[module] <= SHARED_WITH_ICB, f"{module} imports {GRAPH[module]}"


def _circles(graph: dict[str, set[str]] = GRAPH) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, set())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_no_new_import_circle() -> None:
    grown = [
        sorted(circle)
        for circle in _circles()
        if not any(circle <= known for known in KNOWN_CIRCLES)
    ]
    assert not grown, f"a new or larger import circle: {grown}"


def test_the_check_sees_a_circle() -> None:
    """Negative control: the finder reports a circle made on purpose, and only that one."""
    made = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _circles(made) == [{"a", "b", "c"}]
    assert GRAPH[f"{PACKAGE}.core.views.board"], "the import reader found no imports at all"
