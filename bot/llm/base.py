"""What every language model offers the rest of the bot: a small protocol, its errors, and the
guard that keeps untrusted text from spelling control tokens. Nothing here loads a model."""
from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Protocol

Message = dict[str, str]


class LLMError(Exception):
    """The model could not be loaded or could not answer; the message says why (English)."""


class Interrupted(Exception):
    """Background work gave the model up because its `interrupt()` said so (a user's question
    is waiting, or the bot is stopping). Nothing is wrong; the work is done again later."""


Interrupt = Callable[[], bool] | None

# The split of a reply's first-token time: loading the model, the prefix loaded from disk or
# evaluated (and its tokens), the turn's own prompt tokens and their time, the first decode.
STAGES = ("load_ms", "prefix_load_ms", "prefix_eval_ms", "prefix_tokens", "prompt_tokens",
          "prompt_ms", "first_decode_ms")


class PlainText:
    """Keeps untrusted text (documents, questions, history) from spelling the model's control
    tokens. The rendered prompt is tokenized with special parsing, so that the chat
    template's own markers become control tokens; a "<|im_start|>system" inside an article
    would become one too — a forged turn. Every marker inside a message's content gets a
    zero-width space after its first character, so it is read as the plain text it is. The
    contents change the same way wherever they appear, so a prefix's tokens stay a prefix
    of the whole prompt's."""

    BREAK = "\u200b"
    # For a server whose vocabulary is unknown: the marker shapes of common chat templates
    # (ChatML and Llama 3 <|...|>, EXAONE [|...|], Gemma, Llama 2 / Mistral).
    COMMON = re.compile(r"<\|[^|<>\s]{1,40}\|>|\[\|[^|\[\]\s]{1,40}\|\]|</?s>|\[/?INST\]|"
                        r"<(?:start|end)_of_turn>|<(?:bos|eos|pad)>")

    def __init__(self, markers: set[str] | re.Pattern[str]):
        if isinstance(markers, re.Pattern):
            self._pattern: re.Pattern[str] | None = markers
            return
        markers = {m for m in markers if len(m) >= 2}
        self._pattern = (re.compile("|".join(map(re.escape, sorted(markers, key=len,
                                                                   reverse=True))))
                         if markers else None)

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: m[0][0] + self.BREAK + m[0][1:], text)

    def messages(self, messages: list[Message]) -> list[Message]:
        return [{**m, "content": self(m["content"])} if isinstance(m.get("content"), str) else m
                for m in messages]


class LLM(Protocol):
    """A model. `supports_prefix_cache`: whether `warm` keeps an evaluated prefix that later
    calls reuse (llama.cpp in this process); when False, `warm` does nothing and says
    "unsupported", and the background worker does not spend time on prefixes."""

    # Read-only here (properties), so a wrapper that only knows them (LazyLLM) is a model too.
    @property
    def name(self) -> str: ...

    @property
    def context_length(self) -> int:
        """Tokens a whole prompt plus its reply may take."""

    @property
    def supports_prefix_cache(self) -> bool: ...

    @property
    def stages(self) -> dict[str, int]:
        """Where the last `stream` call's time to its first token went, in ms and tokens (keys
        in STAGES; those a backend cannot tell are left out)."""

    def stream(self, messages: list[Message], *, max_tokens: int, stop: tuple[str, ...] = (),
               cache_prefix: int = 0, interrupt: Interrupt = None,
               cache_label: str | None = None) -> Iterator[str]:
        """Yield the reply in pieces, greedily decoded. One call at a time per model.
        The first `cache_prefix` messages are a prefix worth keeping evaluated (a document;
        `cache_label`, its id, lets the kept state be removed with the document).
        `interrupt` (background work) is asked between prompt batches and between tokens;
        when it returns True the call raises Interrupted and frees the model."""

    def choose(self, messages: list[Message], options: tuple[str, ...], *,
               cache_prefix: int = 0, interrupt: Interrupt = None) -> dict[str, float]:
        """Log-probability of each option as the start of the reply (its first token), for a
        choice among a few labels without free text. Raises LLMError where the model cannot
        tell (a server without log-probabilities)."""

    def has_prefix(self, messages: list[Message]) -> bool:
        """Whether `messages` as a prompt prefix is evaluated now or kept on disk, so a
        question over it starts in about a second (True where the backend keeps its own)."""

    def warm(self, messages: list[Message], interrupt: Interrupt = None,
             label: str | None = None) -> str:
        """Evaluate and keep `messages` as a prefix now; returns how: computed, loaded, warm,
        cached (already on disk), or unsupported."""

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` (an estimate where the vocabulary is unknown)."""


async def astream(llm: LLM, messages: list[Message], *, max_tokens: int,
                  stop: tuple[str, ...] = (), cache_prefix: int = 0,
                  cache_label: str | None = None) -> AsyncIterator[str]:
    """Run the blocking model call in a worker thread; the event loop only relays pieces."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | BaseException | None] = asyncio.Queue()  # None: done

    def work() -> None:
        try:
            for piece in llm.stream(messages, max_tokens=max_tokens, stop=stop,
                                    cache_prefix=cache_prefix, cache_label=cache_label):
                loop.call_soon_threadsafe(queue.put_nowait, piece)
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting side
            loop.call_soon_threadsafe(queue.put_nowait, exc)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, None)

    worker = loop.run_in_executor(None, work)
    while (item := await queue.get()) is not None:
        if isinstance(item, BaseException):
            raise item
        yield item
    await worker
