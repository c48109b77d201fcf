"""The LLM over an OpenAI-compatible HTTP API (llama-server, llama-cpp-python's server, vLLM),
so inference can move to bigger hosts while everything above this layer stays the same."""
from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Iterator

import httpx

from bot.llm import LLMError, Message, PlainText

log = logging.getLogger(__name__)


class OpenAICompatLLM:
    """Streams /chat/completions. The server keeps its own prompt cache (llama.cpp reuses the
    common prefix per slot), so prompts keep fixed text first here too."""

    def __init__(self, base_url: str, model: str, timeout: float = 300.0):
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.name = f"openai:{model}@{self.base_url}"
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0))
        self._lock = threading.Lock()
        # Servers render the template and parse special tokens in the result (llama-server
        # does): message contents must not spell a marker.
        self.plain = PlainText(PlainText.COMMON)

    def count_tokens(self, text: str) -> int:
        # Budgeting only: Korean runs ~1.5 characters a token in common vocabularies; err high.
        return math.ceil(len(text) / 1.5)

    def stream(self, messages: list[Message], *, max_tokens: int, stop: tuple[str, ...] = (),
               cache_prefix: int = 0) -> Iterator[str]:
        body = {"model": self.model, "messages": self.plain.messages(messages),
                "max_tokens": max_tokens,
                "temperature": 0.0, "stream": True}
        if stop:
            body["stop"] = list(stop)
        url = f"{self.base_url}/chat/completions"
        with self._lock:
            try:
                with self._client.stream("POST", url, json=body) as response:
                    if response.status_code != 200:
                        response.read()
                        raise LLMError(f"LLM server {url} answered {response.status_code}: "
                                       f"{response.text[:200]}")
                    for line in response.iter_lines():
                        if not line.startswith("data:"):
                            continue
                        data = line[5:].strip()
                        if data == "[DONE]":
                            break
                        choice = json.loads(data)["choices"][0]
                        piece = (choice.get("delta") or {}).get("content")
                        if piece:
                            yield piece
            except httpx.HTTPError as exc:
                raise LLMError(f"LLM server at LLM_BASE_URL={self.base_url} is unreachable or "
                               f"failed: {exc.__class__.__name__}: {exc}") from exc
