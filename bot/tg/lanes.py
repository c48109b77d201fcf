"""Commands that need no model, answered per chat by one task per chat.

A handler only drops the command into its chat's lane and returns, so PTB's concurrent-update
slots are never held while a reply waits on the rate limiter (20 messages a minute in a
group): a group flooding /sources waits on its own limit, and nobody else waits behind it.
A lane holds a few commands; an identical one already waiting answers a repeat, and beyond
that the chat gets one short note until its lane has drained.
"""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

MAX_PENDING = 3  # commands waiting in one chat's lane, besides the one being answered

Job = Callable[[], Awaitable[None]]
Spawn = Callable[[Coroutine[Any, Any, None]], object]


@dataclass
class _Lane:
    jobs: deque[tuple[str, Job]] = field(default_factory=deque)
    noted: bool = False  # told about dropped commands since the lane was last empty


class CommandLanes:
    """Per-chat FIFO lanes. Lives on the event loop; not thread-safe by design."""

    QUEUED, COALESCED, NOTED, DROPPED = "queued", "coalesced", "noted", "dropped"

    def __init__(self, spawn: Spawn, max_pending: int = MAX_PENDING):
        self._spawn = spawn  # starts a lane's task (Application.create_task: stop() awaits it)
        self.max_pending = max_pending
        self._lanes: dict[int, _Lane] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    def submit(self, chat_id: int, key: str, job: Job, note: Job) -> str:
        """Queue `job` in the chat's lane (no await: arrival order is kept). `key` names what
        the job answers (command and argument); `note` tells the chat it sent too many."""
        lane = self._lanes.get(chat_id)
        if lane is None:
            lane = self._lanes[chat_id] = _Lane()
            self._idle.clear()
            self._spawn(self._serve(chat_id, lane))
        if any(waiting == key for waiting, _ in lane.jobs):
            return self.COALESCED
        if len(lane.jobs) >= self.max_pending:
            if lane.noted:
                return self.DROPPED
            lane.noted = True
            lane.jobs.append(("", note))
            return self.NOTED
        lane.jobs.append((key, job))
        return self.QUEUED

    async def idle(self) -> None:
        """Every command submitted so far has been answered."""
        await self._idle.wait()

    async def _serve(self, chat_id: int, lane: _Lane) -> None:
        try:
            while lane.jobs:
                _, job = lane.jobs.popleft()
                try:
                    await job()
                except Exception:  # noqa: BLE001 - jobs report their own; the lane goes on
                    log.exception("a command in chat %s failed", chat_id)
        finally:
            del self._lanes[chat_id]
            if not self._lanes:
                self._idle.set()
