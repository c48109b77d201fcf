"""The background model worker: newest first, users first, failures isolated and retried,
documents of any length summarised within the context and answerable."""
from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot import texts
from bot.briefing import fit_text, shown_summary, summarize
from bot.ingest.pipeline import ingest_folder
from bot.services import Services, build_worker
from bot.store import Store
from bot.types import Document
from bot.worker import MAX_ATTEMPTS, POSITIONS, PREFIX, SUMMARY, ModelWorker
from tests.conftest import make_settings
from tests.corpus import article, backlog
from tests.fakes import FakeLLM

FACT = "해운대 AI 데이터센터 건립에는 총 4조 2천억 원이 투입될 예정이다."
# A summary the articles bear out (each ends with it).
GOOD = "정부와 업계는 인공지능 인프라 확충과 인재 양성을 두고 서로 다른 우선순위를 내세웠다."


def wait_until(predicate, timeout: float = 60.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def make(tmp_path, korean, llm, **overrides) -> Services:
    settings = make_settings(tmp_path, **overrides)
    settings.SEEDS_DIR.mkdir(parents=True, exist_ok=True)
    return Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean, llm=llm)


class FailingLLM(FakeLLM):
    """Fails every prompt that contains `poison` (a document the model cannot take)."""

    def __init__(self, poison: str, **kwargs):
        super().__init__(**kwargs)
        self.poison = poison

    def stream(self, messages, **kwargs):
        if any(self.poison in m["content"] for m in messages):
            raise RuntimeError("model crashed on this document")
        return super().stream(messages, **kwargs)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 6, 2, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_one_failing_document_never_stops_the_others_and_is_retried_a_few_times(tmp_path, korean):
    llm = FailingLLM("독이 든 기사", default=GOOD)
    services = make(tmp_path, korean, llm)
    seeds = services.settings.SEEDS_DIR
    for n, title in enumerate(["첫째 기사", "독이 든 기사", "셋째 기사"]):
        (seeds / f"{n}.txt").write_text(article(title, seed=n, fact=GOOD), encoding="utf-8")
    ingest_folder(services.store, korean, seeds, max_bytes=1_000_000)
    clock = Clock()
    worker = ModelWorker(services.store, services.answers, llm, clock=clock)

    assert worker.drain() == 1
    docs = {d.id: d for d in services.store.documents()}
    assert docs["0.txt"].summary == GOOD and docs["2.txt"].summary == GOOD
    assert docs["1.txt"].summary is None
    [failure] = services.store.work_failures()
    assert (failure.doc_id, failure.step, failure.attempts) == ("1.txt", SUMMARY, 1)
    assert "model crashed" in failure.last_error
    # a failed step pauses before its retry, then is given up after MAX_ATTEMPTS
    assert worker.next_step() is None
    for attempt in range(2, MAX_ATTEMPTS + 1):
        clock.now += timedelta(hours=2)
        assert worker.next_step().doc_id == "1.txt"
        assert worker.drain() == 1
        assert services.store.work_failures()[0].attempts == attempt
    clock.now += timedelta(days=2)
    assert worker.next_step() is None
    assert worker.backlog().failed == 1
    # until then readers get the article's lead, marked as such
    shown = shown_summary(services.store.document("1.txt"))
    assert shown.startswith(texts.LEAD_MARK.split("{")[0]) and "독이 든 기사" not in shown
    # a changed file starts again from zero
    (seeds / "1.txt").write_text(article("독이 든 기사", seed=9), encoding="utf-8")
    ingest_folder(services.store, korean, seeds, max_bytes=1_000_000)
    assert worker.next_step().doc_id == "1.txt"
    assert services.store.work_failures() == []


def test_newest_first_and_a_waiting_push_goes_before_everything(tmp_path, korean):
    llm = FakeLLM(default=GOOD)
    services = make(tmp_path, korean, llm)
    seeds = services.settings.SEEDS_DIR
    for n in range(3):
        (seeds / f"{n}.txt").write_text(article(f"기사 {n}", seed=n, date=f"2025-06-0{n + 1}", fact=GOOD),
                                        encoding="utf-8")
    ingest_folder(services.store, korean, seeds, max_bytes=1_000_000)
    worker = build_worker(services)
    newest = services.store.documents()[0].id
    assert worker.next_step().doc_id == newest  # its positions
    worker.urgent(["0.txt"])
    assert worker.next_step().doc_id == "0.txt"
    order = []
    worker.drain(lambda step, ok: order.append((step.kind, step.doc_id)))
    summaries = [doc for kind, doc in order if kind == SUMMARY]
    assert summaries[:2] == ["0.txt", newest] and len(summaries) == 3
    # Positions on the debate map need no model with the default method: every document's
    # come right after the waiting push, newest first, before the backlog of summaries.
    assert order[1:4] == [(POSITIONS, "2.txt"), (POSITIONS, "1.txt"), (POSITIONS, "0.txt")]
    assert worker.backlog().total == 0


def test_the_worker_waits_while_a_question_is_answered(tmp_path, korean):
    llm = FakeLLM(default=GOOD)
    services = make(tmp_path, korean, llm)
    seeds = services.settings.SEEDS_DIR
    (seeds / "a.txt").write_text(article("대기 중인 기사", fact=GOOD), encoding="utf-8")
    ingest_folder(services.store, korean, seeds, max_bytes=1_000_000)
    worker = build_worker(services)
    with services.answers.priority.user():
        worker.start()
        wait_until(lambda: worker.state == "waiting", timeout=30)
        assert worker.steps_done == 0 and llm.prompts == []
    try:
        wait_until(lambda: worker.steps_done >= 1, timeout=30)
        wait_until(lambda: worker.state == "idle", timeout=30)
    finally:
        worker.stop()
    assert services.store.document("a.txt").summary == GOOD
    assert worker.steps_done == 2  # the summary, then the debate map's positions


class FullDiskStore(Store):
    """The disk fills once: the first write that records a failed step is refused."""

    refusals = 1

    def record_work_failure(self, *args, **kwargs) -> int:
        if self.refusals:
            self.refusals -= 1
            raise sqlite3.OperationalError("database or disk is full")
        return super().record_work_failure(*args, **kwargs)


class OnceFailingLLM(FakeLLM):
    """Its first prompt fails; every later one is answered."""

    failed = False

    def stream(self, messages, **kwargs):
        if not self.failed:
            self.failed = True
            raise RuntimeError("model crashed once")
        return super().stream(messages, **kwargs)


def test_a_failure_that_cannot_be_recorded_pauses_the_worker_and_it_resumes(tmp_path, korean):
    llm = OnceFailingLLM(default=GOOD)
    settings = make_settings(tmp_path)
    settings.SEEDS_DIR.mkdir(parents=True)
    services = Services(settings=settings, store=FullDiskStore(settings.BRIEFBOT_DB),
                        korean=korean, llm=llm)
    (settings.SEEDS_DIR / "a.txt").write_text(article("디스크 기사", fact=GOOD), encoding="utf-8")
    ingest_folder(services.store, korean, settings.SEEDS_DIR, max_bytes=1_000_000)
    worker = ModelWorker(services.store, services.answers, llm, trouble_wait=0.2)
    worker.start()
    try:
        wait_until(lambda: services.store.document("a.txt").summary == GOOD, timeout=15)
        wait_until(lambda: worker.state == "idle", timeout=15)
        assert worker.running and services.store.refusals == 0
    finally:
        worker.stop()


def test_fit_text_keeps_the_lead_and_central_sentences_within_the_budget():
    text = "\n".join(article("긴 보고서", 12000, sections=True).splitlines()[2:-1])
    count = lambda s: len(s) // 2  # noqa: E731
    fitted = fit_text(text, 1500, count)
    assert count(fitted) <= 1500 < count(text)
    assert fitted.startswith(text[:200]) and "…" in fitted
    assert all(part in text for part in fitted.split("\n") if part != "…")
    assert fit_text("짧은 글.", 1500, count) == "짧은 글."


def test_what_a_summary_reads_is_the_lead_the_close_and_the_central_sentences():
    text = "\n".join(article("긴 보고서", 12000, sections=True).splitlines()[2:-1])
    count = lambda s: len(s) // 2  # noqa: E731
    fitted = fit_text(text, 900, count, lead_share=6)
    assert count(fitted) <= 900
    last = text.rstrip().split("\n")[-1].split(". ")[-1]
    assert fitted.rstrip().endswith(last)  # a column's close is often its argument
    lead = fitted.split("\n…\n")[0]
    assert text.startswith(lead) and count(lead) <= 900 // 6 + 60


def test_a_long_report_is_summarised_within_the_context_and_its_last_section_answered(
        tmp_path, korean, small_llm):
    services = make(tmp_path, korean, small_llm, LLM_CACHE_MB=0)
    seeds = services.settings.SEEDS_DIR
    report = article("2026 지역 AI 인프라 종합 보고서", 12000, seed=3, sections=True, fact=FACT)
    assert len(report) > 12000
    (seeds / "report.txt").write_text(report, encoding="utf-8")
    backlog(seeds, 1, long=1, start=40)  # a second long document, 6,000–9,000 characters
    ingest_folder(services.store, korean, seeds, max_bytes=1_000_000)
    assert small_llm.count_tokens(services.store.document("report.txt").text) > 4096

    worker = build_worker(services)
    assert worker.drain() == 0
    assert services.store.work_failures() == []
    for doc in services.store.documents():
        assert doc.summary, doc.id

    answer = services.answers.ask("해운대 AI 데이터센터 건립에 투입되는 금액은 얼마인가요?")
    assert answer.covered
    quotes = " ".join(s.quote for s in answer.sources)
    assert "4조 2천억" in quotes, (answer.text, quotes)
    assert all(s.quote in services.store.document(s.doc_id).text for s in answer.sources)


@pytest.mark.parametrize("backend_prefixes", [True, False])
def test_prefix_steps_only_where_the_model_keeps_prefixes(tmp_path, korean, backend_prefixes):
    llm = FakeLLM(default=GOOD)
    warmed: list = []
    if backend_prefixes:
        llm.supports_prefix_cache = True
        llm.warm = lambda messages, interrupt=None, label=None: (warmed.append(messages)
                                                                 or "computed")
    services = make(tmp_path, korean, llm)
    seeds = services.settings.SEEDS_DIR
    (seeds / "a.txt").write_text(article("접두부 기사", fact=GOOD), encoding="utf-8")
    ingest_folder(services.store, korean, seeds, max_bytes=1_000_000)
    worker = build_worker(services)
    kinds = []
    worker.drain(lambda step, ok: kinds.append(step.kind))
    if backend_prefixes:
        # The shared prefix first (the lead), again once the summary replaced the lead; each
        # time after the instructions alone (kept: what questions start from meanwhile).
        assert kinds == ["collection", POSITIONS, SUMMARY, "collection", PREFIX]
        instructions = services.answers.collection_prefix([])
        assert len(warmed) == 5 and warmed[0] == warmed[2] == instructions
        assert warmed[1] != warmed[3] and instructions not in warmed[3:]
    else:
        assert kinds == [POSITIONS, SUMMARY] and warmed == []
    assert worker.backlog().total == 0


def test_backlog_counts_without_loading_the_model(tmp_path, korean):
    services = make(tmp_path, korean, None)
    from bot.llm import LazyLLM
    services = Services(settings=services.settings, store=services.store, korean=korean,
                        llm=LazyLLM(services.settings))
    backlog(services.settings.SEEDS_DIR, 4, long=1)
    ingest_folder(services.store, korean, services.settings.SEEDS_DIR, max_bytes=1_000_000)
    worker = build_worker(services)
    got = worker.backlog()
    assert (got.summaries, got.failed) == (4, 0)
    assert not services.llm.loaded


class Watched:
    """The real model, telling the test when background work has it."""

    def __init__(self, inner):
        self.inner = inner
        self.in_model = threading.Event()

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def stream(self, messages, **kwargs):
        if kwargs.get("interrupt") is not None:
            self.in_model.set()
        return self.inner.stream(messages, **kwargs)


def test_a_question_takes_the_model_from_the_step_in_progress(tmp_path, korean, small_llm):
    llm = Watched(small_llm)
    services = make(tmp_path, korean, llm, LLM_CACHE_MB=0)
    seeds = services.settings.SEEDS_DIR
    (seeds / "report.txt").write_text(
        article("2026 지역 AI 인프라 종합 보고서", 12000, seed=3, sections=True, fact=FACT),
        encoding="utf-8")
    ingest_folder(services.store, korean, seeds, max_bytes=1_000_000)
    worker = build_worker(services)
    worker.start()
    try:
        assert llm.in_model.wait(60)  # the worker is summarising the report
        answer = services.answers.ask("해운대 AI 데이터센터 건립에 투입되는 금액은 얼마인가요?")
        assert answer.covered and worker.steps_interrupted >= 1
        assert services.store.document("report.txt").summary is None  # given up, not failed
        assert services.store.work_failures() == []
        wait_until(lambda: services.store.document("report.txt").summary, timeout=300)
    finally:
        worker.stop()


def test_a_summary_states_what_the_article_says_not_what_the_document_is():
    doc = Document(id="a.txt", title="AI 인재 예산", content_hash="h", outlet="정책일보(POLICY)",
                   text="[정책일보 김민수 기자] 정부는 인공지능 인프라 확충과 인재 양성을 두고 "
                        "서로 다른 우선순위를 내세웠다. 업계는 전력 대책을 먼저 요구했다.\n"
                        "Copyright ⓒ 정책일보. 무단 전재 및 재배포 금지.")
    llm = FakeLLM()
    llm.enqueue("이 문서는 한국 AI 정책을 요약합니다. 정책일보는 정부가 인공지능 인프라 확충과 "
                "인재 양성을 두고 서로 다른 우선순위를 내세웠다고 전했다. 업계는 전력 대책을 "
                "먼저 요구했다.")
    summary = summarize(doc, llm)
    assert summary == ("정부가 인공지능 인프라 확충과 인재 양성을 두고 서로 다른 우선순위를 "
                       "내세웠다고 전했다. 업계는 전력 대책을 먼저 요구했다.")
    llm.enqueue("이 기사는 AI 정책에 관한 기사입니다. 해당 문서는 여러 의견을 다룹니다.")
    assert summarize(doc, llm).startswith("[정책일보 김민수 기자] 정부는")  # nothing left: the lead
