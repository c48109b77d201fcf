"""A figure several documents give differently. "…확보하려는 GPU는 몇 장이에요?" over a
collection: the articles that match the question best may give no count at all, while one says
1만 5천, a later one 1만 8천 and a third the 5만 target. Choosing one of them (or refusing) hides
the disagreement; the answer is each source's own sentence, quoted and dated, newest first, so
the reader sees which figure comes from where. No model call: every word shown is verbatim."""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from bot import texts
from bot.answer.retrieval import Coverage, Retriever
from bot.answer.understand import Asked
from bot.answer.verify import CONTINUES, holds
from bot.news.facts import DATE_UNITS, FIGURE, NAMED_FIGURE, value_of
from bot.store import Store
from bot.types import Document, Source

SOURCES = 4  # documents quoted, one sentence each
CANDIDATES = 8  # of the best-covering documents, how many are looked into
COVERED = 0.85  # the share of the question's terms a document must hold as a whole
SENTENCE_SHARE = 0.4  # the share of the question's topic the figure's sentence must hold
MIN_SHARE = 0.4  # a document answered from instead must hold this much of the question
# A value a question names: a date ("1월 1일"), or a figure as Korean writes it, with its unit
# ("4,800MW", "38.2%", "11곳", "3.6조"). A year, a month or a day alone says when, not how much.
DAY_VALUE = re.compile(r"(?<!\d)(\d{1,2})\s*월\s*(\d{1,2})\s*일")
PROSE = re.compile(r"(?:다|요|죠)[.!]?[\"”’']?\s*$")  # a sentence that ends as prose does


def _best(retriever: Retriever, asked: Asked, doc: Document) -> tuple[float, str]:
    """The document's sentence that gives a figure of the kind asked for and holds most of
    the question's topic, with that share. A sentence that goes on about the one before it
    ("이들이 1년간 구매한 GPU만 20만개") holds that one's words too."""
    read, topic = asked.read, asked.topic or asked.weights
    total = sum(topic.values())
    if not total:
        return 0.0, ""
    scored: list[tuple[float, str]] = []
    before: frozenset[str] = frozenset()
    for sentence, terms in retriever.document_sentence_terms(doc.id):
        held = terms | before if CONTINUES.search(sentence) else terms
        before = terms
        if read.filled(sentence) and sentence != doc.title.strip():
            scored.append((sum(w for t, w in topic.items() if holds(held, t)) / total, sentence))
    return max(scored, default=(0.0, ""))


def elsewhere(store: Store, retriever: Retriever, asked: Asked, docs: Sequence[Document],
              coverage: Sequence[Coverage]) -> Document | None:
    """Asked for a figure that the document chosen does not give (no sentence of it with a
    figure of that kind is about the question), the one document among the next best that
    does: "엔비디아 칩 제일 많이 산 빅테크 두 곳이 GPU를 몇 개나 샀다고 했어요?" is answered by
    the speech that gives 20만 개, not by the article that says 빅테크 most often."""
    read = asked.read
    if read.slot != "figure" or read.compare or not docs or \
            _best(retriever, asked, docs[0])[0] >= SENTENCE_SHARE:
        return None
    names = asked.search_names
    found = []
    for cov in coverage[:CANDIDATES]:
        doc = store.document(cov.doc_id)
        if doc is None or doc.id == docs[0].id or cov.share < MIN_SHARE or \
                not names <= cov.matched:
            continue
        if (share := _best(retriever, asked, doc)[0]) >= SENTENCE_SHARE:
            found.append((share, doc))
    return max(found, key=lambda f: f[0])[1] if found else None


def across(store: Store, retriever: Retriever, asked: Asked, docs: Sequence[Document],
           coverage: Sequence[Coverage]) -> list[tuple[Document, str]]:
    """The (document, sentence) pairs to quote when the question asks for a figure, the
    document chosen for it gives none, and at least two others that hold the whole question
    do; otherwise none (the question is answered as usual)."""
    read = asked.read
    topic = asked.topic or asked.weights
    total = sum(topic.values())
    if read.slot != "figure" or read.compare or not total or not docs:
        return []

    def best(doc: Document) -> tuple[float, str]:
        return _best(retriever, asked, doc)

    if best(docs[0])[0] >= SENTENCE_SHARE:
        return []  # the document chosen gives the figure: answered from it
    # The proper names asked about ("한결-3"): a document without them is about something else.
    names = asked.search_names
    found: list[tuple[float, Document, str]] = []
    for cov in coverage[:CANDIDATES]:
        doc = store.document(cov.doc_id)
        if cov.share < COVERED or not names <= cov.matched or doc is None:
            continue
        share, sentence = best(doc)
        if share >= SENTENCE_SHARE and sentence in doc.text:
            found.append((share, doc, sentence))
    found = sorted(found, key=lambda f: -f[0])[:SOURCES]
    if len(found) < 2:
        return []
    found.sort(key=lambda f: f[1].date or "", reverse=True)
    return [(doc, sentence) for _, doc, sentence in found]


Value = tuple[str, Callable[[str], bool]]  # as the question writes it; whether a sentence states it


def _normal(value: float, unit: str) -> tuple[float, str]:
    """One unit for one kind: percentage points as percent, power in MW, the counters of
    organisations ("곳", "개사", "개") as one."""
    unit = {"퍼센트": "%", "%p": "%", "개사": "곳", "개": "곳"}.get(unit, unit)
    if unit in ("GW", "kW"):
        return value * (1000.0 if unit == "GW" else 0.001), "MW"
    return value, unit


def _stating(value: float, unit: str) -> Callable[[str], bool]:
    def states(sentence: str) -> bool:
        for m in FIGURE.finditer(sentence):
            found = value_of(m.group(1))
            if found is None or m.group(2) in DATE_UNITS:
                continue
            found, found_unit = _normal(found, m.group(2))
            if (found_unit == unit or not unit) and math.isclose(found, value, rel_tol=1e-9):
                return True
        return False
    return states


def _saying(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda sentence: bool(pattern.search(sentence))


def named_values(question: str) -> list[Value]:
    """The values a question sets against each other ("11곳이야 19곳이야?", "4.2GW라는 데도
    있고 4,800MW라는 데도", "3.6조라는 기사도 있고 6.3조라는 칼럼도"), each as written with
    whether a sentence states it (the same value in the same unit however it is written:
    "3조 6,000억 원" states "3.6조", "4,200MW" states "4.2GW"); none unless it names two or more
    dates, or two or more figures."""
    days = list(dict.fromkeys(m.group(0) for m in DAY_VALUE.finditer(question)))
    if len(days) >= 2:
        return [(day, _saying(re.compile(rf"(?<!\d){m[1]}\s*월\s*{m[2]}\s*일")))
                for day in days if (m := DAY_VALUE.match(day))]
    found: dict[tuple[float, str], str] = {}
    for m in NAMED_FIGURE.finditer(DAY_VALUE.sub(" ", question)):
        value, unit = value_of(m.group(1)), m.group(2) or ""
        if value is None or unit in DATE_UNITS or not unit and not re.search(r"[조억만]",
                                                                             m.group(1)):
            continue  # a year, a month; a bare number says not what it counts
        found.setdefault(_normal(value, unit), m.group(0).strip())
    if len(found) < 2:
        return []
    return [(said, _stating(value, unit)) for (value, unit), said in found.items()]


def stated(store: Store, retriever: Retriever, asked: Asked,
           coverage: Sequence[Coverage]) -> list[tuple[str, Document | None, str]]:
    """For a question that sets values against each other, where each is stated: per value,
    the sentence of the documents the question covers (and those it names) that states it
    and holds most of the question's topic — (value, document, sentence), or (value, None,
    "") for a value no document states. None found at all: [] (answered as usual)."""
    values = named_values(asked.text)
    topic = asked.topic or asked.weights
    total = sum(topic.values())
    if not values or not total:
        return []
    ids = list(dict.fromkeys([d.id for d in asked.named] +
                             [c.doc_id for c in coverage[:CANDIDATES]]))
    sentences: list[tuple[Document, str, frozenset[str]]] = []
    for doc_id in ids:
        if (doc := store.document(doc_id)) is not None:
            sentences.extend((doc, sentence, terms)
                             for sentence, terms in retriever.document_sentence_terms(doc_id))
    out: list[tuple[str, Document | None, str]] = []
    for said, states in values:
        # Of the sentences about the question that state the value, prose first (a
        # subheadline or a table row states it in a few words), then the most on the topic.
        shares = [(sum(w for t, w in topic.items() if holds(terms, t)) / total, doc, sentence)
                  for doc, sentence, terms in sentences
                  if states(sentence) and sentence in doc.text
                  and not _in_title(sentence, doc)]
        scored = [(bool(PROSE.search(sentence)), share, -n, doc, sentence)
                  for n, (share, doc, sentence) in enumerate(shares) if share >= SENTENCE_SHARE]
        if scored:
            _, _, _, doc, sentence = max(scored, key=lambda b: b[:3])
            out.append((said, doc, sentence))
        else:
            out.append((said, None, ""))
    return out if any(doc for _, doc, _ in out) else []


def _in_title(sentence: str, doc: Document) -> bool:
    """A headline states a figure in a few words; the reader wants the sentence that says it
    (a title is not evidence)."""
    flat = re.sub(r"\W", "", sentence)
    return bool(flat) and flat in re.sub(r"\W", "", doc.title)


def compose_stated(stated_values: Sequence[tuple[str, Document | None, str]]
                   ) -> tuple[str, list[Source]]:
    """Each value with the source that states it, quoted and dated; a sentence that states
    two of them is quoted once."""
    lines = [texts.VALUES_HEAD]
    sources: list[Source] = []
    for said, doc, sentence in stated_values:
        if doc is None:
            lines.append(texts.VALUE_ABSENT.format(value=said))
            continue
        name = f"{doc.display_name}, {doc.date[:10]}" if doc.date else doc.display_name
        if any(s.quote == sentence for s in sources):
            lines.append(texts.VALUE_SAME.format(value=said, name=name))
            continue
        lines.append(texts.VALUE_QUOTE.format(value=said, name=name, quote=sentence))
        sources.append(Source(doc_id=doc.id, title=doc.title, quote=sentence, date=doc.date,
                              outlet=doc.outlet))
    return "\n".join(lines), sources


def compose(quoted: Sequence[tuple[Document, str]]) -> tuple[str, list[Source]]:
    """The answer's text (a head, then one dated quote per source) and its sources."""
    lines = [texts.FIGURES_HEAD]
    for doc, sentence in quoted:
        name = f"{doc.display_name}, {doc.date[:10]}" if doc.date else doc.display_name
        lines.append(texts.COMPARE_QUOTE.format(name=name, quote=sentence))
    sources = [Source(doc_id=doc.id, title=doc.title, quote=sentence, date=doc.date,
                      outlet=doc.outlet) for doc, sentence in quoted]
    return "\n".join(lines), sources
