"""The real `briefbot` command as its own process (`python -m bot`), for what only a process
shows: what reaches stdout/stderr, exit statuses, two processes on one database."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SMALL_MODEL

# Settings the tests choose; anything else the environment holds is not passed on.
_OWN = ("TELEGRAM_", "BRIEFBOT_", "SEEDS_DIR", "MODEL_PATH", "LLM_", "BRIEFING_", "ALLOWED_",
        "ADMIN_IDS", "INGEST_", "RETENTION_")


def cli_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OWN)}
    env.update(PYTHONPATH=str(ROOT), BRIEFBOT_DB=str(tmp_path / "data" / "b.db"),
               SEEDS_DIR=str(tmp_path / "seeds"), MODEL_PATH=str(SMALL_MODEL), LLM_THREADS="2")
    env.update(settings)
    return env


def briefbot(cwd: Path, env: dict[str, str], *args: str, timeout: float = 300,
             **popen: object) -> subprocess.CompletedProcess:
    """Run `briefbot ARGS` in `cwd` (no stray .env there) and wait for it."""
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, **popen)


def start_briefbot(cwd: Path, env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
