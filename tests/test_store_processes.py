"""One SQLite file, several processes: real files, real processes, the real `briefbot` command."""
from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.migrations import migrations
from bot.types import Chunk, Document
from tests.botapi import BotAPIServer
from tests.cli_process import briefbot, cli_env, start_briefbot
from tests.conftest import SEEDS, TOKEN
from tests.fake_openai import fake_openai

SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter, like a second `briefbot`
ROUNDS = 150


def hammer(path: str, worker: int, start) -> None:
    """Every kind of write the bot and `briefbot ingest` make, as fast as possible."""
    store = Store(path)
    start.wait(60)
    for i in range(ROUNDS):
        chat = worker * 100_000 + i
        store.subscribe(chat, "private", "")
        store.add_turn(chat, "user", f"질문 {i}")
        store.set_meta(f"worker-{worker}", str(i))
        store.enqueue(f"push:{worker}:{i}", chat, "push", "본문")
        doc_id = f"{worker}-{i}"
        store.save_document(
            Document(id=doc_id, title="제목", text="정부 인공지능 계획", content_hash=doc_id),
            [Chunk(doc_id=doc_id, seq=0, text="정부 인공지능 계획", start=0,
                   morphs="정부 인공지능 계획")])
    store.close()


@pytest.mark.processes
def test_two_processes_writing_at_once_both_finish(tmp_path):
    path = str(tmp_path / "b.db")
    Store(path).close()
    start = SPAWN.Event()
    workers = [SPAWN.Process(target=hammer, args=(path, n, start)) for n in (1, 2)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=300)
    assert [w.exitcode for w in workers] == [0, 0]
    store = Store(path)
    counts = store.counts()
    assert counts["documents"] == counts["subscribers"] == 2 * ROUNDS
    assert len(store.outbox_rows()) == 2 * ROUNDS
    assert store.get_meta("worker-1") == store.get_meta("worker-2") == str(ROUNDS - 1)
    store.close()


FRESH_ROUNDS = 30


def open_stores(paths: list[str], start) -> None:
    """Open each fresh file the moment the other processes do."""
    for path in paths:
        start.wait(60)
        Store(path).close()


@pytest.mark.processes
def test_processes_opening_a_fresh_database_at_once_migrate_it_once(tmp_path):
    # Switching a fresh file to WAL while another process has it open failed at once with
    # "database is locked" in about half of such races, so many rounds, each at a barrier.
    paths = [str(tmp_path / f"fresh-{n}.db") for n in range(FRESH_ROUNDS)]
    start = SPAWN.Barrier(3)
    openers = [SPAWN.Process(target=open_stores, args=(paths, start)) for _ in range(3)]
    for opener in openers:
        opener.start()
    for opener in openers:
        opener.join(timeout=300)
    assert [p.exitcode for p in openers] == [0, 0, 0]
    for path in paths:
        conn = sqlite3.connect(path)
        applied = [name for (name,) in conn.execute("select name from _sqlite_migrations")]
        conn.close()
        assert sorted(applied) == sorted(m.name for m in migrations._migrations), path


@pytest.mark.processes
def test_two_ingests_at_once_on_a_fresh_database_both_succeed(tmp_path):
    for name in ("a", "b"):
        shutil.copytree(SEEDS, tmp_path / name)
    (tmp_path / "b" / "extra.txt").write_text("정부가 인공지능 기본법 시행령을 발표했다. " * 20)
    env = cli_env(tmp_path)
    procs = [start_briefbot(tmp_path, env, "ingest", "--no-model", "--seeds",
                            str(tmp_path / name)) for name in ("a", "b")]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    store = Store(tmp_path / "data" / "b.db")
    assert store.counts()["documents"] == 6
    store.close()


# --- a database the bot cannot use: one clear line naming BRIEFBOT_DB, status 2 -------------
def assert_clear_db_error(result) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "BRIEFBOT_DB" in result.stderr
    assert "Traceback" not in output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_corrupt_database_file(tmp_path):
    db = tmp_path / "data" / "b.db"
    db.parent.mkdir()
    db.write_bytes(os.urandom(64 * 1024))
    result = briefbot(tmp_path, cli_env(tmp_path), "stats")
    assert_clear_db_error(result)
    assert "not a usable SQLite database" in result.stderr


def test_a_database_whose_folder_cannot_be_made(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    env = cli_env(tmp_path, BRIEFBOT_DB=str(tmp_path / "a-file" / "data" / "b.db"))
    result = briefbot(tmp_path, env, "stats")
    assert_clear_db_error(result)
    assert "cannot create its folder" in result.stderr


@contextmanager
def read_only(path: Path):
    """Make `path` unwritable, also for root (the tests run as root, who writes through any
    file mode): the immutable attribute (chattr +i, ext4 and most Linux file systems) when
    running as root, plain file modes otherwise."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)],
                                                    capture_output=True).returncode:
        pytest.skip("as root, only an immutable file shows a read-only database, and chattr +i "
                    "is not available here")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.mark.parametrize("case", ["read-only file", "read-only folder"])
def test_a_read_only_database(tmp_path, case):
    db = tmp_path / "data" / "b.db"
    Store(db).close()  # closing the last connection removes the -wal and -shm files
    with read_only(db if case == "read-only file" else db.parent):
        result = briefbot(tmp_path, cli_env(tmp_path), "stats")
    assert_clear_db_error(result)


@pytest.mark.processes
def test_ingest_beside_the_running_bot_both_succeed(tmp_path):
    """`briefbot ingest` while `briefbot run` polls, scans and sends, on one database."""
    with BotAPIServer(token=TOKEN) as telegram, fake_openai() as llm:
        env = cli_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=telegram.base_url,
                      LLM_BACKEND="openai",
                      LLM_BASE_URL=f"http://127.0.0.1:{llm.server_address[1]}/v1")
        (tmp_path / "seeds").mkdir()
        store = Store(tmp_path / "data" / "b.db")
        store.subscribe(501, "private", "")
        store.close()
        bot = start_briefbot(tmp_path, env, "run", "--no-summaries")
        try:
            telegram.wait_for(lambda: telegram.calls("getUpdates"), timeout=120)
            for source in sorted(SEEDS.iterdir()):  # the bot's watcher sees them arrive too
                shutil.copy(source, tmp_path / "seeds" / source.name)
            ingest = briefbot(tmp_path, env, "ingest")
            assert ingest.returncode == 0, ingest.stdout + ingest.stderr
            assert "summarised" in ingest.stdout or "unchanged" in ingest.stdout
            # The bot goes on working: it announces the new documents to the subscriber.
            telegram.wait_for(lambda: telegram.sent(501), timeout=120)
            assert bot.poll() is None
        finally:
            bot.terminate()
            _, err = bot.communicate(timeout=60)
        assert bot.returncode == 0, err
        assert "database is locked" not in err and "Traceback" not in err
