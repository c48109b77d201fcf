"""The only code that speaks SQL. One SQLite file, opened through sqlite-utils.

`Store` is the one facade; each part of the schema has its own module (documents, files,
chats, outbox, work, search, meta, positions, follows) over the shared connection in `db`."""
from __future__ import annotations

from bot.store.chats import MAX_TURNS_PER_CHAT, ChatsMixin
from bot.store.db import BUSY_TIMEOUT, StoreUnavailable, file_problem, utcnow
from bot.store.documents import DocumentsMixin, sentences_json, stored_sentences
from bot.store.files import FilesMixin
from bot.store.follows import FollowsMixin
from bot.store.meta import MetaMixin
from bot.store.outbox import OutboxMixin
from bot.store.positions import PositionsMixin
from bot.store.rows import (
    FileState,
    Follow,
    OutboxMessage,
    Quarantine,
    Screen,
    Subscription,
    Turn,
    WorkFailure,
)
from bot.store.search import SearchMixin
from bot.store.work import WorkMixin

__all__ = ["BUSY_TIMEOUT", "MAX_TURNS_PER_CHAT", "FileState", "Follow", "OutboxMessage",
           "Quarantine", "Screen", "Store", "StoreUnavailable", "Subscription", "Turn",
           "WorkFailure", "file_problem", "sentences_json", "stored_sentences", "utcnow"]


class Store(DocumentsMixin, FilesMixin, ChatsMixin, OutboxMixin, WorkMixin, SearchMixin,
            MetaMixin, PositionsMixin, FollowsMixin):
    """All persistent state. Safe to share between the event loop and worker threads, and
    between processes (`briefbot ingest` beside `briefbot run`): every write transaction takes
    SQLite's write lock up front (BEGIN IMMEDIATE), so it waits out another process's write
    (busy_timeout) instead of failing on a read-to-write upgrade."""
