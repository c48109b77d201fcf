"""Kinds of page chrome, line by line: listings, navigation and login words, IP and
copyright lines, labels, menu bars and breadcrumbs. Each describes a kind of furniture, never
a particular site; `clean.py` drops what they match and `head.py` reads the head with them."""
from __future__ import annotations

import re

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
    r"공유하기|구독하기|게시판|바로가기|메뉴|검색어|top\s*$|맨\s*위로|프린트|글씨\s*크기|글자\s*크기)",
    re.IGNORECASE)
# A post's neighbours on a board or a site: "목록 | 이전글: … | 다음글: …", "▲ 이전 기사: …".
NEIGHBOURS = re.compile(r"(이전|다음)\s?(글|기사|게시물)\s*[:：▲▼]")
# A press release's contact fields ("담당부서: … 책임자: 과장 …"), a video player's line ("▶
# 동영상 재생 (01:58)"), a market ticker ("코스피 3,287.14 ▲21.06 코스닥 …").
PRESS_FIELD = re.compile(r"^(담당\s?부서|담당자|책임자|문의처?|배포\s?일시|보도\s?일시|엠바고)"
                         r"\s*[:：]")
PLAYER = re.compile(r"^[▶►]\s*(동영상|영상|음성)?\s*(재생|보기|듣기)")
TICKER = re.compile(r"(코스피|코스닥|나스닥|다우|원/달러)\s*[\d,]+\.\d+\s*[▲▼△▽+-]")
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
# "사회 > 행정", "오피니언 › 사설", "한마루뉴스 ─ 2026.10.28(수) ─ 오피니언",
# "윤슬저널 · 정책 · 2026년 11월 20일").
BAR_SEPARATOR = re.compile(r"\s(?:\||>|›|»|─|·|/|ㅣ)\s")
BAR_DATE = re.compile(r"(?:19|20)\d{2}\s*[-./년]\s*\d{1,2}")


def is_bar(line: str) -> bool:
    """A menu bar, a breadcrumb or a masthead: short parts between separators ("사회 > 행정",
    "별다리IT | BYULDARI IT"), or parts one of which is a date. Never a headline."""
    parts = [p.strip() for p in BAR_SEPARATOR.split(line) if p.strip()]
    if len(parts) < 2 or any(len(p) > 40 for p in parts):
        return False
    return all(len(p) <= 20 for p in parts) or any(BAR_DATE.search(p) for p in parts)


def is_listing_header(line: str) -> bool:
    words = line.split()
    return len(words) >= 3 and sum(w in LISTING_HEADER_WORDS for w in words) >= 3


def is_chrome(line: str) -> bool:
    """A line that is page furniture wherever it stands."""
    short = len(line) <= 40
    return bool(
        len(line) <= 2
        or LISTING_ROW.match(line) or is_listing_header(line)
        or IP_LINE.match(line) or URL_ONLY.match(line) or LABEL.match(line)
        or META_FIELD.match(line)
        or (short and NAV_WORDS.search(line))
        or (len(line) <= 300 and NEIGHBOURS.search(line) and not is_sentence(line))
        or (len(line) <= 200 and (PRESS_FIELD.match(line) or PLAYER.match(line)
                                  or TICKER.search(line)) and not is_sentence(line))
        or (len(line) <= 200 and COPYRIGHT.search(line))
        or (len(line) <= 200 and DATETIME.search(line) and not is_sentence(line))
    )
