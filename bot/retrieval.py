"""Korean BM25 search over chunk morphemes, and how well the collection covers a question."""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

from bot.korean import Korean
from bot.store import Store
from bot.types import Hit


def fts_query(terms: list[str]) -> str:
    """An FTS5 OR-query of quoted terms (quoting neutralises FTS syntax in user text)."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in dict.fromkeys(terms))


@dataclass(frozen=True)
class Coverage:
    """How much of the question's meaning one document contains (idf-weighted share)."""
    doc_id: str
    share: float  # over the whole document
    matched: frozenset[str]
    focus: float = 0.0  # the same share for the document's single best sentence

    @property
    def rank(self) -> float:
        return 0.6 * self.focus + 0.4 * self.share


class Retriever:
    def __init__(self, store: Store, korean: Korean):
        self.store = store
        self.korean = korean

    def query_terms(self, query: str) -> list[str]:
        terms = list(dict.fromkeys(self.korean.morphemes(query, drop_stop=True)))
        # A lone Hangul syllable (던, 파 from a mis-split name) matches everywhere; keep such
        # fragments only when the question has nothing else to go on.
        longer = [t for t in terms if not re.fullmatch(r"[가-힣]", t)]
        return longer or terms

    def idf(self, terms: list[str]) -> dict[str, float]:
        total, df = self.store.term_frequencies(terms)
        return {t: math.log(1 + (total + 1) / (df.get(t, 0) + 0.5)) for t in terms}

    def search(self, query: str, limit: int = 8) -> list[Hit]:
        terms = self.query_terms(query)
        if not terms:
            return []
        rows = self.store.search_chunks(fts_query(terms), limit)
        hits = []
        for row in rows:
            chunk_terms = set(row["morphs"].split())
            matched = frozenset(t for t in terms if t in chunk_terms)
            hits.append(Hit(doc_id=row["doc_id"], title=row["title"], text=row["text"],
                            sentence=self.best_sentence(row["text"], matched),
                            score=round(row["score"], 4), chunk_id=row["chunk_id"],
                            matched=matched))
        return hits

    def sentences(self, text: str) -> list[str]:
        """Verbatim sentences of a (multi-line) text."""
        out = []
        for line in text.split("\n"):
            out.extend(line[a:b].strip() for a, b in self.korean.sentences(line) if line[a:b].strip())
        return out

    def best_sentence(self, text: str, terms: frozenset[str] | set[str],
                      weights: dict[str, float] | None = None) -> str:
        """The sentence of `text` that carries the most (weighted) query terms; verbatim."""
        best, best_score = "", -1.0
        for sentence in self.sentences(text):
            found = set(self.korean.morphemes(sentence)) & set(terms)
            score = sum((weights or {}).get(t, 1.0) for t in found)
            if score > best_score:
                best, best_score = sentence, score
        return best

    def coverage(self, query: str, hits: list[Hit]) -> list[Coverage]:
        """Per document in the hits, the idf-weighted share of query terms it contains."""
        terms = self.query_terms(query)
        if not terms:
            return []
        weights = self.idf(terms)
        total = sum(weights.values())
        focus: dict[str, float] = defaultdict(float)
        for hit in hits:  # terms found together in one sentence point at the answer
            for sentence in self.sentences(hit.text):
                found = set(self.korean.morphemes(sentence)) & set(terms)
                focus[hit.doc_id] = max(focus[hit.doc_id], sum(weights[t] for t in found) / total)
        out = []
        for doc_id in focus:  # documents with a hit, judged on all their text
            vocabulary = set(self.store.doc_morphemes(doc_id))
            found = frozenset(t for t in terms if t in vocabulary)
            out.append(Coverage(doc_id, sum(weights[t] for t in found) / total, found,
                                focus[doc_id]))
        return sorted(out, key=lambda c: -c.rank)

