"""The outlet is read from where Korean news pages print it: a reporter's byline, the masthead,
the copyright line, the publication line; never from a web address. The pages are invented."""
from __future__ import annotations

import pytest

from bot.ingest.clean import clean_page
from bot.ingest.meta import extract_meta

HEADLINE = "반도체 보조금, 첫해부터 직접 지급한다"
BODY = ("정부가 내년부터 반도체 기업에 보조금을 직접 준다. 첫해 예산은 4천억 원이며 설비 투자액의 "
        "최대 30%까지 지원한다.\n업계는 환영했지만 재정 당국은 신중한 입장이다.\n")


def outlet(text: str) -> str | None:
    return extract_meta(text, clean_page(text)).outlet


@pytest.mark.parametrize("lead", [
    "[누리일보=차예린 기자] 정부가 내년부터 반도체 기업에 보조금을 직접 준다.",
    "[누리일보 차예린 기자] 정부가 내년부터 반도체 기업에 보조금을 직접 준다.",
    "[누리일보 차예린·하도윤 기자] 정부가 내년부터 반도체 기업에 보조금을 직접 준다.",
    "(세종=누리일보) 마서준 기자 = 정부가 내년부터 반도체 기업에 보조금을 직접 준다.",
    "(누리일보) 권다해 기자 = 정부가 내년부터 반도체 기업에 보조금을 직접 준다.",
    "【영암=누리일보】봉미래 기자 = 정부가 내년부터 반도체 기업에 보조금을 직접 준다.",
    "[누리일보] 봉미래 기자 = 정부가 내년부터 반도체 기업에 보조금을 직접 준다.",
])
def test_the_outlet_a_reporters_byline_names(lead):
    assert outlet(f"{HEADLINE}\n{lead}\n{BODY}") == "누리일보"


@pytest.mark.parametrize(("masthead", "name"), [
    ("누리일보", "누리일보"),
    ("하늘방송 뉴스", "하늘방송 뉴스"),
    ("누리일보 오피니언", "누리일보"),  # the masthead printed with its section
    ("바람소리 BARAMSORI", "바람소리"),  # a brand line: the name in Korean and in capitals
    ("누리일보 | 전체메뉴 | 정치 | 경제 | 사회", "누리일보"),
    ("[누리일보] 사회 > 행정", "누리일보"),
    ("홈 | 정치 | 경제 | 사회", None),  # a menu bar that opens with its home link names no one
])
def test_the_masthead_the_page_opens_with(masthead, name):
    assert outlet(f"{masthead}\n{HEADLINE}\n입력 2026.03.04 10:20\n{BODY}") == name


@pytest.mark.parametrize("line", [
    "ⓒ 누리일보 All rights reserved. 무단 전재 및 재배포 금지",
    "<저작권자 ⓒ 누리일보, 무단 전재 및 재배포 금지>",
    "Copyright © 누리일보. All rights reserved.",
    "ⓒ누리일보 | 누리일보는 독자 후원으로 만듭니다.",
    "ⓒ 누리일보(www.nuri.example) 무단전재 및 재배포금지",
    "ⓒ 누리일보 nuri.co.kr | 기사제보 02-000-0000",
    "누리일보의 모든 콘텐츠는 저작권법의 보호를 받습니다. 무단전재·복사·배포 금지.",
    "Creative Commons BY-NC-ND · 누리일보",
    "Copyright © 2026 누리일보 All Rights Reserved.",
    "Copyright by 누리일보 & nuri.co.kr",
])
def test_the_copyright_owner(line):
    assert outlet(f"{HEADLINE}\n입력 2026.03.04 10:20\n{BODY}{line}\n") == "누리일보"


@pytest.mark.parametrize(("line", "name"), [
    ("누리일보 | 입력 2026.03.04 10:20 | 수정 2026.03.04 15:40", "누리일보"),
    ("누리일보 2026/03/04 (수)", "누리일보"),
    ("서하람 논설위원 | 누리일보 2026년 3월 4일 | 칼럼", "누리일보"),
    ("월간 나래행정 2026년 5월호 | 대담·정리 온세라 편집위원", "월간 나래행정"),
    ("주간 나래 제418호 | 2026.03.04 발행", "주간 나래"),
    ("누리일보 | 최재원 기자 | jw@nuri.example", "누리일보"),
    ("입력 2026-03-04 09:10 | 수정 2026-03-04 11:42 | 누리일보 소채원 기자", "누리일보"),
    # what follows the date is a section or a page, a count is no name, nor a byline
    ("2026.03.04 | 사람과 과학", None),
    ("2026년 3월 4일 (수) | 경제 3면", None),
    ("권도희 기자 | 2026-03-04 07:00", None),
    ("작성일: 2026-03-04 | 댓글 14 | 공감 87", None),
    ("2026년 03월 04일(수) 18:40", None),
])
def test_the_name_on_the_publication_line(line, name):
    assert outlet(f"{HEADLINE}\n{line}\n{BODY}") == name


def test_a_reporters_byline_names_the_outlet_before_the_site_carrying_it():
    """A wire story on a newspaper's site: the reporter's agency wrote it."""
    text = (f"누리일보\n정치 | 경제 | 사회\n{HEADLINE}\n"
            f"(서울=가온통신) 류시온 기자 = 정부가 내년부터 반도체 기업에 보조금을 직접 준다.\n{BODY}"
            "ⓒ 누리일보 All rights reserved.\n")
    assert outlet(text) == "가온통신"


def test_a_brand_line_in_the_head_names_the_outlet():
    assert outlet(f"2026-03-04\n연재 나래 칼럼\n{HEADLINE}\n더나래(THE NARAE)\n{BODY}") == "더나래"


@pytest.mark.parametrize("under", [
    "서하람 한빛대 AI대학원 교수",  # who is interviewed or who wrote it
    "[CEO 인터뷰]",
    "2026.03.04",
    # a date field's label and its time of day are no name
    "발표일 2026. 11. 27.",
    "일시: 2026년 12월 4일(금) 오후 2시",
    "■ 일시: 2026년 11월 26일(목) 오후 2시 30분",
])
def test_a_name_line_under_the_headline_is_no_outlet_unless_it_is_a_brand(under):
    assert outlet(f"{HEADLINE}\n{under}\n{BODY}") is None


def test_a_web_address_or_an_email_domain_never_names_the_outlet():
    text = (f"{HEADLINE}\n{BODY}홍길동 기자 hong@nuri.co.kr\n"
            "원문: https://www.nuri.co.kr/news/1234\n")
    assert outlet(text) is None


@pytest.mark.parametrize(("head", "tail", "name"), [
    # the masthead in Hangul beside its Hanja or Latin form: the Hangul
    ("東方新聞 가온신문", "", "가온신문"),
    ("GAON FOCUS 가온포커스\n교육 전문지", "ⓒ 가온포커스 | 무단 전재 및 재배포 금지\n"
     "Copyright © GAON FOCUS. All rights reserved.", "가온포커스"),
    ("가온포커스 GAON FOCUS", "", "가온포커스"),
    # the Latin form alone, or an English copyright line last: the page's own Hangul name
    ("Gaon Daily", "ⓒ 가온일보. 무단 전재 및 재배포 금지\nCopyright ⓒ Gaon Daily. All rights reserved.",
     "가온일보"),
    ("", "<저작권자 ⓒ 가온일보, 무단전재 및 재배포 금지>\nCopyright ⓒ Gaon Daily. All rights reserved.",
     "가온일보"),
    # Hanja dropped, the rest found whole in the page's copyright line
    ("週刊 가온 | 제1243호 (2026.11.23~11.29) | 경제", "ⓒ 주간 가온", "주간 가온"),
    # the Latin name alone in the copyright line, its Hangul form beside it in the masthead
    ("GaonTech 가온테크 ― 기술이 바꾸는 내일", "ⓒ GaonTech. 무단 전재 금지", "가온테크"),
    # a broadcaster's acronym is the name
    ("GBS 뉴스", "", "GBS 뉴스"),
    ("GBS 가온방송", "ⓒ GBS 가온방송. 무단 전재 금지", "GBS 가온방송"),
])
def test_the_outlet_is_named_in_hangul_as_readers_say_it(head, tail, name):
    assert outlet(f"{head}\n{HEADLINE}\n{BODY}{tail}\n".lstrip("\n")) == name
