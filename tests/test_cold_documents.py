"""A question about a document whose evaluated prefix is not at hand is answered from its best
passages behind the shared prefix, and the background worker evaluates that document next."""
from __future__ import annotations

from bot.briefing import lead_summary
from bot.ingest.pipeline import ingest_folder
from bot.services import Services, build_worker
from bot.store import Store
from bot.worker import COLLECTION, PREFIX, Step
from tests.conftest import make_settings
from tests.corpus import article
from tests.fakes import FakeLLM

FACT = "해운대 AI 데이터센터 건립에는 총 4조 2천억 원이 투입될 예정이다."
GOOD = "정부와 업계는 인공지능 인프라 확충과 인재 양성을 두고 서로 다른 우선순위를 내세웠다."


class ColdLLM(FakeLLM):
    """Keeps prefixes like llama.cpp, but holds none yet (until `warm`)."""

    supports_prefix_cache = True

    def __init__(self):
        super().__init__(default=GOOD)
        self.kept: list = []

    def has_prefix(self, messages) -> bool:
        return messages in self.kept

    def warm(self, messages, interrupt=None, label=None) -> str:
        self.kept.append(messages)
        return "computed"


def test_a_cold_document_is_answered_from_passages_and_warmed_next(tmp_path, korean):
    settings = make_settings(tmp_path)
    settings.SEEDS_DIR.mkdir(parents=True)
    for n in range(3):
        (settings.SEEDS_DIR / f"{n}.txt").write_text(
            article(f"기사 {n}", seed=n, date=f"2025-06-0{n + 1}",
                    fact=FACT if n == 0 else GOOD), encoding="utf-8")
    llm = ColdLLM()
    services = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                        llm=llm)
    ingest_folder(services.store, korean, settings.SEEDS_DIR, max_bytes=1_000_000)
    for doc in services.store.documents():
        services.store.set_summary(doc.id, GOOD, "k")
    worker = build_worker(services)
    worker.run_step(worker.next_step())  # the shared prefix comes first
    question = "해운대 AI 데이터센터 건립에 얼마가 투입되나요?"
    plan = services.answers.plan(question)
    assert plan.cold == "0.txt" and [d.id for d in plan.docs] == ["0.txt"]
    # Passages: the shared prefix of summaries, then the document's best sentence in the turn.
    assert FACT in plan.messages[-1]["content"] and plan.docs[0].text not in str(plan.messages)
    # The turn: the document's name, then its best sentences, best first, within the budget
    # (each token is prompt processing before the first token); no summary, no title as one.
    head, *passages = plan.messages[-1]["content"].split("\n\n")[0].split("\n")
    assert head.startswith("[문서 ") and "기사 0" in head
    assert passages[0] == FACT and "기사 0" not in passages and GOOD not in passages
    budget = services.answers.options.passage_tokens
    assert sum(llm.count_tokens(p) for p in passages) <= budget + llm.count_tokens(FACT)
    services.answers.ask(question)
    assert services.answers.cold_documents() == ["0.txt"]
    step = worker.next_step()
    assert (step.kind, step.doc_id) == (PREFIX, "0.txt")  # before any other document's work
    worker.run_step(step)
    assert services.answers.cold_documents() == []
    whole = services.answers.plan(question)  # now at hand: the whole document
    assert whole.cold is None and plan.docs[0].text in whole.messages[0]["content"]
    services.close()


def test_the_shared_prefix_is_evaluated_before_any_summary_exists(tmp_path, korean):
    """A cold question's prefix is the instructions plus the newest documents' summaries: with
    none yet (a large backlog, or summaries off), their lead sentences stand in, and the
    prefix is worth having evaluated before the first question."""
    settings = make_settings(tmp_path)
    settings.SEEDS_DIR.mkdir(parents=True)
    (settings.SEEDS_DIR / "0.txt").write_text(article("기사 0", fact=FACT), encoding="utf-8")
    llm = ColdLLM()
    services = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                        llm=llm)
    ingest_folder(services.store, korean, settings.SEEDS_DIR, max_bytes=1_000_000)
    [doc] = services.answers.collection()  # nothing summarised: its lead stands in
    assert doc.summary is None and lead_summary(doc) in services.answers.collection_prefix()[0][
        "content"]
    worker = build_worker(services)
    worker.run_step(Step(COLLECTION))
    assert services.answers.collection_prefix() in llm.kept
    assert worker.next_step() is None or worker.next_step().kind != COLLECTION


def test_a_quoted_title_finds_its_document_among_many_that_share_its_words(tmp_path, korean):
    """Thirty pages titled alike ("… (제N호)"), each title quoting a word itself: the one quoted
    is the one answered from."""
    settings = make_settings(tmp_path)
    settings.SEEDS_DIR.mkdir(parents=True)
    for n in range(30):
        (settings.SEEDS_DIR / f"{n:02d}.txt").write_text(
            article(f"인공지능 ‘데이터센터’ 정책 토론 정리 (제{n}호)", seed=n,
                    date=f"2025-06-{n + 1:02d}"), encoding="utf-8")
    services = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                        llm=ColdLLM())
    ingest_folder(services.store, korean, settings.SEEDS_DIR, max_bytes=1_000_000)
    plan = services.answers.plan("‘인공지능 ‘데이터센터’ 정책 토론 정리 (제3호)’ 기사는 무엇을 "
                                 "말하나요?")
    assert [d.id for d in plan.docs] == ["03.txt"] and plan.cold == "03.txt"
    # The turn does not repeat the title the question quotes (each token ~10 ms).
    assert plan.messages[-1]["content"].count("정책 토론 정리 (제3호)") == 1


def test_last_weeks_article_is_the_one_dated_last_week(tmp_path, korean):
    """Three articles on the same topic; "지난주 기사" leads to the one dated last week."""
    from datetime import date
    settings = make_settings(tmp_path)
    settings.SEEDS_DIR.mkdir(parents=True)
    for n, day in enumerate(["2025-05-20", "2025-06-04", "2025-06-11"]):
        (settings.SEEDS_DIR / f"{n}.txt").write_text(
            article(f"데이터센터 예산 논쟁 {n}", seed=n, date=day, fact=FACT), encoding="utf-8")
    services = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                        llm=ColdLLM())
    ingest_folder(services.store, korean, settings.SEEDS_DIR, max_bytes=1_000_000)
    answers = services.answers
    answers.options.today = lambda: date(2025, 6, 12)  # a Thursday: last week is 2–8 June
    question = "지난주 기사에서 해운대 AI 데이터센터 건립에 얼마가 투입된다고 했나요?"
    assert [d.id for d in answers.plan(question).docs] == ["1.txt"]
    answers.options.today = lambda: date(2025, 5, 28)
    assert [d.id for d in answers.plan(question).docs] == ["0.txt"]
    assert "지난주" not in answers.plan(question).topic  # when, not what


def test_a_title_is_not_quoted_as_evidence_whatever_its_quotation_marks(tmp_path, korean):
    """A title that ends in a quotation (once stored without its closing mark) is the page's
    own title line, and no evidence for the turn."""
    settings = make_settings(tmp_path)
    settings.SEEDS_DIR.mkdir(parents=True)
    title = '해운대 AI 데이터센터 4조 2천억 투입…주민들 "설명 부족"'
    (settings.SEEDS_DIR / "0.txt").write_text(article(title, fact=FACT), encoding="utf-8")
    services = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                        llm=ColdLLM())
    ingest_folder(services.store, korean, settings.SEEDS_DIR, max_bytes=1_000_000)
    [doc] = services.store.documents()
    assert doc.title.rstrip('"') == title.rstrip('"') and f"{title}\n" in doc.text
    plan = services.answers.plan("해운대 AI 데이터센터에 4조 2천억 원이 투입되나요?")
    assert plan.cold == "0.txt"
    passages = plan.messages[-1]["content"].split("\n\n")[0].split("\n")[1:]
    assert FACT in passages and title not in passages
    services.close()


def test_while_the_shared_prefix_is_evaluated_questions_start_from_the_instructions(
        tmp_path, korean):
    """Right after a bulk import the worker needs ~10 s for the new shared prefix; a question
    then starts from the instructions alone (evaluated once, kept) and names its document in
    the turn, rather than evaluating the shared prefix itself."""
    settings = make_settings(tmp_path)
    settings.SEEDS_DIR.mkdir(parents=True)
    llm = ColdLLM()
    services = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                        llm=llm)
    worker = build_worker(services)
    instructions = services.answers.collection_prefix([])
    for n in range(3):
        (settings.SEEDS_DIR / f"{n}.txt").write_text(
            article(f"기사 {n}", seed=n, date=f"2025-06-0{n + 1}",
                    fact=FACT if n == 0 else GOOD), encoding="utf-8")
    ingest_folder(services.store, korean, settings.SEEDS_DIR, max_bytes=1_000_000)
    shared = services.answers.collection_prefix()
    assert services.answers.collection() and shared != instructions
    question = "해운대 AI 데이터센터 건립에 얼마가 투입되나요?"
    # Neither evaluated: the question starts from the shared prefix (and evaluates it).
    assert services.answers.plan(question).messages[0] == shared[0]
    step = worker.next_step()
    assert step.kind == COLLECTION
    worker.run_step(step)  # the instructions alone first, then the shared prefix
    assert llm.kept == [instructions, shared]
    llm.kept.remove(shared)  # as if a question had interrupted the worker before its end
    plan = services.answers.plan(question)
    assert plan.messages[0] == instructions[0] and plan.cold == "0.txt"
    turn = plan.messages[-1]["content"]
    assert turn.startswith("[문서 1] 기사 0") and FACT in turn
    llm.kept.append(shared)  # evaluated: back to the shared prefix
    assert services.answers.plan(question).messages[0] == shared[0]
    services.close()


def test_a_long_report_is_answered_from_its_best_part_once_the_parts_are_warm(tmp_path, korean):
    settings = make_settings(tmp_path)
    settings.SEEDS_DIR.mkdir(parents=True)
    (settings.SEEDS_DIR / "long.txt").write_text(
        article("긴 보고서", 9000, seed=3, date="2025-06-01", fact=FACT, sections=True),
        encoding="utf-8")
    (settings.SEEDS_DIR / "short.txt").write_text(
        article("짧은 기사", seed=4, date="2025-06-02"), encoding="utf-8")
    llm = ColdLLM()
    services = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                        llm=llm)
    ingest_folder(services.store, korean, settings.SEEDS_DIR, max_bytes=1_000_000)
    evidence = services.answers.stages.evidence
    doc = services.store.document("long.txt")
    assert not evidence.fits_whole(doc)
    parts = evidence.parts(doc)
    # Consecutive parts that each fit, cut between paragraphs, nothing lost or repeated.
    assert len(parts) >= 2
    assert all(llm.count_tokens(p) <= evidence.options.context_tokens for p in parts)
    assert "\n".join(parts).split("\n") == [p for p in doc.text.split("\n") if p.strip()]
    worker = build_worker(services)
    question = "해운대 AI 데이터센터 건립에 얼마가 투입되나요?"
    cold = services.answers.plan(question)
    assert cold.cold == "long.txt" and FACT in cold.messages[-1]["content"]  # passages
    services.answers.ask(question)
    assert services.answers.cold_documents() == ["long.txt"]
    while (step := worker.next_step()) and (step.kind, step.doc_id) != (PREFIX, "long.txt"):
        worker.run_step(step)
    worker.run_step(step)
    assert services.answers.document_prefixes(doc) == [
        evidence.part_prefix(doc, part) for part in parts]
    assert all(prefix in llm.kept for prefix in services.answers.document_prefixes(doc))
    warm = services.answers.plan(question)
    [holding] = [part for part in parts if FACT in part]
    assert warm.cold is None and warm.messages[0] == evidence.part_prefix(doc, holding)[0]
    assert warm.messages[-1]["content"] == question  # the turn: the question alone
    services.close()
