"""Every setting is documented where a new user looks: `.env.example` and the README's table."""
from __future__ import annotations

import re

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
