"""Question → answer, through the stages in bot/answer/pipeline.py, in order: understand,
retrieve, choose evidence, generate, check, fall back. The one entry point for every face
(Telegram, console, eval); it also keeps each chat's conversation turns and the documents
asked about whose prefix was not at hand."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from bot.answer.cold import ColdDocuments
from bot.answer.evidence import Grounds
from bot.answer.generate import Draft, Writer
from bot.answer.options import Options
from bot.answer.pipeline import Journey, Plan, Stages
from bot.answer.retrieval import Retriever
from bot.answer.retrieve import Found
from bot.answer.stances import Stances
from bot.answer.timing import RecentTimings
from bot.answer.understand import Asked
from bot.llm import LLM, Message
from bot.llm.priority import UserFirst
from bot.store import Store, Turn
from bot.types import Answer, Document


class AnswerService:
    """Four collaborators: the stages, the model as answers use it (`Writer`), the store for
    the chats' turns, and the cold documents' queue."""

    def __init__(self, store: Store, retriever: Retriever, llm: LLM | None):
        self.store = store  # the chats' turns
        self.writer = Writer(llm)
        self.stages = Stages.build(store, retriever, self.writer)
        self.cold = ColdDocuments()

    # --- answering ----------------------------------------------------------------------------
    def ask(self, question: str, history: list[Turn] | None = None) -> Answer:
        """Synchronous: every stage in order."""
        journey = Journey()
        with self.priority.user():  # from now on background model work gives the model up
            asked, found, grounds = self._ground(journey, question, history)
            journey.visit(self.stages.generate.name)
            draft = self.stages.generate.run(asked, found, grounds)
        return self._finish(journey, asked, grounds, draft)

    async def ask_stream(self, question: str, history: list[Turn] | None = None
                         ) -> AsyncIterator[str | Answer]:
        """Yields the growing answer text while the model writes, then the final Answer."""
        journey = Journey()
        with self.priority.user():  # from now on background model work gives the model up
            # Kiwi and SQLite work happens off the event loop too.
            asked, found, grounds = await asyncio.to_thread(self._ground, journey, question,
                                                            history)
            journey.visit(self.stages.generate.name)
            if grounds.route != "model":
                draft = await asyncio.to_thread(self.stages.generate.run, asked, found, grounds)
            else:
                async for item in self.stages.generate.stream(grounds):
                    if isinstance(item, str):
                        yield item
                    else:
                        draft = item
            answer = await asyncio.to_thread(self._finish, journey, asked, grounds, draft)
        yield answer

    def _ground(self, journey: Journey, question: str, history: list[Turn] | None
                ) -> tuple[Asked, Found, Grounds]:
        """Understand, retrieve, choose evidence; a cold document is queued for the worker."""
        journey.visit(self.stages.understand.name)
        asked = self.stages.understand.run(question, history)
        journey.visit(self.stages.retrieve.name)
        found = self.stages.retrieve.run(asked)
        journey.visit(self.stages.evidence.name)
        grounds = self.stages.evidence.run(asked, found)
        if grounds.cold:
            self.cold.add(grounds.cold)
        return asked, found, grounds

    def _finish(self, journey: Journey, asked: Asked, grounds: Grounds, draft: Draft) -> Answer:
        """Check, fall back; a model answer's timings are kept for /stats."""
        journey.visit(self.stages.check.name)
        checked = self.stages.check.run(asked, grounds, draft)
        journey.visit(self.stages.fallback.name)
        answer = journey.finish(self.stages.fallback.run(asked, grounds, draft, checked), draft)
        if not draft.composed:
            self.timings.add(answer.timings)
        return answer

    def plan(self, question: str, history: list[Turn] | None = None) -> Plan:
        """What the stages before the model decide, with no model call (benchmarks, tests)."""
        return self.stages.plan(question, history)

    # --- conversation turns ------------------------------------------------------------------
    def history(self, chat_id: int) -> list[Turn]:
        """The chat's recent turns, oldest first, for a follow-up question."""
        return self.store.recent_turns(chat_id)

    def remember(self, chat_id: int, question: str, answer: Answer) -> None:
        """Keep an answered question and its answer as the chat's latest turns (a refusal is
        not a turn a follow-up could lean on)."""
        if answer.covered:
            self.store.add_turn(chat_id, "user", question)
            self.store.add_turn(chat_id, "assistant", answer.text,
                                sources=dict.fromkeys(s.doc_id for s in answer.sources))

    # --- what the background worker and the faces share --------------------------------------
    @property
    def priority(self) -> UserFirst:
        return self.writer.priority

    @property
    def timings(self) -> RecentTimings:
        return self.writer.timings

    @property
    def options(self) -> Options:
        return self.stages.options

    @property
    def stances(self) -> Stances:
        return self.stages.stances

    @property
    def on_cold(self) -> Callable[[], None] | None:
        return self.cold.wake

    @on_cold.setter
    def on_cold(self, wake: Callable[[], None] | None) -> None:
        self.cold.wake = wake

    def cold_documents(self) -> list[str]:
        return self.cold.pending()

    def warmed(self, doc_id: str) -> None:
        self.cold.done(doc_id)

    def collection(self) -> list[Document]:
        return self.stages.evidence.collection()

    def fits_whole(self, doc: Document) -> bool:
        return self.stages.evidence.fits_whole(doc)

    def document_prefix(self, doc: Document) -> list[Message]:
        return self.stages.evidence.document_prefix(doc)

    def document_prefixes(self, doc: Document) -> list[list[Message]]:
        return self.stages.evidence.document_prefixes(doc)

    def collection_prefix(self, shared: list[Document] | None = None) -> list[Message]:
        return self.stages.evidence.collection_prefix(shared)
