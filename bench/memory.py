"""Peak resident memory of `briefbot run` (console chat: no Telegram token), with the model."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Linux carries ru_maxrss across exec, and a child forked (or vforked) from this process starts
# with this process's memory: a large benchmark process would inflate the child's figure. So a
# small interpreter starts `briefbot run` and reports the peak of that grandchild alone.
WRAPPER = """
import resource, subprocess, sys
out, timeout, *cmd = sys.argv[1:]
try:
    code = subprocess.run(cmd, timeout=float(timeout)).returncode
except subprocess.TimeoutExpired:
    code = -9
with open(out, "w") as f:
    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def peak_rss_of_run(briefbot: Path, *, db: Path, seeds: Path, model: Path, threads: int,
                    questions: list[str], timeout: float = 900) -> dict:
    """Run `briefbot run --no-summaries`, pipe in `questions`, then EOF; returns its peak RSS."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("TELEGRAM_BOT_TOKEN", "LLM_BACKEND", "LLM_CTX", "LLM_CACHE_MB")}
    env.update(BRIEFBOT_DB=str(db.resolve()), SEEDS_DIR=str(seeds.resolve()),
               MODEL_PATH=str(model.resolve()), LLM_THREADS=str(threads))
    with tempfile.TemporaryDirectory(prefix="briefbot-run-") as tmp:
        folder = Path(tmp)
        stdin = folder / "stdin.txt"
        stdin.write_text("\n".join(questions) + "\n", encoding="utf-8")
        out, err, peak = folder / "stdout.txt", folder / "stderr.txt", folder / "maxrss"
        started = time.perf_counter()
        with stdin.open("rb") as fin, out.open("wb") as fout, err.open("wb") as ferr:
            # The working directory holds no .env, so only the variables above configure it.
            code = subprocess.run(
                [sys.executable, "-c", WRAPPER, str(peak), str(timeout),
                 str(briefbot.resolve()), "run",
                 "--no-summaries"],
                cwd=folder, env=env, stdin=fin, stdout=fout, stderr=ferr).returncode
        seconds = time.perf_counter() - started
        maxrss_kb = int(peak.read_text()) if peak.is_file() else 0
        replies = out.read_text(encoding="utf-8", errors="replace")
        errors = err.read_text(encoding="utf-8", errors="replace")
    return {"peak_rss_bytes": maxrss_kb * 1024, "exit_code": code,
            "seconds": round(seconds, 1), "stdout_tail": replies[-400:],
            "stderr_tail": errors[-600:]}
