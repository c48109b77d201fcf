"""Who said it, when the sentence quoted does not say: Korean news names the speaker of a
quotation set as its own paragraph in the next paragraph ("…이같이 말했다"), and a broadcast
script captions an interview on the line before it ("[인터뷰] 이름 / 직함"). The model's draft
fails here (FakeLLM), so the answer is the fallback's quote; the store, ingest, Kiwi and
retrieval are real."""
from __future__ import annotations

import pytest

from bot.ingest.pipeline import ingest_folder
from bot.services import Services
from bot.store import Store
from tests.conftest import make_settings
from tests.fakes import FakeLLM

PAGES = {
    "factory.txt": """중기부, AI 스마트공장 412곳 선정…"성과 숫자로 본다"

누리경제 이서진 기자
2026.11.24

중소벤처기업부는 AI 스마트공장 전환 지원사업 1차 선정 결과 412개사를 뽑았다고 24일 밝혔다.
이번 사업은 자동화 설비보다 데이터 활용에 무게를 뒀다.

"간판만 AI 공장인 곳을 만들지 않겠다는 겁니다. 불량률이 실제로 바뀌는지 보고 사후 평가를 하겠습니다."

유정란 중기부 스마트제조혁신정책관은 이날 브리핑에서 이같이 말했다. 중기부는 1년 뒤 성과 지표를 점검할 계획이다.
""",
    "interview.txt": """[HBS 뉴스9] AI 면접 불합격 이유 설명 의무…현장은 '누가 책임지나'

2026.11.20

[앵커]
AI 면접 불합격자에게 이유를 설명해야 하는 가이드라인이 나왔습니다.

[기자]
현장에서는 설명 책임을 누가 질지부터 정리해야 한다는 지적이 나옵니다.

[인터뷰] 마서윤 / 공인노무사
"지원자가 설명을 요구하면 기업은 결국 솔루션 업체 자료에 기댈 수밖에 없어요. 기업과 업체 사이 책임 분담부터 명확히 해야 합니다."

HBS 뉴스 한지우입니다.
""",
}


@pytest.fixture(scope="module")
def answers(tmp_path_factory, korean):
    tmp = tmp_path_factory.mktemp("attribution")
    settings = make_settings(tmp)
    settings.SEEDS_DIR.mkdir(parents=True)
    for name, text in PAGES.items():
        (settings.SEEDS_DIR / name).write_text(text, encoding="utf-8")
    services = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                        llm=FakeLLM("잘 모르겠습니다."))
    ingest_folder(services.store, korean, settings.SEEDS_DIR, max_bytes=1_000_000)
    yield services.answers
    services.close()


def test_a_quotation_paragraph_is_credited_to_the_next_paragraphs_speaker(answers):
    answer = answers.ask("'간판만 AI 공장인 곳 안 만들겠다'고 말한 사람 누구야?")
    assert "간판만 AI 공장인 곳을 만들지 않겠다는 겁니다." in answer.text
    assert "유정란 중기부 스마트제조혁신정책관은 이날 브리핑에서 이같이 말했다." in answer.text


def test_a_broadcast_interview_is_credited_to_its_caption(answers):
    # Asked without "누구": a question that ends on "사람" asks who.
    answer = answers.ask("AI 면접 설명 책임은 기업이랑 업체 책임 분담부터 정해야 한다고 한 사람?")
    assert "마서윤 공인노무사의 말로" in answer.text
    assert "책임 분담부터 명확히 해야 합니다" in answer.text
