"""A real `kill -9` of the bot process in the middle of a broadcast, then a restart: the chats
not yet reached get the message, and no chat gets it twice."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.delivery import notify
from bot.store import Store
from tests.conftest import ROOT
from tests.delivery_support import HoldingBotAPI, article, make_services, subscribe, write_file

# Sends to HELD chats hang, so the kill lands with FIRST delivered and HELD owed. With the bot's
# default concurrency (4) two HELD chats are in flight at the kill and two not yet tried.
FIRST, HELD = (401, 402), (403, 404, 405, 406, 407, 408)


@pytest.fixture
def botapi():
    with HoldingBotAPI() as server:
        yield server
        server.release()


def start_runner(services, botapi, log: Path) -> subprocess.Popen:
    settings = services.settings
    return subprocess.Popen(
        [sys.executable, "-m", "tests.delivery_runner", "--db", str(settings.BRIEFBOT_DB),
         "--seeds", str(settings.SEEDS_DIR), "--base-url", botapi.base_url],
        cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def statuses(store: Store) -> dict[int, str]:
    return {r.chat_id: r.status for r in store.outbox_rows()}


@pytest.mark.processes
def test_kill_9_mid_broadcast_then_restart_delivers_the_rest_exactly_once(
        tmp_path, korean, botapi):
    services = make_services(tmp_path, korean, botapi)
    store = services.store
    subscribe(store, *FIRST, *HELD)
    notify.ensure_baseline(store)  # the bot has run on this database before
    news = write_file(services.settings.SEEDS_DIR / "news.txt", article("재시작 시험용 새 자료"))
    os.utime(news, (time.time() - 60, time.time() - 60))  # arrived while the bot was down
    botapi.hold(*HELD)
    logs = [tmp_path / "run-1.log", tmp_path / "run-2.log"]
    process = start_runner(services, botapi, logs[0])
    try:
        botapi.wait_for(lambda: all(statuses(store).get(c) == "sent" for c in FIRST)
                        and botapi.held_calls(), timeout=90)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
        assert [c for c in FIRST + HELD if botapi.sent(c)] == list(FIRST)
        assert [statuses(store)[c] for c in HELD] == ["pending"] * len(HELD)

        botapi.release()  # the hung requests now fail: they never reached Telegram
        process = start_runner(services, botapi, logs[1])
        botapi.wait_for(lambda: set(statuses(store).values()) == {"sent"}, timeout=90)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    except BaseException:
        process.kill()
        for log in logs:
            if log.exists():
                sys.stderr.write(f"--- {log.name}\n{log.read_text(errors='replace')[-6000:]}\n")
        raise
    finally:
        services.close()
    assert {c: len(botapi.sent(c)) for c in FIRST + HELD} == dict.fromkeys(FIRST + HELD, 1)
    assert "재시작 시험용 새 자료" in botapi.sent(HELD[-1])[0]["text"]
    assert os.path.getsize(logs[1]) > 0 and "Traceback" not in logs[1].read_text()


@pytest.mark.processes
def test_kill_9_in_the_middle_of_a_long_message_then_restart_sends_only_the_rest(
        tmp_path, korean, botapi):
    chat, k, parts = 409, 7, 12
    services = make_services(tmp_path, korean, botapi)
    store = services.store
    subscribe(store, chat)
    notify.ensure_baseline(store)
    paragraphs = [f"부분 {i:02d} " + "인공지능 정책 자료 요약 " * 230 for i in range(1, parts + 1)]
    store.enqueue(f"brief:{chat}:long", chat, "briefing", "\n\n".join(paragraphs))
    botapi.hold(chat, after=k)  # part k+1 hangs: the kill lands while it is in flight
    logs = [tmp_path / "run-1.log", tmp_path / "run-2.log"]
    process = start_runner(services, botapi, logs[0])
    try:
        botapi.wait_for(botapi.held_calls, timeout=90)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
        assert len(botapi.sent(chat)) == k and statuses(store)[chat] == "pending"
        botapi.release()
        process = start_runner(services, botapi, logs[1])
        botapi.wait_for(lambda: statuses(store)[chat] == "sent", timeout=90)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    except BaseException:
        process.kill()
        for log in logs:
            if log.exists():
                sys.stderr.write(f"--- {log.name}\n{log.read_text(errors='replace')[-6000:]}\n")
        raise
    finally:
        services.close()
    assert [m["text"][:5] for m in botapi.sent(chat)] == [f"부분 {i:02d}" for i in
                                                          range(1, parts + 1)]
    assert f"resuming brief:{chat}:long to chat {chat} at part {k + 1} of {parts}" in \
        logs[1].read_text()
