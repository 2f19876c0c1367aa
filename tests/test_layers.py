"""Imports only go down the layers, and no rooms import each other in a circle.

Every module of the Python rooms is parsed with ``ast`` (nothing is imported, so nothing runs)
and every import in it counts, at any depth: a function-level lazy import or one under
``TYPE_CHECKING`` is a dependency all the same. Each module maps to a layer, in the order
DESIGN and the common rules give:

    promesa base (settings, errors, principal, ...) < promesa/store < promesa/domain
    < promesa/{world, simulation, events, bench} < knowledge < tools < agent < api < evals < cli

An import of a higher layer fails the test and is printed as ``importer -> imported``. So does
an import circle between top-level rooms (the four rooms of the same layer may import each
other, but not in a circle) or between the packages and modules of ``promesa/domain``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Top-level folders walked; ``cli`` (the composition root) may not exist yet.
ROOMS = ("promesa", "knowledge", "tools", "agent", "api", "evals", "cli")
#: Layer names, lowest first.
LAYERS = ("promesa base", "promesa.store", "promesa.domain", "promesa services", "knowledge",
          "tools", "agent", "api", "evals", "cli")
#: The promesa sub-packages above the domain: one layer, four rooms.
SERVICES = ("world", "simulation", "events", "bench")


def module_name(path: Path) -> str:
    """``promesa/domain/load.py`` -> ``promesa.domain.load``; a package is its ``__init__``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    """Every module of the walked rooms, by dotted name."""
    found: dict[str, Path] = {}
    for room in ROOMS:
        base = ROOT / room
        if base.is_dir():
            for path in sorted(base.rglob("*.py")):
                found[module_name(path)] = path
    return found


MODULES = all_modules()


def room_of(module: str) -> str:
    """The room a module lives in: a top-level folder, or ``promesa.<sub-package>``."""
    parts = module.split(".")
    if parts[0] == "promesa" and len(parts) > 1 and parts[1] in ("store", "domain", *SERVICES):
        return f"promesa.{parts[1]}"
    return "promesa" if parts[0] == "promesa" else parts[0]


def layer_of(module: str) -> int:
    """The index in :data:`LAYERS` of a module's layer."""
    room = room_of(module)
    if room == "promesa":
        return 0
    if room.removeprefix("promesa.") in SERVICES:
        return LAYERS.index("promesa services")
    return LAYERS.index(room)


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    """The absolute module a ``from ... import`` names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    package = importer.split(".")
    is_package = MODULES.get(importer, Path()).name == "__init__.py"
    base = package if is_package else package[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(module: str) -> Iterator[str]:
    """Every walked module ``module`` imports, anywhere in its body."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            # ``from promesa.domain import load`` imports the module promesa.domain.load
            targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES else source
                       for alias in node.names]
        for target in targets:
            while target and target not in MODULES:  # ``import a.b.c`` of a name inside a module
                target = target.rpartition(".")[0]
            if target and target != module:
                yield target


EDGES: dict[str, set[str]] = {module: set(imports_of(module)) for module in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _shortest_circle(graph: dict[str, set[str]], start: str) -> list[str]:
    """A shortest circle through ``start`` (breadth first), as the list of its nodes."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1])]
                if nxt not in previous:
                    previous[nxt] = node
                    following.append(nxt)
        frontier = following
    return [start]


def _explain(component: list[str], graph: dict[str, set[str]], unit_of: dict[str, str]) -> str:
    """One circle of the component, each hop shown with the module imports that make it."""
    circle = _shortest_circle(graph, component[0])
    hops = []
    for here, there in zip(circle, [*circle[1:], circle[0]], strict=True):
        edges = sorted(f"{a} -> {b}" for a, targets in EDGES.items() for b in targets
                       if unit_of.get(a) == here and unit_of.get(b) == there)
        hops.append(f"  {here} -> {there}: " + ", ".join(edges[:3]) + (" ..." if len(edges) > 3 else ""))
    return f"{' <-> '.join(component)}\n" + "\n".join(hops)


def test_the_walk_sees_every_room_and_resolves_imports():
    assert {"promesa.domain.load", "tools", "agent", "api", "evals", "knowledge"} <= set(MODULES)
    assert "promesa.domain.queue" in EDGES["promesa.domain.load"]  # a from-import of a name
    assert "promesa.domain.store_queries" in EDGES["promesa.domain.risk_sources"]  # of a module
    assert layer_of("promesa.settings") < layer_of("promesa.store.models")
    assert layer_of("promesa.store.models") < layer_of("promesa.domain.load")
    assert layer_of("promesa.domain.load") < layer_of("promesa.world.loader") == layer_of("promesa.bench")
    assert layer_of("promesa.simulation.report") < layer_of("knowledge") < layer_of("tools")
    assert layer_of("tools") < layer_of("agent") < layer_of("api") < layer_of("evals") < layer_of("cli")


def test_a_circle_is_found_and_a_chain_is_not():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_module_imports_a_higher_layer():
    upward = sorted(
        f"{importer} ({LAYERS[layer_of(importer)]}) -> {imported} ({LAYERS[layer_of(imported)]})"
        for importer, targets in EDGES.items() for imported in targets
        if layer_of(imported) > layer_of(importer)
    )
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_no_import_circle_between_rooms():
    rooms: dict[str, set[str]] = defaultdict(set)
    for importer, targets in EDGES.items():
        for imported in targets:
            if room_of(imported) != room_of(importer):
                rooms[room_of(importer)].add(room_of(imported))
    unit_of = {module: room_of(module) for module in MODULES}
    circles = [_explain(c, rooms, unit_of) for c in _cycles(rooms)]
    assert not circles, "import circles between rooms:\n" + "\n".join(circles)


def test_no_import_circle_inside_the_domain():
    """Units are the domain's sub-packages (``promesa.domain.fulfillment``) and its modules."""

    def unit(module: str) -> str:
        parts = module.split(".")
        return ".".join(parts[:3])

    domain = {m: unit(m) for m in MODULES if m.startswith("promesa.domain.")}
    graph: dict[str, set[str]] = defaultdict(set)
    for importer, source in domain.items():
        graph[source] |= {domain[t] for t in EDGES[importer] if t in domain and domain[t] != source}
    circles = [_explain(c, graph, domain) for c in _cycles(dict(graph))]
    assert not circles, "import circles inside promesa/domain:\n" + "\n".join(circles)
