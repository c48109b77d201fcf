"""A model that loads on first use, so commands that need no model start instantly."""
from __future__ import annotations

import threading
import time
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
        self._load_ms = 0  # what calls waited for a load, until the first call that ran it
        self._load_seen = 0  # what the last call that ran the model waited for it to load

    def get(self) -> LLM:
        started = time.perf_counter()
        with self._lock:  # held only while the model loads
            built = self._llm is None
            if self._llm is None:
                self._llm = build_llm(self._settings)
            # What this call waited for a load, its own or `preload`'s still under way.
            waited = time.perf_counter() - started
            if built or waited >= 0.001:
                self._load_ms += max(1, int(waited * 1000))
            llm: LLM = self._llm
            return llm

    def preload(self) -> None:
        """Load the model now, before the calls that need it (while other start-up work runs
        in a thread): they find it loaded and report no load (one that waited for a load
        still under way reports the wait). A failure is left to them to raise again."""
        with self._lock:
            if self._llm is None:
                try:
                    self._llm = build_llm(self._settings)
                except Exception:  # noqa: BLE001 - the call that needs the model reports it
                    return

    def _used(self) -> LLM:
        """The model for a call that runs it: the load is that call's cost, not a later one's
        (planning may have loaded the model for the question being answered)."""
        llm = self.get()
        self._load_seen, self._load_ms = self._load_ms, 0
        return llm

    @property
    def stages(self) -> dict[str, int]:
        inner = self._llm.stages if self._llm is not None else {}
        return {"load_ms": self._load_seen, **inner}

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
        return self._used().stream(messages, max_tokens=max_tokens, stop=stop,
                                   cache_prefix=cache_prefix, interrupt=interrupt,
                                   cache_label=cache_label)

    def warm(self, messages: list[Message], interrupt: Interrupt = None,
             label: str | None = None) -> str:
        return self._used().warm(messages, interrupt, label)

    def has_prefix(self, messages: list[Message]) -> bool:
        if not self.supports_prefix_cache:
            return True  # a server keeps its own
        return self.get().has_prefix(messages)

    def choose(self, messages: list[Message], options: tuple[str, ...], *,
               cache_prefix: int = 0, interrupt: Interrupt = None) -> dict[str, float]:
        return self._used().choose(messages, options, cache_prefix=cache_prefix,
                                   interrupt=interrupt)

    def count_tokens(self, text: str) -> int:
        return self.get().count_tokens(text)
