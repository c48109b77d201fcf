"""The docs cannot drift: every setting, CLI command and debate method is documented where a
new user looks, and DESIGN.md's package map agrees with the import-linter layers and with what
each package really imports."""
from __future__ import annotations

import re
import tomllib

import grimp

from bot.cli import main
from bot.config import Settings
from tests.conftest import ROOT


def _readme_table_settings() -> set[str]:
    """Setting names in the first column of the README's settings table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Settings", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("|"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell))
    return names


def _env_example_settings() -> set[str]:
    """Names set in .env.example, commented out (`# NAME=`) or not."""
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_every_setting_is_in_env_example():
    missing = set(Settings.model_fields) - _env_example_settings()
    assert not missing, f".env.example lacks {sorted(missing)}"


def test_every_setting_is_in_the_readme_table():
    missing = set(Settings.model_fields) - _readme_table_settings()
    assert not missing, f"README.md's settings table lacks {sorted(missing)}"


def test_the_documentation_names_no_setting_that_does_not_exist():
    known = set(Settings.model_fields)
    assert _readme_table_settings() <= known, _readme_table_settings() - known
    assert _env_example_settings() <= known, _env_example_settings() - known


# --- the package map in docs/DESIGN.md against the import-linter layers and the real imports --
FREE = {"bot.types", "bot.texts", "bot.redact", "bot.paths"}  # "anything may import" these


def _layers() -> list[set[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [contract] = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return [{name.strip() for name in layer.split("|")} for layer in contract["layers"]]


def _below(module: str) -> set[str]:
    """What the layers contract lets `module` import: every layer under its own."""
    layers = _layers()
    [level] = [n for n, layer in enumerate(layers) if module in layer]
    return set().union(*layers[level + 1:])


def _package_map() -> dict[str, set[str]]:
    """Each row of DESIGN.md's package map: the module and what its 'may import' cell allows."""
    text = (ROOT / "docs" / "DESIGN.md").read_text(encoding="utf-8")
    section = text.split("## Package map", 1)[1].split("\n## ", 1)[0]
    foundation = {"bot.config", "bot.install"} | FREE
    rows: dict[str, set[str]] = {}
    for line in section.splitlines():
        if not line.startswith("| `bot/"):
            continue
        first, *_, cell = (c.strip() for c in line.strip().strip("|").split("|"))
        module = "bot." + re.match(r"`bot/([a-z_]+)", first).group(1)
        if cell in ("nothing", "standard library only"):
            allowed: set[str] = set()
        elif cell == "anything":
            allowed = _below(module)
        elif cell == "foundation":
            allowed = foundation
        elif cell.startswith("everything below"):
            below_faces = _below("bot.doctor") if "faces" in cell else _below(module)
            never = {f"bot.{name}" for name in re.findall(r"`([a-z_]+)`", cell.split("never")[-1])}
            allowed = below_faces - never if "never" in cell else below_faces
        else:
            allowed = {f"bot.{name}" for name in re.findall(r"`([a-z_]+)`", cell)}
        rows[module] = allowed
    return rows


def _imports_of(graph, module: str) -> set[str]:
    """The project packages and modules `module` (with its submodules) imports directly."""
    members = {m for m in graph.modules if m == module or m.startswith(module + ".")}
    top = {".".join(m.split(".")[:2]) for member in members
           for m in graph.find_modules_directly_imported_by(member)}
    return top - {module}


def test_every_layered_module_has_a_row_in_the_package_map():
    layered = set().union(*_layers()) - {"bot.__main__"}
    assert layered - set(_package_map()) == set(), "add these to DESIGN.md's package map"
    assert set(_package_map()) - layered == set(), "the package map names modules not layered"


def test_the_package_map_allows_nothing_the_layers_forbid():
    forbidden = {module: sorted(extra) for module, allowed in _package_map().items()
                 if (extra := allowed - FREE - _below(module))}
    assert forbidden == {}, "DESIGN.md allows imports the import-linter layers forbid"


def test_every_import_is_one_the_package_map_allows():
    graph = grimp.build_graph("bot", exclude_type_checking_imports=True)
    unlisted = {module: sorted(extra) for module, allowed in _package_map().items()
                if (extra := _imports_of(graph, module) - allowed - FREE)}
    assert unlisted == {}, "imports missing from DESIGN.md's 'may import' column"


# --- console commands ------------------------------------------------------------------------
def _readme_cli_commands() -> set[str]:
    """Command names in README's 'Console commands' paragraph: each backticked entry's first word."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    paragraph = text.split("Console commands", 1)[1].split("\n\n", 1)[0]
    return {entry.split()[0] for entry in re.findall(r"`([a-z][^`]*)`", paragraph)
            if not entry.startswith(("echo", "."))}


def test_every_cli_command_is_in_the_readme_and_has_help():
    commands = set(main.commands)
    assert commands - _readme_cli_commands() == set(), "add these to README's console commands"
    assert _readme_cli_commands() - commands == set(), "README names commands the CLI lacks"
    assert [name for name, command in main.commands.items() if not command.help] == []
