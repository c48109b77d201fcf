"""Question → retrieved evidence → grounded Korean answer with verbatim, checked quotes."""
from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

from bot import prompts, texts
from bot.llm import LLM, Message, astream
from bot.retrieval import Coverage, Retriever
from bot.store import Store
from bot.types import Answer, Document, Hit, Source

MIN_COVERAGE = 0.4  # idf-weighted share of the question's terms the best document must hold
MULTI_DOC_RATIO = 0.8
ANSWER_TOKENS = 220
RESERVED_TOKENS = 900  # instructions, history, question and the answer itself
# Questions that ask across the collection ("자료들이 공통으로 …", "각 문서 …").
PLURAL_CUES = re.compile(r"(자료들|문서들|기사들|공통|여러|각\s?(자료|문서|기사)|모든|비교|전반|종합)")
NUMBER = re.compile(r"\d[\d,.]*")
REFUSAL = re.compile(r"(찾을 수 없|알 수 없|나와 있지 않|포함되어 있지 않|언급되어 있지 않)")


def doc_meta(doc: Document) -> str:
    return ", ".join(x for x in (doc.outlet, doc.author, doc.date) if x) or doc.id


@dataclass
class Plan:
    question: str
    docs: list[Document] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    context: str = ""
    messages: list[Message] = field(default_factory=list)
    refusal: Answer | None = None
    retrieve_ms: int = 0
    cache_prefix: int = 0  # leading messages worth keeping evaluated (a whole document)


class AnswerService:
    def __init__(self, store: Store, retriever: Retriever, llm: LLM | None):
        self.store = store
        self.retriever = retriever
        self.llm = llm
        self.context_tokens = 2600

    # --- planning (no model call) ---------------------------------------------------------
    def plan(self, question: str, history: list[dict] | None = None) -> Plan:
        started = time.perf_counter()
        question = question.strip()
        plan = Plan(question=question)
        if not question:
            plan.refusal = Answer(texts.EMPTY_QUESTION, covered=False)
            return plan
        all_docs = self.store.documents()
        if not all_docs:
            plan.refusal = Answer(texts.NO_DOCUMENTS, covered=False)
            return plan
        hits = self.retriever.search(question, limit=12)
        coverage = self.retriever.coverage(question, hits)
        previous = [t["text"] for t in (history or []) if t["role"] == "user"][-1:]
        if previous and (not coverage or coverage[0].share < MIN_COVERAGE):
            # A follow-up ("그 주장에 반대하는 의견은?") leans on the previous question.
            joined = previous[0] + " " + question
            hits = self.retriever.search(joined, limit=12)
            coverage = self.retriever.coverage(joined, hits)
        plan.hits = hits
        plan.retrieve_ms = int((time.perf_counter() - started) * 1000)
        if not coverage or max(c.share for c in coverage) < MIN_COVERAGE:
            plan.refusal = self.not_covered(all_docs)
            return plan
        plan.docs = self._choose_docs(question, coverage)
        plan.context = self._context(plan.docs, hits)
        weights = self.retriever.idf(self.retriever.query_terms(question))
        evidence = self._evidence(plan, weights, limit=4)
        plan.messages = self._messages(plan.context, evidence, question, history or [])
        plan.cache_prefix = 1 if len(plan.docs) == 1 and self._whole(plan.docs[0]) else 0
        return plan

    def _choose_docs(self, question: str, coverage: list[Coverage]) -> list[Document]:
        best = coverage[0].rank
        chosen = [coverage[0]]
        plural = bool(PLURAL_CUES.search(question))
        for cov in coverage[1:3]:
            if cov.rank >= best * MULTI_DOC_RATIO or (plural and cov.rank >= best * 0.5):
                chosen.append(cov)
        return [d for c in chosen if (d := self.store.document(c.doc_id))]

    def _whole(self, doc: Document) -> bool:
        return self._tokens(doc.text) <= self.context_tokens

    def document_prefix(self, doc: Document) -> list[Message]:
        """The cacheable start of every single-document prompt about `doc`."""
        context = self._doc_block(1, doc, doc.text)
        return [{"role": "system", "content": prompts.render("answer_system", context=context)}]

    def warm(self, docs: list[Document]) -> int:
        """Evaluate each document's prefix now (at ingest) so its first question starts fast."""
        warmed = 0
        for doc in docs:
            if self._whole(doc) and hasattr(self.llm, "warm"):
                warmed += self.llm.warm(self.document_prefix(doc)) != "cached"
        return warmed

    def _context(self, docs: list[Document], hits: list[Hit]) -> str:
        if len(docs) == 1 and self._whole(docs[0]):
            return self._doc_block(1, docs[0], docs[0].text)
        # Several documents: each one's stored summary (its argument) plus its best passages.
        per_doc = max(1, 4 // len(docs))
        blocks = []
        for number, doc in enumerate(docs, 1):
            ids = [h.chunk_id for h in hits if h.doc_id == doc.id][:per_doc]
            chunks = "\n".join(c["text"] for c in self.store.chunks_of(doc.id) if c["id"] in ids)
            if len(docs) > 1 and doc.summary:
                blocks.append(prompts.render("answer_context_multi", number=number,
                                             title=doc.title, meta=doc_meta(doc),
                                             summary=doc.summary, text=chunks))
            else:
                blocks.append(self._doc_block(number, doc, chunks))
        return "\n\n".join(blocks)

    @staticmethod
    def _doc_block(number: int, doc: Document, text: str) -> str:
        return prompts.render("answer_context_doc", number=number, title=doc.title,
                              meta=doc_meta(doc), text=text)

    def _tokens(self, text: str) -> int:
        return self.llm.count_tokens(text) if self.llm else len(text) // 2

    @staticmethod
    def _messages(context: str, evidence: list[str], question: str,
                  history: list[dict]) -> list[Message]:
        messages: list[Message] = [{"role": "system",
                                    "content": prompts.render("answer_system", context=context)}]
        for turn in history[-4:]:
            messages.append({"role": turn["role"], "content": turn["text"][:600]})
        lines = "\n".join(f"- {e}" for e in evidence)
        messages.append({"role": "user", "content": prompts.render(
            "answer_user", evidence=lines, question=question)})
        return messages

    def not_covered(self, docs: list[Document]) -> Answer:
        topics = "\n".join(f"• {d.title} ({doc_meta(d)})" for d in docs[:8])
        return Answer(texts.NOT_COVERED.format(topics=topics), covered=False)

    # --- answering ------------------------------------------------------------------------
    def ask(self, question: str, history: list[dict] | None = None) -> Answer:
        """Synchronous: plan, run the model, check the result."""
        started = time.perf_counter()
        plan = self.plan(question, history)
        if plan.refusal:
            plan.refusal.timings = {"retrieve_ms": plan.retrieve_ms, "first_token_ms": 0,
                                    "total_ms": int((time.perf_counter() - started) * 1000)}
            return plan.refusal
        pieces, first = [], None
        for piece in self._generate(plan):
            first = first or time.perf_counter()
            pieces.append(piece)
        return self.finish(plan, "".join(pieces), started, first)

    async def ask_stream(self, question: str, history: list[dict] | None = None
                         ) -> AsyncIterator[str | Answer]:
        """Yields the growing answer text while the model writes, then the final Answer."""
        started = time.perf_counter()
        # Kiwi and SQLite work happens off the event loop too.
        plan = await asyncio.to_thread(self.plan, question, history)
        if plan.refusal:
            yield plan.refusal
            return
        pieces, first = [], None
        async for piece in astream(self.llm, plan.messages, max_tokens=ANSWER_TOKENS,
                                   cache_prefix=plan.cache_prefix):
            first = first or time.perf_counter()
            pieces.append(piece)
            yield "".join(pieces)
        yield await asyncio.to_thread(self.finish, plan, "".join(pieces), started, first)

    def _generate(self, plan: Plan) -> Iterator[str]:
        return self.llm.stream(plan.messages, max_tokens=ANSWER_TOKENS,
                               cache_prefix=plan.cache_prefix)

    def finish(self, plan: Plan, text: str, started: float, first: float | None) -> Answer:
        text = _tidy(text)
        weights = self.retriever.idf(self.retriever.query_terms(plan.question))
        if not self._grounded(text, plan.context):
            text = self._extractive(plan, weights)
        sources = self._sources(plan, text, weights)
        now = time.perf_counter()
        return Answer(text=text, sources=sources, covered=True, timings={
            "retrieve_ms": plan.retrieve_ms,
            "first_token_ms": int(((first or now) - started) * 1000),
            "total_ms": int((now - started) * 1000)})

    @staticmethod
    def _grounded(text: str, context: str) -> bool:
        """The answer is Korean, not a refusal, and every figure in it stands in the evidence."""
        if len(text) < 5 or REFUSAL.search(text):
            return False
        hangul = len(re.findall(r"[가-힣]", text))
        if hangul < len(re.sub(r"\s", "", text)) * 0.3:
            return False
        flat = context.replace(",", "")
        return all(n.replace(",", "").rstrip(".") in flat for n in NUMBER.findall(text))

    def _evidence(self, plan: Plan, weights: dict[str, float], limit: int) -> list[str]:
        """The sentences of the chosen documents' hits that carry the most question terms."""
        per_doc = max(2, limit // max(1, len(plan.docs)))
        picked: list[tuple[float, str]] = []
        for doc in plan.docs:  # best sentences of each chosen document, so none is crowded out
            scored: dict[str, float] = {}
            for hit in plan.hits:
                if hit.doc_id != doc.id:
                    continue
                for sentence in self.retriever.sentences(hit.text):
                    found = set(self.retriever.korean.morphemes(sentence)) & set(weights)
                    scored[sentence] = sum(weights[t] for t in found)
            ranked = sorted(scored, key=lambda s: -scored[s])[:per_doc]
            picked.extend((scored[s], s) for s in ranked if scored[s] > 0)
        picked.sort(key=lambda p: -p[0])
        top = picked[0][0] if picked else 0.0
        # Weak matches only distract a small model; keep those close to the best.
        return [s for score, s in picked[: max(limit, len(plan.docs))] if score >= top * 0.5]

    def _extractive(self, plan: Plan, weights: dict[str, float]) -> str:
        """When the model's text cannot be trusted: the best evidence, quoted verbatim."""
        quotes = self._evidence(plan, weights, limit=1 if len(plan.docs) == 1 else len(plan.docs))
        if not quotes and plan.hits:
            quotes = [plan.hits[0].sentence]
        return "\n".join(texts.EXTRACTIVE.format(quote=q) for q in quotes[:3])

    def _sources(self, plan: Plan, answer: str, weights: dict[str, float]) -> list[Source]:
        answer_terms = set(self.retriever.korean.morphemes(answer))
        terms = answer_terms | set(weights)
        scored = {t: weights.get(t, 1.0) for t in terms}
        found = []
        for doc in plan.docs:
            quote = self.retriever.best_sentence(doc.text, terms, scored)
            if quote and quote in doc.text:  # verbatim or nothing
                overlap = set(self.retriever.korean.morphemes(quote)) & answer_terms
                found.append((sum(scored[t] for t in overlap), doc, quote))
        top = max((score for score, _, _ in found), default=0.0)
        # A question across the collection cites every document it drew on; otherwise only
        # those whose quote carries the answer about as well as the best one.
        floor = 0.0 if PLURAL_CUES.search(plan.question) else top * 0.5
        return [Source(doc_id=doc.id, title=doc.title, quote=quote, date=doc.date,
                       outlet=doc.outlet)
                for score, doc, quote in found if score >= floor and score > 0]


def _tidy(text: str) -> str:
    text = re.sub(r"<\|[^|]*\|>", "", text)  # stray special tokens
    return re.sub(r"\n{3,}", "\n\n", text).strip()
