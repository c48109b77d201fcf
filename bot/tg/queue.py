"""The model's waiting line: one question at a time, the rest in arrival order, bounded —
in total and per chat, so one chat cannot take every place."""
from __future__ import annotations

import asyncio
from collections import Counter, deque

MAX_WAITING = 5
MAX_WAITING_PER_CHAT = 2


class QueueFull(Exception):
    """More questions are waiting than the line holds; the asker should try again later."""


class ChatFull(QueueFull):
    """This chat already has its share of waiting questions. `tell` is True the first time
    since one of its questions last finished: it gets one note, not one per message."""

    def __init__(self, tell: bool):
        super().__init__()
        self.tell = tell


class Turn:
    """One question's place in line. Use as `async with queue.reserve(chat) as turn:`, tell the
    user `turn.ahead`, `await turn.ready()`, ask the model; leaving the block frees the place."""

    def __init__(self, line: ModelQueue, chat_id: int, ahead: int):
        self._line = line
        self.chat_id = chat_id
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

    def __init__(self, max_waiting: int = MAX_WAITING,
                 max_waiting_per_chat: int = MAX_WAITING_PER_CHAT):
        self.max_waiting = max_waiting
        self.max_waiting_per_chat = max_waiting_per_chat
        self._running: Turn | None = None
        self._waiting: deque[Turn] = deque()
        self._per_chat: Counter[int] = Counter()  # waiting turns by chat
        self._told: set[int] = set()  # chats told they are full, until one of theirs ends

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @property
    def busy(self) -> bool:
        return self._running is not None

    def reserve(self, chat_id: int) -> Turn:
        """Join the line now (no await, so the order is the order of arrival)."""
        if self._running is not None:
            if self._per_chat[chat_id] >= self.max_waiting_per_chat:
                tell = chat_id not in self._told
                self._told.add(chat_id)
                raise ChatFull(tell)
            if len(self._waiting) >= self.max_waiting:
                raise QueueFull
        turn = Turn(self, chat_id, ahead=len(self._waiting) + (self._running is not None))
        if self._running is None:
            self._running = turn
            turn._granted.set()
        else:
            self._waiting.append(turn)
            self._per_chat[chat_id] += 1
        return turn

    def _leave(self, turn: Turn) -> None:
        self._told.discard(turn.chat_id)
        if turn is not self._running:
            if turn in self._waiting:  # gave up while waiting (cancelled, failed to notify)
                self._waiting.remove(turn)
                self._unwait(turn)
            return
        self._running = self._waiting.popleft() if self._waiting else None
        if self._running is not None:
            self._unwait(self._running)
            self._running._granted.set()

    def _unwait(self, turn: Turn) -> None:
        self._per_chat[turn.chat_id] -= 1
        if self._per_chat[turn.chat_id] <= 0:
            del self._per_chat[turn.chat_id]
