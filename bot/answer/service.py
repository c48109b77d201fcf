"""Question → retrieved evidence → grounded Korean answer with verbatim, checked quotes.
The one entry point for every face (Telegram, console, eval): it plans, runs the model,
checks what the model wrote, and keeps each chat's conversation turns."""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

from bot import texts
from bot.answer import prompting
from bot.answer.checks import grounded, tidy
from bot.answer.plan import PLURAL_CUES, Plan, Planner, readable
from bot.answer.retrieval import Retriever
from bot.llm import LLM, Message, astream
from bot.llm.priority import UserFirst
from bot.store import Store, Turn
from bot.types import Answer, Document, Source

ANSWER_TOKENS = 220


class AnswerService:
    def __init__(self, store: Store, retriever: Retriever, llm: LLM | None):
        self.store = store
        self.retriever = retriever
        self.llm = llm
        self.planner = Planner(store, retriever, llm)
        self.priority = UserFirst()  # the background worker waits while a question runs

    # --- what the worker and the prompts share with planning --------------------------------
    def plan(self, question: str, history: list[Turn] | None = None) -> Plan:
        return self.planner.plan(question, history)

    def collection(self) -> list[Document]:
        return self.planner.collection()

    def fits_whole(self, doc: Document) -> bool:
        return self.planner.fits_whole(doc)

    def document_prefix(self, doc: Document) -> list[Message]:
        """The cacheable start of every single-document prompt about `doc`."""
        return prompting.system(prompting.doc_block(1, doc, doc.text))

    def collection_prefix(self, shared: list[Document] | None = None) -> list[Message]:
        """The cacheable start of every prompt across documents."""
        return prompting.system(prompting.collection_context(
            self.collection() if shared is None else shared))

    # --- conversation turns ------------------------------------------------------------------
    def history(self, chat_id: int) -> list[Turn]:
        """The chat's recent turns, oldest first, for a follow-up question."""
        return self.store.recent_turns(chat_id)

    def remember(self, chat_id: int, question: str, answer: Answer) -> None:
        """Keep an answered question and its answer as the chat's latest turns (a refusal is
        not a turn a follow-up could lean on)."""
        if answer.covered:
            self.store.add_turn(chat_id, "user", question)
            self.store.add_turn(chat_id, "assistant", answer.text)

    # --- answering ----------------------------------------------------------------------------
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
        text = readable(plan, tidy(text))
        if not grounded(text, plan.context):
            text = self._extractive(plan)
        sources = self._sources(plan, text)
        now = time.perf_counter()
        return Answer(text=text, sources=sources, covered=True, timings={
            "retrieve_ms": plan.retrieve_ms,
            "first_token_ms": int(((first or now) - started) * 1000),
            "total_ms": int((now - started) * 1000)})

    def _extractive(self, plan: Plan) -> str:
        """When the model's text cannot be trusted: the best evidence, quoted verbatim."""
        limit = 1 if len(plan.docs) == 1 else len(plan.docs)
        quotes = [sentence for _, sentence in self.planner.evidence(plan, limit=limit)]
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


