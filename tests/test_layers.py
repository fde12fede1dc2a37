"""The import structure: module-level imports point one way, and nothing imports in a circle.

Layers, bottom up (README, "Architecture"):

0. the kernel — tenancy models and scoping, errors, the one authorization function, outside events,
   the action registry and base class, request limits, encryption, tags, audit;
1. the template language and template store (``templates_app`` without its API/admin);
2. the engine, the services and the vSphere app's actions, sync and VM operations;
3. the faces: native API, cloud-compatible APIs, console, admin, commands, config.

A module may import its own layer or a lower one at module level; imports inside
``AppConfig.ready()`` (registration) and under ``TYPE_CHECKING`` are not edges.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("orchestration", "templates_app", "vsphere", "config")

KERNEL_PACKAGES = ("orchestration.models",)
KERNEL_MODULES = (
    "orchestration", "orchestration.errors", "orchestration.authorization", "orchestration.availability",
    "orchestration.encryption", "orchestration.request_limits", "orchestration.wire_parameters",
    "orchestration.event_stream", "orchestration.row_counts",
    "orchestration.actions", "orchestration.actions.base", "orchestration.actions.registry",
    "orchestration.services", "orchestration.services.tags", "orchestration.services.audit",
    "orchestration.services.tenancy",
)
LANGUAGE = ("templates_app",)
DOMAIN = ("orchestration.engine", "orchestration.services", "orchestration.actions", "vsphere")
FACES_INSIDE_LOWER_PACKAGES = ("templates_app.api", "templates_app.admin", "templates_app.management",
                               "vsphere.api", "vsphere.admin", "vsphere.management", "vsphere.signals")


def layer(module: str) -> int:
    def within(prefixes: tuple[str, ...]) -> bool:
        return any(module == p or module.startswith(p + ".") for p in prefixes)

    if within(FACES_INSIDE_LOWER_PACKAGES):
        return 3
    if module in KERNEL_MODULES or within(KERNEL_PACKAGES):
        return 0
    if within(LANGUAGE):
        return 1
    if within(DOMAIN):
        return 2
    return 3


def project_modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def module_level_imports(module: str, path: Path, known: set[str]) -> set[str]:
    """Project modules imported at module level (``if TYPE_CHECKING:`` blocks and functions aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets: set[str] = set()

    def visit(statements) -> None:
        for node in statements:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.If | ast.Try):
                visit(node.body)
                visit(getattr(node, "orelse", []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                submodules = {f"{base}.{alias.name}" for alias in node.names} & known
                targets.update(submodules or {base})

    visit(tree.body)
    return {t for t in targets if t in known and t != module}


def graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {m: module_level_imports(m, p, set(modules)) for m, p in modules.items()}


def test_no_module_imports_a_higher_layer():
    upward = sorted(f"{m} (layer {layer(m)}) imports {t} (layer {layer(t)})"
                    for m, targets in graph().items() for t in targets if layer(t) > layer(m))
    assert not upward, "\n".join(upward)


def test_no_import_circles():
    edges = graph()
    state: dict[str, int] = {}
    circles: list[list[str]] = []

    def walk(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                circles.append([*trail[trail.index(target):], target] if target in trail else [node, target])
            elif target not in state:
                walk(target, [*trail, target])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            walk(start, [start])
    # A package importing its own submodules (``__init__`` re-exports) is not a circle.
    real = [c for c in circles if not all(c[0] == m or m.startswith(c[0] + ".") for m in c)]
    assert not real, "\n".join(" -> ".join(c) for c in real)


def test_the_layer_check_sees_a_violation():
    """Guard for the guard: a kernel module importing the engine is reported."""
    assert layer("orchestration.errors") == 0 and layer("orchestration.engine.rounds") == 2
    assert layer("orchestration.faces.alibaba.views") == 3 and layer("templates_app.language.validation") == 1
