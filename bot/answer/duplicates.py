"""Near-duplicate documents: one wire story republished by several outlets, a press release
copied with a new lead. Among hundreds of articles on a few topics, copies of one story would
fill every place after the first in a question's ranking; a document that mostly repeats one
ranked above it goes after those that do not (it stays findable, by name or when nothing else
covers the question). Rewritten reports of one event share few character runs and are not
copies."""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from bot.store import Store


class Ranked(Protocol):
    """A document's place in a ranking: all that telling copies apart needs of it."""
    @property
    def doc_id(self) -> str: ...


R = TypeVar("R", bound=Ranked)
Shingles = npt.NDArray[np.uint64]

SHINGLE = 5  # characters per shingle, spaces and punctuation left out
SIMILAR = 0.5  # Jaccard similarity of two documents' shingle sets from which one copies
LOOKED_AT = 8  # the best-ranked documents compared with each other
KEPT = 512  # shingle sets kept in memory
_BASE = np.uint64(1_000_003)
_NOT_TEXT = re.compile(r"[\W_]+")


def shingles(text: str) -> Shingles:
    """The sorted distinct hashes of the text's `SHINGLE`-character runs (letters and digits
    only, so spacing and punctuation edits do not count)."""
    codes = np.frombuffer(_NOT_TEXT.sub("", text).encode("utf-32-le"), dtype=np.uint32)
    if len(codes) < SHINGLE:
        return np.unique(codes.astype(np.uint64))
    n = len(codes) - SHINGLE + 1
    hashes = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):  # wrapping multiplication is the hash
        for i in range(SHINGLE):
            hashes = hashes * _BASE + codes[i:i + n].astype(np.uint64)
    return np.unique(hashes)


def similarity(a: Shingles, b: Shingles) -> float:
    if not len(a) or not len(b):
        return 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


class Duplicates:
    def __init__(self, store: Store):
        self.store = store
        self._kept: OrderedDict[tuple[str, int], Shingles] = OrderedDict()
        self._lock = threading.Lock()

    def _shingles(self, doc_id: str) -> Shingles:
        doc = self.store.document(doc_id)
        text = doc.text if doc else ""
        key = (doc_id, hash(text))
        with self._lock:
            if (found := self._kept.get(key)) is not None:
                self._kept.move_to_end(key)
                return found
        found = shingles(text)
        with self._lock:
            self._kept[key] = found
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return found

    def apart(self, ranked: list[R]) -> list[R]:
        """`ranked` with each of its first `LOOKED_AT` documents that copies one ranked above
        it moved after the others (in their order)."""
        head = ranked[:LOOKED_AT]
        sets = {c.doc_id: self._shingles(c.doc_id) for c in head}
        kept: list[R] = []
        copies: list[R] = []
        for cov in head:
            copying = any(similarity(sets[cov.doc_id], sets[k.doc_id]) >= SIMILAR for k in kept)
            (copies if copying else kept).append(cov)
        return kept + ranked[LOOKED_AT:] + copies
