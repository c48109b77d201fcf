"""A figure several documents give differently. "…확보하려는 GPU는 몇 장이에요?" over a
collection: the articles that match the question best may give no count at all, while one says
1만 5천, a later one 1만 8천 and a third the 5만 target. Choosing one of them (or refusing) hides
the disagreement; the answer is each source's own sentence, quoted and dated, newest first, so
the reader sees which figure comes from where. No model call: every word shown is verbatim."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot import texts
from bot.answer.retrieval import Coverage
from bot.types import Document, Source

if TYPE_CHECKING:
    from bot.answer.plan import Plan, Planner

SOURCES = 4  # documents quoted, one sentence each
CANDIDATES = 8  # of the best-covering documents, how many are looked into
COVERED = 0.85  # the share of the question's terms a document must hold as a whole
SENTENCE_SHARE = 0.4  # the share of the question's topic the figure's sentence must hold


def across(planner: Planner, plan: Plan, coverage: list[Coverage]) -> list[tuple[Document, str]]:
    """The (document, sentence) pairs to quote when the question asks for a figure, the
    document chosen for it gives none, and at least two others that hold the whole question
    do; otherwise none (the question is answered as usual)."""
    read = plan.read
    topic = plan.topic or plan.weights
    total = sum(topic.values())
    if read is None or read.slot != "figure" or read.compare or not total or not plan.docs:
        return []

    def best(doc: Document) -> tuple[float, str]:
        scored = [(sum(topic[t] for t in terms & topic.keys()) / total, sentence)
                  for sentence, terms in planner.retriever.document_sentence_terms(doc.id)
                  if read.filled(sentence) and sentence != doc.title.strip()]
        return max(scored, default=(0.0, ""))

    if best(plan.docs[0])[0] >= SENTENCE_SHARE:
        return []  # the document chosen gives the figure: answered from it
    # The proper names asked about ("한결-3"): a document without them is about something else.
    names = planner.retriever.names(plan.question)
    found = []
    for cov in coverage[:CANDIDATES]:
        doc = planner.store.document(cov.doc_id)
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


def compose(quoted: list[tuple[Document, str]]) -> tuple[str, list[Source]]:
    """The answer's text (a head, then one dated quote per source) and its sources."""
    lines = [texts.FIGURES_HEAD]
    for doc, sentence in quoted:
        name = f"{doc.display_name}, {doc.date[:10]}" if doc.date else doc.display_name
        lines.append(texts.COMPARE_QUOTE.format(name=name, quote=sentence))
    sources = [Source(doc_id=doc.id, title=doc.title, quote=sentence, date=doc.date,
                      outlet=doc.outlet) for doc, sentence in quoted]
    return "\n".join(lines), sources
