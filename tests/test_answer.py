"""Answers: grounded in the documents, with verbatim quotes, or a plain Korean refusal."""
from __future__ import annotations

import pytest

from bot import prompts
from bot.answer import AnswerService
from tests.fakes import FakeLLM


@pytest.fixture
def fake_answers(services):
    fake = FakeLLM()
    return AnswerService(services.store, services.retriever, fake), fake


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


def test_answer_with_a_figure_not_in_the_evidence_falls_back_to_a_quote(fake_answers, services):
    answers, fake = fake_answers
    fake.enqueue("소라에는 GPU가 999만 개 쓰입니다.")
    answer = answers.ask("오픈AI의 영상생성 AI 소라에는 GPU가 몇 개 이상 쓰인다고 하나요?")
    assert "999만" not in answer.text
    assert "2만" in answer.text  # the best evidence sentence, quoted
    assert answer.sources and answer.sources[0].doc_id.startswith("001")


def test_prompt_puts_fixed_instructions_first_and_the_question_last(fake_answers):
    answers, fake = fake_answers
    answers.ask("젠슨 황은 향후 10년 동안 컴퓨팅 성능이 몇 배 증가한다고 예측했나요?")
    [messages] = fake.prompts
    instructions = prompts.render("answer_system", context="").split("[자료]")[0]
    assert messages[0]["role"] == "system" and messages[0]["content"].startswith(instructions)
    assert "100만배" in messages[0]["content"]  # the document is in the cached prefix
    assert messages[-1]["content"].endswith("몇 배 증가한다고 예측했나요?")


def test_follow_up_uses_the_previous_question(fake_answers):
    answers, fake = fake_answers
    history = [{"role": "user", "text": "이해민 의원은 AI 인력 3만명 육성 목표를 어떻게 평가했나요?"},
               {"role": "assistant", "text": "자살행위라고 했습니다."}]
    fake.enqueue("이해민 의원은 정부 투자형 회사를 만들자고 제안했습니다.")
    answer = answers.ask("그럼 대안으로 무엇을 제안했나요?", history)
    assert answer.covered
    assert any(s.doc_id.startswith("004") for s in answer.sources)
    assert fake.prompts[0][1] == {"role": "user", "content": history[0]["text"]}


def test_empty_question_gets_a_korean_hint(fake_answers):
    answers, fake = fake_answers
    answer = answers.ask("   ")
    assert not answer.covered and "질문" in answer.text and fake.prompts == []


def test_rendering_a_prompt_with_a_missing_variable_raises():
    with pytest.raises(prompts.PromptError):
        prompts.render("answer_system")
    with pytest.raises(prompts.PromptError):
        prompts.render("answer_user", evidence="x", question="y", extra="z")
