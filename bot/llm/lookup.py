"""Greedy decoding with prompt lookup: answers copy the document's words, so the tokens that
followed the last few generated tokens where they appear earlier in the prompt (or the answer)
are a good guess of what comes next. Several guessed tokens are checked by one forward pass;
every token kept is the one plain greedy decoding would have chosen, so the text is the same,
only sooner.

The choice of each token is the one llama-cpp-python's sampler makes for `temp=0,
repeat_penalty=p`: the repeat penalty over the last `PENALTY_WINDOW` generated tokens (a logit
above zero divided by p, one below multiplied by it), then the largest logit."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

PENALTY_WINDOW = 64  # llama-cpp-python's last_n_tokens_size, the penalties sampler's window
MAX_NGRAM = 3  # the longest run of last tokens looked up
# A guess is checked in a pass of several tokens, which on some CPUs costs several single-token
# passes (5 tokens: 2.6-4.2 on an AVX-512 EPYC), so a rejected guess is paid in full. Guess only
# from a match of at least MIN_NGRAM tokens (a lone repeated token - a particle, a comma -
# predicts what follows poorly), and after a guess rejected outright, not for BACKOFF passes,
# doubling while guesses keep failing.
MIN_NGRAM = 2
BACKOFF, MAX_BACKOFF = 4, 64


class Guesser:
    """When to guess, and what: `draft` when the recent guesses have been worth their pass."""

    def __init__(self, count: int):
        self.count = count
        self._wait, self._backoff = 0, BACKOFF

    def guess(self, history: Sequence[int]) -> list[int]:
        if self.count <= 0:
            return []
        if self._wait > 0:
            self._wait -= 1
            return []
        return draft(history, self.count, min_ngram=MIN_NGRAM)

    def checked(self, guessed: int, kept: int) -> None:
        """A pass checked `guessed` tokens and the model agreed with the first `kept`."""
        if guessed and not kept:
            self._wait, self._backoff = self._backoff, min(MAX_BACKOFF, self._backoff * 2)
        elif kept:
            self._backoff = BACKOFF


def draft(history: Sequence[int], count: int, max_ngram: int = MAX_NGRAM,
          min_ngram: int = 1) -> list[int]:
    """Up to `count` tokens that followed the most recent earlier occurrence of the last
    `max_ngram` (down to `min_ngram`) tokens of `history`; none when they occur nowhere else."""
    if count <= 0:
        return []
    tokens = np.asarray(history, dtype=np.int64)
    size = len(tokens)
    for n in range(min(max_ngram, size - 1), min_ngram - 1, -1):
        tail = tokens[size - n:]
        # Windows of length n that end before the tail starts, latest first.
        windows = np.lib.stride_tricks.sliding_window_view(tokens[:size - 1], n)
        hits = np.flatnonzero((windows == tail).all(axis=1))
        hits = hits[hits + n < size]  # something must follow the occurrence
        if len(hits):
            start = int(hits[-1]) + n
            guess: list[int] = tokens[start:start + count].tolist()
            return guess
    return []


def choose(logits: np.ndarray, generated: Sequence[int], penalty: float) -> int:
    """The greedy token after the repeat penalty over the last generated tokens."""
    if penalty != 1.0 and generated:
        seen = np.unique(np.asarray(generated[-PENALTY_WINDOW:], dtype=np.int64))
        row = logits.astype(np.float32, copy=True)
        values = row[seen]
        row[seen] = np.where(values > 0, values / penalty, values * penalty)
        return int(row.argmax())
    return int(logits.argmax())


def accepted(rows: np.ndarray, guessed: Sequence[int], generated: list[int], penalty: float,
             is_end: Callable[[int], bool]) -> Iterator[int]:
    """The tokens greedy decoding keeps from one checked pass: `rows[i]` are the logits after
    the pass's i-th token (the last token kept before, then the guesses). Each chosen token is
    yielded (and appended to `generated`); the pass goes on while it equals the guess."""
    for i in range(len(rows)):
        token = choose(rows[i], generated, penalty)
        generated.append(token)
        yield token
        if is_end(token) or i >= len(guessed) or guessed[i] != token:
            return
