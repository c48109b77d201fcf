"""Which documents an answer cites, each with the verbatim sentence that bears it out."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.answer.retrieval import Retriever
from bot.types import Document, Source


def uncited(docs: Iterable[Document], text: str) -> str:
    """`text` without the names of the documents it may cite (outlet, title, author)."""
    labels = {x for doc in docs for x in (doc.display_name, doc.outlet, doc.title, doc.author)
              if x}
    for label in sorted(labels, key=len, reverse=True):
        text = text.replace(label, " ")
    return text


def cited(retriever: Retriever, docs: Sequence[Document], weights: dict[str, float],
          plural: bool, answer: str) -> list[Source]:
    """The documents among `docs` whose best sentence bears out `answer`, with it; a question
    across the collection (`plural`) cites every one it drew on."""
    answer_terms = set(retriever.korean.morphemes(answer))
    # The quote bears out the answer: its words count fully, the question's only to break
    # ties (the sentence the question echoes may not be the one that answers it).
    scored = {t: 0.2 * w for t, w in weights.items()}
    for t, w in retriever.idf(sorted(answer_terms)).items():
        scored[t] = scored.get(t, 0.0) + w
    terms = set(scored)
    found = []
    for doc in docs:
        quote, morphemes = retriever.best_document_sentence(doc.id, terms, scored)
        if quote and quote in doc.text:  # verbatim or nothing
            overlap = morphemes & answer_terms
            found.append((sum(scored[t] for t in overlap), doc, quote))
    top = max((score for score, _, _ in found), default=0.0)
    # Otherwise only those whose quote carries the answer about as well as the best one.
    floor = 0.0 if plural else top * 0.5
    return [Source(doc_id=doc.id, title=doc.title, quote=quote, date=doc.date,
                   outlet=doc.outlet)
            for score, doc, quote in found if score >= floor and score > 0]
