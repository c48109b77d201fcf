"""What a page says about itself: title, date, outlet/author, source URL."""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.ingest.chrome import DATE_ONLY
from bot.ingest.clean import CleanPage, page_lines
from bot.ingest.head import DATE, DATE_LINE_REST, WRITER, date_line_rest, headline
from bot.ingest.outlet import find_outlet
from bot.types import NAME_MAX, TITLE_MAX, clip

URL = re.compile(r"https?://[^\s<>\"'）)]+")
BYLINE = re.compile(r"^\[([^\]\s]+)\s+([가-힣]{2,4})\s*(기자|특파원|논설위원|칼럼니스트)\]")
# A masthead part that is a date, maybe after a short name and before a time: "2026-02-10 14:35",
# "입력 2026.03.27 11:05", "온빛일보 2026년 8월 20일" (in "가람일보 | 2026-02-10 14:35").
MASTHEAD_DATE = re.compile(rf"(?:[^|]{{0,20}}\s)?{DATE.pattern}(?:일)?(?:\s+\d{{1,2}}:\d{{2}})?")
DATE_FIELD = re.compile(r"^(작성일|등록일|입력|발행일|게재일)\s*[:：]?\s*")
PUBLISHED = re.compile(r"기사입력|송고|입력|승인|등록|게재|게시|발행|방송일|작성일")


@dataclass(frozen=True)
class PageMeta:
    title: str
    date: str | None
    outlet: str | None
    author: str | None
    url: str | None
    credits: str | None = None  # "THINKFORBL COLUMN SERIES · 씽크포비엘"


def _iso(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    year, month, day = (int(g) for g in match.groups())
    if 1 <= month <= 12 and 1 <= day <= 31:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _unquoted(title: str) -> str:
    """A headline printed whole in quotation marks without them ("“기술의 미래, …”"); one
    that only opens or closes with a quote ("“…” 시민단체 반발", "[인터뷰] 아무개 “…”") keeps
    its marks."""
    inner = title[1:-1]
    if len(title) > 2 and title[0] in "“\"" and title[-1] in "”\"" \
            and not re.search("[“”\"]", inner):
        return inner.strip()
    return title


def _fallback_title(page: CleanPage) -> str:
    first = page.lines[0] if page.lines else ""
    first = BYLINE.sub("", first).strip().lstrip("\"“'‘")
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    return sentence if len(sentence) <= 60 else sentence[:57].rstrip() + "…"


SIGNED = re.compile(r"^\(?필자는\s+(?P<what>.{2,40}?)\s*(?:이다|다|입니다)\.?\)?$")


def _writer(raw: list[str], page: CleanPage) -> str | None:
    """The byline: a short line that names someone with a role, near the headline or at the
    end of the page (where columns sign), or the reporter's name at the lead's start."""
    start = page.title_index or 0
    tail = raw[-6:]
    for i, line in enumerate(tail):  # "남기훈" / "필자는 ○○협회 회장이다."
        if (signed := SIGNED.match(line)) and i and re.fullmatch(r"[가-힣]{2,4}", tail[i - 1]):
            return f"{tail[i - 1]} {signed['what']}"
    near = page.lines[start + 1:start + 4] + page.lines[-4:] + raw[-8:]
    for line in near + page.lines[start + 1:start + 6]:
        head = line[:80]
        if len(line) > 60 and not re.match(r"^[(\[]", line):
            continue  # running text; a lead's "(서울=…) 류시온 기자 =" is its first words
        if found := WRITER.search(head):
            who = re.sub(r"\s+", " ", found["who"]).strip()
            if who.split()[0] not in ("글", "사진", "필자"):
                return who
    return None


def _published(raw: list[str]) -> str | None:
    """The date of the page's publication line, near its top (or, failing that, its end): a
    short line that holds a date and little else — an outlet, a section, an issue number, a
    byline, a time, a weekday, "입력", "승인", "송고" ("주간 코드 제418호 | 2026년 10월 13일
    발행"; at the end, "2026.11.12 17:40 송고"). A sentence that names a date is not one: it
    says more."""
    # At the end a list of other articles' titles and dates ("관련기사") is common: only a
    # line that is a date with a label that says it was published ("송고", "입력") is the
    # page's own.
    top = min(12, (len(raw) + 1) // 2)  # of a short page, its first half
    lines = [(line, DATE_LINE_REST) for line in raw[:top]] + \
        [(line, 0) for line in raw[max(top, len(raw) - 8):]]
    for line, most in lines:
        if (rest := date_line_rest(line)) is None:
            continue
        found = DATE.search(line)
        if len(rest) <= most and (most or PUBLISHED.search(line)) and (date := _iso(found)):
            return date
    return None


def extract_meta(raw_text: str, page: CleanPage) -> PageMeta:
    raw = [line for line in page_lines(raw_text) if line]
    title = _unquoted(page.title) if page.title else _fallback_title(page)

    date = None
    for line in raw:  # an explicit date field or a line that is only a date
        if DATE_FIELD.match(line) or DATE_ONLY.match(line):
            found = DATE.search(line)
            if found and (date := _iso(found)):
                break
    for line in raw[:12] if date is None else ():  # a masthead: "가람일보 | 2026-02-10 14:35"
        parts = [DATE_FIELD.sub("", p.strip()) for p in line.split("|")] if len(line) <= 120 \
            else []
        found = next((m for p in parts[1:] + parts[:1] if len(parts) > 1 and
                      (m := MASTHEAD_DATE.fullmatch(p))), None)
        if found and (date := _iso(DATE.search(found.group(0)))):
            break

    date = date or _published(raw)

    author = None
    for line in page.lines[:3]:
        if byline := BYLINE.match(line):
            author = f"{byline.group(2)} {byline.group(3)}"
            break
    author = author or _writer(raw, page)
    outlet = find_outlet(raw, headline(raw), author)

    urls = URL.findall(raw_text)
    url = urls[0].rstrip(".,") if urls else None
    # A web address in the body (a forum post quoting an article, an injected link) does not
    # say who published the page: without a byline, copyright line or masthead there is no
    # outlet, and readers see the title instead.
    credits = " · ".join(c for c in page.credits if c not in (outlet, author, title))[:300]
    return PageMeta(title=clip(title, TITLE_MAX) or "(제목 없음)", date=date,
                    outlet=outlet and clip(outlet, NAME_MAX),
                    author=author and clip(author, NAME_MAX), url=url, credits=credits or None)
