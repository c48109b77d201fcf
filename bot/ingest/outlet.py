"""Which outlet published a page, from the page's own structure.

In the order of how plainly the page says it: the outlet a byline names ("[가람일보=홍길동
기자]", "[가람일보 홍길동 기자]", "(서울=가온통신) 류시온 기자 =", "【영암=남도일보】 …"); the
masthead (the page's first line, when it is a name, a brand line or a menu bar's first part);
the copyright owner ("Copyright ⓒ X", "<저작권자 ⓒ X, 무단 전재 …>", "X의 모든 콘텐츠는
저작권법의 보호를 받습니다"); the name on the publication line ("X | 입력 2026.03.04 10:20",
"X 2026/03/04 (수)", "X 이름 기자"); a brand line in the head ("더에이아이(THE AI)"). Never a web
address or an e-mail's domain: a link in the body does not say who published the page.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from bot.ingest.chrome import BAR_SEPARATOR, COPYRIGHT, is_bar, is_chrome
from bot.ingest.head import (
    BRAND,
    BYLINE_LABEL,
    DATE,
    DATE_LINE_EXTRAS,
    HEAD_LINES,
    ISSUE,
    Headline,
    Role,
    is_publication_line,
    names_someone,
    role,
)

NAMES = r"[가-힣]{2,4}(?:\s?[·,]\s?[가-힣]{2,4})*"
REPORTER = r"(?:선임기자|전문기자|객원기자|기자|특파원|논설위원|칼럼니스트|편집위원)"
BYLINE_OUTLET = (
    re.compile(rf"^\[(?P<outlet>[^\]=]+?)\s*=\s*{NAMES}\s*{REPORTER}\]"),
    re.compile(rf"^\[(?P<outlet>[^\]=]+?)\s+{NAMES}\s*{REPORTER}\]"),
    re.compile(rf"^\((?:[가-힣]{{1,6}}\s*=\s*)?(?P<outlet>[^)=]+?)\)\s*{NAMES}\s*{REPORTER}\s*="),
    re.compile(rf"^【(?:[가-힣]{{1,6}}\s*=\s*)?(?P<outlet>[^】=]+?)】\s*{NAMES}\s*{REPORTER}"),
    re.compile(rf"^\[(?P<outlet>[^\]=]+)\]\s*{NAMES}\s*{REPORTER}\s*(?:=|$|\S+@)"),
)
# The desks Korean news sites name their sections after, and their home links: a masthead
# printed with its section ("한강일보 오피니언") is the outlet without it, and a menu bar whose
# first part is one of them has no masthead in it.
DESKS = frozenset("오피니언 opinion 사설 칼럼 기고 시론 인터뷰 정치 경제 사회 국제 문화 "
                  "스포츠 연예 산업 과학 it it·과학 전국 지역 포토 영상 라이프 생활 세계 "
                  "부동산 증권 금융 기획 특집 정책".split())
HOME = frozenset("홈 home 메인 전체기사 전체메뉴 뉴스홈 뉴스".split())
YEAR_BY = r"\s*(?:(?:19|20)\d{2}(?:-\d{2,4})?\s+)?(?:by\s+)?"  # "ⓒ 2026 X", "Copyright by X"
OWNER = r"(?P<owner>[^.,|<>()\n]{2,40}?)(?=\s*(?:[.,|<>(]|무단|all rights|$))"
COPYRIGHT_OWNER = (
    re.compile(rf"^[<(\[]?\s*(?:copyright\s*)?(?:ⓒ|©|\(c\)){YEAR_BY}{OWNER}", re.IGNORECASE),
    re.compile(rf"^[<(\[]?\s*(?:copyright|저작권자)\s*(?:ⓒ|©|\(c\))?{YEAR_BY}{OWNER}",
               re.IGNORECASE),
    re.compile(r"^(?P<owner>\S.{1,29}?)의 모든 (?:콘텐츠|기사|저작물)"),
    re.compile(r"^creative commons [^·|]*[·|]\s*(?P<owner>.{2,30})$", re.IGNORECASE),
)
WEB_ADDRESS = re.compile(r"(?:https?://|www\.)[^\s)]+|[\w.-]+\.(?:com|co\.kr|or\.kr|kr|net|org)\b",
                         re.IGNORECASE)
DATED = re.compile(DATE.pattern + r"일?\.?")
# A signature that is no outlet: a desk head ("아무개 산업부장"), a count ("댓글 14", "공감 87").
NOT_A_NAME = re.compile(r"^[가-힣]{2,4}\s+[가-힣]*(?:부장|차장|팀장|에디터)$|\s\d[\d,]*$|"
                        r"댓글|공유|조회|(?:기고|글|정리)$|\d+면$")
REPORTER_LINE = re.compile(rf"^(?P<outlet>.+?)\s+{NAMES}\s*{REPORTER}(?:\s+\S+@\S+)?$")
# The label of a date field ("발표일 2026. 11. 27.", "일시: 2026년 12월 4일 오후 2시", "배포
# 2026. 11. 26."), and a time of day: what is left of a date line beside them is no name.
DATE_FIELD = re.compile(r"^(?:(?:발행|작성|등록|발표|게재|배포|보도|입력|수정|승인|방송|송고)"
                        r"일?(?:시)?|일시|일자|날짜|기사입력|최종수정)\s*[:：]?|"
                        r"(?:발행|발표|배포)$")
BULLETS = " ■□▶▷●○◆◇·-"
TIME_OF_DAY = re.compile(r"(?:오전|오후)\s?\d{1,2}시(?:\s?\d{1,2}분)?")
ORIGINAL_TITLE = re.compile(r"^원제목\s*[:：]\s*(.+?)\s+-\s+(.{2,30})$")
NAME_MAX_WORDS = 3


def _name(text: str) -> str | None:
    """`text` as an outlet's name: its section ("오피니언") or issue number off, or None when
    what is left is no name (a desk, a home link, a date, a number)."""
    text = ISSUE.sub("", text).strip(" |·─-&/")
    words = text.split()
    if len(words) > 1 and words[-1].lower() in DESKS:
        words = words[:-1]
    text = " ".join(words)
    if (len(text) < 2 or len(words) > NAME_MAX_WORDS or len(text) > 25 or text.lower() in DESKS
            or text.lower() in HOME or not re.search(r"[가-힣A-Za-z]", text)
            or re.fullmatch(r"[\d\s.:/-]+", text)):
        return None
    return text


def byline_outlet(lines: list[str]) -> str | None:
    """The outlet a reporter's byline names, wherever the byline stands (it often opens the
    lead: "[가람일보=홍길동 기자] 정부가 …")."""
    for line in lines:
        if line[:1] in "[(【":
            for shape in BYLINE_OUTLET:
                if found := shape.match(line):
                    return found["outlet"].strip()
    return None


def masthead(lines: list[str], title: Headline | None) -> str | None:
    """The name the page opens with, above its headline: a line that is a name ("누리일보",
    "하늬방송 뉴스", "한강일보 오피니언"), a brand line ("바람소리 BARAMSORI"), or a bar whose first
    part is one ("누리일보 | 전체메뉴 | 정치 …", "[누리일보] 사회 > 행정")."""
    for i, line in enumerate(lines[:3]):
        if title is not None and i >= (title.kicker_at if title.kicker_at is not None
                                       else title.at):
            return None
        if is_chrome(line) and not is_bar(line):
            continue  # a skip link, a login line
        if brand := BRAND.match(line):
            return brand["name"]
        if is_bar(line):
            first = BAR_SEPARATOR.split(line)[0].strip()
            bracketed = re.match(r"^\[([^\]]{2,25})\]", first)
            return _name(bracketed[1] if bracketed else first)
        kind = role(line)
        if kind in (Role.OTHER, Role.SHORT) and not line.startswith(("[", "(")):
            return _name(line)
        return None
    return None


def copyright_owner(lines: list[str], wanted: Callable[[str], bool] = bool) -> str | None:
    """Who holds the copyright, from the page's copyright or licence line (the last one: a
    photo's credit may say ⓒ higher up); with `wanted`, the last owner named as wanted."""
    for line in reversed(lines):
        if len(line) > 200:
            continue
        if COPYRIGHT.search(line) or re.search(r"저작권|creative commons", line, re.IGNORECASE):
            line = WEB_ADDRESS.sub("", line)  # "ⓒ 누리일보 nuri.co.kr": the name, not the address
            for shape in COPYRIGHT_OWNER:
                if (found := shape.search(line)) and (owner := _name(found["owner"].strip())) \
                        and wanted(owner):
                    return owner
    return None


def publication_outlet(lines: list[str], author: str | None) -> str | None:
    """The name on a publication line or a byline line of the head: the part before the date
    or holding it that is not a CMS label, a byline or a count ("누리일보 | 입력 2026.03.04",
    "논설위원 아무개 | 누리일보 2026년 3월 4일 | 칼럼", "누리일보 | 아무개 기자 | a@b.kr"). What
    follows the date is a section, a page or the share tools; a reporter's outlet may stand
    anywhere ("입력 … | 누리일보 아무개 기자")."""
    for line in lines[:HEAD_LINES]:
        if not (is_publication_line(line) or role(line) is Role.BYLINE):
            continue
        dated = False
        for part in BAR_SEPARATOR.split(line):
            rest = part.strip()
            if DATE.search(rest):
                rest = DATE_LINE_EXTRAS.sub(" ", DATED.sub(" ", rest)).strip()
                dated, after_date = True, dated
            else:
                after_date = dated
            rest = DATE_FIELD.sub("", TIME_OF_DAY.sub("", rest).lstrip(BULLETS)).strip(" []:：")
            reporter = REPORTER_LINE.match(rest)
            if reporter and not BYLINE_LABEL.match(rest) \
                    and not reporter["outlet"].endswith("부"):  # a desk: "경제부 아무개 기자"
                if found := _name(reporter["outlet"]):
                    return found
                continue
            if after_date or names_someone(rest) or NOT_A_NAME.search(rest) \
                    or author and rest and author.startswith(rest):
                continue
            if found := _name(rest):
                return found
    return None


def head_brand(lines: list[str]) -> str | None:
    """A brand line in the head: the outlet's name in Korean and in capitals ("더에이아이(THE
    AI)"), wherever it stands above the body."""
    for line in lines[:HEAD_LINES]:
        if role(line) is Role.BODY:
            return None
        if brand := BRAND.match(line):
            return brand["name"]
    return None


def find_outlet(lines: list[str], title: Headline | None, author: str | None) -> str | None:
    """The page's outlet by the evidence above, the plainest first, as a Korean reader says
    it (`as_read`)."""
    if found := byline_outlet(lines):
        return as_read(found, lines)
    for line in lines:
        if original := ORIGINAL_TITLE.match(line):  # a digest's "원제목: … - 네이트 뉴스"
            return original.group(2).strip()
    found = (masthead(lines, title) or copyright_owner(lines)
             or publication_outlet(lines, author) or head_brand(lines))
    return as_read(found, lines) if found else None


# A name's other script: its Hanja ("東方新聞") or its Latin rendering ("EDU FOCUS", "Hanbit
# Daily"): two Latin words or more, or one of five letters or more. A short capital acronym
# ("HBS 뉴스", "KNB") is how Koreans say a broadcaster, and Latin inside a word ("파랑IT") is
# part of the name.
OTHER_SCRIPT = re.compile(r"(?<!\S)(?:[A-Za-z][A-Za-z&.'’-]*(?:\s+[A-Za-z&.'’-]+)+|"
                          r"[A-Za-z][A-Za-z&.'’-]{4,}|[\u4e00-\u9fff]+)(?!\S)")
HANGUL = re.compile(r"[가-힣]")


def as_read(name: str, lines: list[str]) -> str:
    """An outlet's name as a Korean reader says it. Mastheads print the name in Hangul beside
    its Hanja or Latin form ("東方新聞 동방신문", "에듀포커스 EDU FOCUS") or in Latin letters
    alone, and English copyright lines use the Latin form ("Copyright ⓒ Hanbit Daily"); the page
    names itself in Hangul elsewhere ("ⓒ 동방신문. 무단 전재 …"). The name loses its other
    script; when that leaves no Hangul name, or when the page's own copyright line names it in
    Hangul with what is left ("週刊 시선" → "주간 시선"), that name is taken."""
    name = name.strip(" =")
    own = " ".join(OTHER_SCRIPT.sub(" ", name).split())
    if own == name:
        return name
    if owner := copyright_owner(lines, lambda o: bool(HANGUL.search(o)) and own in o
                                and not OTHER_SCRIPT.search(o)):
        return owner
    if len(HANGUL.findall(own)) >= 2:
        return own
    # A Latin name alone ("TechOn"): the head may print its Hangul form right beside it
    # ("TechOn 테크온 ― 기술이 바꾸는 내일").
    beside = re.compile(rf"(?:^|\s){re.escape(name)}\s+([가-힣]{{2,12}})(?=\s|$)|"
                        rf"(?:^|\s)([가-힣]{{2,12}})\s+{re.escape(name)}(?=\s|$)")
    for line in lines[:HEAD_LINES]:
        if found := beside.search(line):
            return found[1] or found[2]
    return name
