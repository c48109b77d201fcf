"""Separate the article from the page chrome around it.

The rules describe kinds of chrome (listings, related-news lists, navigation and login words,
IP and copyright lines, repeated header/footer blocks), never particular files.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.korean import normalize_text

DATETIME = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}\.?\s+\d{1,2}:\d{2}(:\d{2})?")
DATE_ONLY = re.compile(r"^\d{4}[-./]\s?\d{1,2}[-./]\s?\d{1,2}\.?$")
LISTING_ROW = re.compile(r"^\d{3,}\s+.+\s\d{2,4}[./-]\d{1,2}[./-]\d{1,2}"
                         r"(\s+\d{1,2}:\d{2})?\s+[\d,]+$")
LISTING_HEADER_WORDS = {"번호", "제목", "작성자", "글쓴이", "이름", "날짜", "작성일", "등록일",
                        "조회", "조회수", "추천", "공감", "분류"}
COPYRIGHT = re.compile(r"(copyright|ⓒ|©|\(c\)\s|무단\s*전재|재배포\s*금지|all rights reserved)",
                       re.IGNORECASE)
IP_LINE = re.compile(r"^IP\s*[:：]\s*[\d.x*]+$", re.IGNORECASE)
NAV_WORDS = re.compile(
    r"(로그인|로그아웃|login|logout|sign in|회원가입|즐겨찾기|댓글|조회수|목록으로|이전글|다음글|"
    r"공유하기|구독하기|게시판|바로가기|메뉴|검색어|top\s*$|맨\s*위로|프린트|글씨\s*크기)",
    re.IGNORECASE)
META_FIELD = re.compile(r"^(작성일|작성자|등록일|수정일|입력|승인|글쓴이|조회)\s*[:：]")
LABEL = re.compile(r"^[-•·]?\s*\[?(사진|출처|관련\s*기사|그래픽|영상|자료)\]?\s*[:：]?\s*$")
CREDIT_LABEL = re.compile(r"^[-•·]?\s*\[?(사진|그래픽|영상)\]?\s*[:：]?\s*$")
SITE_NAME = re.compile(r"(?<![a-z0-9./])[a-z0-9][a-z0-9-]*\.(?:com|net|org|co\.kr|kr)(?![a-z0-9.])",
                       re.IGNORECASE)
URL_ONLY = re.compile(r"^(https?://\S+|www\.\S+)$")
SENTENCE_END = re.compile(r"[.!?。…][\"'”’)\]]*$")


def is_sentence(line: str) -> bool:
    return bool(SENTENCE_END.search(line))


# The separators of a site's menu bar, breadcrumb or masthead ("홈 | 정치 | 경제",
# "사회 > 행정", "한마루뉴스 ─ 2026.10.28(수) ─ 오피니언", "윤슬저널 · 정책 · 2026년 11월 20일").
BAR_SEPARATOR = re.compile(r"\s(?:\||>|─|·|/|ㅣ)\s")
BAR_DATE = re.compile(r"(?:19|20)\d{2}\s*[-./년]\s*\d{1,2}")


def is_bar(line: str) -> bool:
    """A menu bar, a breadcrumb or a masthead: short parts between separators ("사회 > 행정",
    "별다리IT | BYULDARI IT"), or parts one of which is a date. Never a headline."""
    parts = [p.strip() for p in BAR_SEPARATOR.split(line) if p.strip()]
    if len(parts) < 2 or any(len(p) > 40 for p in parts):
        return False
    return all(len(p) <= 20 for p in parts) or any(BAR_DATE.search(p) for p in parts)


@dataclass(frozen=True)
class CleanPage:
    lines: list[str]  # article lines, in order
    title_index: int | None  # index into lines of the title, when one was recognised
    # Names the page shows outside its body (a series label above the headline, a photo
    # credit): not article text, but what readers may call the page by.
    credits: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _is_listing_header(line: str) -> bool:
    words = line.split()
    return len(words) >= 3 and sum(w in LISTING_HEADER_WORDS for w in words) >= 3


def _chrome(line: str) -> bool:
    """A line that is page furniture wherever it stands."""
    short = len(line) <= 40
    return bool(
        len(line) <= 2
        or LISTING_ROW.match(line) or _is_listing_header(line)
        or IP_LINE.match(line) or URL_ONLY.match(line) or LABEL.match(line)
        or META_FIELD.match(line)
        or (short and NAV_WORDS.search(line))
        or (len(line) <= 200 and COPYRIGHT.search(line))
        or (len(line) <= 200 and DATETIME.search(line) and not is_sentence(line))
    )


def page_lines(text: str) -> list[str]:
    text = normalize_text(text).replace("¶", "")
    return [re.sub(r"\s+", " ", line).strip() for line in text.split("\n")]


def title_line(lines: list[str]) -> int | None:
    """Index of the headline: the line just before a byline/meta line, else the first short
    non-sentence line that is not a date or an all-Latin label."""
    for i, line in enumerate(lines):
        if (META_FIELD.match(line) or re.search(r"조회수?\s*[:：]\s*[\d,]+$", line)) and i > 0:
            for j in range(i - 1, -1, -1):
                if lines[j] and not _chrome(lines[j]) and not DATE_ONLY.match(lines[j]):
                    return j
            break
    for i, line in enumerate(lines[:12]):
        if (8 <= len(line) <= 100 and not is_sentence(line) and not _chrome(line)
                and not is_bar(line)
                and not re.search(r"[.!?]\s", line)
                and not DATE_ONLY.match(line) and re.search(r"[가-힣]", line)):
            return i
    return None


def clean_page(text: str) -> CleanPage:
    raw = [line for line in page_lines(text) if line]
    title_at = title_line(raw)
    kept: list[str] = []
    seen: set[str] = set()
    title_index: int | None = None
    after_copyright = False
    skip_next_credit = False
    credits: list[str] = []
    for i, line in enumerate(raw):
        key = re.sub(r"\W+", "", line).lower()
        if skip_next_credit:
            skip_next_credit = False
            if len(line) <= 30 and not is_sentence(line):
                if not URL_ONLY.match(line):
                    credits.append(line)
                continue
        if CREDIT_LABEL.match(line):
            skip_next_credit = True
        if title_at is not None and i < title_at and not is_sentence(line) and len(line) <= 60:
            seen.add(key)
            if not (URL_ONLY.match(line) or DATE_ONLY.match(line) or _chrome(line)):
                credits.append(line)
            elif site := SITE_NAME.search(line):  # "82cook.com을 즐겨찾기에 추가": the site
                credits.append(site.group(0))
            continue  # header furniture above the headline: site name, board name, series label
        if (len(line) <= 200 and COPYRIGHT.search(line)):
            after_copyright = True
            continue
        if after_copyright and not (len(line) > 80 and is_sentence(line)):
            continue
        if _chrome(line):
            continue
        # A headline standing right before a run of timestamped lines belongs to that list.
        nxt = raw[i + 1: i + 3]
        if (len(nxt) == 2 and all(DATETIME.search(n) for n in nxt) and not is_sentence(line)
                and len(line) <= 120):
            continue
        if key in seen:
            continue  # duplicated header/footer blocks
        seen.add(key)
        if i == title_at:
            title_index = len(kept)
        kept.append(line)
    return CleanPage(lines=kept, title_index=title_index,
                     credits=tuple(dict.fromkeys(c.strip() for c in credits if c.strip())))
