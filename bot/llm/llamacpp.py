"""llama.cpp in this process (llama-cpp-python): the model behind the LLM protocol, with
evaluated prompt prefixes kept in memory and on disk."""
from __future__ import annotations

import codecs
import ctypes
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.llm import lookup
from bot.llm.base import Interrupt, Interrupted, LLMError, Message, PlainText
from bot.llm.kvcache import PrefixCache, cache_folder, prefix_key

if TYPE_CHECKING:
    from llama_cpp import Llama

log = logging.getLogger(__name__)

# Guessed tokens checked per forward pass (prompt lookup); 0: one at a time. On 2 cores a pass
# costs about its token count (5 tokens 117 ms, 1 token 33 ms: compute-bound), so longer guesses
# gain nothing: bench/lookup_speed.py measured 1.18× at 4, 1.15× at 8, 1.12× at 12.
LOOKUP_TOKENS = 4
REPEAT_PENALTY = 1.05
# Prompt tokens background work evaluates between two looks at whether a question waits: the
# longest a question waits for the model. Smaller batches cost little (prompt processing at 64
# runs at ~0.95 of 512's here) and keep the wait under half a second.
INTERRUPTIBLE_BATCH = 64


def control_markers(llama: Llama) -> set[str]:
    """The texts of the vocabulary's special tokens: control, unknown and user-defined ones
    (`<tool_call>`, `<|fim_prefix|>`), which the tokenizer turns a spelling into — the
    user-defined ones even without special parsing. Whitespace-only tokens are left out:
    breaking them would change text and guard nothing."""
    from llama_cpp import llama_cpp as C
    vocab = llama._model.vocab
    special = (C.LLAMA_TOKEN_ATTR_CONTROL | C.LLAMA_TOKEN_ATTR_UNKNOWN
               | C.LLAMA_TOKEN_ATTR_USER_DEFINED)
    texts = (llama.detokenize([tid], special=True).decode("utf-8", "ignore")
             for tid in range(C.llama_vocab_n_tokens(vocab))
             if C.llama_vocab_get_attr(vocab, tid) & special)
    return {text for text in texts if text.strip()}


class LlamaCppLLM:
    """llama.cpp in this process. Calls are serialised by a lock. The prompt is rendered with
    the model's own chat template; an evaluated prefix (instructions + document) is reused from
    memory, or loaded from the prefix cache, so only the question's tokens are processed."""

    supports_prefix_cache = True

    def __init__(self, llama: Llama, name: str, cache: PrefixCache | None = None) -> None:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self._llama = llama
        self.name = name
        self._cache = cache
        self._lock = threading.Lock()
        meta = llama.metadata
        eos_id = int(meta.get("tokenizer.ggml.eos_token_id", llama.token_eos()))
        bos_id = int(meta.get("tokenizer.ggml.bos_token_id", llama.token_bos()))

        def text(tid: int) -> str:
            return str(llama.detokenize([tid], special=True).decode("utf-8", "ignore"))

        template = meta.get("tokenizer.chat_template")
        if not template:
            raise LLMError(f"{name} has no chat template in its metadata; use an instruct GGUF")
        kwargs: dict[str, Any] = dict(template=template, eos_token=text(eos_id),
                                      bos_token=text(bos_id), stop_token_ids=[eos_id])
        self._format = Jinja2ChatFormatter(**kwargs)
        self._format_prefix = Jinja2ChatFormatter(add_generation_prompt=False, **kwargs)
        self._add_bos = str(meta.get("tokenizer.ggml.add_bos_token", "false")).lower() == "true"
        self.plain = PlainText(control_markers(llama))
        self.last_prefix = ""  # how the last prefix was obtained: warm / loaded / computed
        self.last_tokens = (0, 0)  # the last prompt's (tokens reused from state, tokens evaluated)
        self.last_decode = (0, 0)  # the last reply's (tokens, forward passes)
        self.stages: dict[str, int] = {}  # the last stream call's first-token split (STAGES)
        self.lookup = LOOKUP_TOKENS
        self.context_length = int(llama.n_ctx())

    def count_tokens(self, text: str) -> int:
        tokens: list[int] = self._llama.tokenize(text.encode("utf-8"), add_bos=False,
                                                 special=False)
        return len(tokens)

    def _tokens(self, prompt: str) -> list[int]:
        """A rendered prompt's tokens: its template markers are control tokens (message
        contents were made plain text before rendering)."""
        tokens: list[int] = self._llama.tokenize(prompt.encode("utf-8"), add_bos=self._add_bos,
                                                 special=True)
        return tokens

    def prompt_tokens(self, messages: list[Message], *, generation: bool = True) -> list[int]:
        """The tokens the model is given for `messages` (without the reply prompt: a prefix)."""
        formatter = self._format if generation else self._format_prefix
        return self._tokens(formatter(messages=self.plain.messages(messages)).prompt)

    def _prefix(self, messages: list[Message], count: int, tokens: list[int]) -> list[int]:
        """Tokens of the first `count` messages, when they are an exact prefix of `tokens`."""
        if count <= 0:
            return []
        prefix = self.prompt_tokens(messages[:count], generation=False)
        return prefix if tokens[: len(prefix)] == prefix else []

    def _evaluate(self, tokens: list[int], interrupt: Interrupt, *, small: bool = False) -> None:
        """llama.eval in batches; background work (`interrupt`) and every prefix (`small`:
        the same batches whoever evaluates it, so its state does not depend on who did) in
        batches of INTERRUPTIBLE_BATCH, so a question waits at most one of them for the model
        (~0.4 s for the default model on 2 cores, where one of 512 took ~3 s)."""
        step = INTERRUPTIBLE_BATCH if small or interrupt is not None else self._llama.n_batch
        for start in range(0, len(tokens), step):
            if interrupt is not None and interrupt():
                raise Interrupted
            self._llama.eval(tokens[start:start + step])

    def _prefill(self, tokens: list[int], interrupt: Interrupt) -> None:
        """Evaluate all but the last prompt token now, interruptibly; generate() then finds
        them in the state and evaluates only the last one."""
        from llama_cpp import Llama
        llama = self._llama
        same = min(Llama.longest_token_prefix(llama.input_ids[: llama.n_tokens], tokens),
                   len(tokens) - 1)
        if llama.n_tokens > same:
            llama._ctx.kv_cache_seq_rm(-1, same, -1)
            llama.n_tokens = same
        self._evaluate(tokens[same: len(tokens) - 1], interrupt)

    def _ensure_prefix(self, prefix: list[int], interrupt: Interrupt = None,
                       label: str | None = None) -> str:
        llama = self._llama
        n = len(prefix)
        if llama.n_tokens >= n and llama.input_ids[:n].tolist() == prefix:
            return "warm"
        key = prefix_key(self.name, " ".join(map(str, prefix)))
        data = self._cache.get(key) if self._cache else None
        if data is not None:
            from llama_cpp import llama_cpp as C
            buf = (ctypes.c_uint8 * len(data)).from_buffer(data)
            if C.llama_state_set_data(llama.ctx, buf, len(data)) == len(data):
                llama.input_ids[:n] = prefix
                llama.n_tokens = n
                llama._requires_eval = True  # logits come from the next decode
                return "loaded"
            log.warning("prefix cache entry %s did not load; recomputing", key)
        llama.reset()
        self._evaluate(prefix, interrupt, small=True)
        if self._cache:
            self._cache.put(key, self._state_bytes(), label)
        return "computed"

    def _reusable(self, tokens: list[int]) -> int:
        """How many leading tokens of the prompt the model's current state already holds
        (llama-cpp-python's generate() evaluates only the rest)."""
        from llama_cpp import Llama
        same: int = Llama.longest_token_prefix(self._llama.input_ids[: self._llama.n_tokens],
                                               tokens)
        return min(same, len(tokens) - 1)  # the last prompt token is always evaluated

    def _state_bytes(self) -> bytes:
        from llama_cpp import llama_cpp as C
        size = C.llama_state_get_size(self._llama.ctx)
        buf = (ctypes.c_uint8 * size)()
        written = C.llama_state_get_data(self._llama.ctx, buf, size)
        return ctypes.string_at(buf, written)  # (slicing a ctypes array builds a list of ints)

    def _generate(self, tokens: list[int], max_tokens: int, stops: list[str],
                  interrupt: Interrupt = None) -> Iterator[str]:
        """Greedy decoding (`_token_ids`) with our own incremental UTF-8 decoding:
        llama-cpp-python 0.3.36's streaming drops a Hangul syllable whose bytes span two
        tokens."""
        from llama_cpp import llama_cpp as C

        llama = self._llama
        decoder = codecs.getincrementaldecoder("utf-8")(errors="ignore")
        text, sent = "", 0
        hold = max((len(s) for s in stops), default=0)
        for count, token in enumerate(self._token_ids(tokens, interrupt)):
            if C.llama_vocab_is_eog(llama._model.vocab, token) or count >= max_tokens:
                break
            text += decoder.decode(llama.detokenize([token], special=False))
            cut = min((i for s in stops if (i := text.find(s, max(0, sent - hold))) >= 0),
                      default=-1)
            if cut >= 0:
                text = text[:cut]
                break
            release = _releasable(text, stops)
            if release > sent:
                yield text[sent:release]
                sent = release
        text += decoder.decode(b"", final=True)
        if len(text) > sent:
            yield text[sent:]

    def _token_ids(self, tokens: list[int], interrupt: Interrupt) -> Iterator[int]:
        """The reply's tokens, greedy with the repeat penalty, `lookup` guessed tokens checked
        per forward pass (prompt lookup; bot/llm/lookup.py): the same tokens as one at a
        time, fewer passes. The model's state (input_ids, n_tokens, the KV cache) stays
        consistent after every pass, so the next prompt reuses the longest common prefix."""
        import numpy as np
        from llama_cpp import llama_cpp as C

        llama = self._llama
        mark = time.perf_counter()
        self._prefill(tokens, interrupt)
        self.stages["prompt_ms"] = _ms_since(mark)
        mark = time.perf_counter()
        vocab, n_vocab, n_ctx = llama._model.vocab, llama.n_vocab(), llama.n_ctx()

        def is_end(token: int) -> bool:
            return bool(C.llama_vocab_is_eog(vocab, token))

        history, generated = list(tokens), list[int]()
        last, passes = tokens[-1], 0
        guesser = lookup.Guesser(self.lookup)
        while True:
            if interrupt is not None and interrupt():
                raise Interrupted
            n_past = llama.n_tokens
            # No guess for the first token: it is the one a reader waits for.
            guessed = (guesser.guess(history)[:max(0, n_ctx - n_past - 1)]
                       if generated else [])
            batch = [last, *guessed]
            llama._batch.set_batch(batch=batch, n_past=n_past, logits_all=True)
            llama._ctx.decode(llama._batch)
            rows = np.ctypeslib.as_array(llama._ctx.get_logits(), shape=(len(batch), n_vocab))
            kept = list(lookup.accepted(rows, guessed, generated, REPEAT_PENALTY, is_end))
            passes += 1
            guesser.checked(len(guessed), len(kept) - 1)
            if passes == 1:
                self.stages["first_decode_ms"] = _ms_since(mark)
            llama.input_ids[n_past:n_past + len(kept)] = batch[:len(kept)]
            llama.n_tokens = n_past + len(kept)
            llama._ctx.kv_cache_seq_rm(-1, llama.n_tokens, -1)
            self.last_decode = (len(generated), passes)
            history += kept
            yield from kept
            last = kept[-1]
            if is_end(last) or llama.n_tokens + 1 >= n_ctx:
                return

    def has_prefix(self, messages: list[Message]) -> bool:
        """No model work: the prefix's tokens against the state and the cache's keys. Read
        without the lock (a question being answered must not make planning wait); a stale
        answer only picks the slower of two correct prompts."""
        prefix = self.prompt_tokens(messages, generation=False)
        n, llama = len(prefix), self._llama
        if llama.n_tokens >= n and llama.input_ids[:n].tolist() == prefix:
            return True
        return self._cache is not None and self._cache.contains(
            prefix_key(self.name, " ".join(map(str, prefix))))

    def warm(self, messages: list[Message], interrupt: Interrupt = None,
             label: str | None = None) -> str:
        """Evaluate and cache `messages` as a prefix now (e.g. a document at ingest)."""
        with self._lock:
            prefix = self.prompt_tokens(messages, generation=False)
            key = prefix_key(self.name, " ".join(map(str, prefix)))
            if self._cache and self._cache.contains(key):
                return "cached"
            how = self._ensure_prefix(prefix, interrupt, label)
            if how == "warm" and self._cache:  # in memory but not on disk (evicted): keep it
                self._llama._ctx.kv_cache_seq_rm(-1, len(prefix), -1)
                self._llama.n_tokens = len(prefix)
                self._cache.put(key, self._state_bytes(), label)
            return how

    def choose(self, messages: list[Message], options: tuple[str, ...], *,
               cache_prefix: int = 0, interrupt: Interrupt = None) -> dict[str, float]:
        """Log-probabilities of each option's first token as the reply's first token, from one
        prompt evaluation and no sampling. Options must start with different tokens."""
        import numpy as np
        with self._lock:
            try:
                tokens = self.prompt_tokens(messages)
                firsts = self.first_tokens(options)
                if prefix := self._prefix(messages, cache_prefix, tokens):
                    self.last_prefix = self._ensure_prefix(prefix, interrupt)
                if len(tokens) >= self._llama.n_ctx():
                    raise LLMError(f"prompt of {len(tokens)} tokens does not fit LLM_CTX="
                                   f"{self._llama.n_ctx()}")
                self._prefill(tokens, interrupt)
                self._llama.eval(tokens[-1:])  # its logits are the reply's first token's
                logits = np.ctypeslib.as_array(self._llama._ctx.get_logits_ith(-1),
                                               shape=(self._llama.n_vocab(),))
                top = float(logits.max())
                total = top + float(np.log(np.exp(logits - top).sum()))
                return {o: float(logits[t]) - total for o, t in zip(options, firsts)}
            except (RuntimeError, ValueError) as exc:
                raise LLMError(f"llama.cpp failed: {exc}") from exc

    def first_tokens(self, options: tuple[str, ...]) -> list[int]:
        firsts = [self._llama.tokenize(o.encode("utf-8"), add_bos=False, special=False)[0]
                  for o in options]
        if len(set(firsts)) != len(firsts):
            raise LLMError(f"options {options} do not start with different tokens")
        return firsts

    def stream(self, messages: list[Message], *, max_tokens: int, stop: tuple[str, ...] = (),
               cache_prefix: int = 0, interrupt: Interrupt = None,
               cache_label: str | None = None) -> Iterator[str]:
        with self._lock:
            try:
                formatted = self._format(messages=self.plain.messages(messages))
                tokens = self._tokens(formatted.prompt)
                self.stages = dict.fromkeys(("prefix_load_ms", "prefix_eval_ms",
                                             "prefix_tokens"), 0)
                if prefix := self._prefix(messages, cache_prefix, tokens):
                    mark = time.perf_counter()
                    self.last_prefix = self._ensure_prefix(prefix, interrupt, cache_label)
                    stage = {"loaded": "prefix_load_ms", "computed": "prefix_eval_ms"}
                    if self.last_prefix in stage:
                        self.stages[stage[self.last_prefix]] = _ms_since(mark)
                    self.stages["prefix_tokens"] = len(prefix)
                if len(tokens) + max_tokens > self._llama.n_ctx():
                    raise LLMError(f"prompt of {len(tokens)} tokens does not fit LLM_CTX="
                                   f"{self._llama.n_ctx()}")
                stops = [s for s in [*(formatted.stop or []), *stop] if s]
                reused = self._reusable(tokens)
                self.last_tokens = (reused, len(tokens) - reused)
                self.stages["prompt_tokens"] = len(tokens) - reused
                yield from self._generate(tokens, max_tokens, stops, interrupt)
            except (RuntimeError, ValueError) as exc:
                raise LLMError(f"llama.cpp failed: {exc}") from exc


def _ms_since(mark: float) -> int:
    return int((time.perf_counter() - mark) * 1000)


def _releasable(text: str, stops: list[str]) -> int:
    """How much of `text` can be shown: all but a tail that could still grow into a stop
    string. (Holding back a stop string's full length instead delays the first piece by
    several tokens.)"""
    for size in range(min(len(text), max((len(s) for s in stops), default=1) - 1), 0, -1):
        if any(s.startswith(text[-size:]) for s in stops):
            return len(text) - size
    return len(text)


def load(settings: Settings, name: str) -> LlamaCppLLM:
    """The one place `Llama(...)` is built: MODEL_PATH, with its prefix cache next to the
    database."""
    path = Path(settings.MODEL_PATH)
    if not path.is_file():
        raise LLMError(f"MODEL_PATH={path} does not exist; run `make setup` or point MODEL_PATH "
                       "at a GGUF file")
    from llama_cpp import Llama
    try:
        llama = Llama(model_path=str(path), n_ctx=settings.LLM_CTX, n_threads=settings.LLM_THREADS,
                      n_threads_batch=settings.LLM_THREADS, n_batch=512, logits_all=False,
                      # With mmap the file's pages stay resident next to the weights llama.cpp
                      # repacks for the CPU: 2.49 GB peak RSS against 1.87 GB without it.
                      use_mmap=False, verbose=False)
    except (ValueError, RuntimeError) as exc:
        raise LLMError(f"could not load MODEL_PATH={path}: {exc}") from exc
    log.info("loaded model %s (n_ctx=%d, n_threads=%d)", path.name, settings.LLM_CTX,
             settings.LLM_THREADS)
    cache = None
    if (budget := settings.cache_mb()) > 0:
        cache = PrefixCache(cache_folder(settings.BRIEFBOT_DB), budget << 20)
        log.info("prefix cache: %s MB%s", f"{budget:,}", "" if settings.LLM_CACHE_MB is not None
                 else " (a quarter of the free disk; LLM_CACHE_MB sets it)")
    return LlamaCppLLM(llama, name, cache)

