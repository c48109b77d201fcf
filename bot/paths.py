"""Where the project's files are. Standard library only: set-up runs it before any dependency
is installed (bot.install)."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = PROJECT_ROOT / "models"
PROMPTS_DIR = PROJECT_ROOT / "prompts"
DEFAULT_MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
SMALL_MODEL_FILE = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "briefbot"
