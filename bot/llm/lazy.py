"""A model that loads on first use, so commands that need no model start instantly."""
from __future__ import annotations

import threading
from collections.abc import Iterator

from bot.config import Settings
from bot.llm.base import LLM, Interrupt, Message
from bot.llm.build import build_llm, model_name


class LazyLLM:
    """The LLM protocol over the model the settings name, built when first asked; its name
    and capabilities are known from the settings without loading it."""

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
        return self.get().warm(messages, interrupt, label)

    def has_prefix(self, messages: list[Message]) -> bool:
        if not self.supports_prefix_cache:
            return True  # a server keeps its own
        return self.get().has_prefix(messages)

    def choose(self, messages: list[Message], options: tuple[str, ...], *,
               cache_prefix: int = 0, interrupt: Interrupt = None) -> dict[str, float]:
        return self.get().choose(messages, options, cache_prefix=cache_prefix,
                                 interrupt=interrupt)

    def count_tokens(self, text: str) -> int:
        return self.get().count_tokens(text)
