"""Relative time words of a page read as dates, from the day the page was written, and said
beside an answer to "when". The pages are invented."""
from __future__ import annotations

from datetime import date

import pytest

from bot.answer.when import meanings, topic_particle
from tests.answer_fixture import services_over


@pytest.mark.parametrize(("text", "written", "expected"), [
    ("넥서스에 다음 달 4일까지 답변을 요구했다.", date(2026, 11, 13),
     [("다음 달 4일", "2026년 12월 4일")]),
    ("지난달 27일부터 이달 6일까지 조사했다.", date(2026, 11, 16),
     [("지난달 27일", "2026년 10월 27일"), ("이달 6일", "2026년 11월 6일")]),
    ("광산구는 다음 달부터 보급한다.", date(2026, 11, 30), [("다음 달", "2026년 12월")]),
    ("내달 중 발표한다.", date(2026, 12, 20), [("내달", "2027년 1월")]),  # across the year
    ("내년 1월부터 도입하고 지난해 12월에 예고했다.", date(2026, 11, 23),
     [("내년 1월", "2027년 1월"), ("지난해 12월", "2025년 12월")]),
    ("올해 처음이다.", date(2026, 3, 2), [("올해", "2026년")]),
    # a day of this month or the last, by the page's own day
    ("지난 17일 발표했다.", date(2026, 11, 24), [("지난 17일", "2026년 11월 17일")]),
    ("지난 28일 발표했다.", date(2026, 12, 3), [("지난 28일", "2026년 11월 28일")]),
    ("오는 4일 공청회를 연다.", date(2026, 11, 24), [("오는 4일", "2026년 12월 4일")]),
    ("어제 밝혔다.", date(2026, 12, 1), [("어제", "2026년 11월 30일")]),
    # inside another word, or no such day: nothing
    ("자료를 보내달라고 했다.", date(2026, 11, 24), []),
    ("다음 달 31일까지", date(2026, 10, 5), []),
    ("2027년 1월부터 시행한다.", date(2026, 11, 24), []),
])
def test_relative_time_words_mean_the_dates_counted_from_the_page(text, written, expected):
    assert meanings(text, written) == expected


def test_the_topic_particle_follows_the_last_syllable():
    assert [w + topic_particle(w) for w in ("다음 달", "올해", "4일")] == [
        "다음 달은", "올해는", "4일은"]


SENTENCE = "목소리연대는 가온플레이에 다음 달 4일까지 답변을 요구했다."
PAGE = "\n".join([
    "성우들, 가온플레이에 AI 더빙 중단 요구",
    "입력 2026.11.13 10:00 | 유나결 기자",
    "게임 성우들이 대형 게임사 가온플레이의 인공지능(AI) 음성 사용에 집단 대응에 나섰다.",
    SENTENCE,
    "가온플레이는 아직 공식 입장을 내지 않았다.",
])


@pytest.mark.parametrize(("question", "noted"), [
    ("목소리연대가 가온플레이에 답변 달라고 한 기한이 언제야?", True),
    ("목소리연대는 가온플레이에 무엇을 요구했어?", False),  # not asked when: no note
])
def test_an_answer_to_when_says_which_day_a_relative_time_word_means(tmp_path, korean,
                                                                      question, noted):
    with services_over(tmp_path, korean, {"voice.txt": PAGE}) as services:
        services.llm.enqueue(SENTENCE)
        answer = services.answers.ask(question)
        assert SENTENCE in answer.text
        note = "※ ‘다음 달 4일’은 2026년 12월 4일 (기사 날짜 2026-11-13 기준)"
        assert (note in answer.text) is noted
