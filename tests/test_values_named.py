"""A question that sets two values against each other ("11곳이야 19곳이야?") is answered with
where each is stated, quoted and dated, without the model. The pages are invented."""
from __future__ import annotations

import pytest

from bot.answer.figures import named_values
from bot.answer.understand import persons
from tests.answer_fixture import services_over


@pytest.mark.parametrize(("question", "said"), [
    ("이전하겠다는 기업 11곳이야 19곳이야?", ["11곳", "19곳"]),
    ("용량 4.2GW라는 데도 있고 4,800MW라는 데도 있던데?", ["4.2GW", "4,800MW"]),
    ("보조금 3.6조라는 기사도 있고 6.3조라는 칼럼도 있던데 뭐가 맞아?", ["3.6조", "6.3조"]),
    ("시행일 1월 1일이야 4월 1일이야?", ["1월 1일", "4월 1일"]),
    # one value, or a year and a value, or bare numbers: nothing set against each other
    ("2030년 전력 수요는 6.2GW야?", []),
    ("예산 287억 원은 어디에 쓰여?", []),
    ("3번 조항과 5번 조항은 뭐가 달라?", []),
])
def test_the_values_a_question_sets_against_each_other(question, said):
    assert [value for value, _ in named_values(question)] == said


@pytest.mark.parametrize(("question", "sentence", "states"), [
    ("보조금 3.6조야 6.3조야?", "정부는 국비 3조 6,000억 원을 투입한다.", [True, False]),
    ("4.2GW야 4,800MW야?", "대기 용량은 4,200MW에 이른다.", [True, False]),
    ("승인률 4.1%p야 1.2%p야?", "승인률이 4.1%포인트 높아졌다.", [True, False]),
    ("지원 기업 412곳이야 397곳이야?", "412개사를 선정했다고 24일 밝혔다.", [True, False]),
    # the same digits counting something else, or another value
    ("11곳이야 19곳이야?", "11명이 19일 모였다.", [False, False]),
    ("38.2%야 41.3%야?", "이용률은 38.25%였다.", [False, False]),
])
def test_a_value_is_stated_however_the_sentence_writes_it(question, sentence, states):
    assert [found(sentence) for _, found in named_values(question)] == states


PAGES = {
    "a.txt": "\n".join([
        "가온시, 데이터센터 지역 이전 의향 기업 11곳",
        "입력 2026.11.17 10:00 | 가온일보 유나결 기자",
        "가온시는 수도권 데이터센터 가운데 지역 이전 의향을 밝힌 기업이 11곳이라고 17일 밝혔다.",
        "시는 이들 기업과 다음 달 협약을 맺는다.",
    ]),
    "b.txt": "\n".join([
        "데이터센터 지역 이전 의향 기업 한 주 새 19곳으로",
        "입력 2026.11.24 09:00 | 누리신문 하도윤 기자",
        "데이터센터 지역 이전 의향을 밝힌 기업은 23일 기준 19곳으로 늘었다.",
        "가온시는 추가 신청을 받고 있다.",
    ]),
}


def test_each_value_is_quoted_from_the_page_that_states_it(tmp_path, korean):
    with services_over(tmp_path, korean, PAGES) as services:
        answer = services.answers.ask("데이터센터 지역 이전 의향 기업 11곳이야 19곳이야?")
        assert services.llm.prompts == []  # no model: every word shown is a page's own
        lines = answer.text.split("\n")
        assert lines[1].startswith("• 11곳 — 가온일보, 2026-11-17: “가온시는 수도권")
        assert lines[2].startswith("• 19곳 — 누리신문, 2026-11-24: “데이터센터 지역 이전")
        assert [s.doc_id for s in answer.sources] == ["a.txt", "b.txt"]
        assert all(s.quote in PAGES[s.doc_id] for s in answer.sources)


# --- pages named by the people they quote ------------------------------------------------------


@pytest.mark.parametrize(("question", "named"), [
    ("반재우 교수랑 현지웅 칼럼니스트, 공공 AI 모델 누가 만들어야 한대?",
     ["반재우 교수", "현지웅 칼럼니스트"]),
    ("곽민철 택시노동연합 실장은 뭐래?", ["곽민철 택시노동연합 실장"]),
    ("이번 정부 대표 정책은 뭐야?", []),  # a common word is no name
])
def test_the_people_a_question_names_with_a_title(question, named):
    assert persons(question) == named


PEOPLE = {
    "p.txt": "\n".join([
        "데이터센터 지방 이전 논쟁 다시 불붙어",
        "입력 2026.11.18 09:00 | 가온일보 유나결 기자",
        "데이터센터 지방 이전을 두고 업계의 의견이 갈린다.",
        "마준오 가람대 교수는 \"데이터센터는 전력이 나는 지역으로 가야 한다\"고 말했다.",
        "정부는 다음 달 대책을 내놓는다.",
    ]),
    "q.txt": "\n".join([
        "데이터센터 수도권 잔류론",
        "입력 2026.11.19 09:00 | 누리신문 하도윤 기자",
        "수도권 데이터센터 사업자들은 이전에 난색을 보였다.",
        "나도겸 새봄데이터 대표는 \"고객이 수도권에 있어 데이터센터도 수도권에 있어야 한다\"고 말했다.",
        "업계는 정부 대책을 지켜보고 있다.",
    ]),
}


def test_two_pages_named_by_the_people_they_quote_are_answered_together(tmp_path, korean):
    with services_over(tmp_path, korean, PEOPLE) as services:
        plan = services.answers.plan("마준오 교수랑 나도겸 대표, 데이터센터 어디에 둬야 한다고 봐?")
        assert {d.id for d in plan.asked.named} == {"p.txt", "q.txt"}
        assert plan.kind == "compare" and {d.id for d in plan.docs} == {"p.txt", "q.txt"}
