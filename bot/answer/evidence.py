"""Stage 3, choose evidence: what the model is given for a question that goes to it (`Grounds`)
— one whole document in a cached prefix, or the shared prefix of the newest documents'
summaries with the question's best sentences in the turn — and, for every answer, what it may
rest on (`gather`: the chosen documents' sentences and the question's topic)."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar

from bot import prompts
from bot.answer import prompting, verify
from bot.answer.options import EVIDENCE_LINES, Options
from bot.answer.retrieval import Retriever
from bot.answer.retrieve import Found, Route
from bot.answer.understand import Asked
from bot.llm import LLM, Message
from bot.store import Store
from bot.types import Document

# The shared prefix for questions across documents: the newest documents' summaries.
COLLECTION_DOCS = 20
COLLECTION_TOKENS = 1500


@dataclass(frozen=True)
class Grounds:
    route: Route
    docs: tuple[Document, ...] = ()  # the documents the answer rests on
    messages: list[Message] = field(default_factory=list)  # the prompt (route "model")
    context: str = ""  # the prompt's context beyond the documents: what grounding checks
    numbers: dict[int, Document] = field(default_factory=dict)  # "[문서 N]" in the prompt
    cache_prefix: int = 0  # leading messages worth keeping evaluated
    cache_label: str | None = None  # the document whose evaluated prefix that is
    cold: str | None = None  # a document answered from passages, its prefix not at hand


def gather(retriever: Retriever, asked: Asked, docs: Sequence[Document],
           context: str = "") -> verify.Evidence:
    """What an answer about `docs` may rest on, with the question's topic."""
    # A stored name of several words ("젠슨 황") also counts as its words.
    sentences = [(s, terms | {w for t in terms if " " in t for w in t.split()})
                 for doc in docs for s, terms in retriever.document_sentence_terms(doc.id)]
    vocabulary = frozenset(t for _, terms in sentences for t in terms)
    # What the question is about, as far as it can be judged: the words the documents use,
    # and the nouns they lack ("매출", "위원장": a detail that is not there). Other words they
    # lack ("급하다", "제일") are only how it was put.
    topic = {t: w for t, w in asked.topic.items()
             if verify.holds(vocabulary, t) or t in asked.nouns}
    return verify.Evidence(text="\n".join([context, *(doc.text for doc in docs)]),
                           sentences=sentences, topic=topic,
                           headings=tuple(f"{doc.title} ({doc.meta})" for doc in docs),
                           years={s: int(doc.date[:4]) for doc in docs
                                  if doc.date and doc.date[:4].isdigit()
                                  for s, _ in sentences if s in doc.text})


class ChooseEvidence:
    name: ClassVar[str] = "evidence"

    def __init__(self, store: Store, retriever: Retriever, llm: LLM | None, options: Options):
        self.store = store
        self.retriever = retriever
        self.llm = llm
        self.options = options

    def run(self, asked: Asked, found: Found) -> Grounds:
        if found.route != "model":  # answered without the model: nothing to prompt with
            return Grounds(found.route, found.docs)
        docs = found.docs
        if len(docs) == 1:
            if not self.fits_whole(docs[0]):  # a long report: the part holding its best line
                part = self._part(asked, found, docs[0])
                if part is not None and self._at_hand(self.part_prefix(docs[0], part)):
                    return self._document(asked, found, part)
                return self._cold(asked, found)  # its parts' prefixes are worth computing
            if self._whole(docs[0]):
                return self._document(asked, found)
            return self._cold(asked, found)  # its whole prefix is worth computing: soon
        if self.fits_whole(docs[0]) and self._whole(docs[0]):
            return self._collection(asked, found, lead=docs[0])
        return self._collection(asked, found)

    def _whole(self, doc: Document) -> bool:
        """Whether to give the document whole: its evaluated prefix is at hand (in memory or
        on disk). A cold document is answered from its best passages behind the shared
        prefix (seconds), not after evaluating all of it (~30 s); see `Options.passages`."""
        return self._at_hand(self.document_prefix(doc))

    def _at_hand(self, prefix: list[Message]) -> bool:
        if self.options.passages != "cold":
            return self.options.passages == "never"
        return self.llm is None or self.llm.has_prefix(prefix)

    def _part(self, asked: Asked, found: Found, doc: Document) -> str | None:
        """The part of a long document (`parts`) that holds its sentence best on the
        question, if any."""
        ranked = self._ranked(asked, found, doc)
        if not ranked:
            return None
        return next((part for part in self.parts(doc) if ranked[0][1] in part), None)

    def _document(self, asked: Asked, found: Found, text: str | None = None) -> Grounds:
        """One document, whole (or the part `text` of a long one), in the cached prefix: the
        turn holds only the question."""
        doc = found.docs[0]
        context = prompting.doc_block(1, doc, doc.text if text is None else text)
        turn = prompts.render("answer_user", question=asked.text)
        if self.options.hint_lines and (hints := self.passages(asked, found,
                                                               limit=self.options.hint_lines)):
            turn = prompts.render("answer_user_hint", question=asked.text,
                                  evidence="\n".join(f"- {s}" for _, s in hints))
        return Grounds("model", found.docs, prompting.messages(context, asked.history, turn),
                       context, {1: doc}, cache_prefix=1, cache_label=doc.id)

    def _collection(self, asked: Asked, found: Found, *,
                    lead: Document | None = None) -> Grounds:
        """Several documents. The cached prefix holds the summaries of the newest documents
        — or, when the best document's own evaluated prefix is at hand (`lead`), that document
        whole — and the turn names the other documents this question needs and quotes their
        best sentences within `Options.turn_tokens` (`passages`). A document the prefix lacks
        is named by its heading, and brings its summary only when it has no sentence to quote:
        every token of the turn is prompt processing before the first token. A lead document
        that fits whole but is not at hand is queued for the worker (`Grounds.cold`): the
        next question about it starts from all of it, with a shorter turn."""
        top = found.docs[0]
        shared = [lead] if lead else self.shared()
        numbers = {doc.id: n for n, doc in enumerate(shared, 1)}
        for doc in found.docs:
            numbers.setdefault(doc.id, len(numbers) + 1)
        unknown = [doc for doc in found.docs if numbers[doc.id] > len(shared)]
        named = {doc.id for doc in asked.named}
        rest = replace(found, docs=tuple(doc for doc in found.docs if doc != lead))
        best = self._within_turn(asked, self.passages(
            asked, rest, budget=self.options.turn_tokens,
            owed=frozenset(doc.id for doc in unknown), owed_weak=frozenset(named)),
            {doc.id for doc in unknown} - named, floor=1 if lead else 2)
        quoted = {doc.id for doc, _ in best}
        # A document found beside the best whose sentences are far from the question (or
        # have no room left) is left out of the turn: its heading would only distract and
        # cost time. One with no sentence on the question's words at all brings its summary.
        unknown = [doc for doc in unknown if doc.id in quoted or doc.id in named
                   or not self._ranked(asked, found, doc)]
        found = replace(found, docs=tuple(doc for doc in found.docs
                                          if numbers[doc.id] <= len(shared) or doc in unknown))
        summaries = [prompting.summary_block(numbers[doc.id], doc) for doc in unknown
                     if doc.id not in quoted]
        lines = self._grouped(asked, best, numbers, {doc.id for doc in unknown})
        # The list of the documents that matter is said only when the turn does not show them
        # all: a document of the shared prefix is there by its summary alone.
        listed = ", ".join(f"[문서 {numbers[doc.id]}]" for doc in found.docs)
        heads = "\n".join(summaries)
        if lead or not set(found.docs) - set(unknown):
            turn = prompts.render("answer_user_headed", context=heads, evidence=lines,
                                  question=asked.text)
        else:
            turn = prompts.render("answer_user_several", documents=listed, context=heads,
                                  evidence=lines, question=asked.text)
        turn = re.sub(r"\n{3,}", "\n\n", turn).lstrip("\n")
        if lead:
            context = prompting.doc_block(1, lead, lead.text)
            cold = None
        else:
            context = prompting.collection_context(shared)
            cold = top.id if self.fits_whole(top) else None
        return Grounds("model", found.docs, prompting.messages(context, asked.history, turn),
                       "\n\n".join([context, *summaries, lines]),
                       {n: doc for doc in [*shared, *found.docs] for n in [numbers[doc.id]]},
                       cache_prefix=1, cache_label=lead.id if lead else None, cold=cold)

    def _cold(self, asked: Asked, found: Found) -> Grounds:
        """One document whose evaluated prefix (or, for a long one, its best part's) is not at
        hand: the shared prefix (evaluated already), then a turn with the document's name and
        its best sentences only, within `Options.passage_tokens`. Every token of the turn is prompt
        processing before the first token (~7 ms each on two cores), so it carries no summary
        and no list markup. The worker is to evaluate the document's own prefixes next
        (`Grounds.cold`)."""
        shared = self.shared()
        doc = found.docs[0]
        number = next((n for n, d in enumerate(shared, 1) if d.id == doc.id), len(shared) + 1)
        best = self.passages(asked, found, budget=self.options.passage_tokens,
                             owed=frozenset([doc.id]))
        lines = "\n".join(sentence for _, sentence in best)
        turn = prompts.render("answer_user_cold", number=number, heading=self.heading(asked, doc),
                              evidence=lines, question=asked.text)
        shared_context = prompting.collection_context(shared)
        return Grounds("model", found.docs,
                       prompting.messages(shared_context, asked.history, turn),
                       "\n\n".join([shared_context, lines]),
                       dict(enumerate(shared, 1)) | {number: doc}, cache_prefix=1,
                       cold=doc.id)

    def _within_turn(self, asked: Asked, best: list[tuple[Document, str]],
                     headed: set[str], floor: int = 2) -> list[tuple[Document, str]]:
        """The best sentences, best first, while they and the headings of the documents in
        `headed` they bring fit `Options.turn_tokens` — except the best sentence of each of
        the first `floor` documents, whatever it costs (a question across documents weighs at
        least two; one when the prefix holds the other whole): every token of the turn is
        prompt processing before the first token (~7 ms each here)."""
        kept: list[tuple[Document, str]] = []
        used, named = 0, set[str]()
        for doc, sentence in best:
            cost = self._tokens(sentence)
            if doc.id in headed and doc.id not in named:
                cost += self._tokens(self.heading(asked, doc))
            owed = doc.id not in named and len(named) < floor
            if not owed and used + cost > self.options.turn_tokens:
                continue
            kept.append((doc, sentence))
            used += cost
            named.add(doc.id)
        return kept

    def _grouped(self, asked: Asked, best: list[tuple[Document, str]],
                 numbers: dict[str, int], headed: set[str]) -> str:
        """The quoted sentences under their document, best document first: "[문서 N]" and, for
        a document the prefix does not hold (`headed`), its heading, once; then its sentences
        as "- …" lines. Said once per document rather than per sentence: every token of the
        turn is prompt processing before the first token."""
        by_doc: dict[str, list[str]] = {}
        docs: dict[str, Document] = {}
        for doc, sentence in best:
            by_doc.setdefault(doc.id, []).append(sentence)
            docs[doc.id] = doc
        blocks = []
        for doc_id, sentences in by_doc.items():
            head = f"[문서 {numbers[doc_id]}]"
            if doc_id in headed:
                head += f" {self.heading(asked, docs[doc_id])}"
            blocks.append("\n".join([head, *(f"- {s}" for s in sentences)]))
        return "\n".join(blocks)

    @staticmethod
    def heading(asked: Asked, doc: Document) -> str:
        """A document's name in a turn: its title and byline, without the title when the
        question quotes it (it has said it already: 40-odd tokens not to repeat)."""
        quoted = _letters(doc.title) in _letters(asked.text)
        return f"({doc.meta})" if quoted else f"{doc.title} ({doc.meta})"

    def passages(self, asked: Asked, found: Found, *, limit: int = EVIDENCE_LINES,
                 budget: int | None = None, owed: frozenset[str] = frozenset(),
                 owed_weak: frozenset[str] | None = None) -> list[tuple[Document, str]]:
        """The sentences of the chosen documents' hits that carry the most question terms,
        best first: at most `limit` (or one per document), a few of each document so none is
        crowded out, each at least half the best one (weak matches only distract a small
        model), and while they fit in `budget` tokens (the first one whatever it costs). The
        best sentence of each document in `owed` is quoted whatever it costs (the turn names
        that document, and the prompt holds nothing else of it) and, unless `owed_weak` is
        given and lacks the document, whatever it scores."""
        ranked = {doc.id: self._ranked(asked, found, doc) for doc in found.docs}
        per_doc = max(2, limit // max(1, len(found.docs)))
        picked = sorted(((score, doc, s) for doc in found.docs
                         for score, s in ranked[doc.id][:per_doc]), key=lambda p: -p[0])
        top = picked[0][0] if picked else 0.0
        most = max(limit, len(found.docs))
        kept: list[tuple[Document, str]] = []
        used, full = 0, False
        for n, (score, doc, sentence) in enumerate(picked):
            cost = self._tokens(sentence) if budget is not None else 0
            weak = score < top * 0.5
            if owed_weak is not None and weak and doc.id not in owed_weak:
                continue
            if doc.id not in owed or sentence != ranked[doc.id][0][1]:
                full = full or n >= most or weak or (
                    budget is not None and bool(kept) and used + cost > budget)
                if full:
                    continue
            kept.append((doc, sentence))
            used += cost
        return kept

    def _ranked(self, asked: Asked, found: Found, doc: Document) -> list[tuple[float, str]]:
        """The sentences of `doc`'s hits that carry question terms, by the weight they carry."""
        weights = asked.weights
        # A title is not evidence, however its quotation marks were stored.
        title = _letters(doc.title)
        scored: dict[str, float] = {}
        for hit in found.hits:
            if hit.doc_id != doc.id:
                continue
            for sentence, morphemes in self.retriever.sentence_terms(hit.text):
                if _letters(sentence) != title:
                    scored[sentence] = sum(weights[t] for t in morphemes & set(weights))
        return sorted(((score, s) for s, score in scored.items() if score > 0),
                      key=lambda x: -x[0])

    # --- the prefixes the background worker evaluates ahead of questions -------------------
    def collection(self) -> list[Document]:
        """The newest documents whose summaries fit the shared prefix; a document not
        summarised yet is there with its lead sentences, so right after a bulk import the
        prefix every cold question starts from exists before any summary does."""
        chosen: list[Document] = []
        used = 0
        for doc in self.store.documents(limit=COLLECTION_DOCS):
            cost = self._tokens(prompting.summary_block(len(chosen) + 1, doc))
            if used + cost > COLLECTION_TOKENS:
                break
            chosen.append(doc)
            used += cost
        return chosen

    def shared(self) -> list[Document]:
        """The documents of the shared prefix a question starts from: `collection()`, or none
        while that prefix is not evaluated yet and the instructions alone are (right after a
        bulk import, or after a summary changed it, the worker takes ~10 s to evaluate it: a
        question then brings its documents' headings itself rather than evaluating it)."""
        shared = self.collection()
        if shared and self.llm is not None and \
                not self.llm.has_prefix(self.collection_prefix(shared)) and \
                self.llm.has_prefix(self.collection_prefix([])):
            return []
        return shared

    def document_prefix(self, doc: Document) -> list[Message]:
        """The cacheable start of every single-document prompt about `doc`."""
        return self.part_prefix(doc, doc.text)

    def part_prefix(self, doc: Document, part: str) -> list[Message]:
        """The cacheable start of a prompt about `part` of `doc` (all of it, or one of
        `parts`)."""
        return prompting.system(prompting.doc_block(1, doc, part))

    def document_prefixes(self, doc: Document) -> list[list[Message]]:
        """What the worker evaluates ahead of questions about `doc`: its own prefix, or one
        per part of a document too long to go whole."""
        if self.fits_whole(doc):
            return [self.document_prefix(doc)]
        return [self.part_prefix(doc, part) for part in self.parts(doc)]

    def parts(self, doc: Document) -> list[str]:
        """A document too long to go whole, cut between paragraphs into consecutive parts
        that each fit (`Options.context_tokens`); a paragraph longer than that alone is cut
        between sentences. The same cut every time, so a part's evaluated prefix is found."""
        limit = self.options.context_tokens
        pieces: list[tuple[str, int]] = []
        for paragraph in (p for p in doc.text.split("\n") if p.strip()):
            cost = self._tokens(paragraph) + 1
            if cost <= limit:
                pieces.append((paragraph, cost))
                continue
            for sentence in re.split(r"(?<=[.!?다])\s+", paragraph):
                pieces.append((sentence, self._tokens(sentence) + 1))
        parts: list[list[str]] = []
        used = limit + 1
        for piece, cost in pieces:
            if used + cost > limit:
                parts.append([])
                used = 0
            parts[-1].append(piece)
            used += cost
        return ["\n".join(part) for part in parts]

    def collection_prefix(self, shared: list[Document] | None = None) -> list[Message]:
        """The cacheable start of every prompt across documents."""
        return prompting.system(prompting.collection_context(
            self.collection() if shared is None else shared))

    def fits_whole(self, doc: Document) -> bool:
        """Short enough to go into a prompt whole (and have its own cached prefix)."""
        return self._tokens(doc.text) <= self.options.context_tokens

    def _tokens(self, text: str) -> int:
        return self.llm.count_tokens(text) if self.llm else len(text) // 2


def _letters(text: str) -> str:
    """Text without its spaces and punctuation, to compare what it says."""
    return re.sub(r"\W", "", text)
