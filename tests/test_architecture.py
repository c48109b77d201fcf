"""The house rules a newcomer relies on: every module has a place in the layers contract, no
module imports in a cycle, and none grows past what one reader holds in their head."""
from __future__ import annotations

import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400


def layers() -> list[set[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [contract] = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return [{name.strip() for part in layer.split("|") for name in part.split(":")}
            for layer in contract["layers"]]


def test_every_module_and_package_of_bot_has_a_layer():
    named = set().union(*layers())
    children = {f"bot.{p.stem}" for p in (ROOT / "bot").glob("*.py") if p.stem != "__init__"}
    children |= {f"bot.{p.parent.name}" for p in (ROOT / "bot").glob("*/__init__.py")}
    assert children - named == set(), "add these to [tool.importlinter] layers in pyproject.toml"
    assert named - children == set(), "these layers name modules that no longer exist"


# With the imports made only for type checking as well: one that points back at a module
# importing the importer is a cycle the runtime hides, and a sign that a type belongs elsewhere.
@pytest.mark.parametrize("type_checking", [False, True], ids=["runtime", "type-checking"])
def test_no_import_cycles(type_checking):
    graph = grimp.build_graph("bot", exclude_type_checking_imports=not type_checking)
    modules = sorted(graph.modules)
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    assert cycles == []


def test_no_module_is_longer_than_a_reader_can_hold():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "bot").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
