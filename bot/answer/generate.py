"""Stage 4, generate: the answer's first draft (`Draft`). The model writes it for the route
"model"; every other route's draft is made from what is stored, with no model call
(bot/answer/compose.py). `Writer` is the model as the answer path uses it: questions before
background work (`priority`), and where the recent answers' first-token time went
(`timings`)."""
from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from bot.answer.compose import Composer
from bot.answer.evidence import Grounds
from bot.answer.prompting import readable
from bot.answer.retrieve import Found
from bot.answer.timing import RecentTimings
from bot.answer.understand import Asked
from bot.llm import LLM, LLMError, astream
from bot.llm.priority import UserFirst
from bot.types import Source

ANSWER_TOKENS = 220


@dataclass(frozen=True)
class Draft:
    text: str
    # Made without the model from verbatim quotes and stored text, with its own sources: it
    # is not checked, and stands as it is.
    composed: bool = False
    sources: tuple[Source, ...] = ()  # a composed draft's sources
    covered: bool = True  # False: a refusal, which no follow-up can lean on
    first: float | None = None  # when the model's first piece came (time.perf_counter)
    stages: dict[str, int] = field(default_factory=dict)  # where its first-token time went


class Writer:
    """The model, for answers: one question's prompt at a time, users before the worker."""

    def __init__(self, llm: LLM | None):
        self.llm = llm
        self.priority = UserFirst()  # the background worker waits while a question runs
        self.timings = RecentTimings()  # the recent model answers' first-token split

    def _model(self) -> LLM:
        if self.llm is None:
            raise LLMError("no model to answer with")
        return self.llm

    def pieces(self, grounds: Grounds) -> Iterator[str]:
        return self._model().stream(grounds.messages, max_tokens=ANSWER_TOKENS,
                                    cache_prefix=grounds.cache_prefix,
                                    cache_label=grounds.cache_label)

    def apieces(self, grounds: Grounds) -> AsyncIterator[str]:
        return astream(self._model(), grounds.messages, max_tokens=ANSWER_TOKENS,
                       cache_prefix=grounds.cache_prefix, cache_label=grounds.cache_label)

    def stages(self) -> dict[str, int]:
        """The last reply's first-token split; read before a background step can use the
        model again."""
        return dict(self._model().stages)


class Generate:
    name: ClassVar[str] = "generate"

    def __init__(self, writer: Writer, composer: Composer):
        self.writer = writer
        self.composer = composer

    def run(self, asked: Asked, found: Found, grounds: Grounds) -> Draft:
        if grounds.route != "model":
            made = self.composer.compose(asked, found, grounds)
            return Draft(made.text, composed=True, sources=tuple(made.sources),
                         covered=made.covered)
        pieces: list[str] = []
        first = None
        for piece in self.writer.pieces(grounds):
            first = first or time.perf_counter()
            pieces.append(piece)
        return Draft("".join(pieces), first=first, stages=self.writer.stages())

    async def stream(self, grounds: Grounds) -> AsyncIterator[str | Draft]:
        """The model's growing text as a reader may see it, then the whole draft."""
        pieces: list[str] = []
        first = None
        async for piece in self.writer.apieces(grounds):
            first = first or time.perf_counter()
            pieces.append(piece)
            yield readable(grounds.numbers, "".join(pieces))
        yield Draft("".join(pieces), first=first, stages=self.writer.stages())
