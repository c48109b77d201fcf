"""Answers: grounded in the documents, with verbatim quotes, or a plain Korean refusal."""
from __future__ import annotations

import pytest

from bot import prompts
from bot.store import Turn
from tests.answer_fixture import fake_answers, lead_db_template, lead_services  # noqa: F401


def test_real_model_answers_a_seed_fact_with_its_source(services):
    answer = services.answers.ask("오픈AI의 영상생성 AI 소라에는 GPU가 몇 개 이상 쓰인다고 하나요?")
    assert answer.covered
    assert any(s.doc_id.startswith("001") for s in answer.sources)
    assert "2만" in answer.text or "2만" in answer.sources[0].quote
    assert any("가" <= ch <= "힣" for ch in answer.text)
    for source in answer.sources:
        assert source.quote in services.store.document(source.doc_id).text
    assert answer.timings["first_token_ms"] > 0


def test_out_of_scope_question_is_refused_without_asking_the_model(fake_answers):
    answers, fake = fake_answers
    answer = answers.ask("2025년 노벨 물리학상 수상자는 누구인가요?")
    assert not answer.covered and answer.sources == []
    assert "찾을 수 없습니다" in answer.text
    assert "기술의 미래, 컴퓨팅 인프라만으로는 부족하다" in answer.text  # names what it covers
    assert fake.prompts == []


def test_chrome_question_is_refused(fake_answers):
    answers, fake = fake_answers
    answer = answers.ask("82cook 자유게시판의 '전업 임대수입' 글은 조회수가 얼마인가요?")
    assert not answer.covered and "4,338" not in answer.text and fake.prompts == []


def test_answer_with_a_figure_not_in_the_evidence_falls_back_to_a_quote(fake_answers, lead_services):
    answers, fake = fake_answers
    fake.enqueue("소라에는 GPU가 999만 개 쓰입니다.")
    answer = answers.ask("오픈AI의 영상생성 AI 소라에는 GPU가 몇 개 이상 쓰인다고 하나요?")
    assert "999만" not in answer.text
    assert "2만" in answer.text  # the best evidence sentence, quoted
    assert answer.sources and answer.sources[0].doc_id.startswith("001")


def test_an_answer_that_is_only_a_lead_in_is_never_sent(fake_answers):
    answers, fake = fake_answers
    fake.enqueue("오픈AI의 영상생성 AI 소라에 쓰이는 GPU의 개수는 다음과 같습니다.")
    answer = answers.ask("오픈AI의 영상생성 AI 소라에는 GPU가 몇 개 이상 쓰인다고 하나요?")
    assert "2만" in answer.text and answer.text.endswith("”")  # the evidence, quoted instead


def test_prompt_puts_fixed_instructions_first_and_the_question_last(fake_answers):
    answers, fake = fake_answers
    answers.ask("젠슨 황은 향후 10년 동안 컴퓨팅 성능이 몇 배 증가한다고 예측했나요?")
    [messages] = fake.prompts
    instructions = prompts.render("answer_system", context="").split("[자료]")[0]
    assert messages[0]["role"] == "system" and messages[0]["content"].startswith(instructions)
    assert "100만배" in messages[0]["content"]  # the document is in the cached prefix
    assert messages[-1]["content"].endswith("몇 배 증가한다고 예측했나요?")


def test_follow_up_uses_the_previous_question_and_extends_its_prompt(fake_answers):
    answers, fake = fake_answers
    question = "이해민 의원은 AI 인력 3만명 육성 목표를 어떻게 평가했나요?"
    fake.enqueue("자살행위라고 했습니다.")
    first = answers.ask(question)
    fake.enqueue("이해민 의원은 정부 투자형 회사를 만들자고 제안했습니다.")
    history = [Turn("user", question), Turn("assistant", first.text)]
    answer = answers.ask("그럼 대안으로 무엇을 제안했나요?", history)
    assert answer.covered
    assert any(s.doc_id.startswith("004") for s in answer.sources)
    before, after = fake.prompts
    # The first exchange is rendered exactly as it was asked, so the model's state after the
    # first answer is reused and only the new question is processed.
    assert after[: len(before)] == before
    assert after[len(before)] == {"role": "assistant", "content": first.text}
    assert after[-1]["content"].endswith("그럼 대안으로 무엇을 제안했나요?")


def test_empty_question_gets_a_korean_hint(fake_answers):
    answers, fake = fake_answers
    answer = answers.ask("   ")
    assert not answer.covered and "질문" in answer.text and fake.prompts == []


def test_rendering_a_prompt_with_a_missing_variable_raises():
    with pytest.raises(prompts.PromptError):
        prompts.render("answer_system")
    with pytest.raises(prompts.PromptError):
        prompts.render("answer_user_several", documents="x", context="", evidence="x",
                       question="y", extra="z")


@pytest.fixture
def documents_cold(fake_answers, lead_services, monkeypatch):
    """No document's own evaluated prefix is at hand (the shared prefixes are)."""
    answers, fake = fake_answers
    evidence = answers.stages.evidence
    own = {evidence.document_prefix(doc)[0]["content"]
           for doc in lead_services.store.documents()}
    monkeypatch.setattr(fake, "has_prefix", lambda messages: messages[0]["content"] not in own)
    return answers, fake


def test_question_across_documents_uses_the_shared_summaries_prefix(documents_cold):
    answers, fake = documents_cold
    plan = answers.plan("한국의 AI 경쟁력에 대해 자료들이 걱정하는 점은 무엇인가요?")
    assert len(plan.docs) >= 2 and plan.cache_prefix == 1
    shared = answers.collection()
    # The prefix is the same for every such question: the newest documents' summaries.
    assert plan.messages[0] == answers.collection_prefix()[0]
    assert all(doc.summary in plan.messages[0]["content"] for doc in shared)
    turn = plan.messages[-1]["content"]
    numbers = {doc.id: n for n, doc in enumerate(shared, 1)}
    for doc in plan.docs:  # the turn names the documents the question needs, by their number
        assert f"[문서 {numbers[doc.id]}]" in turn.split("\n")[0]
    quoted = [line for line in turn.split("\n") if line.startswith("- ")]
    assert len(quoted) >= 2  # and quotes their best sentences, each under its document's number
    block = turn.split("\n\n")[1].split("\n")
    assert all(line.startswith("[문서 ") for line in block[1:] if not line.startswith("- "))
    assert turn.endswith("자료들이 걱정하는 점은 무엇인가요?")


def test_documents_outside_the_shared_prefix_are_named_and_quoted_in_the_turn(documents_cold,
                                                                             monkeypatch):
    answers, fake = documents_cold
    import bot.answer.evidence
    from bot.answer.retrieve import Found
    monkeypatch.setattr(bot.answer.evidence, "COLLECTION_TOKENS", 1)  # nothing fits the shared prefix
    plan = answers.plan("한국의 AI 경쟁력에 대해 자료들이 걱정하는 점은 무엇인가요?")
    turn = plan.messages[-1]["content"]
    assert answers.collection() == [] and len(plan.grounds.docs) >= 2
    for n, doc in enumerate(plan.grounds.docs, 1):  # its heading, and its best sentences
        # said once, its sentences under it
        assert f"\n[문서 {n}] {doc.title} ({doc.meta})\n- " in "\n" + turn
        assert turn.count(f"[문서 {n}]") == 1
        assert doc.summary not in turn  # quoted, so not summarised too
    assert "이 질문에 관련된 자료" not in turn  # every document is headed: no list before them
    # The headings and sentences fit the turn's budget, beyond the two best documents' best.
    quoted = [line for line in turn.split("\n") if line.startswith("- ")]
    if len(quoted) > 2:
        evidence = answers.stages.evidence
        assert sum(evidence._tokens(line[2:]) for line in quoted) + sum(
            evidence._tokens(evidence.heading(plan.asked, d)) for d in plan.grounds.docs
        ) <= evidence.options.turn_tokens
    left_out = [d for d in plan.docs if d not in plan.grounds.docs]
    assert all(f"{d.title} (" not in turn for d in left_out)
    # A document with nothing to quote for the question is given by its summary instead.
    grounds = answers.stages.evidence.run(plan.asked, Found("model", plan.found.docs, ()))
    turn = grounds.messages[-1]["content"]
    for n, doc in enumerate(plan.docs, 1):
        assert f"[문서 {n}] {doc.title} ({doc.meta})\n요약: {doc.summary}" in turn


def test_question_across_documents_starts_from_the_best_document_whole_when_at_hand(
        fake_answers, documents_cold, monkeypatch):
    answers, fake = fake_answers
    question = "한국의 AI 경쟁력에 대해 자료들이 걱정하는 점은 무엇인가요?"
    evidence = answers.stages.evidence
    cold = answers.plan(question)
    lead = cold.docs[0]
    assert len(cold.docs) >= 2 and evidence.fits_whole(lead)
    assert cold.grounds.cold == lead.id  # queued, so the next question finds it whole
    at_hand = evidence.document_prefix(lead)
    monkeypatch.setattr(fake, "has_prefix", lambda messages: messages == at_hand)
    plan = answers.plan(question)
    assert plan.messages[0] == at_hand[0] and plan.cache_prefix == 1
    assert plan.grounds.cache_label == lead.id and plan.grounds.cold is None
    turn = plan.messages[-1]["content"]
    others = [d for d in plan.grounds.docs if d != lead]
    assert others and plan.grounds.numbers[1] == lead
    for doc in others:  # the others by their heading and best sentence; the lead is all there
        n = next(k for k, d in plan.grounds.numbers.items() if d == doc)
        assert f"[문서 {n}] {doc.title} ({doc.meta})\n- " in turn
    assert "[문서 1]" not in turn and "이 질문에 관련된 자료" not in turn
    assert evidence._tokens(turn) < evidence._tokens(cold.messages[-1]["content"])


def test_document_numbers_in_an_answer_become_names_a_reader_knows(documents_cold):
    answers, fake = documents_cold
    question = "한국의 AI 경쟁력에 대해 자료들이 걱정하는 점은 무엇인가요?"
    shared = answers.collection()
    fake.enqueue("[문서 1]과 문서 2는 모두 한국이 AI 경쟁에서 뒤처질 것을 걱정합니다.")
    answer = answers.ask(question)
    assert "문서" not in answer.text
    for doc in shared[:2]:
        assert (doc.outlet or doc.title) in answer.text
