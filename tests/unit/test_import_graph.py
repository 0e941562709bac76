"""Data flows one way: the import graph of `storefront` has no cycle, and the lower layers never reach up.

Every import is counted, those inside functions too, because a deferred import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "storefront"
BLUEPRINT_PACKAGES = ("shop", "checkout", "orders", "backoffice", "webhooks", "planning", "ops")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in ROOT.rglob("*.py")}


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def import_graph() -> dict[str, set[str]]:
    """Each storefront module and the storefront modules it imports."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, path.name == "__init__.py", node)
                submodules = {f"{base}.{alias.name}" for alias in node.names}
                targets |= (submodules & modules.keys()) or {base}
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_walk_sees_real_imports():
    graph = import_graph()
    assert "storefront.services.quote" in graph["storefront.shop.presenters"]
    assert "storefront.payments" in graph["storefront.services.workshop"]
    assert "storefront.services.fulfil" in graph["storefront.services.checkout"]


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_storefront_import_graph_has_no_cycle():
    assert _cycle(import_graph()) is None


def test_domain_imports_nothing_of_flask_sqlalchemy_or_the_layers_above():
    for path in (ROOT / "domain").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert not (node.module or "").startswith(("flask", "sqlalchemy")), path
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                assert node.level == 1, f"{path.name} reaches out of domain/: {ast.unparse(node)}"


def test_no_domain_or_service_module_imports_a_blueprint_module():
    blueprints = tuple(f"storefront.{package}" for package in BLUEPRINT_PACKAGES)
    for module, targets in import_graph().items():
        if module.startswith(("storefront.domain", "storefront.services", "storefront.payments")):
            upward = sorted(t for t in targets if t.startswith(blueprints))
            assert not upward, f"{module} imports {upward}"
