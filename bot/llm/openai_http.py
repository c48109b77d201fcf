"""The LLM over an OpenAI-compatible HTTP API (llama-server, llama-cpp-python's server, vLLM),
so inference can move to bigger hosts while everything above this layer stays the same."""
from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx

from bot.llm.base import Interrupt, Interrupted, LLMError, Message, PlainText
from bot.redact import Redaction, public_url, url_secrets

log = logging.getLogger(__name__)


class OpenAICompatLLM:
    """Streams /chat/completions. The server keeps its own prompt cache (llama.cpp reuses the
    common prefix per slot), so prompts keep fixed text first here too."""

    supports_prefix_cache = False  # the server keeps its own
    stages: dict[str, int] = {}  # the server's stages are its own; only the total is known

    def __init__(self, base_url: str, model: str, timeout: float = 300.0,
                 context_length: int = 4096):
        self.base_url = base_url.rstrip("/")
        self.context_length = context_length
        self.model = model
        # The name is stored with every summary (summary_key): credentials stay out of it.
        self.public_url = public_url(self.base_url)
        self.name = f"openai:{model}@{self.public_url}"
        parts = urlsplit(self.base_url)  # credentials: httpx sends user:password as basic auth
        self._completions = urlunsplit(parts._replace(path=parts.path.rstrip("/")
                                                      + "/chat/completions"))
        self._redact = Redaction()
        self._redact.add(url_secrets(base_url))
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0))
        self._lock = threading.Lock()
        # Servers render the template and parse special tokens in the result (llama-server
        # does): message contents must not spell a marker.
        self.plain = PlainText(PlainText.COMMON)

    def count_tokens(self, text: str) -> int:
        # Budgeting only: Korean runs ~1.5 characters a token in common vocabularies; err high.
        return math.ceil(len(text) / 1.5)

    def has_prefix(self, messages: list[Message]) -> bool:
        return True  # the server keeps its own prompt cache: send the whole document

    def warm(self, messages: list[Message], interrupt: Interrupt = None,
             label: str | None = None) -> str:
        return "unsupported"  # the server keeps its own prompt cache; nothing to do here

    def choose(self, messages: list[Message], options: tuple[str, ...], *,
               cache_prefix: int = 0, interrupt: Interrupt = None) -> dict[str, float]:
        """From the server's top log-probabilities of the reply's first token: an option gets
        the best of the tokens it starts with; one not among them gets the floor of the list."""
        body = {"model": self.model, "messages": self.plain.messages(messages), "max_tokens": 1,
                "temperature": 0.0, "logprobs": True, "top_logprobs": 20}
        with self._lock:
            try:
                response = self._client.post(self._completions, json=body)
            except httpx.HTTPError as exc:
                raise LLMError(self._redact(
                    f"LLM server at LLM_BASE_URL={self.public_url} is unreachable or failed: "
                    f"{exc.__class__.__name__}: {exc}")) from exc
        if response.status_code != 200:
            raise LLMError(self._redact(f"LLM server {self.public_url} answered "
                                        f"{response.status_code}: {response.text[:200]}"))
        try:
            payload = response.json()
        except ValueError:
            raise LLMError(self._redact(f"LLM server {self.public_url} answered with no JSON: "
                                        f"{response.text[:200]!r}")) from None
        if isinstance(payload, dict) and "error" in payload:
            raise LLMError(self._redact(f"LLM server {self.public_url} reported an error: "
                                        f"{_error_text(payload['error'])}"))
        try:
            top = payload["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
            scored = [(str(t["token"]).strip(), float(t["logprob"])) for t in top]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMError(f"LLM server {self.public_url} gave no log-probabilities") from exc
        floor = min((lp for _, lp in scored), default=-30.0) - 1.0
        return {o: max((lp for tok, lp in scored if tok and o.startswith(tok)), default=floor)
                for o in options}

    def stream(self, messages: list[Message], *, max_tokens: int, stop: tuple[str, ...] = (),
               cache_prefix: int = 0, interrupt: Interrupt = None,
               cache_label: str | None = None) -> Iterator[str]:
        body = {"model": self.model, "messages": self.plain.messages(messages),
                "max_tokens": max_tokens,
                "temperature": 0.0, "stream": True}
        if stop:
            body["stop"] = list(stop)
        replied = False
        with self._lock:
            try:
                with self._client.stream("POST", self._completions, json=body) as response:
                    if response.status_code != 200:
                        response.read()
                        raise LLMError(self._redact(
                            f"LLM server {self.public_url} answered {response.status_code}: "
                            f"{response.text[:200]}"))
                    for line in response.iter_lines():
                        if not line.startswith("data:"):
                            continue
                        data = line[5:].strip()
                        if data == "[DONE]":
                            break
                        piece = self._piece(data)
                        if piece is not None:
                            replied = True
                        if interrupt is not None and interrupt():
                            raise Interrupted
                        if piece:
                            yield piece
            except httpx.HTTPError as exc:
                raise LLMError(self._redact(
                    f"LLM server at LLM_BASE_URL={self.public_url} is unreachable or failed: "
                    f"{exc.__class__.__name__}: {exc}")) from exc
        if not replied:
            raise LLMError(f"LLM server {self.public_url} ended its reply without a choice")

    def _piece(self, data: str) -> str | None:
        """The text one streamed event adds: "" for none, None for an event without a choice
        (a usage summary). A server's error object, or a line that is not an event, is an
        LLMError that says so: a console chat or the worker reports it and goes on."""
        try:
            event = json.loads(data)
        except ValueError:
            raise LLMError(self._redact(f"LLM server {self.public_url} sent a line that is not "
                                        f"JSON: {data[:200]!r}")) from None
        if not isinstance(event, dict):
            raise LLMError(f"LLM server {self.public_url} sent an event that is not an object")
        if "error" in event:
            raise LLMError(self._redact(f"LLM server {self.public_url} reported an error: "
                                        f"{_error_text(event['error'])}"))
        choices = event.get("choices")
        if choices is None or choices == []:
            return None
        try:
            delta = choices[0].get("delta") or {}
            piece = delta.get("content")
        except (AttributeError, IndexError, KeyError, TypeError):
            raise LLMError(f"LLM server {self.public_url} sent a choice without a delta: "
                           f"{data[:200]!r}") from None
        return piece if isinstance(piece, str) else ""


def _error_text(error: object) -> str:
    """An OpenAI-style error object ({"message": …, "type": …}) or a bare string, shortened."""
    if isinstance(error, dict):
        error = error.get("message") or error.get("type") or error
    return str(error)[:300]
