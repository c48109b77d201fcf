"""Stories: the documents that report one event, told by several outlets, as one item.

Two reports tell the same event when they appeared within a few days of each other, their
titles and leads share what the event is about (words that are rare in the collection, not
"AI" or "정부") and they state at least one identical fact: a figure with its unit
("1만 5천 장", "410만 달러") or a date ("2028년 1월"). Word overlap alone joins op-eds that
answer each other and an outlet's follow-up a week later; a shared fact alone joins unrelated
articles that quote one budget figure. A story is the set of documents linked that way."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from bot import texts
from bot.news.facts import DATE_UNITS, FactReader, Facts
from bot.store import Store
from bot.types import Document

STORY_DAYS = 3  # reports of one event appear within this many days of each other
# The weight of the lead words two reports share: about two words each rarer than one chunk
# in ten (idf ≥ ln 10 ≈ 2.3) — an event's place, actor or object, not the collection's theme.
SHARED_WEIGHT = 2 * math.log(10)
MIN_CHUNKS = 1000  # about a hundred documents
LINKED = 0.5  # of the pairs across two groups, the share that must tell one event to merge them
# A round figure ("3개", "30%", "3천만 원": one significant digit) recurs in unrelated reports
# by chance; "1만 5천 장", "2,048장" and "7.8%" are particular to what they count.


def _specific(value: float) -> bool:
    digits = f"{value:.6g}".replace(".", "").replace("-", "").split("e")[0].strip("0")
    return len(digits) >= 2
_TITLE_PARTS = re.compile(r"\s*(?:…|\.\.\.|·{2,}|[\"“”'‘’\[\]]|\s-\s)\s*")


def idf(store: Store, words: set[str]) -> dict[str, float]:
    """How rare each word is among the stored chunks. A small store counts as MIN_CHUNKS
    chunks: a word in two of its first twenty chunks is rare, not common."""
    total, counts = store.term_frequencies(sorted(words))
    total = max(total, MIN_CHUNKS)
    return {w: math.log((total + 1) / (counts.get(w, 0) + 1)) for w in words}


@dataclass(frozen=True)
class Story:
    docs: tuple[Document, ...]  # earliest report first
    label: str  # names the event: the title phrase the reports share most, verbatim
    outlets: tuple[str, ...]  # each outlet (or title, when none is known) once

    @property
    def outlets_line(self) -> str:
        """"3개 매체: 누리경제, 한빛타임스, 새벽뉴스"."""
        return texts.STORY_OUTLETS.format(count=len(self.outlets),
                                          names=", ".join(self.outlets))


class StoryFinder:
    """Groups stored documents into stories, weighing words by how rare they are among the
    stored chunks (the store's own term counts)."""

    def __init__(self, store: Store, facts: FactReader) -> None:
        self.store, self.facts = store, facts

    def stories(self, docs: list[Document]) -> list[Story]:
        """Every document in exactly one story; stories with most outlets first, then the
        newest."""
        facts = [self.facts.facts(d) for d in docs]
        weight = self._idf(set().union(*(f.lead_words for f in facts)) if facts else set())
        linked = {(i, j) for i, a in enumerate(facts) for j in range(i + 1, len(facts))
                  if same_event(a, facts[j], weight)}
        # A report joins a story when it tells the event with at least half of its reports,
        # not through a chain: a follow-up links to the story, another event to the follow-up.
        groups: list[list[int]] = [[i] for i in range(len(facts))]
        for i, j in sorted(linked):
            gi = next(g for g in groups if i in g)
            gj = next(g for g in groups if j in g)
            if gi is gj:
                continue
            across = sum((min(x, y), max(x, y)) in linked for x in gi for y in gj)
            if across >= LINKED * len(gi) * len(gj):
                gi.extend(gj)
                groups.remove(gj)
        out = [self._story([facts[i] for i in group], weight) for group in groups]
        out.sort(key=lambda s: max(d.date or "" for d in s.docs), reverse=True)
        out.sort(key=lambda s: (-len(s.outlets), -len(s.docs)))  # stable: newest first
        return out

    def _idf(self, words: set[str]) -> dict[str, float]:
        return idf(self.store, words)

    def _story(self, group: list[Facts], weight: dict[str, float]) -> Story:
        group = sorted(group, key=lambda f: (f.day or "9999", f.doc.id))
        docs = tuple(f.doc for f in group)
        outlets = tuple(dict.fromkeys(d.display_name for d in docs))
        return Story(docs, label(group, weight), outlets)


def specific_facts(f: Facts, cited: bool = False) -> set[tuple[float, str]]:
    """The figures (value, unit) and dates a report states that few others would by chance;
    `cited`: with the earlier values it gives for a change ("8천 장에서 7천 장으로": 8천).
    A date counts to the month as well: two reports of one decision place its deadline as
    "21일까지" and "22일부터"."""
    out = {(g.value, g.unit) for g in f.figures
           if g.unit not in DATE_UNITS and (cited or not g.replaced)
           and _specific(g.value)}
    return out | {(0.0, d) for d in f.dates} | {(0.0, d[:7]) for d in f.dates}


def same_event(a: Facts, b: Facts, weight: dict[str, float]) -> bool:
    """Whether two reports tell one event: both report (an editorial or a column argues about
    an event, it does not tell it), near in time, about the same rare things, and stating one
    identical specific fact. The same names alone are not enough: a company's launch and its
    office opening the next day share every name and are two events."""
    if a.doc.id == b.doc.id or not a.day or not b.day or a.argues or b.argues:
        return False
    if abs((date.fromisoformat(a.day) - date.fromisoformat(b.day)).days) > STORY_DAYS:
        return False
    shared = sum(weight.get(w, 0.0) for w in a.lead_words & b.lead_words)
    return shared >= SHARED_WEIGHT and bool(specific_facts(a) & specific_facts(b))


def label(group: list[Facts], weight: dict[str, float]) -> str:
    """The phrase of a report's title (split at "…", quotes and brackets) that holds most
    of the words the story's reports share: "AI 기본법 과태료 계도기간 1년 연장"."""
    if len(group) == 1:
        parts = _parts(group[0].doc.title)
        return parts[0] if parts else group[0].doc.title
    shared = {w for i, f in enumerate(group) for g in group[i + 1:]
              for w in f.lead_words & g.lead_words}
    best, score = group[0].doc.title, -1.0
    for f in group:
        for part in _parts(f.doc.title):
            held = sum(weight.get(w, 0.0) for w in shared if w in part.lower())
            if held > score or (held == score and len(part) < len(best)):
                best, score = part, held
    return best


def _parts(title: str) -> list[str]:
    return [p.strip() for p in _TITLE_PARTS.split(title) if len(p.strip()) >= 4]
