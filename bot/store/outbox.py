"""The outbox of messages owed to chats, and what has been announced to them."""
from __future__ import annotations

from collections.abc import Sequence

from sqlite_utils import Database

from bot.store.db import StoreBase, utcnow
from bot.store.documents import as_document
from bot.store.follows import save_screen
from bot.store.rows import OutboxMessage, Quarantine
from bot.types import PUSH, Document

# Screens queued with messages: (screen id, chat id, [(button label, page text), …]).
ScreenPages = Sequence[tuple[str, int, list[tuple[str, str]]]]
# A subject names one announceable version of a thing: a document by its cleaned content,
# a quarantined file by its raw bytes. Changing either makes a new subject.
DOC_SUBJECT = "'doc:' || documents.id || ':' || documents.content_hash"
QUARANTINE_SUBJECT = "'quarantine:' || files.name || ':' || files.raw_hash"


def carry_announcement(db: Database, before: Document, after: Document) -> None:
    """Inside the caller's transaction: `after` is announced if `before` was (the same page,
    cleaned better: no new version for a reader)."""
    db.execute("insert or ignore into announced (subject, announced_at) "
               "select ?, announced_at from announced where subject = ?",
               [OutboxMixin.document_subject(after), OutboxMixin.document_subject(before)])


def drop_pushes_announcing(db: Database, doc_id: str) -> int:
    """Inside the caller's transaction: pending pushes that announce a forgotten document are
    dropped, so its title and summary are not sent after it is gone (the other documents such
    a push announced are still in the chat's next briefing). A push is written in the same
    transaction, at the same moment, as the record of what it announces. Returns the rows."""
    cur = db.execute(
        "update outbox set status = 'dropped', last_error = 'document forgotten' "
        "where status = 'pending' and kind = ? and substr(key, 1, 5) = 'push:' and created_at in "
        "(select announced_at from announced where substr(subject, 1, length(?)) = ?)",
        [PUSH, f"doc:{doc_id}:", f"doc:{doc_id}:"])
    return cur.rowcount


class OutboxMixin(StoreBase):
    """Messages that must be delivered, queued in the same transaction as the state they
    announce, so a crash leaves both or neither."""

    def enqueue(self, key: str, chat_id: int, kind: str, payload: str) -> bool:
        """Write a message that must be delivered. False when the key exists (already queued)."""
        with self._tx() as db:
            return self._queue(db, utcnow(), key, chat_id, kind, payload) > 0

    def due_outbox(self, now: str | None = None, limit: int = 200) -> list[OutboxMessage]:
        rows = self._rows("select * from outbox where status = 'pending' and next_attempt_at <= ? "
                          "order by id limit ?", [now or utcnow(), limit])
        return [OutboxMessage.of(r) for r in rows]

    def mark_sent(self, outbox_id: int, parts: int | None = None) -> None:
        """The whole message is delivered (`parts`: how many messages it took)."""
        with self._tx() as db:
            db.execute("update outbox set status = 'sent', sent_at = ?, last_error = null, "
                       "parts_sent = coalesce(?, parts_sent) where id = ?",
                       [utcnow(), parts, outbox_id])

    def mark_part_sent(self, outbox_id: int, parts_sent: int) -> None:
        """The first `parts_sent` parts of a pending message are delivered. A message that
        makes progress is not failing: its count of failed attempts starts again."""
        with self._tx() as db:
            db.execute("update outbox set parts_sent = ?, attempts = 0, last_error = null "
                       "where id = ? and status = 'pending'", [parts_sent, outbox_id])

    def mark_retry(self, outbox_id: int, error: str, next_attempt_at: str,
                   max_attempts: int) -> str:
        """Record a failed attempt; returns the new status (pending, or failed when exhausted)."""
        with self._tx() as db:
            row = list(db.query("select attempts from outbox where id = ?", [outbox_id]))[0]
            attempts = row["attempts"] + 1
            status = "failed" if attempts >= max_attempts else "pending"
            db.execute("update outbox set attempts = ?, last_error = ?, next_attempt_at = ?, "
                       "status = ? where id = ?",
                       [attempts, error[:500], next_attempt_at, status, outbox_id])
            return status

    def mark_dropped(self, outbox_id: int, status: str, reason: str) -> None:
        with self._tx() as db:
            db.execute("update outbox set status = ?, last_error = ? where id = ?",
                       [status, reason[:500], outbox_id])

    def outbox_rows(self, chat_id: int | None = None) -> list[OutboxMessage]:
        if chat_id is None:
            rows = self._rows("select * from outbox order by id")
        else:
            rows = self._rows("select * from outbox where chat_id = ? order by id", [chat_id])
        return [OutboxMessage.of(r) for r in rows]

    def outbox_row(self, outbox_id: int) -> OutboxMessage | None:
        rows = self._rows("select * from outbox where id = ?", [outbox_id])
        return OutboxMessage.of(rows[0]) if rows else None

    @staticmethod
    def _queue(db: Database, now: str, key: str, chat_id: int, kind: str, payload: str) -> int:
        """Insert one pending message inside the caller's transaction; 0 when the key exists."""
        cur = db.execute(
            "insert or ignore into outbox (key, chat_id, kind, payload, status, attempts, "
            "created_at, next_attempt_at) values (?, ?, ?, ?, 'pending', 0, ?, ?)",
            [key, chat_id, kind, payload, now, now])
        return cur.rowcount

    def unannounced_documents(self) -> list[Document]:
        """Documents no chat has been told about yet, oldest first."""
        rows = self._rows(f"select * from documents where {DOC_SUBJECT} not in "
                          "(select subject from announced) order by ingested_at, id")
        return [as_document(r) for r in rows]

    def unannounced_quarantines(self) -> list[Quarantine]:
        """Quarantined file versions the admins have not been told about, by name."""
        rows = self._rows("select name, reason, raw_hash, updated_at, "
                          f"{QUARANTINE_SUBJECT} as subject "
                          "from files where status = 'quarantined' and "
                          f"{QUARANTINE_SUBJECT} not in (select subject from announced) "
                          "order by name")
        return [Quarantine.of(r) for r in rows]

    @staticmethod
    def document_subject(doc: Document) -> str:
        return f"doc:{doc.id}:{doc.content_hash}"

    def mark_all_announced(self) -> int:
        """Treat everything already stored as known (the first start's baseline)."""
        with self._tx() as db:
            now = utcnow()
            cur = db.execute(f"insert or ignore into announced (subject, announced_at) "
                             f"select {DOC_SUBJECT}, ? from documents", [now])
            count = cur.rowcount
            cur = db.execute(f"insert or ignore into announced (subject, announced_at) "
                             f"select {QUARANTINE_SUBJECT}, ? from files "
                             "where status = 'quarantined'", [now])
            return count + cur.rowcount

    def enqueue_announcement(self, messages: list[tuple[str, int, str, str]],
                             subjects: list[str], screens: ScreenPages = ()) -> int:
        """Queue (key, chat_id, kind, payload) messages, with the pages of their `screens`
        (id, chat_id, pages), and record `subjects` as announced, in one transaction: a crash
        leaves either all or none. Returns the rows added."""
        with self._tx() as db:
            now = utcnow()
            added = sum(self._queue(db, now, *message) for message in messages)
            for screen_id, chat_id, pages in screens:
                save_screen(db, now, screen_id, chat_id, pages)
            for subject in subjects:
                db.execute("insert or ignore into announced (subject, announced_at) values (?, ?)",
                           [subject, now])
            return added

    def enqueue_briefing(self, key: str, chat_id: int, kind: str, payload: str, *,
                         briefed_at: str, day: str | None, screen: ScreenPages = ()) -> bool:
        """Queue a chat's briefing (with the pages of its `screen`, if laid out as one) and
        move its watermark with it, atomically. `day` (the local date) is recorded for
        scheduled briefings only. False when the key was already queued."""
        with self._tx() as db:
            now = utcnow()
            if not self._queue(db, now, key, chat_id, kind, payload):
                return False
            for screen_id, screen_chat, pages in screen:
                save_screen(db, now, screen_id, screen_chat, pages)
            db.execute("update subscriptions set last_briefed_at = ? where chat_id = ?",
                       [briefed_at, chat_id])
            if day is not None:
                db.execute("update subscriptions set last_briefed_on = ? where chat_id = ?",
                           [day, chat_id])
            return True
