"""The first hour after a bulk import: what questions need first is built first — the shared
prefix every cold question starts from (from lead sentences while no summary exists), then the
documents asked about, then the rest."""
from __future__ import annotations

from bot.briefing import lead_summary
from bot.ingest.pipeline import ingest_folder
from bot.services import Services, build_worker
from bot.store import Store
from bot.worker import COLLECTION, PREFIX, SUMMARY, Step
from tests.conftest import make_settings
from tests.corpus import article, backlog
from tests.test_cold_documents import FACT, ColdLLM


def bulk(tmp_path, korean, count: int = 24) -> tuple[Services, ColdLLM]:
    settings = make_settings(tmp_path)
    backlog(settings.SEEDS_DIR, count, long=0)
    (settings.SEEDS_DIR / "fact.txt").write_text(
        article("해운대 데이터센터 기사", seed=99, date="2020-01-01", fact=FACT), encoding="utf-8")
    llm = ColdLLM()
    services = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                        llm=llm)
    ingest_folder(services.store, korean, settings.SEEDS_DIR, max_bytes=1_000_000)
    return services, llm


def test_the_first_step_after_a_bulk_import_is_the_shared_prefix_of_leads(tmp_path, korean):
    services, llm = bulk(tmp_path, korean)
    worker = build_worker(services)
    assert worker.next_step() == Step(COLLECTION)
    shared = services.answers.collection()
    # The newest documents, with their lead sentences while no summary exists.
    assert len(shared) >= 5 and shared[0] == services.store.documents()[0]
    prefix = services.answers.collection_prefix()
    assert all(lead_summary(doc) in prefix[0]["content"] for doc in shared)
    worker.run_step(worker.next_step())
    assert prefix in llm.kept
    # A cold question now starts from that very prefix: only its turn is prompt work.
    plan = services.answers.plan("해운대 AI 데이터센터 건립에 얼마가 투입되나요?")
    assert plan.cold == "fact.txt" and plan.messages[:1] == prefix
    services.answers.ask("해운대 AI 데이터센터 건립에 얼마가 투입되나요?")
    assert worker.next_step() == Step(PREFIX, "fact.txt")  # then the document asked about
    worker.run_step(worker.next_step())
    assert worker.next_step().kind != COLLECTION
    services.close()


def test_a_waiting_push_goes_first_then_the_shared_prefix_again(tmp_path, korean):
    services, llm = bulk(tmp_path, korean, count=6)
    worker = build_worker(services)
    newest = services.store.documents()[0].id
    worker.urgent([newest])
    assert worker.next_step() == Step(SUMMARY, newest)
    worker.run_step(worker.next_step())
    # Its summary replaced its lead in the shared prefix: the prefix is built (again) next.
    assert worker.next_step() == Step(COLLECTION)
    worker.run_step(worker.next_step())
    assert services.answers.collection_prefix() in llm.kept
    assert worker.next_step().kind != COLLECTION
    services.close()
