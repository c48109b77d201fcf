"""The head of a page: the lines above its article body, and which of them is the headline.

Korean news pages lay their head out the same way whatever the site: the masthead and the
navigation (menu bars, breadcrumbs, login and subscribe links), a publication line (a date with
an outlet, a section, CMS labels such as 입력 or 승인), the headline — maybe under a kicker
("[시론]", a series name) and over subheadlines — a byline, a photo caption; then the body.
These rules read that shape, never a particular site.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bot.ingest.chrome import META_FIELD, is_bar, is_chrome

DATE = re.compile(r"(20\d{2}|19\d{2})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})")
# What a publication line holds besides its date: a time ("오후 7:32", "14:05:10"), a weekday
# ("(목)", "목요일"), the CMS's labels for when it was published or changed, separators.
DATE_LINE_EXTRAS = re.compile(
    r"(?:오전|오후)?\s*\d{1,2}:\d{2}(?::\d{2})?|\(?[월화수목금토일](?:요일)?\)?(?=\s|$|[|·,─])|"
    r"기사입력|최종수정|송고시간|입력|수정|승인|등록|게재|게시|발행|송고|방송일|작성일|업데이트|"
    r"[|·,─—–:：\[\]()]|\s+")
DATE_LINE_REST = 40  # characters a publication line holds besides the date: a name, a section
# A periodical's issue, at the end of its line or before a separator: "제418호", "제2026-22호",
# "2026년 5월호". The line that names it is the issue's publication line.
ISSUE = re.compile(r"(?:제\s?\d[\d-]*\s?호|(?:(?:19|20)\d{2}년\s*)?\d{1,2}월호)(?=\s*(?:$|[|·─]))")
# Who wrote it, in the shapes Korean pages print it: "(서울=가온뉴스통신) 류시온 기자 =",
# "[OO일보=홍길동 기자]", "김민서 기자 minseo@…", "/ 이하늘 기자", "── 윤보람 ○○대 교수" (a
# column's signature under a rule), "글: 박지후 ○○연구원 연구위원",
# a line that is only a name, an affiliation and a role under the headline or at the end
# ("석다은 새봄과학기술정책연구소 연구위원"). A role ends it; the affiliation is up to four words.
ROLES = ("기자", "특파원", "논설위원", "논설실장", "논설주간", "편집위원", "편집국장", "객원기자",
         "칼럼니스트", "교수", "연구위원", "선임연구원", "연구원", "위원장", "부위원장", "위원",
         "대표", "공동대표", "회장", "부회장", "이사장", "이사", "사무총장", "사무국장", "국장",
         "실장", "소장", "원장", "센터장", "변호사", "작가", "의원", "전문위원", "정책위원장",
         "연구소장", "박사", "평론가", "활동가")
ROLE = "|".join(sorted(map(re.escape, ROLES), key=len, reverse=True))
WRITER = re.compile(
    r"(?:^|[=()\[]\s*|^\s*(?:글|글·사진|사진·글|기고|필자)\s*[:：]?\s*|^\s*[/—–\-─―]+\s*)"
    rf"(?P<who>[가-힣]{{2,4}}(?:\s+[^\s=\]]{{1,20}}){{0,4}}?\s*(?:{ROLE}))"
    r"(?=\s*(?:=|\]|$|[\w.+-]+@|\(|,|·\s))")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A byline's own labels: "글 임나루 기자", "대담·정리 윤보람 기자", "인터뷰·정리 …", "사진 …".
BYLINE_LABEL = re.compile(r"^(?:글|사진|글·사진|사진·글|대담|대담·정리|인터뷰·정리|정리|취재|"
                          r"기고|필자)(?:\s|[:：=]|$)")
# A photo's or a graphic's caption: "[사진] …", "▲ …", "(사진=…)", "사진=… 제공".
CAPTION = re.compile(r"^(?:\[(?:사진|그래픽|영상|일러스트)[^\]]*\]|[▲△]|(?:사진|그래픽)\s*=)|"
                     r"\((?:사진|그래픽)\s*=[^)]*\)$|사진\s*제공\)?$")
# A label alone on its line above the headline: a section or series name ("[시론]", "[CEO
# 인터뷰]", "[강태윤의 디지털 단상]"). The headline is read with it, as the page prints it.
KICKER = re.compile(r"^[\[【][^\]】]{1,24}[\]】]$")
LEADING_LABEL = re.compile(r"^[\[【<][^\]】>]{1,24}[\]】>]\s*")
# A masthead's brand line: the name in Korean and again in capitals ("테크물결 TECHMULGYEOL",
# "디지털누리 DIGITAL NURI", "더에이아이(THE AI)").
BRAND = re.compile(r"^(?P<name>[가-힣][\w가-힣]*)\s*(?:\(\s*)?[A-Z][A-Z0-9&.\- ]*[A-Z0-9]\s*\)?$")
RUNNING_TEXT = 100  # a longer line is the body's, whatever it ends with
HEAD_LINES = 15  # the head is read in the page's first lines


class Role(Enum):
    NAVIGATION = "navigation"  # masthead, menu, breadcrumb, login/subscribe, share tools
    PUBLISHED = "published"  # a publication line: a date or an issue and little else
    BYLINE = "byline"
    CAPTION = "caption"
    KICKER = "kicker"
    PHRASE = "phrase"  # a headline's words: three or more
    SHORT = "short"  # a two-word phrase: a section label or a brand more often than a headline
    BODY = "body"
    OTHER = "other"


def date_line_rest(line: str) -> str | None:
    """What a line holds besides its date, its time, weekday and CMS labels, or None when it
    holds no date or says more than a publication line does (a sentence)."""
    if len(line) > 160 or not DATE.search(line) or re.search(r"(?:다|요)[.!?]?[\"”’']*$", line):
        return None
    return DATE_LINE_EXTRAS.sub("", DATE.sub("", line)).rstrip("일")


def is_publication_line(line: str) -> bool:
    """A short line that holds a date, or an issue number, and little else: an outlet, a
    section, a byline, CMS labels ("가람일보 | 입력 2026.03.27 11:05", "2026년 11월 20일 (금)",
    "주간 코드 제418호 | 2026.10.13 발행", "새얼정책연구원 정책브리프 제2026-22호")."""
    rest = date_line_rest(line)
    if rest is not None:
        return len(rest) <= DATE_LINE_REST
    if len(line) > 80 or not ISSUE.search(line) or line.endswith("."):
        return False
    return len(re.sub(r"[\s|·─]+", "", ISSUE.sub("", line))) <= DATE_LINE_REST


def names_someone(line: str) -> bool:
    """A byline: a name with a role ("이하늘 기자", "글: 박지후 ○○연구원 연구위원"), an e-mail, or a
    byline's label; in a bar, any part ending in a role ("연구책임자: 안채령 선임연구위원")."""
    if EMAIL.search(line) or BYLINE_LABEL.match(line) or WRITER.search(line[:80]):
        return True
    return is_bar(line) and any(re.search(rf"(?:{ROLE})$", part.strip())
                                for part in re.split(r"\s[|·]\s", line))


def words(line: str) -> int:
    """How many words the line says, a leading label ("[시론]") not counted."""
    return len(LEADING_LABEL.sub("", line).split())


def role(line: str) -> Role:
    """What a line of a page's head is (see the module's docstring)."""
    if len(line) <= 2:
        return Role.OTHER
    if is_publication_line(line):
        return Role.PUBLISHED
    if CAPTION.search(line):
        return Role.CAPTION
    if is_bar(line) or BRAND.match(line):
        return Role.BYLINE if names_someone(line) else Role.NAVIGATION
    if META_FIELD.match(line):
        return Role.PUBLISHED
    if is_chrome(line):
        return Role.NAVIGATION
    if len(line) > RUNNING_TEXT or re.search(r"[.。][\"'”’)\]]*$", line):
        return Role.BODY  # a headline never ends with a full stop
    if len(line) <= 60 and names_someone(line):
        return Role.BYLINE
    if KICKER.match(line):
        return Role.KICKER
    if len(line) < 8 or not re.search(r"[가-힣]", line) or re.search(r"[.!?]\s", line):
        return Role.OTHER
    count = words(line)
    return Role.PHRASE if count >= 3 else Role.SHORT if count == 2 else Role.OTHER


@dataclass(frozen=True)
class Headline:
    at: int  # index of the headline's line
    text: str  # as the page prints it: its kicker, when one stands alone above it, first
    kicker_at: int | None = None


def headline(lines: list[str]) -> Headline | None:
    """The page's headline among its lines (empty lines left out), or None when it prints
    none (a lead pasted on its own).

    A board or blog post: the line just before its field line ("작성일: …", "조회수: 12").
    Otherwise the headline is the first line that says a phrase — three words or more, not
    chrome, a publication line, a byline or a caption — after the last navigation line that
    stands above such a phrase: mastheads and menus come first, and a ticker or a section's
    breadcrumb above the headline is still navigation ("[속보] …" then "IT·과학 > 정책" then the
    headline), while a publication line, a byline or a share bar may stand above or below it.
    Subheadlines follow the headline, so the first phrase is it. Two-word lines (a section
    label, a brand, "한강데일리 오피니언") count only when the head holds no phrase."""
    for i, line in enumerate(lines):
        if (META_FIELD.match(line) or re.search(r"조회수?\s*[:：]\s*[\d,]+$", line)) and i > 0:
            for j in range(i - 1, -1, -1):
                if lines[j] and not is_chrome(lines[j]) and not is_publication_line(lines[j]):
                    return Headline(j, lines[j])
            break
    head: list[tuple[int, Role]] = []
    for i, line in enumerate(lines[:HEAD_LINES]):
        kind = role(line)
        if kind is Role.BODY:
            break
        head.append((i, kind))
    for wanted in (Role.PHRASE, Role.SHORT):
        phrases = [i for i, kind in head if kind is wanted]
        if not phrases:
            continue
        navigation = [i for i, kind in head if kind is Role.NAVIGATION and i < phrases[-1]]
        at = next(i for i in phrases if not navigation or i > navigation[-1])
        if at > 0 and role(lines[at - 1]) is Role.KICKER:
            return Headline(at, f"{lines[at - 1]} {lines[at]}", at - 1)
        return Headline(at, lines[at])
    return None
