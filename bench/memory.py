"""Peak resident memory of `briefbot run` (console chat: no Telegram token), with the model."""
from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path


def peak_rss_of_run(briefbot: Path, *, db: Path, seeds: Path, model: Path, threads: int,
                    questions: list[str], timeout: float = 900) -> dict:
    """Run `briefbot run --no-summaries`, pipe in `questions`, then EOF; returns its peak RSS.

    os.wait4 gives the rusage of exactly this child (RUSAGE_CHILDREN would also count the
    llama-bench and compiler children this process ran)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("TELEGRAM_BOT_TOKEN", "LLM_BACKEND", "LLM_CTX", "LLM_CACHE_MB")}
    env.update(BRIEFBOT_DB=str(db), SEEDS_DIR=str(seeds), MODEL_PATH=str(model),
               LLM_THREADS=str(threads))
    with tempfile.TemporaryDirectory(prefix="briefbot-run-") as tmp:
        stdin = Path(tmp) / "stdin.txt"
        stdin.write_text("\n".join(questions) + "\n", encoding="utf-8")
        out, err = Path(tmp) / "stdout.txt", Path(tmp) / "stderr.txt"
        started = time.perf_counter()
        with stdin.open("rb") as fin, out.open("wb") as fout, err.open("wb") as ferr:
            # The working directory holds no .env, so only the variables above configure it.
            proc = subprocess.Popen([str(briefbot), "run", "--no-summaries"], cwd=tmp, env=env,
                                    stdin=fin, stdout=fout, stderr=ferr)
            killer = threading.Timer(timeout, proc.kill)  # the deadline
            killer.start()
            try:
                _pid, status, usage = os.wait4(proc.pid, 0)
            finally:
                killer.cancel()
            proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        replies = out.read_text(encoding="utf-8", errors="replace")
        errors = err.read_text(encoding="utf-8", errors="replace")
    return {"peak_rss_bytes": usage.ru_maxrss * 1024, "exit_code": proc.returncode,
            "seconds": round(seconds, 1), "stdout_tail": replies[-400:],
            "stderr_tail": errors[-600:]}
