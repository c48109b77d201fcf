"""Documents described rather than titled ("한빛일보 사설이랑 새날경제 사설", "한빛 시론"), and
what a question about a whole document or about two of them gets without the model: each
piece's own sentences, verbatim, with who published it and when (issue 25, classes 3, 5 and
the summaries). The pages are written here; the store, the ingest rules, Kiwi and retrieval are
real, and the model is a FakeLLM whose prompts the tests read (none should be sent)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.answer.question import read
from bot.ingest.pipeline import ingest_folder
from bot.korean import Korean
from bot.news.facts import FactReader, kind_match
from bot.news.points import key_sentences
from bot.services import Services
from bot.store import Store
from tests.conftest import make_settings
from tests.fakes import FakeLLM

PAGES = {
    "a_hanbit_editorial.txt": """[사설] 또 미뤄진 로봇세, 이번엔 결론을 내야

2026.11.20

정부가 로봇세 도입 논의를 내년으로 또 미뤘다.
기획재정부는 산업계 부담을 이유로 들었지만 같은 이유로 미룬 것이 벌써 세 번째다.
로봇세 논의가 멈춘 사이 자동화로 일자리를 잃은 노동자에 대한 지원은 제자리걸음이다.
재원 없이 전직 지원을 늘리겠다는 약속은 공허하다.
정부는 이번만큼은 로봇세 과세 기준과 시행 시점을 분명히 밝혀야 한다.
국회도 연내에 공청회를 열어 로봇세 쟁점을 정리해야 한다.

Copyright ⓒ 한빛일보. All rights reserved.
""",
    "b_saenal_editorial.txt": """[사설] 로봇세보다 급한 것은 생산성이다

2026.11.21

로봇세 도입 논의가 내년으로 넘어갔다.
늦은 감은 있지만 연기는 불가피한 선택이었다.
로봇세는 자동화 투자를 늦춰 제조업 생산성을 떨어뜨릴 수 있다.
세계 어느 나라도 로봇세를 본격 시행하지 않는다는 점도 따져 봐야 한다.
정부는 로봇세 대신 전직 훈련 예산을 늘리는 방안부터 검토해야 한다.
세금으로 기술을 막기보다 사람에게 투자해야 한다.

Copyright ⓒ 새날경제 All rights reserved. 무단 전재 및 재배포 금지
""",
    "c_hanbit_news.txt": """로봇세 논의 내년으로…기재부 "산업계 부담 고려"

김도윤 기자
2026.11.19

기획재정부가 로봇세 도입 논의를 내년으로 미루기로 했다고 19일 밝혔다.
기재부는 산업계 부담과 해외 사례 부족을 이유로 들었다.
노동계는 자동화로 일자리를 잃은 노동자 지원이 늦어진다며 반발했다.
산업계는 로봇세가 자동화 투자를 늦출 수 있다는 입장이다.

Copyright ⓒ 한빛일보. All rights reserved.
""",
    "d_hanbit_oped.txt": """[시론] 로봇세, 재원 논쟁이 아니라 분배 설계다

2026.11.22

로봇세를 둘러싼 논쟁은 늘 재원 규모에서 멈춘다.
그러나 핵심은 자동화의 이익을 어떻게 나누느냐는 분배 설계다.
자동화 설비에 직접 과세하기보다 자동화로 늘어난 이익에 과세하는 방식을 검토해야 한다.
그 세수는 전직 훈련과 지역 일자리 사업에 쓰여야 한다.

박지성 한울대 경제학과 교수

Copyright ⓒ 한빛일보. All rights reserved.
""",
    "e_weekly_feature.txt": """로봇 공장의 세 가지 숙제

주간 논점 | 2026.11.23

경남의 한 자동차 부품 공장에는 용접 로봇 40대가 쉬지 않고 돌아간다.
이 공장의 전력 사용량은 3년 새 두 배가 됐다.
로봇이 늘수록 전력 요금 부담도 커진다.
공장장은 전력 요금이 인건비만큼 나간다고 했다.
숙련 인력도 모자란다.
로봇을 고칠 정비 인력은 지역에서 구하기 어렵다.
정비 인력 양성 과정은 도내에 한 곳뿐이다.
해외에서는 싱가포르가 먼저 답을 내놨다.
싱가포르는 자동화 설비 투자에 세액공제를 주면서 재교육 의무를 붙였다.
싱가포르 방식이 한국에 맞을지는 따져 볼 일이다.

ⓒ 주간 논점
""",
    # The rest of a collection: other threads, other outlets.
    "f_deepfake.txt": """딥페이크 합성앱 처벌법, 법사위 통과

이서준 기자
2026.11.25

국회 법제사법위원회가 딥페이크 합성 프로그램의 제작과 배포를 처벌하는 개정안을 의결했다.
플랫폼은 신고를 받은 뒤 24시간 안에 불법 합성물을 삭제해야 한다.
피해 학생 단체는 삭제 지원이 처벌만큼 급하다고 말했다.

ⓒ 국민시보
""",
    "g_textbook.txt": """AI 교과서, 내년에도 교육자료로

정미경 기자
2026.11.18

교육부가 AI 디지털교과서를 내년에도 교육자료로 두기로 했다.
교사 설문에서는 재도입 반대가 67.4%였다.
교육부는 구독료 지원 총액은 밝히지 않았다.
구독료 지원 단가는 학생 1인당 5만 2천 원으로 올랐다.

ⓒ 새날신문
""",
    "h_datacenter.txt": """광주 AI 집적단지 2단계 예타 통과

박상훈 기자
2026.12.04

광주 AI 집적단지 2단계 사업이 예비타당성조사를 통과했다.
총사업비는 6,024억 원이다.
전력 공급 계획은 아직 정해지지 않았다.

ⓒ 호남매일
""",
    "i_roundtable.txt": """[좌담] 로봇과 함께 일하는 공장, 무엇을 준비하나

주간 논점 | 2026.11.24

참석자
· 한도윤 한울대 기계공학과 교수
· 오세린 금속노조 정책실장

한도윤 로봇 도입 속도는 생각보다 빠릅니다. 중소 공장도 협동로봇을 들이고 있습니다.
오세린 현장에서는 재교육 약속이 지켜지지 않는다는 불만이 큽니다. 저는 재교육 시간을 단체협약에 적어 두자고 제안합니다.
한도윤 정비 인력을 지역에서 길러야 합니다. 그래서 저는 공고와 폴리텍에 로봇 정비 과정을 묶어 여는 방안을 권합니다.
오세린 노조도 그 방안에는 동의합니다. 다만 비용을 누가 내느냐가 남습니다.

ⓒ 주간 논점
""",
}


def _services(tmp_path: Path, korean: Korean, pages: dict[str, str]
              ) -> tuple[Services, FakeLLM]:
    """`pages` written to a folder and ingested, with a FakeLLM whose prompts the tests read."""
    folder = tmp_path / "pages"
    folder.mkdir()
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = make_settings(tmp_path)
    store = Store(settings.BRIEFBOT_DB)
    ingest_folder(store, korean, folder, max_bytes=1_000_000)
    llm = FakeLLM()
    return Services(settings=settings, store=store, korean=korean, llm=llm), llm


@pytest.fixture
def described(tmp_path: Path, korean: Korean) -> Iterator[tuple[Services, FakeLLM]]:
    svc, llm = _services(tmp_path, korean, PAGES)
    yield svc, llm
    svc.close()


def _doc(svc: Services, prefix: str):
    return next(d for d in svc.store.documents() if d.id.startswith(prefix))


def test_a_question_describes_each_document_by_its_words_and_its_kind():
    # Up to three words before the noun, to the first that ends in a particle.
    assert read("로봇세 두고 한빛일보 사설이랑 새날경제 사설 입장 어떻게 달라?").described == (
        ("로봇세 두고 한빛일보", "사설"), ("새날경제", "사설"))
    assert read("한빛 시론 요약해줘").described == (("한빛", "시론"),)


def test_a_page_is_the_kind_its_own_label_says(described):
    svc, _ = described
    assert kind_match(_doc(svc, "a_"), "사설") == 2
    assert kind_match(_doc(svc, "d_"), "칼럼") == 1  # a 시론 is a column of a kind
    assert kind_match(_doc(svc, "c_"), "사설") == 0


def test_pages_described_by_outlet_and_kind_are_told_apart_from_the_outlets_others(described):
    svc, _ = described
    understand = svc.answers.stages.understand
    named = understand.named(read("로봇세 두고 한빛일보 사설이랑 새날경제 사설 입장 어떻게 달라?"))
    assert [d.id[:2] for d in named] == ["a_", "b_"]  # not 한빛일보's report or its 시론
    assert [d.id[:2] for d in understand.named(read("로봇세에 대한 한빛 시론 요약해줘"))] == ["d_"]


def test_two_described_pieces_are_compared_by_their_own_words_without_the_model(described):
    svc, llm = described
    answer = svc.answers.ask("로봇세 두고 한빛일보 사설이랑 새날경제 사설 입장 어떻게 달라?")
    assert llm.prompts == []
    assert {s.doc_id[:2] for s in answer.sources} == {"a_", "b_"}
    for source in answer.sources:
        assert source.quote in svc.store.document(source.doc_id).text
        assert f"“{source.quote}" in answer.text
    # Each editorial is quoted by what it argues, not by the news both open with.
    assert "시행 시점을 분명히 밝혀야 한다" in answer.text
    assert "사람에게 투자해야 한다" in answer.text or "검토해야 한다" in answer.text
    assert "2026-11-20" in answer.text and "2026-11-21" in answer.text


def test_a_summary_of_a_page_with_no_stored_summary_quotes_its_point_and_the_rest(described):
    svc, llm = described
    doc = _doc(svc, "b_")
    assert not doc.summary
    answer = svc.answers.ask("새날경제 사설 요약해줘")
    assert llm.prompts == []
    quotes = [line[3:-1] for line in answer.text.splitlines() if line.startswith("• “")]
    assert len(quotes) >= 2 and all(q in doc.text for q in quotes)
    assert "사람에게 투자해야 한다" in answer.text or "검토해야 한다" in answer.text
    assert answer.sources and answer.sources[0].doc_id == doc.id
    assert answer.text.startswith("새날경제(2026-11-21)")


def test_a_summary_covers_what_each_part_adds_not_one_part_again(described):
    svc, _ = described
    facts = FactReader(svc.store, svc.korean).facts(_doc(svc, "e_"))
    keys = key_sentences(facts, n=3)
    # One sentence of each part (power, staff, the foreign case), in the order they stand.
    assert len(keys) == 3
    assert "전력" in keys[0] and "인력" in keys[1] and "싱가포르" in keys[2]


@pytest.mark.parametrize(("question", "gist", "compare"), [
    ("KBN 청소년 챗봇 리포트 내용 정리", True, False),
    ("미래정책연구원 보고서 핵심만", True, False),
    ("딥페이크 처벌법 논란 기사들 종합하면 쟁점이 뭐야?", True, False),
    ("디지털인권연대 성명이랑 국민시보 시론 뭐가 다른 거야", False, True),
    ("채용절차법 두고 연합회 성명이랑 노동 칼럼 어떻게 부딪혀?", False, True),
])
def test_summaries_and_comparisons_are_asked_for_in_everyday_words(question, gist, compare):
    read_as = read(question)
    assert (read_as.gist, read_as.compare) == (gist, compare)


def test_a_comparison_naming_no_document_quotes_two_without_the_model(described):
    svc, llm = described
    answer = svc.answers.ask("로봇세 두고 신문들 입장 어떻게 달라?")
    assert llm.prompts == []  # a 1.5B model's comparison of two pieces is its own invention
    assert len({s.doc_id for s in answer.sources}) >= 2
    for source in answer.sources:
        assert f"“{source.quote}" in answer.text
        assert source.quote in svc.store.document(source.doc_id).text


def test_a_comparison_of_views_names_who_wrote_each_piece(described):
    """A column compared is its writer's view: the byline's name stands beside the outlet
    (a report's reporter does not)."""
    svc, llm = described
    answer = svc.answers.ask("한빛일보 시론이랑 새날경제 사설, 로봇세 입장 어떻게 달라?")
    assert llm.prompts == []
    assert "d_hanbit_oped.txt" in {s.doc_id for s in answer.sources}
    assert "한빛일보(2026-11-22), 박지성 한울대 경제학과 교수: “" in answer.text
    assert "기자" not in answer.text


def test_a_debate_summed_up_gives_each_pieces_point_with_outlet_and_day(described):
    svc, llm = described
    answer = svc.answers.ask("로봇세 논란 한 번에 정리해줘")
    assert llm.prompts == []
    lines = [line for line in answer.text.splitlines() if line.startswith("• ")]
    assert len(lines) >= 2 and len({s.doc_id for s in answer.sources}) == len(lines)
    for line, source in zip(lines, answer.sources):
        # Its point first, then (when another says more of what was asked) that one, verbatim.
        quotes = re.findall(r"“([^”]+)”", line)
        assert quotes[0] == source.quote and 1 <= len(quotes) <= 2
        assert all(q in svc.store.document(source.doc_id).text for q in quotes)
        assert f"({source.date[:10]})" in line
    assert any(len(re.findall(r"“([^”]+)”", line)) == 2 for line in lines)


def test_who_said_it_in_a_round_table_is_the_speaker_opening_the_turn(described):
    svc, llm = described
    llm.enqueue("잘 모르겠습니다.")  # the model's draft fails; the quote must name the speaker
    answer = svc.answers.ask("재교육 시간을 단체협약에 적자고 제안한 사람 누구야?")
    assert "오세린 금속노조 정책실장" in answer.text
    assert "재교육 시간을 단체협약에 적어 두자고 제안합니다" in answer.text
    assert not answer.text.startswith("자료에는")


def test_who_argued_it_in_a_column_is_its_writer_in_the_byline(described):
    svc, llm = described
    assert _doc(svc, "d_").author == "박지성 한울대 경제학과 교수"
    llm.enqueue("잘 모르겠습니다.")
    answer = svc.answers.ask("자동화로 늘어난 이익에 과세하자고 쓴 사람 누구야?")
    assert "박지성 한울대 경제학과 교수의 말로" in answer.text
    assert "자동화로 늘어난 이익에 과세하는 방식을 검토해야 한다" in answer.text


def test_a_figure_from_a_sentence_that_does_not_name_what_is_counted_does_not_answer(described):
    svc, llm = described
    llm.enqueue("AI 교과서 구독료 지원 총액은 5만 2천 원입니다.")  # the per-pupil rate
    answer = svc.answers.ask("AI 교과서 구독료 지원 총액은 얼마야?")
    assert answer.text.startswith("자료에는 질문하신 수치가 나와 있지 않습니다.")
    assert "총액은 5만 2천 원입니다" not in answer.text


def test_who_said_it_is_not_the_reporter_whose_byline_the_page_carries(described):
    svc, llm = described
    assert _doc(svc, "c_").author == "김도윤 기자"
    llm.enqueue("노동자 지원이 늦어진다며 반발한 사람은 김도윤 기자입니다.")
    answer = svc.answers.ask("노동자 지원이 늦어진다며 반발한 건 누구야?")
    assert "김도윤" not in answer.text
    assert "노동계는 자동화로 일자리를 잃은 노동자 지원이 늦어진다며 반발했다." in answer.text


DRONE_PAGES = {
    "n1_hanbit.txt": """드론 배송 규제 특례 1년 연장…특례 지역 15곳으로

김도윤 기자
2026.11.19

국토교통부가 드론 배송 규제 특례를 1년 연장한다고 19일 밝혔다.
특례 지역은 12곳에서 15곳으로 늘어난다.
물류업계는 드론 배송을 특례가 아니라 상시 허용으로 바꿔야 한다고 주장했다.
주민 단체는 드론 배송 소음 기준부터 마련해야 한다고 맞섰다.

Copyright ⓒ 한빛일보. All rights reserved.
""",
    "n2_saenal.txt": """국토부, 드론 배송 특례 1년 더…15곳으로 확대

이수민 기자
2026.11.19

국토교통부는 드론 배송 규제 특례를 1년 연장하고 특례 지역을 15곳으로 늘린다고 19일 발표했다.
드론 배송 특례 지역은 지금 12곳이다.
업계는 대체로 환영하는 분위기다.

Copyright ⓒ 새날경제 All rights reserved.
""",
    "n3_oped.txt": """[시론] 드론 배송, 특례로 버티는 것은 해법이 아니다

2026.11.22

드론 배송 특례가 또 1년 연장됐다.
특례를 해마다 늘리는 것은 업계에 불확실성만 남긴다.
정부는 드론 배송 소음과 안전 기준을 법에 정하고 상시 허용으로 가야 한다.

박지성 한울대 교통공학과 교수

Copyright ⓒ 한빛일보. All rights reserved.
""",
}


def test_a_debate_summary_lists_one_event_once_and_quotes_what_people_argue(tmp_path, korean):
    """Two outlets reporting one decision are one item; asked about the debate, a report is
    quoted by what the people in it argue, not by its lede; nothing from the model."""
    svc, llm = _services(tmp_path, korean, DRONE_PAGES)
    try:
        answer = svc.answers.ask("드론 배송 특례 연장 논쟁 정리해줘")
        assert llm.prompts == []
        cited = [s.doc_id for s in answer.sources]
        assert "n3_oped.txt" in cited
        assert len({"n1_hanbit.txt", "n2_saenal.txt"} & set(cited)) == 1  # one event, once
        assert "국토교통부가 드론 배송 규제 특례를 1년 연장한다고 19일 밝혔다." not in answer.text
        assert "상시 허용으로 바꿔야 한다고 주장했다" in answer.text or \
            "n2_saenal.txt" in cited
    finally:
        svc.close()
