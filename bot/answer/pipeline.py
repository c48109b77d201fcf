"""The answer path's stages, built once, in the order a question passes them (`Stages`), and
what the stages before the model decide for a question (`Plan`: for benchmarks and tests that
look at retrieval and the prompt without a model call), and one question's `Journey`."""
from __future__ import annotations

import time
from dataclasses import dataclass

from bot.answer.compose import Composer
from bot.answer.evidence import ChooseEvidence, Grounds
from bot.answer.fallback import FallBack
from bot.answer.generate import Draft, Generate, Writer
from bot.answer.options import Options
from bot.answer.retrieval import Retriever
from bot.answer.retrieve import Found, Retrieve, Route
from bot.answer.rules import Check
from bot.answer.stances import Stances
from bot.answer.understand import Asked, Understand
from bot.llm import Message
from bot.store import Store, Turn
from bot.types import Answer, Document

# The stages in the order every question visits them; a route that needs nothing of a stage
# (a refusal needs no evidence, a composed answer no check) passes through it unchanged.
ORDER = ("understand", "retrieve", "evidence", "generate", "check", "fallback")


class Journey:
    """One question's way through the stages: their names in the order visited, and when."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.visited: list[str] = []
        self.retrieved = 0.0

    def visit(self, name: str) -> None:
        self.visited.append(name)
        if name == "evidence":  # understanding and retrieval are done
            self.retrieved = time.perf_counter()

    def finish(self, answer: Answer, draft: Draft) -> Answer:
        now = time.perf_counter()
        answer.stages = list(self.visited)
        answer.timings = {"retrieve_ms": int((self.retrieved - self.started) * 1000),
                          "first_token_ms": int(((draft.first or now) - self.started) * 1000),
                          "total_ms": int((now - self.started) * 1000), **draft.stages}
        return answer


@dataclass(frozen=True)
class Stages:
    understand: Understand
    retrieve: Retrieve
    evidence: ChooseEvidence
    generate: Generate
    check: Check
    fallback: FallBack
    options: Options
    stances: Stances

    @classmethod
    def build(cls, store: Store, retriever: Retriever, writer: Writer) -> Stages:
        options = Options()
        stances = Stances(store, retriever.korean)
        return cls(Understand(store, retriever, options), Retrieve(store, retriever, stances),
                   ChooseEvidence(store, retriever, writer.llm, options),
                   Generate(writer, Composer(store, retriever, stances)),
                   Check(store, retriever), FallBack(retriever), options, stances)

    def plan(self, question: str, history: list[Turn] | None = None) -> Plan:
        """The first three stages, with no model call, as they prepare a question for the
        model (the debate map's sides aside): what benchmarks of retrieval and prompts read."""
        asked = self.understand.run(question, history)
        found = self.retrieve.run(asked, sides=False)
        return Plan(asked, found, self.evidence.run(asked, found))


@dataclass(frozen=True)
class Plan:
    asked: Asked
    found: Found
    grounds: Grounds

    @property
    def kind(self) -> Route:
        return self.found.route

    @property
    def docs(self) -> list[Document]:
        return list(self.found.docs)

    @property
    def figures(self) -> list[tuple[Document, str]]:
        return list(self.found.figures)

    @property
    def refusal(self) -> Answer | None:
        return self.found.refusal

    @property
    def topic(self) -> dict[str, float]:
        return self.asked.topic

    @property
    def messages(self) -> list[Message]:
        return self.grounds.messages

    @property
    def cache_prefix(self) -> int:
        return self.grounds.cache_prefix

    @property
    def cache_label(self) -> str | None:
        return self.grounds.cache_label

    @property
    def cold(self) -> str | None:
        return self.grounds.cold
