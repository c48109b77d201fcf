"""Question → retrieved evidence → grounded Korean answer with verbatim, checked quotes."""
from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

from bot import prompts, texts
from bot.llm import LLM, Message, astream
from bot.priority import UserFirst
from bot.retrieval import Coverage, Retriever
from bot.store import Store, Turn
from bot.types import Answer, Document, Hit, Source

MIN_COVERAGE = 0.4  # idf-weighted share of the question's terms the best document must hold
MULTI_DOC_RATIO = 0.8
ANSWER_TOKENS = 220
# Best sentences in a question's turn across documents; each costs ~40 tokens of prompt
# processing (~0.6 s here). A single whole document gets none: it is all in the cached prefix.
EVIDENCE_LINES = 4
HISTORY_TURNS = 4
# The shared prefix for questions across documents: the newest documents' summaries.
COLLECTION_DOCS = 20
COLLECTION_TOKENS = 1500
# Questions that ask across the collection ("자료들이 공통으로 …", "각 문서 …").
PLURAL_CUES = re.compile(r"(자료들|문서들|기사들|공통|여러|각\s?(자료|문서|기사)|모든|비교|전반|종합)")
NUMBER = re.compile(r"\d[\d,.]*")
DOC_LABEL = re.compile(r"\[?문서\s?(\d+)\]?")
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
    cache_label: str | None = None  # the document whose evaluated prefix that is
    numbers: dict[int, Document] = field(default_factory=dict)  # "[문서 N]" in the prompt
    weights: dict[str, float] = field(default_factory=dict)  # the question's terms, by idf


class AnswerService:
    def __init__(self, store: Store, retriever: Retriever, llm: LLM | None):
        self.store = store
        self.retriever = retriever
        self.llm = llm
        self.context_tokens = 2600
        self.priority = UserFirst()  # the background worker waits while a question runs

    # --- planning (no model call) ---------------------------------------------------------
    def plan(self, question: str, history: list[Turn] | None = None) -> Plan:
        started = time.perf_counter()
        question = question.strip()
        plan = Plan(question=question)
        if not question:
            plan.refusal = Answer(texts.EMPTY_QUESTION, covered=False)
            return plan
        if not self.store.documents(limit=1):
            plan.refusal = Answer(texts.NO_DOCUMENTS, covered=False)
            return plan
        hits = self.retriever.search(question, limit=12)
        coverage = self.retriever.coverage(question, hits)
        previous = [t.text for t in (history or []) if t.role == "user"][-1:]
        if previous:
            # A follow-up ("그럼 대안으로 무엇을 제안했나요?") leans on the previous question;
            # read it together with that one unless it stands better on its own (a new topic).
            joined = previous[0] + " " + question
            joined_hits = self.retriever.search(joined, limit=12)
            joined_coverage = self.retriever.coverage(joined, joined_hits)
            if joined_coverage and (not coverage or
                                    joined_coverage[0].share > coverage[0].share):
                hits, coverage = joined_hits, joined_coverage
        plan.hits = hits
        plan.retrieve_ms = int((time.perf_counter() - started) * 1000)
        if not coverage or max(c.share for c in coverage) < MIN_COVERAGE:
            plan.refusal = self.not_covered()
            return plan
        plan.docs = self._choose_docs(question, coverage)
        plan.weights = self.retriever.idf(self.retriever.query_terms(question))
        if len(plan.docs) == 1 and self.fits_whole(plan.docs[0]):
            self._plan_document(plan, history or [])
        else:
            self._plan_collection(plan, history or [])
        return plan

    def _plan_document(self, plan: Plan, history: list[Turn]) -> None:
        """One document, whole, in the cached prefix: the turn holds only the question."""
        plan.context = self._doc_block(1, plan.docs[0], plan.docs[0].text)
        plan.numbers = {1: plan.docs[0]}
        turn = prompts.render("answer_user", question=plan.question)
        plan.messages = self._messages(plan.context, history, turn)
        plan.cache_prefix, plan.cache_label = 1, plan.docs[0].id

    def _plan_collection(self, plan: Plan, history: list[Turn]) -> None:
        """Several documents (or one too long to go whole): the cached prefix holds the
        summaries of the newest documents; the turn names the documents this question needs,
        with their best sentences and the summaries the prefix lacks."""
        shared = self.collection()
        numbers = {doc.id: n for n, doc in enumerate(shared, 1)}
        extra = []
        for doc in plan.docs:
            if doc.id not in numbers:
                numbers[doc.id] = len(numbers) + 1
                extra.append(self._summary_block(numbers[doc.id], doc))
        evidence = self._evidence(plan, limit=EVIDENCE_LINES)
        lines = "\n".join(f"- [문서 {numbers[doc.id]}] {sentence}" for doc, sentence in evidence)
        named = ", ".join(f"[문서 {numbers[doc.id]}]" for doc in plan.docs)
        turn = prompts.render("answer_user_several", documents=named, context="\n\n".join(extra),
                              evidence=lines, question=plan.question).replace("\n\n\n", "\n\n")
        shared_context = self._collection_context(shared)
        plan.messages = self._messages(shared_context, history, turn)
        plan.context = "\n\n".join([shared_context, *extra, lines])  # what grounding checks
        plan.numbers = {n: doc for doc in [*shared, *plan.docs] for n in [numbers[doc.id]]}
        plan.cache_prefix = 1

    def collection(self) -> list[Document]:
        """The newest summarised documents whose summaries fit the shared prefix."""
        chosen, used = [], 0
        for doc in self.store.documents(limit=COLLECTION_DOCS):
            if not doc.summary:
                continue
            cost = self._tokens(self._summary_block(len(chosen) + 1, doc))
            if used + cost > COLLECTION_TOKENS:
                break
            chosen.append(doc)
            used += cost
        return chosen

    def _collection_context(self, docs: list[Document]) -> str:
        return "\n\n".join(self._summary_block(n, doc) for n, doc in enumerate(docs, 1))

    def _choose_docs(self, question: str, coverage: list[Coverage]) -> list[Document]:
        best = coverage[0].rank
        chosen = [coverage[0]]
        plural = bool(PLURAL_CUES.search(question))
        for cov in coverage[1:3]:
            if cov.rank >= best * MULTI_DOC_RATIO or (plural and cov.rank >= best * 0.5):
                chosen.append(cov)
        return [d for c in chosen if (d := self.store.document(c.doc_id))]

    def fits_whole(self, doc: Document) -> bool:
        """Short enough to go into a prompt whole (and have its own cached prefix)."""
        return self._tokens(doc.text) <= self.context_tokens

    def document_prefix(self, doc: Document) -> list[Message]:
        """The cacheable start of every single-document prompt about `doc`."""
        context = self._doc_block(1, doc, doc.text)
        return [{"role": "system", "content": prompts.render("answer_system", context=context)}]

    def collection_prefix(self, shared: list[Document] | None = None) -> list[Message]:
        """The cacheable start of every prompt across documents."""
        context = self._collection_context(self.collection() if shared is None else shared)
        return [{"role": "system", "content": prompts.render("answer_system", context=context)}]

    @staticmethod
    def _doc_block(number: int, doc: Document, text: str) -> str:
        return prompts.render("answer_context_doc", number=number, title=doc.title,
                              meta=doc_meta(doc), text=text)

    @staticmethod
    def _summary_block(number: int, doc: Document) -> str:
        return prompts.render("answer_context_summary", number=number, title=doc.title,
                              meta=doc_meta(doc), summary=doc.summary or doc.text[:300])

    def _tokens(self, text: str) -> int:
        return self.llm.count_tokens(text) if self.llm else len(text) // 2

    @staticmethod
    def _messages(context: str, history: list[Turn], turn: str) -> list[Message]:
        """Earlier turns are rendered exactly as they were asked, so the model's state after
        the previous answer is a prefix of this prompt and only the new question is processed."""
        messages: list[Message] = [{"role": "system",
                                    "content": prompts.render("answer_system", context=context)}]
        for earlier in history[-HISTORY_TURNS:]:
            if earlier.role == "user":
                content = prompts.render("answer_user", question=earlier.text)
            else:
                content = earlier.text[:600]
            messages.append({"role": earlier.role, "content": content})
        messages.append({"role": "user", "content": turn})
        return messages

    def not_covered(self) -> Answer:
        docs = self.store.documents(limit=8)
        topics = "\n".join(f"• {d.title} ({doc_meta(d)})" for d in docs)
        return Answer(texts.NOT_COVERED.format(topics=topics), covered=False)

    # --- answering ------------------------------------------------------------------------
    def ask(self, question: str, history: list[Turn] | None = None) -> Answer:
        """Synchronous: plan, run the model, check the result."""
        started = time.perf_counter()
        with self.priority.user():  # from now on background model work gives the model up
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

    async def ask_stream(self, question: str, history: list[Turn] | None = None
                         ) -> AsyncIterator[str | Answer]:
        """Yields the growing answer text while the model writes, then the final Answer."""
        started = time.perf_counter()
        with self.priority.user():  # from now on background model work gives the model up
            # Kiwi and SQLite work happens off the event loop too.
            plan = await asyncio.to_thread(self.plan, question, history)
            if plan.refusal:
                yield plan.refusal
                return
            pieces, first = [], None
            async for piece in astream(self.llm, plan.messages, max_tokens=ANSWER_TOKENS,
                                       cache_prefix=plan.cache_prefix,
                                       cache_label=plan.cache_label):
                first = first or time.perf_counter()
                pieces.append(piece)
                yield readable(plan, "".join(pieces))
        yield await asyncio.to_thread(self.finish, plan, "".join(pieces), started, first)

    def _generate(self, plan: Plan) -> Iterator[str]:
        return self.llm.stream(plan.messages, max_tokens=ANSWER_TOKENS,
                               cache_prefix=plan.cache_prefix, cache_label=plan.cache_label)

    def finish(self, plan: Plan, text: str, started: float, first: float | None) -> Answer:
        text = readable(plan, _tidy(text))
        if not self._grounded(text, plan.context):
            text = self._extractive(plan)
        sources = self._sources(plan, text)
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

    def _evidence(self, plan: Plan, limit: int) -> list[tuple[Document, str]]:
        """The sentences of the chosen documents' hits that carry the most question terms."""
        weights = plan.weights
        per_doc = max(2, limit // max(1, len(plan.docs)))
        picked: list[tuple[float, Document, str]] = []
        for doc in plan.docs:  # best sentences of each chosen document, so none is crowded out
            scored: dict[str, float] = {}
            for hit in plan.hits:
                if hit.doc_id != doc.id:
                    continue
                for sentence, morphemes in self.retriever.sentence_terms(hit.text):
                    scored[sentence] = sum(weights[t] for t in morphemes & set(weights))
            ranked = sorted(scored, key=lambda s: -scored[s])[:per_doc]
            picked.extend((scored[s], doc, s) for s in ranked if scored[s] > 0)
        picked.sort(key=lambda p: -p[0])
        top = picked[0][0] if picked else 0.0
        # Weak matches only distract a small model; keep those close to the best.
        return [(doc, s) for score, doc, s in picked[: max(limit, len(plan.docs))]
                if score >= top * 0.5]

    def _extractive(self, plan: Plan) -> str:
        """When the model's text cannot be trusted: the best evidence, quoted verbatim."""
        limit = 1 if len(plan.docs) == 1 else len(plan.docs)
        quotes = [sentence for _, sentence in self._evidence(plan, limit=limit)]
        if not quotes and plan.hits:
            quotes = [plan.hits[0].sentence]
        return "\n".join(texts.EXTRACTIVE.format(quote=q) for q in quotes[:3])

    def _sources(self, plan: Plan, answer: str) -> list[Source]:
        weights = plan.weights
        answer_terms = set(self.retriever.korean.morphemes(answer))
        terms = answer_terms | set(weights)
        scored = {t: weights.get(t, 1.0) for t in terms}
        found = []
        for doc in plan.docs:
            quote, morphemes = self.retriever.best_document_sentence(doc.id, terms, scored)
            if quote and quote in doc.text:  # verbatim or nothing
                overlap = morphemes & answer_terms
                found.append((sum(scored[t] for t in overlap), doc, quote))
        top = max((score for score, _, _ in found), default=0.0)
        # A question across the collection cites every document it drew on; otherwise only
        # those whose quote carries the answer about as well as the best one.
        floor = 0.0 if PLURAL_CUES.search(plan.question) else top * 0.5
        return [Source(doc_id=doc.id, title=doc.title, quote=quote, date=doc.date,
                       outlet=doc.outlet)
                for score, doc, quote in found if score >= floor and score > 0]


def readable(plan: Plan, text: str) -> str:
    """The prompt's "[문서 3]" means nothing to a reader: name the outlet (or the title)."""
    def name(match: re.Match) -> str:
        doc = plan.numbers.get(int(match.group(1)))
        return (doc.outlet or f"‘{doc.title}’") if doc else match.group(0)
    return DOC_LABEL.sub(name, text)


def _tidy(text: str) -> str:
    text = re.sub(r"<\|[^|]*\|>", "", text)  # stray special tokens
    return re.sub(r"\n{3,}", "\n\n", text).strip()
