"""A figure several documents give differently. "…확보하려는 GPU는 몇 장이에요?" over a
collection: the articles that match the question best may give no count at all, while one says
1만 5천, a later one 1만 8천 and a third the 5만 target. Choosing one of them (or refusing) hides
the disagreement; the answer is each source's own sentence, quoted and dated, newest first, so
the reader sees which figure comes from where. No model call: every word shown is verbatim."""
from __future__ import annotations

from collections.abc import Sequence

from bot import texts
from bot.answer.retrieval import Coverage, Retriever
from bot.answer.understand import Asked
from bot.answer.verify import CONTINUES, holds
from bot.store import Store
from bot.types import Document, Source

SOURCES = 4  # documents quoted, one sentence each
CANDIDATES = 8  # of the best-covering documents, how many are looked into
COVERED = 0.85  # the share of the question's terms a document must hold as a whole
SENTENCE_SHARE = 0.4  # the share of the question's topic the figure's sentence must hold
MIN_SHARE = 0.4  # a document answered from instead must hold this much of the question


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


def compose(quoted: Sequence[tuple[Document, str]]) -> tuple[str, list[Source]]:
    """The answer's text (a head, then one dated quote per source) and its sources."""
    lines = [texts.FIGURES_HEAD]
    for doc, sentence in quoted:
        name = f"{doc.display_name}, {doc.date[:10]}" if doc.date else doc.display_name
        lines.append(texts.COMPARE_QUOTE.format(name=name, quote=sentence))
    sources = [Source(doc_id=doc.id, title=doc.title, quote=sentence, date=doc.date,
                      outlet=doc.outlet) for doc, sentence in quoted]
    return "\n".join(lines), sources
