"""`briefbot run` serves at once whatever the backlog: the real entry point in a child process,
the real small model, the fake Bot API over HTTP, the seeds plus made-up articles pending."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.botapi_fixture import botapi  # noqa: F401 - the fixture
from tests.conftest import SEEDS, SMALL_MODEL, TOKEN
from tests.corpus import backlog

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.model  # the real entry point loads the real model

QUESTION = "마이크로소프트가 이그나이트 2024에서 출시한 AI 에이전트 생성 프로그램은?"


def summarised(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        return conn.execute("select count(*) from documents where summary is not null"
                            ).fetchone()[0]


def test_run_polls_at_once_and_answers_while_the_backlog_is_worked_through(
        tmp_path, botapi):  # noqa: F811
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    backlog(seeds, 10, long=2)
    for path in seeds.iterdir():  # a backlog that was there before the start, not still arriving
        os.utime(path, (time.time() - 600, time.time() - 600))
    db = tmp_path / "data" / "bot.db"
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": botapi.base_url,
           "BRIEFBOT_DB": str(db), "SEEDS_DIR": str(seeds), "MODEL_PATH": str(SMALL_MODEL),
           "LLM_THREADS": "2", "ALLOWED_CHAT_IDS": "", "ADMIN_IDS": ""}
    started = time.monotonic()
    log = (tmp_path / "run.log").open("w")  # a file, not a pipe nobody drains while it runs
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        botapi.wait_for(lambda: botapi.calls("getUpdates"), timeout=60)
        polled = time.monotonic() - started
        assert polled < 30, f"polled only after {polled:.0f} s"
        assert summarised(db) < 15  # the model work had not been done before polling

        botapi.add_update_message(777, QUESTION)
        botapi.wait_for(lambda: any("출처" in m["text"] for m in botapi.sent(777)), timeout=120)
        assert summarised(db) < 15, "the backlog was already done: nothing shows the question " \
                                    "was answered during it"
        final = [m["text"] for m in botapi.sent(777) if "출처" in m["text"]][-1]
        assert "이그나이트" in final
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    out = (tmp_path / "run.log").read_text()
    assert proc.returncode == 0, out[-3000:]
    assert "ingested 15" in out
    assert "Traceback" not in out and TOKEN not in out
