"""The layout keeps its promises: no two of our modules import each other, and the
domain package (advice/) runs without Rasa.

Imports are read from the source (ast), including those inside functions, so an
import moved into a function to dodge a cycle still counts as one.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Set

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("actions", "advice", "channels", "addons", "storage", "enquiries", "insights", "rasa_server", "scripts")
DOMAIN = "advice"
NO_RASA = ("rasa", "rasa_sdk", "sanic")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> Dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def _imported(path: Path, name: str, modules: Set[str]) -> Set[str]:
    """Every module this file imports: ``from a import b`` is ``a.b`` if that is a module, else ``a``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                module = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                found.add(submodule if submodule in modules else module)
    return found


def import_graph() -> Dict[str, Set[str]]:
    """Our modules, each with the modules of ours it imports."""
    modules = _modules()
    return {
        name: {m for m in _imported(path, name, set(modules)) if m in modules and m != name}
        for name, path in modules.items()
    }


def cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
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


def test_the_graph_sees_our_packages_and_their_imports():
    graph = import_graph()
    assert {name.split(".")[0] for name in graph} == set(PACKAGES)
    assert "advice.content" in graph["advice.replies"]
    assert "storage.redaction" in graph["storage.tracker_store"]


def test_a_cycle_would_be_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_two_of_our_modules_import_each_other():
    assert cycles(import_graph()) == []


def test_the_domain_package_imports_no_rasa_by_its_source():
    modules = _modules()
    offending = sorted(
        f"{name} imports {imported}"
        for name, path in modules.items()
        if name == DOMAIN or name.startswith(DOMAIN + ".")
        for imported in _imported(path, name, set(modules))
        if imported.split(".")[0] in NO_RASA
    )
    assert offending == []


def test_the_domain_package_imports_and_works_with_rasa_blocked():
    """Every advice module imports, and a reply renders, in a Python where rasa, rasa_sdk and sanic cannot load."""
    names = sorted(n for n in _modules() if n.startswith(DOMAIN + "."))
    program = f"""
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {NO_RASA!r}:
            raise ImportError("blocked: " + name)
sys.meta_path.insert(0, Block())
import importlib
for name in {names!r}:
    importlib.import_module(name)
from advice.content import get_content
from advice.replies import crisis_reply
assert crisis_reply(get_content())[0].text
blocked = [m for m in sys.modules if m.split(".")[0] in {NO_RASA!r}]
assert not blocked, blocked
print(len({names!r}))
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.strip()) == len(names) >= 13
