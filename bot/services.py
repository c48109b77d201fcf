"""The composition root: every external thing is built once here and passed down."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.answer import AnswerService
from bot.config import Settings
from bot.korean import Korean
from bot.llm import LLM, Interrupt, Message, build_llm, model_name
from bot.retrieval import Retriever
from bot.store import Store
from bot.worker import ModelWorker


class LazyLLM:
    """Loads the model on first use, so commands that need no model start instantly."""

    def __init__(self, settings: Settings):
        self._settings = settings
        self._llm: LLM | None = None
        self._lock = threading.Lock()

    def get(self) -> LLM:
        with self._lock:
            if self._llm is None:
                self._llm = build_llm(self._settings)
            return self._llm

    @property
    def loaded(self) -> bool:
        return self._llm is not None

    @property
    def name(self) -> str:
        return model_name(self._settings)

    @property
    def supports_prefix_cache(self) -> bool:
        return self._settings.LLM_BACKEND == "llamacpp"

    @property
    def context_length(self) -> int:
        return self._llm.context_length if self._llm is not None else self._settings.LLM_CTX

    def stream(self, messages: list[Message], *, max_tokens: int, stop: tuple[str, ...] = (),
               cache_prefix: int = 0, interrupt: Interrupt = None,
               cache_label: str | None = None) -> Iterator[str]:
        return self.get().stream(messages, max_tokens=max_tokens, stop=stop,
                                 cache_prefix=cache_prefix, interrupt=interrupt,
                                 cache_label=cache_label)

    def warm(self, messages: list[Message], interrupt: Interrupt = None,
             label: str | None = None) -> str:
        llm = self.get()
        return llm.warm(messages, interrupt, label) if hasattr(llm, "warm") else "unsupported"

    def count_tokens(self, text: str) -> int:
        return self.get().count_tokens(text)


@dataclass
class Services:
    settings: Settings
    store: Store
    korean: Korean
    llm: LLM
    retriever: Retriever = field(init=False)
    answers: AnswerService = field(init=False)

    def __post_init__(self) -> None:
        self.retriever = Retriever(self.store, self.korean)
        self.answers = AnswerService(self.store, self.retriever, self.llm)

    def close(self) -> None:
        self.store.close()


def build_worker(services: Services) -> ModelWorker:
    """The one background model worker over these services (summaries, prompt prefixes)."""
    return ModelWorker(services.store, services.answers, services.llm)


def build_services(settings: Settings, llm: LLM | None = None) -> Services:
    return Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=Korean(),
                    llm=llm or LazyLLM(settings))
