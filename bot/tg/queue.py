"""The model's waiting line: one question at a time, the rest in arrival order, bounded."""
from __future__ import annotations

import asyncio
from collections import deque

MAX_WAITING = 5


class QueueFull(Exception):
    """More questions are waiting than the line holds; the asker should try again later."""


class Turn:
    """One question's place in line. Use as `async with queue.reserve() as turn:`, tell the
    user `turn.ahead`, `await turn.ready()`, ask the model; leaving the block frees the place."""

    def __init__(self, line: ModelQueue, ahead: int):
        self._line = line
        self.ahead = ahead  # questions in front of this one when it joined, running one included
        self._granted = asyncio.Event()

    async def ready(self) -> None:
        await self._granted.wait()

    async def __aenter__(self) -> Turn:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._line._leave(self)


class ModelQueue:
    """FIFO and fair: nobody overtakes. Lives on the event loop; not thread-safe by design."""

    def __init__(self, max_waiting: int = MAX_WAITING):
        self.max_waiting = max_waiting
        self._running: Turn | None = None
        self._waiting: deque[Turn] = deque()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @property
    def busy(self) -> bool:
        return self._running is not None

    def reserve(self) -> Turn:
        """Join the line now (no await, so the order is the order of arrival)."""
        if self._running is not None and len(self._waiting) >= self.max_waiting:
            raise QueueFull
        turn = Turn(self, ahead=len(self._waiting) + (self._running is not None))
        if self._running is None:
            self._running = turn
            turn._granted.set()
        else:
            self._waiting.append(turn)
        return turn

    def _leave(self, turn: Turn) -> None:
        if turn is not self._running:
            if turn in self._waiting:  # gave up while waiting (cancelled, failed to notify)
                self._waiting.remove(turn)
            return
        self._running = self._waiting.popleft() if self._waiting else None
        if self._running is not None:
            self._running._granted.set()
