"""The language model behind a small protocol, built in exactly one place."""
from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Protocol

from bot.config import Settings

log = logging.getLogger(__name__)

Message = dict[str, str]


class LLMError(Exception):
    """The model could not be loaded or could not answer; the message says why (English)."""


class LLM(Protocol):
    name: str

    def stream(self, messages: list[Message], *, max_tokens: int,
               stop: tuple[str, ...] = ()) -> Iterator[str]:
        """Yield the reply in pieces, greedily decoded. One call at a time per model."""

    def count_tokens(self, text: str) -> int:
        ...


class LlamaCppLLM:
    """llama.cpp in this process. Calls are serialised by a lock; the KV cache of the previous
    call is reused by llama.cpp when the next prompt starts with the same tokens."""

    def __init__(self, llama: object, name: str):
        self._llama = llama
        self.name = name
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def stream(self, messages: list[Message], *, max_tokens: int,
               stop: tuple[str, ...] = ()) -> Iterator[str]:
        with self._lock:
            try:
                chunks = self._llama.create_chat_completion(
                    messages=messages, max_tokens=max_tokens, temperature=0.0, top_k=1,
                    repeat_penalty=1.05, stop=list(stop) or None, stream=True)
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            except (RuntimeError, ValueError) as exc:
                raise LLMError(f"llama.cpp failed: {exc}") from exc


def build_llm(settings: Settings) -> LLM:
    """The one place a model is constructed."""
    if settings.LLM_BACKEND == "openai":
        from bot.llm_http import OpenAICompatLLM
        return OpenAICompatLLM(settings.LLM_BASE_URL, settings.LLM_MODEL)
    path = Path(settings.MODEL_PATH)
    if not path.is_file():
        raise LLMError(f"MODEL_PATH={path} does not exist; run `make setup` or point MODEL_PATH "
                       "at a GGUF file")
    from llama_cpp import Llama
    try:
        llama = Llama(model_path=str(path), n_ctx=settings.LLM_CTX, n_threads=settings.LLM_THREADS,
                      n_threads_batch=settings.LLM_THREADS, n_batch=512, logits_all=False,
                      verbose=False)
    except (ValueError, RuntimeError) as exc:
        raise LLMError(f"could not load MODEL_PATH={path}: {exc}") from exc
    log.info("loaded model %s (n_ctx=%d, n_threads=%d)", path.name, settings.LLM_CTX,
             settings.LLM_THREADS)
    return LlamaCppLLM(llama, path.name)


async def astream(llm: LLM, messages: list[Message], *, max_tokens: int,
                  stop: tuple[str, ...] = ()) -> AsyncIterator[str]:
    """Run the blocking model call in a worker thread; the event loop only relays pieces."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    done = object()

    def work() -> None:
        try:
            for piece in llm.stream(messages, max_tokens=max_tokens, stop=stop):
                loop.call_soon_threadsafe(queue.put_nowait, piece)
        except BaseException as exc:  # handed to the awaiting side
            loop.call_soon_threadsafe(queue.put_nowait, exc)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, done)

    worker = loop.run_in_executor(None, work)
    while (item := await queue.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item
    await worker
