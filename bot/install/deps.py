"""`python -m bot.install.deps`: the project's requirements (with the dev extra) except the
llama.cpp binding, one per line, for `make test-fast`, which needs no model and no build."""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILT_HERE = "llama-cpp-python"  # bot/install/llamabuild.py builds and proves it for this CPU


def requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [req for req in wanted if _name(req) != BUILT_HERE]


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()


if __name__ == "__main__":
    sys.stdout.write("\n".join(requirements()) + "\n")
