"""Separate the article from the page chrome around it.

The rules describe kinds of chrome (listings, related-news lists, navigation and login words,
IP and copyright lines, repeated header/footer blocks), never particular files.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.ingest.chrome import (
    COPYRIGHT,
    CREDIT_LABEL,
    DATETIME,
    SITE_NAME,
    URL_ONLY,
    is_bar,
    is_chrome,
    is_sentence,
)
from bot.ingest.head import BRAND, Role, headline, role, words
from bot.korean import normalize_text


@dataclass(frozen=True)
class CleanPage:
    lines: list[str]  # article lines, in order
    title_index: int | None  # index into lines of the title, when one was recognised
    title: str | None = None  # the headline as the page prints it, a kicker above it included
    # Names the page shows outside its body (a series label above the headline, a photo
    # credit): not article text, but what readers may call the page by.
    credits: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def page_lines(text: str) -> list[str]:
    text = normalize_text(text).replace("¶", "")
    return [re.sub(r"\s+", " ", line).strip() for line in text.split("\n")]


def clean_page(text: str) -> CleanPage:
    raw = [line for line in page_lines(text) if line]
    found = headline(raw)
    title_at = found.at if found else None
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
            # A name (the site's, a series label's), not a menu, a date, a byline, a kicker, or
            # a headline's length of words: another story's (a ticker), a board's description.
            if not (URL_ONLY.match(line) or is_chrome(line) or found and i == found.kicker_at
                    or role(line) in (Role.PUBLISHED, Role.BYLINE, Role.CAPTION) or words(line) > 3
                    or is_bar(line) and not BRAND.match(line)):
                credits.append(line)
            elif site := SITE_NAME.search(line):  # "82cook.com을 즐겨찾기에 추가": the site
                credits.append(site.group(0))
            continue  # header furniture above the headline: site name, board name, series label
        if (len(line) <= 200 and COPYRIGHT.search(line)):
            after_copyright = True
            continue
        if after_copyright and not (len(line) > 80 and is_sentence(line)):
            continue
        if is_chrome(line):
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
                     title=found.text if found and title_index is not None else None,
                     credits=tuple(dict.fromkeys(c.strip() for c in credits if c.strip())))
