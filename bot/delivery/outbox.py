"""The outbox sender: delivers due outbox rows and records each outcome.

Every message was written to the outbox (with a unique key) before any attempt to send it, so
this only has to send what is pending and record each part straight after Telegram accepts it:
a message longer than one Telegram message goes as several parts, and a retry or a restart
resumes at the first part not yet recorded. The one unavoidable gap is a crash between
Telegram's answer and that record: that part is sent again after the restart (the Bot API has
no idempotency key).

Chats are served concurrently, at most `concurrency` at a time, each part's send time-boxed, so
a slow or failing chat never holds up the rest of a broadcast. One process at a time sends: an
OS file lock next to the database (released by the kernel even on `kill -9`) keeps `briefbot
brief --send` and a running bot from sending the same row twice.
"""
from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from bot.delivery.notify import allowed
from bot.store import OutboxMessage, Store
from bot.types import BRIEFING_KINDS, SUBSCRIBER_KINDS

try:
    import fcntl
    _FLOCK = True
except ImportError:  # pragma: no cover - not POSIX: one process per database is assumed
    _FLOCK = False

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # failed flushes before a row is given up as 'failed'


class Unreachable(Exception):
    """The chat cannot receive messages (blocked, kicked, deleted, not found): drop its
    messages. bot/tg/send.py raises it after deactivating the chat's subscription."""


class TryLater(Exception):
    """A transient failure (network, 5xx, repeated 429) that outlasted the sender's own bounded
    retries; the caller may try again later, and not before `retry_after` seconds when
    Telegram said so (a flood wait longer than the sender waits in place)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Courier(Protocol):
    """How a face puts an outbox payload into a chat: as parts, one message each, sent in
    order. `parts` must split a payload the same way every time, since a resumed message skips
    the parts already delivered; `send_part` raises Unreachable or TryLater."""

    def parts(self, payload: str) -> Sequence[object]: ...

    async def send_part(self, chat_id: int, part: object) -> None: ...


def _iso_not_before(moment: datetime) -> str:
    """`moment` to the second, rounded up: a retry is never due before Telegram allows it."""
    whole = moment.replace(microsecond=0)
    whole = whole if whole == moment else whole + timedelta(seconds=1)
    return whole.astimezone(UTC).isoformat(timespec="seconds")


class SenderLock:
    """An exclusive, non-blocking OS lock on `<database>.send.lock`."""

    def __init__(self, path: Path | None):
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self.path is None or not _FLOCK:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def lock_path_for(db_path: Path | str) -> Path | None:
    return None if str(db_path) == ":memory:" else Path(f"{db_path}.send.lock")


@dataclass
class FlushReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    dropped: int = 0
    expired: int = 0
    busy: bool = False  # another process held the sender lock

    def add(self, other: FlushReport) -> None:
        for name in ("sent", "retrying", "failed", "dropped", "expired"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.busy = self.busy or other.busy


class Outbox:
    """Sends due outbox rows through a `Courier`, part by part; `send_timeout` bounds one part."""

    def __init__(self, store: Store, courier: Courier, *, lock_path: Path | None,
                 concurrency: int = 4, send_timeout: float = 90.0, retry_base: float = 30.0,
                 retry_cap: float = 1800.0, briefing_expiry: timedelta | None = None,
                 batch: int = 200, allowlist: Collection[int] = ()):
        self.store, self.courier = store, courier
        self.concurrency, self.send_timeout = concurrency, send_timeout
        self.retry_base, self.retry_cap = retry_base, retry_cap
        self.briefing_expiry, self.batch = briefing_expiry, batch
        self.allowlist = frozenset(allowlist)  # ALLOWED_CHAT_IDS, checked again at send time
        self._sender_lock = SenderLock(lock_path)
        self._running = asyncio.Lock()
        self._again = False

    async def flush(self) -> FlushReport:
        """Deliver everything due. A call while a flush runs makes that flush go round again
        (so rows queued meanwhile are not left for the next tick) and returns at once."""
        if self._running.locked():
            self._again = True
            return FlushReport()
        total = FlushReport()
        async with self._running:
            held_back: set[int] = set()  # chats that failed in this flush wait for the next
            while True:
                self._again = False
                if not self._sender_lock.try_acquire():
                    log.info("another process is sending the outbox; leaving it to that one")
                    total.busy = True
                    break
                try:
                    rows = [r for r in self.store.due_outbox(limit=self.batch)
                            if r.chat_id not in held_back]
                    if rows:
                        total.add(await self._deliver(rows, held_back))
                finally:
                    self._sender_lock.release()
                if not rows and not self._again:
                    break
        return total

    async def _deliver(self, rows: list[OutboxMessage], held_back: set[int]) -> FlushReport:
        by_chat: dict[int, list[OutboxMessage]] = {}
        for row in rows:
            by_chat.setdefault(row.chat_id, []).append(row)
        report = FlushReport()
        slots = asyncio.Semaphore(self.concurrency)

        async def serve(chat_rows: list[OutboxMessage]) -> None:
            async with slots:
                await self._deliver_chat(chat_rows, report, held_back)

        await asyncio.gather(*(serve(chat_rows) for chat_rows in by_chat.values()))
        return report

    async def _deliver_chat(self, rows: list[OutboxMessage], report: FlushReport,
                            held_back: set[int]) -> None:
        """One chat's rows, in order; the first transient failure defers the rest."""
        for index, listed in enumerate(rows):
            # Re-read: a chat migration during this flush moves pending rows to the new chat id.
            row = self.store.outbox_row(listed.id)
            if row is None or row.status != "pending":
                continue
            chat_id = row.chat_id
            if self._expired(row):
                self.store.mark_dropped(row.id, "expired", "older than the grace window")
                log.warning("dropped %s for chat %s: still unsent after BRIEFING_GRACE_HOURS",
                            row.key, chat_id)
                report.expired += 1
                continue
            if not allowed(chat_id, self.allowlist):
                self.store.mark_dropped(row.id, "dropped", "chat not in ALLOWED_CHAT_IDS")
                log.info("dropped %s: chat %s is not in ALLOWED_CHAT_IDS", row.key, chat_id)
                report.dropped += 1
                continue
            if row.kind in SUBSCRIBER_KINDS and not self._subscribed(chat_id):
                self.store.mark_dropped(row.id, "dropped", "chat unsubscribed")
                report.dropped += 1
                continue
            try:
                parts = await self._send_parts(row)
            except Unreachable as exc:
                left = [r.id for r in rows[index:]]
                for outbox_id in left:
                    self.store.mark_dropped(outbox_id, "dropped", str(exc) or "unreachable")
                report.dropped += len(left)
                log.warning("chat %s is unreachable (%s): dropped %d message(s)", chat_id, exc,
                            len(left))
                return
            except Exception as exc:  # noqa: BLE001 - every other failure is retried later
                self._retry(row, exc, report)
                held_back.add(chat_id)
                return
            report.sent += 1
            log.info("delivered %s to chat %s%s", row.key, chat_id,
                     f" ({parts} parts)" if parts > 1 else "")

    async def _send_parts(self, row: OutboxMessage) -> int:
        """Send the row's parts from the first one not yet delivered, recording each as it
        goes; returns how many parts the message has."""
        parts = self.courier.parts(row.payload)
        if row.parts_sent:
            log.info("resuming %s to chat %s at part %d of %d", row.key, row.chat_id,
                     row.parts_sent + 1, len(parts))
        chat_id = row.chat_id
        for index in range(row.parts_sent, len(parts)):
            await asyncio.wait_for(self.courier.send_part(chat_id, parts[index]),
                                   self.send_timeout)
            if index + 1 < len(parts):
                self.store.mark_part_sent(row.id, index + 1)
                # A group migrated during this part: the row, and the next part, follow it.
                current = self.store.outbox_row(row.id)
                chat_id = current.chat_id if current is not None else chat_id
        self.store.mark_sent(row.id, len(parts))
        return len(parts)

    def _retry(self, row: OutboxMessage, exc: Exception, report: FlushReport) -> None:
        reason = ("timed out" if isinstance(exc, (asyncio.TimeoutError, TimeoutError))
                  else f"{type(exc).__name__}: {exc}")
        if not isinstance(exc, (TryLater, asyncio.TimeoutError, TimeoutError)):
            log.error("unexpected failure sending %s to chat %s", row.key, row.chat_id,
                      exc_info=exc)
        # Re-read: parts delivered in this attempt reset the row's count of failed attempts.
        current = self.store.outbox_row(row.id) or row
        delay = min(self.retry_base * 2 ** current.attempts, self.retry_cap)
        if isinstance(exc, TryLater) and exc.retry_after:  # Telegram's flood wait
            delay = max(delay, exc.retry_after)
        when = datetime.now(UTC) + timedelta(seconds=delay)
        status = self.store.mark_retry(row.id, reason, _iso_not_before(when), MAX_ATTEMPTS)
        if status == "failed":
            report.failed += 1
            log.error("gave up on %s to chat %s after %d attempts: %s", row.key,
                      row.chat_id, MAX_ATTEMPTS, reason)
        else:
            report.retrying += 1
            log.warning("sending %s to chat %s failed (%s); retrying in %.0f s", row.key,
                        row.chat_id, reason, delay)

    def _expired(self, row: OutboxMessage) -> bool:
        if self.briefing_expiry is None or row.kind not in BRIEFING_KINDS:
            return False
        created = datetime.fromisoformat(row.created_at)
        return datetime.now(UTC) - created > self.briefing_expiry

    def _subscribed(self, chat_id: int) -> bool:
        sub = self.store.subscription(chat_id)
        return bool(sub and sub.active)
