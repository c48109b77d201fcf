"""Who may use the bot, and how often a group may ask for summaries."""
from __future__ import annotations

from collections.abc import Iterable

from bot.delivery.notify import allowed

MAX_REFUSED = 10_000  # refused chats remembered (each is told once); the oldest are forgotten


class AccessGate:
    """With an allowlist, other chats get one polite refusal per process and nothing else."""

    def __init__(self, allowed_chat_ids: Iterable[int], admin_ids: Iterable[int] = ()):
        self.allowed = frozenset(allowed_chat_ids)
        self.admins = frozenset(admin_ids)
        self._refused: dict[int, None] = {}  # insertion-ordered: the oldest are dropped first

    def allows(self, chat_id: int) -> bool:
        return allowed(chat_id, self.allowed)

    def first_refusal(self, chat_id: int) -> bool:
        """True the first time a refused chat is seen: it gets told, once."""
        if chat_id in self._refused:
            return False
        self._refused[chat_id] = None
        if len(self._refused) > MAX_REFUSED:  # bounded memory, whoever writes to the bot
            del self._refused[next(iter(self._refused))]
        return True

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admins


class Cooldown:
    """A group's repeated /summary within `seconds` gets one short note, then silence
    until the window ends: the group has just seen the summary."""

    GO, NOTE, QUIET = "go", "note", "quiet"

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._last: dict[int, float] = {}
        self._noted: set[int] = set()

    def check(self, chat_id: int, now: float) -> str:
        last = self._last.get(chat_id)
        if last is None or now - last >= self.seconds:
            self._last[chat_id] = now
            self._noted.discard(chat_id)
            self._forget_old(now)
            return self.GO
        if chat_id in self._noted:
            return self.QUIET
        self._noted.add(chat_id)
        return self.NOTE

    def remaining(self, chat_id: int, now: float) -> float:
        return max(0.0, self.seconds - (now - self._last.get(chat_id, now - self.seconds)))

    def _forget_old(self, now: float) -> None:
        if len(self._last) > 1000:  # keep the table small in a bot that lives in many groups
            for chat_id in [c for c, t in self._last.items() if now - t >= self.seconds]:
                del self._last[chat_id]
                self._noted.discard(chat_id)
