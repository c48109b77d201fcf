"""The headline is read from the shape of a Korean news page's head, whatever the site: the
masthead and navigation first, a publication line and a byline beside the headline,
subheadlines and a caption under it. The pages here are invented, one shape each."""
from __future__ import annotations

import pytest

from bot.ingest.clean import clean_page
from bot.ingest.head import Role, headline, is_publication_line, role
from bot.ingest.meta import extract_meta

HEADLINE = "반도체 보조금, 첫해부터 직접 지급한다"
BODY = ("정부가 내년부터 반도체 기업에 보조금을 직접 준다. 첫해 예산은 4천억 원이며 설비 투자액의 "
        "최대 30%까지 지원한다.\n업계는 환영했지만 재정 당국은 신중한 입장이다.\n")


def title(text: str) -> str:
    return extract_meta(text, clean_page(text)).title


@pytest.mark.parametrize("line", [
    "2026년 3월 4일 (수)",
    "2026년 3월 4일 수요일",
    "가온일보 2026/03/04 (수)",
    "한솔일보 오피니언 2026.03.04",
    "새온정책연구원 정책브리프 제2026-7호",  # a periodical's issue, with no date
    "월간 나래행정 2026년 5월호",
])
def test_a_publication_line_is_never_the_headline(line):
    """A short line that holds a date or an issue and little else says when and where the page
    was published, not what it reports."""
    assert is_publication_line(line)
    assert title(f"{line}\n{HEADLINE}\n{BODY}") == HEADLINE
    assert title(f"다온일보\n{line}\n{HEADLINE}\n{BODY}") == HEADLINE


@pytest.mark.parametrize("masthead", [
    "바람소리 BARAMSORI",
    "나래미디어 NARAE MEDIA",
    "한솔일보 오피니언",  # a masthead with its section: two words, no phrase
])
def test_a_masthead_or_brand_line_is_never_the_headline(masthead):
    assert title(f"{masthead}\n{HEADLINE}\n2026-03-04 10:20\n{BODY}") == HEADLINE
    assert title(f"{masthead}\n2026-03-04 10:20\n{HEADLINE}\n{BODY}") == HEADLINE


def test_a_ticker_above_the_sections_breadcrumb_is_not_the_headline():
    """Navigation comes first: whatever stands above the article's breadcrumb (a breaking-news
    ticker, another story's headline) belongs to the site, not to the article."""
    text = (f"다온일보\n정치 | 경제 | 사회 | 국제\n[속보] 기준금리 석 달 만에 동결 결정\n"
            f"경제 > 산업\n{HEADLINE}\n다온일보 | 2026-03-04 10:20\n{BODY}")
    assert title(text) == HEADLINE


def test_a_section_label_of_one_word_after_its_bracket_is_not_the_headline():
    text = f"다온일보\n정치 | 경제 | 사회\n[행정] 정부·지자체\n{HEADLINE}\n다온일보 | 2026-03-04\n{BODY}"
    assert title(text) == HEADLINE


def test_subheadlines_under_the_publication_line_are_not_the_headline():
    text = (f"다온일보\n뉴스 | 기획 | 칼럼\n{HEADLINE}\n입력 2026.03.04 09:00\n"
            "첫해 예산 4천억 원, 설비 투자의 30%까지\n업계 \"환영\" 재정 당국 \"신중\"\n"
            f"하시온 기자\n{BODY}")
    assert title(text) == HEADLINE


def test_a_kicker_alone_on_its_line_is_read_with_the_headline():
    text = f"주간 나래 온라인 | 칼럼 | 2026.03.04\n[하람의 경제 산책]\n{HEADLINE}\n{BODY}"
    assert title(text) == f"[하람의 경제 산책] {HEADLINE}"


def test_a_photo_caption_is_never_the_headline():
    assert role("▲ 4일 열린 공청회에서 업계 대표들이 발언하고 있다") is Role.CAPTION
    assert role("[사진] 4일 열린 공청회 모습") is Role.CAPTION
    text = f"경제 > 산업\n▲ 4일 열린 공청회 모습 (사진=다온일보)\n{HEADLINE}\n{BODY}"
    assert title(text) == HEADLINE


def test_a_byline_under_the_headline_is_not_the_headline():
    text = f"\"GPU는 3년, 사람은 30년 간다\"\n서하람 한빛대 AI대학원 교수\n글 윤서경 기자\n{BODY}"
    assert title(text) == "GPU는 3년, 사람은 30년 간다"


@pytest.mark.parametrize(("printed", "stored"), [
    ("“기술의 미래, 인프라만으로는 부족하다”", "기술의 미래, 인프라만으로는 부족하다"),
    ("\"전기 싼 곳에 데이터센터\"…차등요금 판 바꿀까", "\"전기 싼 곳에 데이터센터\"…차등요금 판 바꿀까"),
    ("[인터뷰] 서하람 대표 \"안방 납품만으로는 못 큰다\"", "[인터뷰] 서하람 대표 \"안방 납품만으로는 못 큰다\""),
    ("AI 예산 '1년 더'?…정부 연장 검토", "AI 예산 '1년 더'?…정부 연장 검토"),
])
def test_a_headline_keeps_its_quotation_marks_unless_it_is_quoted_whole(printed, stored):
    assert title(f"{printed}\n다온일보 | 2026-03-04\n{BODY}") == stored


def test_a_page_that_prints_no_headline_is_named_by_its_first_sentence():
    found = headline([line for line in BODY.split("\n") if line])
    assert found is None
    assert title(BODY).startswith("정부가 내년부터 반도체 기업에 보조금을 직접 준다.")


def test_what_stands_above_the_headline_leaves_the_text_and_only_names_are_credits():
    text = (f"다온일보\n정치 | 경제 | 사회\n연재 나래의 눈\n경제 > 산업\n{HEADLINE}\n"
            f"다온일보 | 2026-03-04 10:20\n{BODY}")
    page = clean_page(text)
    assert page.lines[0] == HEADLINE and "정치 | 경제" not in page.text
    assert page.credits == ("다온일보", "연재 나래의 눈")
