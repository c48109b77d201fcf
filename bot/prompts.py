"""Prompt templates are data: prompts/*.md, rendered with {name} fields. A missing field raises."""
from __future__ import annotations

import hashlib
import string
from functools import lru_cache
from pathlib import Path

from bot.paths import PROMPTS_DIR


class PromptError(KeyError):
    pass


class _Strict(dict[str, object]):
    def __missing__(self, key: str) -> str:
        raise PromptError(f"prompt variable {{{key}}} was not given")


@lru_cache(maxsize=64)
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


def template(name: str, prompts_dir: Path = PROMPTS_DIR) -> str:
    return _read(prompts_dir / f"{name}.md")


def render(name: str, prompts_dir: Path = PROMPTS_DIR, **values: object) -> str:
    text = template(name, prompts_dir)
    fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
    unused = set(values) - fields
    if unused:
        raise PromptError(f"prompt {name} has no field for {sorted(unused)}")
    return text.format_map(_Strict(values))


def prompts_key(*names: str, prompts_dir: Path = PROMPTS_DIR) -> str:
    """Changes whenever any of the named prompt files changes (cache invalidation)."""
    digest = hashlib.sha256()
    for name in names:
        digest.update((prompts_dir / f"{name}.md").read_bytes())
    return digest.hexdigest()[:16]
