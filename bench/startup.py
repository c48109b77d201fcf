"""`briefbot run` with a backlog: how soon it polls Telegram, how soon it answers a question
while the background worker is busy, and how fast the worker gets through the backlog.

The real entry point in a child process, speaking HTTP to the tests' fake Bot API on
127.0.0.1, over the seeds plus made-up articles (tests/corpus.py: 5 of them 6,000–9,000
characters)."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.botapi import BotAPIServer  # noqa: E402
from tests.corpus import backlog  # noqa: E402

TOKEN = "123456:BENCH-token_abcdefghijklmnopqrstuvwxyz"
CHAT = 4242
QUESTION = "마이크로소프트가 이그나이트 2024에서 출시한 AI 에이전트 생성 프로그램은?"


def _summarised(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("select count(*) from documents where summary is not null"
                                ).fetchone()[0]
    except sqlite3.Error:
        return 0


def wait_for(predicate, timeout: float, interval: float = 0.2):
    """The predicate's first true value within `timeout` seconds, else None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(interval)
    return None


def stop(proc: subprocess.Popen) -> str:
    """Stop `briefbot run` as Ctrl+C does (killed after a minute); its stderr."""
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return str(err or "")


def measure(tmp: Path, seeds: Path, model: Path, threads: int, *, extra: int = 60,
            watch_s: float = 300.0, log=print) -> dict:
    folder = tmp / "startup-seeds"
    folder.mkdir()
    for path in seeds.iterdir():
        if path.is_file():
            shutil.copy2(path, folder / path.name)
    backlog(folder, extra, long=5)
    for path in folder.iterdir():  # a backlog that was there before the start, not arriving now
        os.utime(path, (time.time() - 600, time.time() - 600))
    total = sum(1 for p in folder.iterdir() if p.is_file())
    db = tmp / "startup" / "bot.db"
    result: dict = {"documents": total}
    with BotAPIServer() as api:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN,
               "TELEGRAM_API_BASE_URL": api.base_url, "BRIEFBOT_DB": str(db),
               "SEEDS_DIR": str(folder), "MODEL_PATH": str(model), "LLM_THREADS": str(threads),
               "ALLOWED_CHAT_IDS": "", "ADMIN_IDS": ""}
        started = time.monotonic()
        proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "briefbot"), "run"], env=env,
                                cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
        try:
            polled = wait_for(lambda: api.calls("getUpdates"), timeout=180)
            result["polling_s"] = round(time.monotonic() - started, 2) if polled else None
            log(f"  polling after {result['polling_s']} s with {total} documents pending")
            asked = time.monotonic()
            api.add_update_message(CHAT, QUESTION)
            answered = wait_for(lambda: any("출처" in m["text"] for m in api.sent(CHAT)), 300)
            result["answer_s"] = round(time.monotonic() - asked, 2) if answered else None
            result["answer_from_start_s"] = (round(time.monotonic() - started, 2)
                                             if answered else None)
            result["summarised_when_answered"] = _summarised(db)
            log(f"  a question about a seed answered in {result['answer_s']} s "
                f"({result['answer_from_start_s']} s after start), "
                f"{result['summarised_when_answered']}/{total} summaries made by then")
            # Throughput: summaries made while nobody asks, over `watch_s` seconds.
            first, t0 = _summarised(db), time.monotonic()
            wait_for(lambda: proc.poll() is not None, watch_s)
            made, span = _summarised(db) - first, time.monotonic() - t0
            result["summaries_per_hour"] = round(made * 3600 / span, 1)
            result["watched_s"] = round(span)
            log(f"  background: {made} summaries in {span:.0f} s = "
                f"{result['summaries_per_hour']:.0f} documents/hour")
        finally:
            err = stop(proc)
        result["exit_code"] = proc.returncode
        result["progress_lines"] = sum("background work:" in line for line in err.splitlines())
        # The worker's own failure lines ("background summary of X failed (…)"), not the
        # progress lines' "0 failed" or a summary that fell back to the lead.
        result["failed_lines"] = [line for line in err.splitlines()
                                  if "background " in line and " failed (" in line][:5]
    return result
