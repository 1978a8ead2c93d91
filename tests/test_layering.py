"""The layering of src/evroam, read from its import graph (every import, also those inside functions).

Three rules, each stated once here:
1. No import cycles between modules.
2. Layers: a module imports only modules of its own layer or of the layers below it. A layer is a list
   of module patterns; the first layer (bottom up) with a matching pattern is the module's.
3. Capabilities of one layer point one way: within the domain layer network < tariffs < integrations,
   within the outgoing layer delivery < publication (a capability never imports one declared after it).

A module that fits no layer fails the test: a new folder must be placed here deliberately.
"""

from __future__ import annotations

import ast
from fnmatch import fnmatchcase
from pathlib import Path

import evroam

SOURCE = Path(evroam.__file__).resolve().parent

# Bottom up. Patterns are module names with * for any run of characters (dots included).
LAYERS: list[tuple[str, list[str]]] = [
    # The pure pricing engine and the pure spot file parsers: standard library only.
    ("pure", ["evroam.tariffs.pricing", "evroam.tariffs.pricing.*", "evroam.tariffs.spot.files"]),
    ("foundation", [
        "evroam", "evroam.config", "evroam.security", "evroam.errors", "evroam.events", "evroam.runtime",
        "evroam.outbound", "evroam.outbound.*",
        "evroam.database", "evroam.database.base", "evroam.database.engine", "evroam.database.migrate",
        "evroam.database.paging", "evroam.database.locks", "evroam.database.held", "evroam.database.upsert",
        "evroam.api.schemas", "evroam.api.json_response",
    ]),
    # What the operator owns and configures: tables, shapes and use cases, no HTTP.
    ("domain", ["evroam.network", "evroam.network.*", "evroam.tariffs", "evroam.tariffs.*",
                "evroam.integrations", "evroam.integrations.*", "evroam.charging", "evroam.charging.*"]),
    # OCPI documents and the calls we make: turning domain objects into OCPI and back, no business rules.
    ("ocpi documents", ["evroam.ocpi", "evroam.ocpi.modules", "evroam.ocpi.protocol",
                        "evroam.ocpi.protocol.envelope", "evroam.ocpi.protocol.client",
                        "evroam.ocpi.protocol.token_encoding", "evroam.ocpi.protocol.ascii_211",
                        "evroam.ocpi.protocol.datetimes",
                        "evroam.ocpi.fitting", "evroam.ocpi.*.mapping", "evroam.ocpi.*.spot_elements"]),
    # What partners receive: the publication ledger and the outbox that pushes it.
    ("outgoing", ["evroam.delivery", "evroam.delivery.*", "evroam.publication", "evroam.publication.*"]),
    # HTTP interfaces and the workflows that reach partners: management routes, flows (a use case around
    # a partner call), the OCPI app and its modules' routes and handshakes.
    # The OCPP gateway is the chargers' interface: it feeds the charger events' ingest flow.
    ("interface", ["evroam.api", "evroam.api.*", "*.routes", "*.flows", "evroam.ocpi.*", "evroam.ocpp",
                   "evroam.ocpp.*"]),
    # What assembles a running evroam: the app, the `evroam` command and each capability's commands.
    ("entry", ["evroam.simulate", "evroam.simulate.*", "evroam.app", "evroam.background", "evroam.cli", "evroam.*.cli", "evroam.demo", "evroam.wiring", "evroam.startup",
               "evroam.database.models", "evroam.database.migrations", "evroam.database.migrations.*"]),
]

# Within one layer, the order capabilities may depend in (earlier ones never import later ones); a
# module belongs to the longest prefix that names it. Quotes price a session at a site or at an
# integration's location, so they come after both.
DIRECTIONS: dict[str, list[str]] = {
    "domain": ["evroam.network", "evroam.tariffs", "evroam.integrations", "evroam.tariffs.quotes",
               "evroam.charging"],
    "outgoing": ["evroam.delivery", "evroam.publication"],
}

# Rooms that sit above the domain wherever they live: routes and flows are interfaces, cli modules entry
# points.
ROOMS_ABOVE_DOMAIN = ("routes", "flows", "cli")


def modules() -> dict[str, Path]:
    found = {}
    for path in SOURCE.rglob("*.py"):
        parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = modules()


def imported_by(path: Path) -> set[str]:
    """Every evroam module `path` imports, wherever the import stands (TYPE_CHECKING blocks aside)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:
                    submodule = f"{child.module}.{alias.name}"
                    found.add(submodule if submodule in MODULES else child.module)
            visit(child)

    visit(ast.parse(path.read_text()))
    return {name for name in found if name in MODULES}


GRAPH = {name: imported_by(path) - {name} for name, path in MODULES.items()}


def layer_of(module: str) -> int:
    room = module.rsplit(".", 1)[-1]
    for index, (_, patterns) in enumerate(LAYERS):
        if any(fnmatchcase(module, pattern) for pattern in patterns):
            if room in ROOMS_ABOVE_DOMAIN and LAYERS[index][0] not in ("interface", "entry"):
                continue
            return index
    raise AssertionError(f"{module} fits no layer of tests/test_layering.py: place it there")


def capability_rank(module: str, layer: str) -> tuple[str, int] | None:
    ranked = [
        (prefix, rank) for rank, prefix in enumerate(DIRECTIONS.get(layer, []))
        if module == prefix or module.startswith(prefix + ".")
    ]
    return max(ranked, key=lambda found: len(found[0]), default=None)


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        layer_of(module)


def test_no_import_cycles() -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def strongly_connected(module: str) -> None:  # Tarjan
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in GRAPH[module]:
            if target not in index:
                strongly_connected(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = [stack.pop()]
            while component[-1] != module:
                component.append(stack.pop())
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            strongly_connected(module)
    assert cycles == []


def test_modules_import_only_their_layer_and_below() -> None:
    upward = [
        f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for module, targets in sorted(GRAPH.items())
        for target in sorted(targets)
        if layer_of(target) > layer_of(module)
    ]
    assert upward == []


def test_capabilities_of_a_layer_point_one_way() -> None:
    backwards = []
    for module, targets in sorted(GRAPH.items()):
        layer = LAYERS[layer_of(module)][0]
        mine = capability_rank(module, layer)
        for target in sorted(targets):
            theirs = capability_rank(target, LAYERS[layer_of(target)][0])
            if mine and theirs and layer_of(target) == layer_of(module) and theirs[1] > mine[1]:
                backwards.append(f"{module} imports {target}: {mine[0]} comes before {theirs[0]}")
    assert backwards == []


def test_pricing_engine_imports_no_web_or_database_code() -> None:
    frameworks = ("fastapi", "starlette", "pydantic", "sqlalchemy", "httpx", "typer", "orjson")
    impure = []
    for module, path in MODULES.items():
        if layer_of(module) != 0:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            impure += [f"{module} imports {name}" for name in names if name.split(".")[0] in frameworks]
    assert impure == []
