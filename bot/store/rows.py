"""Rows that callers read by field: frozen dataclasses whose fields are the column names, so
a misspelt column fails where it is read and a caller cannot change what the store holds."""
from __future__ import annotations

import json
from dataclasses import Field, dataclass, fields
from typing import Any, ClassVar, Self

# Marks a file's raw hash to be read again by better page rules (FilesMixin.read_again),
# keeping the hash itself so a better reading of unchanged bytes is told from an edit.
READ_AGAIN = "again:"


class _Row:
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]  # every subclass is a dataclass

    @classmethod
    def of(cls, row: dict[str, Any]) -> Self:
        """The row's columns named by the fields (a column added later is left out)."""
        return cls(**{f.name: row[f.name] for f in fields(cls)})


@dataclass(frozen=True)
class FileState(_Row):
    """A file in a watched folder as last read: its bytes' hash, and what came of it."""

    name: str
    raw_hash: str
    size: int
    mtime: float
    status: str  # ingested, duplicate, quarantined, forgotten
    doc_id: str | None
    reason: str | None
    updated_at: str
    folder: str | None  # its folder's resolved path; None for rows from before m008
    missing_since: str | None

    def read_again_holding(self, raw_hash: str) -> bool:
        """Whether the file, marked to be read again by better page rules, still holds the
        bytes it held then (`raw_hash`): a better reading of the same page, not an edit."""
        return self.raw_hash == READ_AGAIN + raw_hash


@dataclass(frozen=True)
class Quarantine(_Row):
    """A quarantined file version. `subject` names it in `announced` (name and raw hash)."""

    name: str
    reason: str | None
    raw_hash: str
    updated_at: str
    subject: str


@dataclass(frozen=True)
class Subscription(_Row):
    """A chat that subscribed once; `active` is 1 while it still is, else 0."""

    chat_id: int
    active: int
    chat_type: str | None
    title: str | None
    briefing_time: str | None  # the chat's own HH:MM, or None for the default
    subscribed_at: str | None
    last_briefed_on: str | None  # local date of the last scheduled briefing
    deactivated_reason: str | None
    last_briefed_at: str | None  # the watermark: the next briefing covers documents after it


@dataclass(frozen=True)
class Turn(_Row):
    """One earlier message of a conversation: role is user or assistant."""

    role: str
    text: str
    sources: tuple[str, ...] = ()  # for an answer: the documents it cited

    @classmethod
    def of(cls, row: dict[str, Any]) -> Self:
        try:
            cited = json.loads(row.get("sources") or "[]")
        except ValueError:
            cited = []
        ids = tuple(d for d in cited if isinstance(d, str)) if isinstance(cited, list) else ()
        return cls(role=row["role"], text=row["text"], sources=ids)


@dataclass(frozen=True)
class OutboxMessage(_Row):
    """A message owed to a chat, with its delivery state."""

    id: int
    key: str
    chat_id: int
    kind: str
    payload: str
    status: str  # pending, sent, failed, dropped, expired
    attempts: int
    last_error: str | None
    created_at: str
    next_attempt_at: str
    sent_at: str | None
    parts_sent: int  # of the message's parts, those Telegram has accepted (in order)


@dataclass(frozen=True)
class WorkFailure(_Row):
    """A background step (summary, prefix) that failed for the current version of a document."""

    doc_id: str
    step: str
    attempts: int
    last_error: str | None
    failed_at: str
    retry_at: str


@dataclass(frozen=True)
class Follow(_Row):
    """A topic a chat follows: kind is "proposition" (topic: its id) or "keyword"."""

    chat_id: int
    topic: str
    kind: str
    created_at: str


@dataclass(frozen=True)
class Screen(_Row):
    """A message laid out for one screen: its pages, (button label, text), the top one first."""

    id: str
    chat_id: int
    pages: tuple[tuple[str, str], ...]
    created_at: str

    @classmethod
    def of(cls, row: dict[str, Any]) -> Self:
        try:
            pages = json.loads(row["pages"] or "[]")
        except ValueError:
            pages = []
        kept = tuple((str(p[0]), str(p[1])) for p in pages
                     if isinstance(p, list) and len(p) == 2)
        return cls(id=row["id"], chat_id=row["chat_id"], pages=kept,
                   created_at=row["created_at"])
