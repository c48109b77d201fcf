"""`briefbot ingest` beside `briefbot run`: the running bot's worker holds the database's lease,
so ingest indexes and leaves the model work to it; a lease whose holder ended blocks nothing."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from bot.cli import index_folder, main, model_work
from bot.services import Services, build_worker
from bot.store import Store
from bot.worker import WorkerLease
from tests.conftest import ROOT, make_settings
from tests.corpus import article
from tests.fakes import FakeLLM

GOOD = "정부와 업계는 인공지능 인프라 확충과 인재 양성을 두고 서로 다른 우선순위를 내세웠다."


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text(article("새 기사", fact=GOOD), encoding="utf-8")
    db = tmp_path / "data" / "b.db"
    # No model file: ingest must not need one when the running bot does the model work.
    for key, value in {"BRIEFBOT_DB": str(db), "SEEDS_DIR": str(seeds),
                       "MODEL_PATH": str(tmp_path / "absent.gguf"), "LLM_THREADS": "2"}.items():
        monkeypatch.setenv(key, value)
    db.parent.mkdir()
    return db


def test_ingest_beside_a_running_bot_indexes_and_leaves_the_model_work_to_it(env):
    bot = WorkerLease.beside(env)  # what `briefbot run`'s worker holds while it runs
    assert bot.acquire()
    try:
        result = CliRunner().invoke(main, ["ingest"], catch_exceptions=False)
    finally:
        bot.release()
    assert result.exit_code == 0, result.output
    assert "ingested 1" in result.output
    assert f"briefbot run (pid {os.getpid()}) serves this database" in result.output
    store = Store(env)
    try:
        assert store.document("a.txt").summary is None and store.work_failures() == []
    finally:
        store.close()


def test_a_lease_left_by_a_process_that_ended_does_not_stop_model_work(env, tmp_path, korean,
                                                                        capsys):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    WorkerLease.beside(env).path.write_text(dead.stdout)  # what kill -9 leaves: pid, no lock
    llm = FakeLLM(default=GOOD)
    settings = make_settings(tmp_path, BRIEFBOT_DB=env, SEEDS_DIR=tmp_path / "seeds")
    services = Services(settings=settings, store=Store(env), korean=korean, llm=llm)
    try:
        assert WorkerLease.beside(env).holder() is None
        index_folder(services)
        model_work(services)
        assert services.store.document("a.txt").summary == GOOD
    finally:
        services.close()
    assert "serves this database" not in capsys.readouterr().out


def test_a_started_worker_holds_the_lease_until_it_stops(tmp_path, korean):
    settings = make_settings(tmp_path)
    services = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                        llm=FakeLLM(default=GOOD))
    worker = build_worker(services)
    try:
        assert worker.lease.holder() is None
        worker.start()
        assert WorkerLease.beside(settings.BRIEFBOT_DB).holder() == os.getpid()
        assert worker.stop()
        assert WorkerLease.beside(settings.BRIEFBOT_DB).holder() is None
    finally:
        worker.stop()
        services.close()


@pytest.mark.processes
def test_a_holder_killed_with_sigkill_leaves_no_lease(tmp_path):
    db = tmp_path / "b.db"
    code = textwrap.dedent(f"""
        import time
        from bot.worker.lease import WorkerLease
        assert WorkerLease.beside({str(db)!r}).acquire()
        print("held", flush=True)
        time.sleep(600)
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                             cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert child.stdout.readline().strip() == "held"
        assert WorkerLease.beside(db).holder() == child.pid
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert WorkerLease.beside(db).holder() is None
    assert db.with_name("b.db.worker.lock").exists()  # the file stays; it blocks nothing
