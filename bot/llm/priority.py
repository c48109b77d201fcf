"""Users before background work: the model is shared by people's questions and the background
worker; the worker starts a step only when no question is being answered."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class UserFirst:
    """Counts questions in progress. Thread-safe: questions run in worker threads and on the
    event loop, the background worker in its own thread."""

    def __init__(self) -> None:
        self._active = 0
        self._idle = threading.Condition()

    @property
    def active(self) -> int:
        return self._active

    @contextmanager
    def user(self) -> Iterator[None]:
        with self._idle:
            self._active += 1
        try:
            yield
        finally:
            with self._idle:
                self._active -= 1
                if not self._active:
                    self._idle.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no question is in progress (True), or `timeout` passes (False)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._active == 0, timeout)
