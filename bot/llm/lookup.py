"""Greedy decoding with prompt lookup: answers copy the document's words, so the tokens that
followed the last few generated tokens where they appear earlier in the prompt (or the answer)
are a good guess of what comes next. Several guessed tokens are checked by one forward pass;
every token kept is the one plain greedy decoding would have chosen, so the text is the same,
only sooner.

The choice of each token is the one llama-cpp-python's sampler makes for `temp=0,
repeat_penalty=p`: the repeat penalty over the last `PENALTY_WINDOW` generated tokens (a logit
above zero divided by p, one below multiplied by it), then the largest logit."""
from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

PENALTY_WINDOW = 64  # llama-cpp-python's last_n_tokens_size, the penalties sampler's window
MAX_NGRAM = 3  # the longest run of last tokens looked up


def draft(history: Sequence[int], count: int, max_ngram: int = MAX_NGRAM) -> list[int]:
    """Up to `count` tokens that followed the most recent earlier occurrence of the last
    `max_ngram` (down to 1) tokens of `history`; none when they occur nowhere else."""
    if count <= 0:
        return []
    tokens = np.asarray(history, dtype=np.int64)
    size = len(tokens)
    for n in range(min(max_ngram, size - 1), 0, -1):
        tail = tokens[size - n:]
        # Windows of length n that end before the tail starts, latest first.
        windows = np.lib.stride_tricks.sliding_window_view(tokens[:size - 1], n)
        hits = np.flatnonzero((windows == tail).all(axis=1))
        hits = hits[hits + n < size]  # something must follow the occurrence
        if len(hits):
            start = int(hits[-1]) + n
            return tokens[start:start + count].tolist()
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
             is_end) -> Iterator[int]:
    """The tokens greedy decoding keeps from one checked pass: `rows[i]` are the logits after
    the pass's i-th token (the last token kept before, then the guesses). Each chosen token is
    yielded (and appended to `generated`); the pass goes on while it equals the guess."""
    for i in range(len(rows)):
        token = choose(rows[i], generated, penalty)
        generated.append(token)
        yield token
        if is_end(token) or i >= len(guessed) or guessed[i] != token:
            return
