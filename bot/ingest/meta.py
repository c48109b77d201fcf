"""What a page says about itself: title, date, outlet/author, source URL."""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.ingest.clean import COPYRIGHT, DATE_ONLY, CleanPage, page_lines
from bot.types import NAME_MAX, TITLE_MAX, clip

URL = re.compile(r"https?://[^\s<>\"'）)]+")
DATE = re.compile(r"(20\d{2}|19\d{2})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})")
BYLINE = re.compile(r"^\[([^\]\s]+)\s+([가-힣]{2,4})\s*(기자|특파원|논설위원|칼럼니스트)\]")
# A masthead part that is a date, maybe after a short name and before a time: "2026-02-10 14:35",
# "입력 2026.03.27 11:05", "온빛일보 2026년 8월 20일" (in "가람일보 | 2026-02-10 14:35").
MASTHEAD_DATE = re.compile(rf"(?:[^|]{{0,20}}\s)?{DATE.pattern}(?:일)?(?:\s+\d{{1,2}}:\d{{2}})?")
DATE_FIELD = re.compile(r"^(작성일|등록일|입력|발행일|게재일)\s*[:：]?\s*")
ORIGINAL_TITLE = re.compile(r"^원제목\s*[:：]\s*(.+?)\s+-\s+(.{2,30})$")
COPYRIGHT_OWNER = re.compile(r"(?:copyright|저작권자)\s*(?:ⓒ|©|\(c\))?\s*([^.,\n]{2,30}?)"
                             r"(?:\.|\s+무단|\s+all rights|$)", re.IGNORECASE)


@dataclass(frozen=True)
class PageMeta:
    title: str
    date: str | None
    outlet: str | None
    author: str | None
    url: str | None
    credits: str | None = None  # "THINKFORBL COLUMN SERIES · 씽크포비엘"


def _iso(match: re.Match) -> str | None:
    year, month, day = (int(g) for g in match.groups())
    if 1 <= month <= 12 and 1 <= day <= 31:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _fallback_title(page: CleanPage) -> str:
    first = page.lines[0] if page.lines else ""
    first = BYLINE.sub("", first).strip().lstrip("\"“'‘")
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    return sentence if len(sentence) <= 60 else sentence[:57].rstrip() + "…"


def extract_meta(raw_text: str, page: CleanPage) -> PageMeta:
    raw = [line for line in page_lines(raw_text) if line]
    title = page.lines[page.title_index] if page.title_index is not None else _fallback_title(page)
    title = title.strip().strip("“”\"")

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

    outlet = author = None
    for line in page.lines[:3]:
        if byline := BYLINE.match(line):
            outlet, author = byline.group(1), f"{byline.group(2)} {byline.group(3)}"
            break
    for line in raw:
        if not outlet and (orig := ORIGINAL_TITLE.match(line)):
            outlet = orig.group(2).strip()
        if not outlet and len(line) <= 200 and COPYRIGHT.search(line):
            if owner := COPYRIGHT_OWNER.search(line):
                outlet = owner.group(1).strip(" ⓒ©")
    if not outlet and page.title_index is not None:
        # A short name line right under the headline is the outlet (column pages).
        after = page.lines[page.title_index + 1: page.title_index + 2]
        if (after and len(after[0]) <= 25 and not re.search(r"[.!?]$", after[0])
                and (" " not in after[0] or re.search(r"[A-Za-z]", after[0]))):
            outlet = after[0]

    urls = URL.findall(raw_text)
    url = urls[0].rstrip(".,") if urls else None
    # A web address in the body (a forum post quoting an article, an injected link) does not
    # say who published the page: without a byline, copyright line or masthead there is no
    # outlet, and readers see the title instead.
    credits = " · ".join(c for c in page.credits if c not in (outlet, author, title))[:300]
    return PageMeta(title=clip(title, TITLE_MAX) or "(제목 없음)", date=date,
                    outlet=outlet and clip(outlet, NAME_MAX),
                    author=author and clip(author, NAME_MAX), url=url, credits=credits or None)
