"""A scripted stand-in for the LLM, for tests where the behaviour under test is ours
(formatting, splitting, retries, delivery), not the model's."""
from __future__ import annotations

import threading
from collections.abc import Iterator

from bot.llm import LLM


class FakeLLM(LLM):
    """Replies with queued texts (or a default), in pieces; records every prompt it was given.
    `gate` (a threading.Event) lets a test hold a generation open to observe concurrency.
    It subclasses the `LLM` protocol, so a changed interface breaks the fake at once."""

    name = "fake-llm"
    context_length = 4096
    supports_prefix_cache = False
    # Plain attributes where the protocol has read-only properties: a test sets them.
    stages: dict[str, int] = {}

    def __init__(self, default: str = "자료에 따르면 답은 다음과 같습니다.", piece_chars: int = 6):
        self.default = default
        self.piece_chars = piece_chars
        self.replies: list[str] = []
        self.prompts: list[list[dict]] = []
        self.gate: threading.Event | None = None
        self.stages: dict[str, int] = {}  # what a test says the last reply's stages were
        self._lock = threading.Lock()

    def enqueue(self, *texts: str) -> None:
        self.replies.extend(texts)

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // 2)

    def warm(self, messages, interrupt=None, label=None) -> str:
        return "unsupported"

    def has_prefix(self, messages) -> bool:
        return True

    # The side each sentence takes, for the debate map: a sentence holding a key of `stances`
    # gets that label clearly ahead; any other sentence, and the content-free one, none.
    stances: dict[str, str] = {}

    def choose(self, messages, options, *, cache_prefix: int = 0, interrupt=None) -> dict:
        text = messages[-1]["content"]
        label = next((v for k, v in self.stances.items() if k in text), None)
        return {o: (0.0 if o == label else -5.0) if label else -2.0 for o in options}

    def stream(self, messages, *, max_tokens: int, stop=(), cache_prefix: int = 0,
               interrupt=None, cache_label=None) -> Iterator[str]:
        with self._lock:
            self.prompts.append(messages)
            text = self.replies.pop(0) if self.replies else self.default
            if self.gate is not None:
                self.gate.wait(timeout=60)
            for i in range(0, len(text), self.piece_chars):
                yield text[i:i + self.piece_chars]
