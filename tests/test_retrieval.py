"""Search over stored chunks: sentences kept at ingest, term counts, pruning common terms,
and databases made before those existed."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot import texts
from bot.answer import AnswerService, duplicates, retrieval, verify
from bot.answer.retrieval import Retriever
from bot.answer.retrieve import MULTI_DOC_RATIO
from bot.ingest.pipeline import add_sentences, chunk_text, ingest_folder
from bot.store import Store, stored_sentences
from bot.store.migrations import migrations
from bot.types import Document
from tests.conftest import SEEDS
from tests.corpus import article
from tests.fakes import FakeLLM
from tests.test_ingest import ARTICLE


@pytest.fixture
def seeded(store, korean) -> Store:
    ingest_folder(store, korean, SEEDS, max_bytes=5_000_000)
    return store


def term_counts(store: Store) -> dict[str, int]:
    return {r["term"]: r["chunks"] for r in store._rows("select term, chunks from terms")}


def vocabulary_counts(store: Store) -> dict[str, int]:
    """What FTS5 itself counts, the slow way."""
    return {r["term"]: r["doc"] for r in store._rows("select term, doc from chunks_vocab")}


def test_stored_sentences_are_the_documents_sentences_with_their_morphemes(seeded, korean):
    doc = seeded.document("002_1148ec4abbdb786c.txt")
    expected, offset = [], 0
    for line in doc.text.split("\n"):
        expected += [line[a:b] for a, b in korean.sentences(line)]
        offset += len(line) + 1
    stored = []
    for chunk in seeded.chunks_of(doc.id):
        sentences = stored_sentences(chunk["sentences"])
        assert sentences
        stored += [chunk["text"][s.start:s.end] for s in sentences]
        assert chunk["morphs"] == " ".join(m for s in sentences for m in s.morphemes)
        for s in sentences:  # each sentence's morphemes are Kiwi's for that sentence
            assert set(s.morphemes) <= set(korean.morphemes(chunk["text"]))
    assert stored == expected


def test_search_takes_hit_sentences_from_the_store_not_kiwi(seeded, korean, monkeypatch):
    retriever = Retriever(seeded, korean)
    retriever.query_terms("딥시크 등장")  # analysing the question itself is Kiwi's job

    def no_kiwi(*args, **kwargs):
        raise AssertionError("Kiwi called for stored chunks")
    monkeypatch.setattr(korean, "sentences", no_kiwi)
    monkeypatch.setattr(retriever, "query_terms", lambda q: ["딥시크", "등장"])
    hits = retriever.search("딥시크 등장", limit=5)
    assert hits and all(h.sentence in h.text for h in hits)
    assert "딥시크" in hits[0].sentence or "등장" in hits[0].sentence
    coverage = retriever.coverage("딥시크 등장", hits)
    assert coverage and coverage[0].focus > 0
    doc_id = hits[0].doc_id
    quote, morphemes = retriever.best_document_sentence(doc_id, {"딥시크", "등장"})
    assert quote in seeded.document(doc_id).text and "딥시크" in morphemes


def test_term_counts_follow_inserts_replacements_and_deletions(seeded, korean, tmp_path):
    before = term_counts(seeded)
    assert before == vocabulary_counts(seeded)
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "doc.txt"
    path.write_text(ARTICLE + " 반도체특별법 논의도 있었다.", "utf-8")
    assert ingest_folder(seeded, korean, folder, max_bytes=5_000_000).ingested == 1
    path.write_text(ARTICLE + " 데이터센터 전력 문제도 제기됐다.", "utf-8")
    assert ingest_folder(seeded, korean, folder, max_bytes=5_000_000).ingested == 1
    seeded.delete_document("000_0fde8c8004443c85.txt")
    counts = term_counts(seeded)
    assert counts == vocabulary_counts(seeded)
    replaced = [t for t in korean.morphemes("반도체특별법") if t not in before]
    assert replaced and not any(t in counts for t in replaced)
    total, df = seeded.term_frequencies(["전력", "없는말"])
    assert total == seeded.counts()["chunks"] and df == {"전력": before.get("전력", 0) + 1}


def test_rescoring_without_common_terms_ranks_as_fts5_does(seeded, korean, monkeypatch):
    question = "정부의 인공지능 인재 양성 정책과 GPU 투자"
    exact = Retriever(seeded, korean).search(question, limit=8)
    # Leave every term out of the ranked query: all matching chunks are rescored in Python.
    monkeypatch.setattr(retrieval, "RANKED_POSTINGS", 0)
    monkeypatch.setattr(retrieval, "CANDIDATES", 10_000)
    rescored = Retriever(seeded, korean).search(question, limit=8)
    assert [h.chunk_id for h in rescored] == [h.chunk_id for h in exact]
    assert [h.score for h in rescored] == pytest.approx([h.score for h in exact], rel=1e-3)


def test_a_rare_term_still_finds_its_chunk_among_common_ones(store, korean, monkeypatch):
    common = "인공지능 정책 논의가 이어졌다. "
    docs = {f"d{n:02d}.txt": common * 3 + f"기사 {n}번의 다른 이야기다." for n in range(30)}
    docs["d07.txt"] += " 반도체특별법 처리가 지연됐다."
    for name, text in docs.items():
        store.save_document(Document(id=name, title=name, text=text, content_hash=name),
                            chunk_text(korean, name, text))
    retriever = Retriever(store, korean)
    monkeypatch.setattr(retrieval, "RANKED_POSTINGS", 5)  # 인공지능, 정책 hold 30 chunks each
    hits = retriever.search("인공지능 정책 반도체특별법", limit=3)
    assert hits[0].doc_id == "d07.txt"
    assert set(korean.morphemes("인공지능 정책 반도체특별법")) <= hits[0].matched
    only_common = retriever.search("인공지능 정책", limit=5)
    assert len(only_common) == 5  # no rare term at all: still answered, from recent chunks


def test_a_database_from_before_m005_is_upgraded_and_keeps_working(tmp_path, korean):
    path = tmp_path / "old.db"
    db = Database(sqlite3.connect(path))  # the schema as it was: m001…m004
    migrations.apply(db, stop_before="m005_sentences_and_terms")
    text = "정부는 GPU 3만 장 확보 계획을 발표했다. 전문가들은 인재 양성이 먼저라고 지적했다."
    db["documents"].insert({"id": "old.txt", "title": "옛 문서", "text": text,
                            "content_hash": "h", "summary": "요약", "summary_key": "k"})
    db["chunks"].insert({"doc_id": "old.txt", "seq": 0, "text": text, "start": 0,
                         "morphs": " ".join(korean.morphemes(text))})
    db.conn.commit()
    db.conn.close()

    store = Store(path)
    try:
        assert term_counts(store) == vocabulary_counts(store)
        assert store.docs_without_sentences() == ["old.txt"]
        hits = Retriever(store, korean).search("인재 양성")  # before any ingest: Kiwi fallback
        assert hits[0].sentence == "전문가들은 인재 양성이 먼저라고 지적했다."
        assert add_sentences(store, korean) == 1
        assert store.docs_without_sentences() == []
        assert store.document("old.txt").summary == "요약"  # chunked again, not re-ingested
        [chunk] = store.chunks_of("old.txt")
        assert len(stored_sentences(chunk["sentences"])) == 2
        assert Retriever(store, korean).search("인재 양성")[0].sentence == hits[0].sentence
    finally:
        store.close()


def test_a_questions_adverbs_count_for_less_and_its_names_for_more(seeded, korean):
    retriever = Retriever(seeded, korean)
    question = "미국이 내년까지 반도체 산업에 투자하겠다는 돈이 대략 얼마예요?"
    idf = retriever.idf(retriever.query_terms(question))
    weights = retriever.weights(question)
    assert weights["대략"] < idf["대략"] * 0.5  # an adverb: how it is asked
    assert weights["미국"] > idf["미국"]  # a proper name
    assert weights["산업"] == idf["산업"]



def test_a_question_in_everyday_words_finds_the_article_in_news_words(seeded, korean):
    """"해마다 … 커진다" is what "매년 … 증가" says (bot/answer/synonyms.py), found at a discount;
    "샀다" is asked as 구매. The article that gives the figure asked for ("몇 배") is the one
    answered from, though another holds more of the question's words and gives none."""
    retriever = Retriever(seeded, korean)
    assert "구매" in retriever.query_terms("GPU를 몇 개나 샀다고 했어요?")
    assert "사용" in retriever.query_terms("중국 AI 모델 쓰고 있다는 미국 스타트업들")
    assert "사용" not in retriever.query_terms("THE AI 칼럼 쓴 업계 사람은 누구예요?")  # wrote
    question = "엔비디아 CEO가 생성AI 돌리는 연산 능력이 해마다 몇 배씩 커진다고 했다던데 맞아요?"
    coverage = {c.doc_id[:3]: c for c in retriever.coverage(question,
                                                            retriever.search(question, 12))}
    assert {"해마다", "커지", "연산"} <= coverage["002"].matched
    assert not {"해마다", "커지", "연산"} & coverage["002"].exact
    assert coverage["003"].rank > coverage["002"].rank  # more of the question's words
    assert AnswerService(seeded, retriever, None).plan(question).docs[0].id.startswith("002")


def test_a_name_kiwi_splits_into_syllables_is_asked_as_its_pieces(seeded, korean):
    """Kiwi reads "문샷AI" as 문, 샷, AI: the lone syllables, dropped one by one, are the name
    written together. Asked as a phrase, it finds the one article that names 문샷AI, and no
    other article's figure ("기업가치 5조" of another company) is taken for its value."""
    retriever = Retriever(seeded, korean)
    question = "문샷AI 기업가치는 얼마로 평가받고 있어요?"
    assert "문 샷" in retriever.query_terms(question) and "문 샷" in retriever.names(question)
    assert "문 샷" not in retriever.query_terms("한 달 이용료는 얼마예요?")
    coverage = retriever.coverage(question, retriever.search(question, 12))
    assert coverage[0].doc_id.startswith("003") and "문 샷" in coverage[0].exact


def test_a_short_lead_in_is_quoted_with_the_sentence_it_leads_into(korean):
    sentences = ["정부도 손을 놓지는 않았다.",
                 "지금은 무엇보다 국가 AI 컴퓨팅 센터 구축을 위한 GPU 확보에 총력이 집중돼 있다.",
                 "한국의 AI 기술 혁신은 공공 연구 개발 투자 수준에서 불가능에 가깝다."]
    evidence = verify.Evidence(text=" ".join(sentences), topic={"정부": 2.0, "gpu": 1.0},
                               sentences=[(s, frozenset(korean.morphemes(s))) for s in sentences])
    assert verify.top_statements(evidence, set(), 1) == [" ".join(sentences[:2])]


def test_a_document_without_the_name_asked_about_is_not_drawn_in(store, korean, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    facts = {"a.txt": "마누스는 문서 작성과 일정 관리, 정보 수집 같은 작업을 알아서 처리한다.",
             "b.txt": "AI 에이전트는 문서 작성과 일정 관리, 정보 수집 같은 작업을 알아서 처리한다."}
    for n, (name, fact) in enumerate(facts.items()):
        (folder / name).write_text(article(f"에이전트 기사 {n}", seed=n, fact=fact),
                                   encoding="utf-8")
    ingest_folder(store, korean, folder, max_bytes=1_000_000)
    retriever = Retriever(store, korean)
    answers = AnswerService(store, retriever, None)
    question = "마누스가 알아서 처리한다는 문서 작성 일정 관리 정보 수집 작업 예시가 뭐예요?"
    coverage = retriever.coverage(question, retriever.search(question, 12))
    # Without the name, the other document covers the rest of the question about as well.
    assert [c.doc_id for c in coverage] == ["a.txt", "b.txt"]
    assert coverage[1].rank >= coverage[0].rank * MULTI_DOC_RATIO
    assert [d.id for d in answers.plan(question).docs] == ["a.txt"]
    # Asked across documents, both are drawn on.
    both = answers.plan("문서 작성 일정 관리 정보 수집 작업을 알아서 처리한다는 자료들은?")
    assert {d.id for d in both.docs} == {"a.txt", "b.txt"}


def test_a_figure_the_best_match_lacks_is_quoted_from_each_source_that_gives_it(
        store, korean, tmp_path):
    """Over a collection, the article that matches "…GPU는 몇 장" best may give no count while
    others give different ones: each source's sentence is quoted with its date, newest first,
    without a model call; a question the best match answers is planned as usual."""
    folder = tmp_path / "docs"
    folder.mkdir()
    facts = {
        "a.txt": ("2026-06-11", "정부는 국가 AI 컴퓨팅 센터용 GPU 확보 계획을 이달 안에 내놓는다."),
        "b.txt": ("2026-02-10", "정부는 센터 부지 확보를 마쳤다. 국가 AI 컴퓨팅 센터에는 GPU 1만 5천 장이 "
                                "들어간다."),
        "c.txt": ("2026-03-05", "정부는 GPU 1만 8천 장을 확보해 국가 AI 컴퓨팅 센터에 두기로 했다."),
    }
    for n, (name, (date, fact)) in enumerate(facts.items()):
        (folder / name).write_text(article(f"컴퓨팅 센터 기사 {n}", seed=n, date=date, fact=fact),
                                   encoding="utf-8")
    ingest_folder(store, korean, folder, max_bytes=1_000_000)
    fake = FakeLLM()
    answers = AnswerService(store, Retriever(store, korean), fake)
    question = "정부가 국가 AI 컴퓨팅 센터용으로 확보하려는 GPU는 몇 장이에요?"
    plan = answers.plan(question)
    assert plan.kind == "figures" and [d.id for d, _ in plan.figures] == ["c.txt", "b.txt"]
    answer = answers.ask(question)
    assert fake.prompts == []  # quoted, not generated
    lines = answer.text.splitlines()
    assert lines[0] == texts.FIGURES_HEAD
    assert "2026-03-05" in lines[1] and "1만 8천 장" in lines[1]
    assert "2026-02-10" in lines[2] and "1만 5천 장" in lines[2]
    assert [s.doc_id for s in answer.sources] == ["c.txt", "b.txt"]
    assert all(s.quote in store.document(s.doc_id).text for s in answer.sources)
    # The best match gives the figure: one document, answered as usual.
    assert answers.plan("국가 AI 컴퓨팅 센터에는 GPU가 몇 장 들어가요?").kind == "model"


def test_a_republished_copy_goes_after_the_documents_that_are_not_copies(store, korean, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    fact = "한빛대 연구팀은 소형 언어모델 '누리-2'를 학습하는 데 GPU 512장을 석 달간 썼다고 밝혔다."
    original = article("누리-2 공개", seed=1, date="2026-05-02", outlet="정책일보", fact=fact)
    # The same wire story in another outlet: a new headline and masthead, one sentence added.
    copy = original.replace("누리-2 공개", "[단독] 누리-2, 베일 벗다").replace("정책일보", "미래신문")
    copy = copy.replace(fact, "업계의 관심이 쏠린다. " + fact)
    other = article("소형 모델 경쟁", seed=2, date="2026-05-03",
                    fact="누리-2의 학습 비용은 공개되지 않았다.")
    for name, text in {"a.txt": original, "b.txt": copy, "c.txt": other}.items():
        (folder / name).write_text(text, encoding="utf-8")
    ingest_folder(store, korean, folder, max_bytes=1_000_000)
    retriever = Retriever(store, korean)
    question = "누리-2를 학습하는 데 GPU를 몇 장 썼어요?"
    ranked = retriever.coverage(question, retriever.search(question, 12))
    # The copy matches as well as the original, better than the other report; it goes last.
    assert [c.doc_id for c in ranked][1] == "c.txt"
    assert {ranked[0].doc_id, ranked[2].doc_id} == {"a.txt", "b.txt"}
    assert ranked[2].rank > ranked[1].rank
    # Two outlets' own reports of one event are not copies.
    folder = Path("eval/collection")
    first, second = (duplicates.shingles((folder / name).read_text(encoding="utf-8"))
                     for name in ("c002_haenam_selected_nurieconomy.txt",
                                  "c003_haenam_selected_hanbit.txt"))
    assert duplicates.similarity(first, second) < duplicates.SIMILAR


def test_a_figure_for_another_year_does_not_answer_this_years(store, korean, tmp_path):
    """'올해 AI 예산은 얼마' is not answered by the sentence that gives next year's budget."""
    folder = tmp_path / "docs"
    folder.mkdir()
    fact = "올해 AI 예산 집행은 순조롭다. 정부의 내년 AI 예산이 10조 1천억 원으로 처음 10조 원을 넘었다."
    (folder / "a.txt").write_text(article("내년 AI 예산", seed=3, fact=fact), encoding="utf-8")
    ingest_folder(store, korean, folder, max_bytes=1_000_000)
    fake = FakeLLM()
    answers = AnswerService(store, Retriever(store, korean), fake)
    fake.enqueue("올해 AI 예산은 10조 1천억 원입니다.")
    answer = answers.ask("올해 AI 예산은 얼마예요?")
    assert fake.prompts and "올해 AI 예산은 10조 1천억 원입니다" not in answer.text, answer.text
    # Nor is the sentence quoted as the answer: it is not there, then what is said about it.
    assert answer.text.startswith("자료에는 질문하신 수치가") and "내년 AI 예산이" in answer.text, \
        answer.text
    fake.enqueue("내년 AI 예산은 10조 1천억 원입니다.")
    answer = answers.ask("내년 AI 예산은 얼마예요?")  # the year asked: the figure stands
    assert "10조 1천억 원" in answer.text and not answer.text.startswith("자료에는"), answer.text


@pytest.mark.parametrize(("sentence", "base", "other"), [
    ("정부의 내년 AI 예산이 10조 1천억 원으로 처음 10조 원을 넘었다.", None, True),
    ("2027년도 예산안에서 AI 예산은 10조 1천억 원이다.", 2026, True),
    ("2027년도 예산안에서 AI 예산은 10조 1천억 원이다.", 2027, False),
    ("2027년도 예산안에서 AI 예산은 10조 1천억 원이다.", None, False),  # its year unknown
    ("AI 예산은 2026년 7조 4천억 원, 2027년(안) 10조 1천억 원이다.", 2026, True),
    ("AI 예산은 10조 1천억 원이다.", 2026, False),
])
def test_the_year_a_figure_belongs_to_is_the_one_named_last_before_it(sentence, base, other):
    at = sentence.find("10조")
    assert verify.other_year("올해 AI 예산은 얼마예요?", sentence, at, base) is other
