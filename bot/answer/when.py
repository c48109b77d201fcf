"""The dates a page's relative time words mean, counted from the day the page was written.

A report says "다음 달 4일까지", "지난 17일", "내년 상반기" about its own day; read weeks
later, on a phone, "다음 달" is a riddle. Korean news writes time in a few shapes, and each
is read here: a month counted from the page's ("지난달", "이달", "이번 달", "다음 달",
"내달", with or without a day), a year counted from it ("지난해", "작년", "올해", "내년", with
or without a month and a day), a day of this month or the last ("지난 17일": the 17th before
the page's day; "오는 4일": the 4th after it) and the day before, of and after it ("어제",
"오늘", "내일")."""
from __future__ import annotations

import re
from datetime import date, timedelta

MONTHS = {"지난달": -1, "지난 달": -1, "이달": 0, "이번 달": 0, "이번달": 0, "다음 달": 1,
          "다음달": 1, "내달": 1}
YEARS = {"지난해": -1, "작년": -1, "올해": 0, "금년": 0, "내년": 1}
DAYS = {"어제": -1, "오늘": 0, "내일": 1}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_YEAR = "|".join(YEARS)
SHAPES = (
    ("month_day", re.compile(rf"(?<![가-힣])({_MONTH})\s?(\d{{1,2}})일")),
    ("year_month", re.compile(rf"(?<![가-힣])({_YEAR})\s?(\d{{1,2}})월(?:\s?(\d{{1,2}})일)?")),
    ("month", re.compile(rf"(?<![가-힣])({_MONTH})(?!\s?\d)")),
    ("year", re.compile(rf"(?<![가-힣])({_YEAR})(?!\s?\d{{1,2}}월)")),
    ("past_day", re.compile(r"(?<![가-힣])지난\s?(\d{1,2})일")),
    ("next_day", re.compile(r"(?<![가-힣])오는\s?(\d{1,2})일")),
    ("day", re.compile(r"(?<![가-힣])(어제|오늘|내일)(?![가-힣])")),
)


def _month(written: date, offset: int) -> tuple[int, int]:
    index = written.year * 12 + written.month - 1 + offset
    return index // 12, index % 12 + 1


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def meanings(text: str, written: date) -> list[tuple[str, str]]:
    """Each relative time expression of `text` (in order, each once) with what it means on a
    page written on `written`: ("다음 달 4일", "2026년 12월 4일"), ("내년", "2027년")."""
    found: dict[int, tuple[int, str, str]] = {}
    taken: list[range] = []
    for kind, shape in SHAPES:
        for m in shape.finditer(text):
            if any(m.start() in span or m.end() - 1 in span for span in taken):
                continue
            meaning = _meaning(kind, m, written)
            if meaning:
                taken.append(range(m.start(), m.end()))
                found[m.start()] = (m.start(), m.group(0), meaning)
    seen, out = set(), []
    for _, said, meaning in sorted(found.values()):
        if said not in seen:
            seen.add(said)
            out.append((said, meaning))
    return out


def _meaning(kind: str, m: re.Match[str], written: date) -> str | None:
    if kind == "month_day":
        year, month = _month(written, MONTHS[m.group(1)])
        day = int(m.group(2))
        return f"{year}년 {month}월 {day}일" if _valid(year, month, day) else None
    if kind == "year_month":
        year, month = written.year + YEARS[m.group(1)], int(m.group(2))
        if not 1 <= month <= 12:
            return None
        if m.group(3):
            day = int(m.group(3))
            return f"{year}년 {month}월 {day}일" if _valid(year, month, day) else None
        return f"{year}년 {month}월"
    if kind == "month":
        year, month = _month(written, MONTHS[m.group(1)])
        return f"{year}년 {month}월"
    if kind == "year":
        return f"{written.year + YEARS[m.group(1)]}년"
    if kind in ("past_day", "next_day"):
        day = int(m.group(1))
        past = kind == "past_day"
        same = day < written.day if past else day > written.day
        year, month = _month(written, 0 if same else (-1 if past else 1))
        return f"{year}년 {month}월 {day}일" if _valid(year, month, day) else None
    if kind == "day":
        when = written + timedelta(days=DAYS[m.group(1)])
        return f"{when.year}년 {when.month}월 {when.day}일"
    return None


def topic_particle(word: str) -> str:
    """은 after a closing consonant, 는 after a vowel ("‘다음 달’은", "‘올해’는")."""
    last = word.rstrip()[-1:] if word.strip() else ""
    if "가" <= last <= "힣":
        return "은" if (ord(last) - 0xAC00) % 28 else "는"
    return "은"
