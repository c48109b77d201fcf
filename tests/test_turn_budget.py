"""What a question's own turn holds: every token of it is prompt processing before the first
token, so a question across documents quotes each document's best sentences within a budget,
and brings no summary of a document it quotes."""
from __future__ import annotations

import re

from bot.ingest.pipeline import ingest_folder
from bot.services import Services
from bot.store import Store
from tests.conftest import make_settings
from tests.corpus import article
from tests.fakes import FakeLLM

SUMMARY = "정부와 업계는 인공지능 인프라 확충과 인재 양성을 두고 서로 다른 우선순위를 내세웠다."
# Three old articles on one topic, each with its own sentences about it; the rest are newer
# and fill the shared prefix, so the three bring their headings into the turn. (Their files
# are read first: a minute of ingest time counts before the date in what is newest.)
FACTS = [
    ["해운대 AI 데이터센터 건립에는 총 4조 2천억 원이 투입될 예정이다.",
     "해운대 AI 데이터센터의 전력은 인근 변전소 두 곳에서 끌어온다."],
    ["해운대 AI 데이터센터 건립 예산은 지방비 8천억 원을 포함한다.",
     "해운대 AI 데이터센터 부지는 옛 군부대 터 12만 제곱미터다."],
    ["해운대 AI 데이터센터 건립을 두고 주민 설명회가 세 차례 열렸다.",
     "해운대 AI 데이터센터 운영 인력은 300명 규모로 예상된다."],
]


def services_with_old_articles(tmp_path, korean) -> tuple[Services, FakeLLM]:
    settings = make_settings(tmp_path)
    settings.SEEDS_DIR.mkdir(parents=True)
    for n, facts in enumerate(FACTS):
        (settings.SEEDS_DIR / f"early{n}.txt").write_text(
            article(f"부산 데이터센터 소식 {n}", seed=n, date=f"2024-03-0{n + 1}",
                    fact=" ".join(facts)), encoding="utf-8")
    for n in range(24):  # newer: the shared prefix holds as many of these as fit
        (settings.SEEDS_DIR / f"new{n:02d}.txt").write_text(
            article(f"인공지능 정책 동향 {n}", seed=10 + n, date=f"2025-06-{n + 1:02d}"),
            encoding="utf-8")
    llm = FakeLLM()
    services = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                        llm=llm)
    ingest_folder(services.store, korean, settings.SEEDS_DIR, max_bytes=1_000_000)
    for doc in services.store.documents():
        services.store.set_summary(doc.id, SUMMARY, "k")
    # No document's own prefix is evaluated yet: a question across them starts from the
    # shared prefix (`at_hand` says otherwise for one).
    evidence = services.answers.stages.evidence
    own = {evidence.document_prefix(doc)[0]["content"]: doc.id
           for doc in services.store.documents()}
    llm.at_hand = set()
    llm.has_prefix = lambda messages: own.get(messages[0]["content"], "shared") in (
        llm.at_hand | {"shared"})
    return services, llm


def quoted_lines(turn: str) -> list[tuple[int, str]]:
    """The turn's evidence lines, "- sentence" under their document's "[문서 N] …" line, as
    (N, sentence)."""
    quoted, number = [], None
    for line in turn.split("\n"):
        if head := re.match(r"\[문서 (\d+)\]", line):
            number = int(head.group(1))
        elif line.startswith("- ") and number is not None:
            quoted.append((number, line[2:]))
        elif not line.strip():
            number = None
    return quoted


def test_a_turn_across_documents_quotes_each_within_its_budget(tmp_path, korean):
    services, llm = services_with_old_articles(tmp_path, korean)
    answers = services.answers
    plan = answers.plan("자료들은 해운대 AI 데이터센터 건립에 대해 뭐라고 하나요?")
    assert len(plan.docs) >= 2 and all(d.id.startswith("early") for d in plan.docs)
    shared = {d.id for d in answers.collection()}
    assert not shared & {d.id for d in plan.docs}  # none of them is in the shared prefix
    turn = plan.messages[-1]["content"]
    assert SUMMARY not in turn  # they are quoted: no summary of theirs
    numbers = {doc.id: n for n, doc in plan.grounds.numbers.items()}
    lines = quoted_lines(turn)
    for doc in plan.docs:  # each named by its heading, and quoted
        assert f"\n[문서 {numbers[doc.id]}] {doc.title} ({doc.meta})\n" in "\n" + turn
        own = [sentence for n, sentence in lines if n == numbers[doc.id]]
        assert own and all(sentence in doc.text for sentence in own)
    # Each document's best sentence is quoted whatever it costs; the others within the budget.
    firsts = {next(s for n, s in lines if n == numbers[doc.id]) for doc in plan.docs}
    others = [s for _, s in lines if s not in firsts]
    assert others and sum(llm.count_tokens(s) for s in others) <= answers.options.turn_tokens
    assert turn.endswith("건립에 대해 뭐라고 하나요?")
    services.close()


def test_a_smaller_budget_quotes_fewer_sentences_and_the_two_best_documents_still(tmp_path,
                                                                                 korean):
    services, llm = services_with_old_articles(tmp_path, korean)
    answers = services.answers
    question = "자료들은 해운대 AI 데이터센터 건립에 대해 뭐라고 하나요?"
    wide = answers.plan(question).messages[-1]["content"]
    answers.options.turn_tokens = 1
    plan = answers.plan(question)
    narrow = plan.messages[-1]["content"]
    assert llm.count_tokens(narrow) < llm.count_tokens(wide)
    # The best sentence of each of the two best documents, whatever it costs; the third
    # document, for which no room is left, is not in the turn at all (nor its heading).
    assert len(plan.docs) == 3 and len(plan.grounds.docs) == 2
    numbers = {doc.id: n for n, doc in plan.grounds.numbers.items()}
    assert sorted(n for n, _ in quoted_lines(narrow)) == sorted(
        numbers[d.id] for d in plan.grounds.docs)
    [left_out] = [d for d in plan.docs if d not in plan.grounds.docs]
    assert left_out.title not in narrow and left_out.title in wide
    services.close()


def test_with_the_best_document_at_hand_the_turn_quotes_only_the_others(tmp_path, korean):
    services, llm = services_with_old_articles(tmp_path, korean)
    answers = services.answers
    question = "자료들은 해운대 AI 데이터센터 건립에 대해 뭐라고 하나요?"
    before = answers.plan(question)
    lead = before.docs[0]
    llm.at_hand = {lead.id}
    plan = answers.plan(question)
    turn = plan.messages[-1]["content"]
    assert plan.grounds.numbers[1] == lead and lead.text in plan.messages[0]["content"]
    assert lead.title not in turn and all(n != 1 for n, _ in quoted_lines(turn))
    assert llm.count_tokens(turn) < llm.count_tokens(before.messages[-1]["content"])
    # With no room at all, the best other document's best sentence still comes (one, not two:
    # the prefix holds the lead whole); the third document is left out.
    answers.options.turn_tokens = 1
    narrow = answers.plan(question)
    assert len(narrow.grounds.docs) == 2 and narrow.grounds.docs[0] == lead
    [(n, sentence)] = quoted_lines(narrow.messages[-1]["content"])
    assert narrow.grounds.numbers[n] == narrow.grounds.docs[1]
    assert sentence in narrow.grounds.docs[1].text
    services.close()
