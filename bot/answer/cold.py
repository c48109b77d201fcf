"""The documents asked about whose evaluated prefix was not at hand."""
from __future__ import annotations

import threading
from collections.abc import Callable


class ColdDocuments:
    """Documents asked about whose prefix was not at hand, oldest first: the background worker
    evaluates them next, so the follow-up and the next reader get the fast path."""

    def __init__(self) -> None:
        self._ids: dict[str, None] = {}
        self._lock = threading.Lock()
        self.wake: Callable[[], None] | None = None  # the worker's wake-up

    def add(self, doc_id: str) -> None:
        with self._lock:
            self._ids.setdefault(doc_id)
        if self.wake:
            self.wake()

    def pending(self) -> list[str]:
        with self._lock:
            return list(self._ids)

    def done(self, doc_id: str) -> None:
        with self._lock:
            self._ids.pop(doc_id, None)
