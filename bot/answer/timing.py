"""Where the recent model answers' first-token time went (`LLM.stages` with the answer's own
timings): the medians the operator sees in /stats."""
from __future__ import annotations

import statistics
import threading
from collections import deque

KEPT = 20  # the most recent model answers the medians are taken over


class RecentTimings:
    def __init__(self, kept: int = KEPT):
        self._kept: deque[dict[str, int]] = deque(maxlen=kept)
        self._lock = threading.Lock()

    def add(self, timings: dict[str, int]) -> None:
        with self._lock:
            self._kept.append(dict(timings))

    def __len__(self) -> int:
        with self._lock:
            return len(self._kept)

    def medians(self) -> dict[str, int]:
        """Per key, the median over the answers that report it (empty when none has run)."""
        with self._lock:
            kept = list(self._kept)
        keys = dict.fromkeys(k for timings in kept for k in timings)
        return {k: int(statistics.median(t[k] for t in kept if k in t)) for k in keys}
