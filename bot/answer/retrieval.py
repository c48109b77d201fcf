"""Korean BM25 search over chunk morphemes, and how well the collection covers a question."""
from __future__ import annotations

import math
import re
import threading
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass
from typing import Any

from bot.answer.duplicates import Duplicates
from bot.answer.synonyms import NOT_USED, VERB_NOUNS, widen
from bot.answer.verify import holds
from bot.korean import CONTENT_TAGS, STOP_MORPHEMES, Korean, normalize_text
from bot.store import Store, stored_sentences
from bot.store.fts import index_terms
from bot.types import TITLE_MAX, Hit, clip

# The ranked FTS5 query scores every chunk that holds any of its terms (~1 µs each); on a
# large collection a common term alone is hundreds of thousands of chunks. Terms are taken
# rarest first while the chunks they hold stay within this budget: a share of the collection,
# so the same kind of term is left out at every size, but never under a floor, so collections
# of a few thousand chunks are ranked exactly. The rest (small idf) rescore the candidates.
RANKED_SHARE = 0.06
RANKED_POSTINGS = 6_000
CANDIDATES = 100  # chunks rescored with every query term when some were left out
BM25_K1, BM25_B = 1.2, 0.75  # FTS5's bm25() constants, so both scores agree
ANALYSED_TEXTS = 1024  # sentence analyses kept in memory (hits, documents)
# Adverbs ("대략", "제일", "많이", "정확히") say how a question is put, rarely what it is
# about; a rare one would otherwise pull toward any document that happens to use it.
MANNER_WEIGHT = 0.3
# A proper name ("마누스", "솔트룩스") tells documents on one topic apart better than its idf
# says: a document without the name the question asks about is rarely the one meant.
NAME_WEIGHT = 1.25
LONE_SYLLABLE = re.compile(r"[가-힣]")
# A question's word a document holds only as a synonym ("커지" where it says "증가") counts
# for this much of its weight in how well the document covers the question.
SYNONYM_WEIGHT = 0.5


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
    exact: frozenset[str] = frozenset()  # of `matched`, those it holds as asked (no synonym)

    @property
    def rank(self) -> float:
        return 0.6 * self.focus + 0.4 * self.share


class Retriever:
    def __init__(self, store: Store, korean: Korean):
        self.store = store
        self.korean = korean
        # Per text: its sentences with their morphemes, and with their synonyms as well.
        self._analysed: OrderedDict[str, tuple[list[tuple[str, frozenset[str]]],
                                                list[tuple[str, frozenset[str]]]]] = OrderedDict()
        self._lock = threading.Lock()
        self.duplicates = Duplicates(store)

    def query_terms(self, query: str) -> list[str]:
        """The question's content morphemes, lower-cased, once each. A lone Hangul syllable
        (던, 파 from a mis-split name) matches everywhere: such fragments are kept only when
        the question has nothing else to go on — but two or more written together ("문샷AI",
        which Kiwi reads 문, 샷) are the name they were split from, asked as a phrase of its
        pieces as the documents were indexed. A one-syllable verb with a plain noun for the
        same act ("샀다" 사, "쓸" 쓰) is asked as that noun (bot/answer/synonyms.py)."""
        terms: list[str] = []
        lone: list[str] = []
        run: list[str] = []
        end, noun = -1, ""

        def close() -> None:
            if len(run) >= 2:
                terms.append(" ".join(run))
            run.clear()

        for form, tag, start, stop in self.korean.token_spans(normalize_text(query)):
            base, form = tag.split("-")[0], form.lower()
            if base in ("NNG", "NNP") and LONE_SYLLABLE.fullmatch(form):
                if run and start != end:
                    close()
                run.append(form)
                lone.append(form)
                end = stop
                continue
            close()
            if base == "VV" and form in VERB_NOUNS and not (form == "쓰" and noun in NOT_USED):
                terms.append(VERB_NOUNS[form])
            elif base in CONTENT_TAGS and form not in STOP_MORPHEMES:
                (lone if LONE_SYLLABLE.fullmatch(form) else terms).append(form)
            if base.startswith("NN"):
                noun = form
        close()
        return list(dict.fromkeys(terms or lone))

    def idf(self, terms: list[str]) -> dict[str, float]:
        total, df = self.store.term_frequencies(terms)
        return {t: math.log(1 + (total + 1) / (df.get(t, 0) + 0.5)) for t in terms}

    def weights(self, query: str) -> dict[str, float]:
        """The question's terms by idf; its adverbs count for less (MANNER_WEIGHT), its proper
        names for more (NAME_WEIGHT)."""
        tags = self._tags(query)
        factor = {"MAG": MANNER_WEIGHT, "NNP": NAME_WEIGHT}
        names = self.names(query)
        return {t: w * (NAME_WEIGHT if t in names else factor.get(tags.get(t, ""), 1.0))
                for t, w in self.idf(self.query_terms(query)).items()}

    def names(self, query: str) -> set[str]:
        """The question's terms Kiwi reads as proper names ("마누스", "솔트룩스"), and the
        names it split into syllables ("문 샷")."""
        tags = self._tags(query)
        return {t for t in self.query_terms(query) if tags.get(t) == "NNP" or " " in t and
                all(LONE_SYLLABLE.fullmatch(w) for w in t.split())}

    def _tags(self, query: str) -> dict[str, str]:
        return {form.lower(): tag.split("-")[0]
                for form, tag in self.korean.tokens(normalize_text(query))}

    def search(self, query: str, limit: int = 8, drop: frozenset[str] = frozenset()
               ) -> list[Hit]:
        """The `limit` best chunks for the query's terms (less those in `drop`: words that
        ask how, not what about)."""
        terms = [t for t in self.query_terms(query) if t not in drop]
        if not terms:
            return []
        words = {t: index_terms(t) for t in terms}  # "젠슨 황" is a phrase of two index terms
        hits = []
        for row in self._best_chunks(words, limit):
            chunk_words = index_terms(row["morphs"])
            counts = Counter(chunk_words)
            matched = frozenset(t for t in terms if _occurrences(chunk_words, counts, words[t]))
            self._remember(row["text"], row["sentences"])
            hits.append(Hit(doc_id=row["doc_id"], title=clip(row["title"], TITLE_MAX),
                            text=row["text"],
                            sentence=self.best_sentence(row["text"], matched),
                            score=round(row["score"], 4), chunk_id=row["chunk_id"],
                            matched=matched))
        return hits

    def _best_chunks(self, words: dict[str, list[str]], limit: int) -> list[dict[str, Any]]:
        """The `limit` chunks with the highest bm25 for the query terms (`words` maps each to
        its index terms). Exact when the terms hold few chunks; otherwise the rarest terms
        pick candidates and every term scores them."""
        total, df = self.store.term_frequencies(sorted({w for ws in words.values() for w in ws}))
        # Chunks holding the term: at most those holding its rarest word. Postings a query for
        # it visits: all its words'.
        holding = {t: min((df.get(w, 0) for w in ws), default=0) for t, ws in words.items()}
        visits = {t: sum(df.get(w, 0) for w in ws) for t, ws in words.items()}
        present = [t for t in words if holding[t]]
        ranked, spent = [], 0
        for term in sorted(present, key=visits.__getitem__):
            if spent + visits[term] > max(RANKED_POSTINGS, RANKED_SHARE * total):
                break
            ranked.append(term)
            spent += visits[term]
        if len(ranked) == len(present):  # bm25 over every term, as FTS5 ranks it
            return self.store.search_chunks(fts_query(present), limit) if present else []
        rows = self.store.candidate_chunks(fts_query(ranked), CANDIDATES) if ranked else []
        if len(rows) < limit:  # the rare terms are too rare: recent chunks with the others
            seen = {r["chunk_id"] for r in rows}
            common = fts_query([t for t in present if t not in ranked])
            rows += [r for r in self.store.candidate_chunks(common, CANDIDATES, newest=True)
                     if r["chunk_id"] not in seen]
        _, mean_length = self.store.index_size()
        weights = {t: _bm25_idf(total, holding[t]) for t in present}
        scores = {r["chunk_id"]: _bm25(index_terms(r["morphs"]), words, weights, mean_length)
                  for r in rows}
        best = sorted(scores, key=lambda c: (-scores[c], -c))[:limit]
        found = {r["chunk_id"]: r for r in self.store.hit_chunks(best)}
        return [{**found[c], "score": scores[c]} for c in best if c in found]

    def sentence_terms(self, text: str, wide: bool = True) -> list[tuple[str, frozenset[str]]]:
        """Verbatim sentences of a (multi-line) text, each with its content morphemes — and,
        `wide`, the words that say the same (a sentence that says "증가" also says what "커지"
        asks; bot/answer/synonyms.py). Chunks found by `search` come from what ingest
        stored; other texts go through Kiwi once."""
        with self._lock:
            if text in self._analysed:
                self._analysed.move_to_end(text)
                return self._analysed[text][wide]
        out = []
        for line in text.split("\n"):
            for a, b in self.korean.sentences(line):
                if sentence := line[a:b].strip():
                    out.append((sentence, frozenset(self.korean.morphemes(sentence))))
        return self._keep(text, out)[wide]

    def document_sentence_terms(self, doc_id: str) -> list[tuple[str, frozenset[str]]]:
        """`sentence_terms` of a stored document's text, from its chunks (no Kiwi)."""
        out = []
        for chunk in self.store.chunks_of(doc_id):
            self._remember(chunk["text"], chunk["sentences"])
            out.extend(self.sentence_terms(chunk["text"]))
        return out

    def best_sentence(self, text: str, terms: frozenset[str] | set[str],
                      weights: dict[str, float] | None = None) -> str:
        """The sentence of `text` that carries the most (weighted) query terms; verbatim."""
        return _best(self.sentence_terms(text), terms, weights)[0]

    def best_document_sentence(self, doc_id: str, terms: frozenset[str] | set[str],
                               weights: dict[str, float] | None = None
                               ) -> tuple[str, frozenset[str]]:
        """`best_sentence` over a stored document's text, from its stored sentences; with
        the sentence's morphemes."""
        return _best(self.document_sentence_terms(doc_id), terms, weights)

    def coverage(self, query: str, hits: list[Hit], drop: frozenset[str] = frozenset()
                 ) -> list[Coverage]:
        """Per document in the hits, the idf-weighted share of query terms it contains (less
        those in `drop`)."""
        weights = {t: w for t, w in self.weights(query).items() if t not in drop}
        terms = list(weights)
        if not terms:
            return []
        total = sum(weights.values())
        # A word found only as another that says the same counts for less than itself.
        def held(morphemes: frozenset[str] | set[str]) -> float:
            wide = widen(morphemes)
            return sum(weights[t] * (1.0 if holds(morphemes, t) else SYNONYM_WEIGHT)
                       for t in terms if holds(wide, t)) / total

        focus: dict[str, float] = defaultdict(float)
        for hit in hits:  # terms found together in one sentence point at the answer
            for _sentence, morphemes in self.sentence_terms(hit.text, wide=False):
                focus[hit.doc_id] = max(focus[hit.doc_id], held(morphemes))
        out = []
        for doc_id in focus:  # documents with a hit, judged on all their text
            vocabulary = set(self.store.doc_morphemes(doc_id))
            wide = widen(vocabulary)
            found = frozenset(t for t in terms if holds(wide, t))
            out.append(Coverage(doc_id, held(vocabulary), found, focus[doc_id],
                                frozenset(t for t in found if holds(vocabulary, t))))
        # A copy of a document ranked above it (one story, several outlets) goes after the rest.
        return self.duplicates.apart(sorted(out, key=lambda c: -c.rank))

    def _remember(self, text: str, stored: str | None) -> None:
        """Keep a chunk's stored sentences as its analysis (old chunks have none stored),
        unless the same text is kept already."""
        with self._lock:
            if text in self._analysed:
                return
        sentences = stored_sentences(stored)
        if sentences is None:
            return
        self._keep(text, [(text[s.start:s.end].strip(), frozenset(s.morphemes))
                          for s in sentences if text[s.start:s.end].strip()])

    def _keep(self, text: str, analysis: list[tuple[str, frozenset[str]]]
              ) -> tuple[list[tuple[str, frozenset[str]]], list[tuple[str, frozenset[str]]]]:
        kept = (analysis, [(sentence, widen(terms)) for sentence, terms in analysis])
        with self._lock:
            self._analysed[text] = kept
            self._analysed.move_to_end(text)
            while len(self._analysed) > ANALYSED_TEXTS:
                self._analysed.popitem(last=False)
        return kept


def _best(sentences: list[tuple[str, frozenset[str]]], terms: frozenset[str] | set[str],
          weights: dict[str, float] | None) -> tuple[str, frozenset[str]]:
    best: tuple[str, frozenset[str]] = ("", frozenset())
    best_score = -1.0
    for sentence, morphemes in sentences:
        score = sum((weights or {}).get(t, 1.0) for t in morphemes & set(terms))
        if score > best_score:
            best, best_score = (sentence, morphemes), score
    return best


def _bm25_idf(rows: int, holding: int) -> float:
    """FTS5's idf: never below a tiny positive value, however common the term."""
    return max(math.log((rows - holding + 0.5) / (holding + 0.5)), 1e-6)


def _bm25(chunk_words: list[str], words: dict[str, list[str]], weights: dict[str, float],
          mean_length: float) -> float:
    """FTS5's bm25 score of one chunk (positive), from its index terms."""
    counts = Counter(chunk_words)
    norm = BM25_K1 * (1 - BM25_B + BM25_B * len(chunk_words) / (mean_length or 1.0))
    score = 0.0
    for term, weight in weights.items():
        if found := _occurrences(chunk_words, counts, words[term]):
            score += weight * found * (BM25_K1 + 1) / (found + norm)
    return score


def _occurrences(chunk_words: list[str], counts: Counter[str], phrase: list[str]) -> int:
    """How often `phrase` (index terms in a row) occurs in the chunk."""
    if len(phrase) == 1:
        return counts[phrase[0]]
    if not phrase or any(w not in counts for w in phrase):
        return 0
    n = len(phrase)
    return sum(chunk_words[i:i + n] == phrase for i in range(len(chunk_words) - n + 1))
