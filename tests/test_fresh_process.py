"""A new user's first questions after a bulk import, each a fresh `briefbot ask` (issue 29):
`ingest --no-summaries` leaves the shared prefix evaluated on disk, `ask` loads the model while
Kiwi starts and reports only what it waited for, and what a question met cold is recorded for
the next worker on the database."""
from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.llm.lazy import LazyLLM
from bot.services import build_services, build_worker
from bot.store import Store
from bot.worker import ASKED_KEY, COLLECTION, PREFIX, Step, remember_asked
from tests.cli_process import briefbot, cli_env
from tests.conftest import SEEDS, SMALL_MODEL, make_settings
from tests.fakes import FakeLLM
from tests.test_bulk_import import bulk


def test_a_document_asked_cold_in_another_process_is_warmed_first(tmp_path, korean):
    services, _ = bulk(tmp_path, korean, count=8)
    # `briefbot ask` met fact.txt cold and exited; its process ran no worker.
    remember_asked(services.store, ["fact.txt"])
    remember_asked(services.store, ["fact.txt"])  # recorded once
    assert json.loads(services.store.get_meta(ASKED_KEY)) == ["fact.txt"]
    worker = build_worker(services)  # a later process's worker: knows it from the database
    assert worker.next_step() == Step(COLLECTION)
    worker.run_step(worker.next_step())
    assert worker.next_step() == Step(PREFIX, "fact.txt")  # before the newest documents
    worker.run_step(worker.next_step())
    assert json.loads(services.store.get_meta(ASKED_KEY)) == []
    assert worker.next_step() != Step(PREFIX, "fact.txt")
    services.close()


def test_a_forgotten_document_asked_about_is_dropped_from_the_record(tmp_path, korean):
    services, _ = bulk(tmp_path, korean, count=4)
    remember_asked(services.store, ["gone.txt"])
    worker = build_worker(services)
    worker.run_step(worker.next_step())  # the shared prefix
    assert worker.next_step().doc_id != "gone.txt"
    assert json.loads(services.store.get_meta(ASKED_KEY)) == []
    services.close()


def test_a_preloaded_model_costs_a_question_nothing_and_a_failed_one_fails_the_call(
        tmp_path, monkeypatch):
    built = FakeLLM()
    release = threading.Event()

    def build(settings):
        assert release.wait(30), "the test never released the load"
        return built

    monkeypatch.setattr("bot.llm.lazy.build_llm", build)
    lazy = LazyLLM(make_settings(tmp_path))
    loading = threading.Thread(target=lazy.preload)
    loading.start()
    release.set()
    loading.join(30)
    assert lazy.loaded
    list(lazy.stream([{"role": "user", "content": "질문"}], max_tokens=4))
    assert lazy.stages["load_ms"] == 0  # loaded before the question: it waited for nothing

    def broken(settings):
        raise RuntimeError("no such model")

    monkeypatch.setattr("bot.llm.lazy.build_llm", broken)
    failing = LazyLLM(make_settings(tmp_path))
    failing.preload()  # quietly: the call that needs the model reports it
    assert not failing.loaded
    with pytest.raises(RuntimeError, match="no such model"):
        failing.get()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    values = {"BRIEFBOT_DB": str(tmp_path / "data" / "b.db"), "SEEDS_DIR": str(tmp_path / "seeds"),
              "MODEL_PATH": str(SMALL_MODEL), "LLM_THREADS": "2"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    shutil.copytree(SEEDS, values["SEEDS_DIR"])
    return values


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.model
def test_ingest_without_summaries_leaves_the_shared_prefix_for_a_fresh_ask(env):
    result = run("ingest", "--no-summaries")
    assert result.exit_code == 0 and "shared prefix for questions ready" in result.output
    # Another process: its model has nothing in memory, so the prefix is on disk.
    services = build_services(make_settings(Path(env["BRIEFBOT_DB"]).parent,
                                            BRIEFBOT_DB=Path(env["BRIEFBOT_DB"])))
    assert services.llm.has_prefix(services.answers.collection_prefix())
    assert services.store.get_meta(ASKED_KEY) is None
    services.close()
    out = run("ask", "딥시크 다음으로 등장해 주목받은 중국의 AI 에이전트 플랫폼은 무엇인가요?",
              "--json")
    timings = json.loads(out.output)["timings"]
    assert timings["prefix_eval_ms"] == 0 and timings["prefix_load_ms"] > 0  # loaded, not made
    # The document it met cold is recorded for the next worker on this database.
    store = Store(Path(env["BRIEFBOT_DB"]))
    asked = json.loads(store.get_meta(ASKED_KEY) or "[]")
    store.close()
    assert asked and all(doc.startswith("000") for doc in asked)
    assert "shared prefix" not in run("ingest", "--no-model").output


@pytest.mark.model
@pytest.mark.processes
def test_an_answer_without_the_model_is_printed_though_the_model_loaded(tmp_path):
    """`ask` loads the model up front; llama-cpp-python silences stdout while it loads, so
    nothing may be printed meanwhile (a comparison is composed without the model, fast)."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    env = cli_env(tmp_path)
    assert briefbot(tmp_path, env, "ingest", "--no-model").returncode == 0
    done = briefbot(tmp_path, env, "ask", "와룡도사 글이랑 네이트 기사에 나온 젠슨 황 발언은 각각 "
                    "뭐예요?", "--json")
    assert done.returncode == 0, done.stderr[-500:]
    answer = json.loads(done.stdout)
    assert answer["sources"] and "first_decode_ms" not in answer["timings"]  # no model call


def test_ingest_without_the_model_indexes_only(env, monkeypatch):
    monkeypatch.setattr("bot.llm.lazy.build_llm", lambda settings: pytest.fail("model loaded"))
    result = run("ingest", "--no-model")
    assert result.exit_code == 0 and "ingested 5" in result.output
    assert "shared prefix" not in result.output
