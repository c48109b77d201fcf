"""Proactive delivery: new-document pushes, quarantine notes and morning briefings.

PTB's JobQueue is only the clock. At start-up and at every tick, what is owed is computed from
the database (notify, schedule), written to the outbox, and the outbox is flushed (delivery).
Blocking work (the folder scan with Kiwi, summaries with the model, composing briefings) runs
in worker threads; the event loop only sends.
"""
from __future__ import annotations

import asyncio
import logging
import time as clock_time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from telegram import Bot
from telegram.ext import Application

from bot import texts
from bot.config import Settings
from bot.delivery import FlushReport, Outbox, lock_path_for, notify
from bot.delivery.topics import PROPOSITION
from bot.services import Services
from bot.tg.format import Part, plain_parts, render_parts, text_lines
from bot.tg.keyboards import keyboard
from bot.tg.send import send_parts, send_photo
from bot.types import (
    DEBATE_MAP_PAYLOAD,
    Document,
    parse_changes_payload,
    parse_screen_payload,
)
from bot.worker import ModelWorker

log = logging.getLogger(__name__)

PRUNE_EVERY = 86400.0  # seconds between deletions of history older than RETENTION_DAYS


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Timing:
    """How often things happen. The defaults are for production; tests shorten them."""

    scan_every: float = 5.0  # seconds between folder scans
    settle_seconds: float = 5.0  # a file unchanged this long is no longer being copied
    batch_wait: float = 30.0  # longest a push waits for files still being copied with it
    tick_every: float = 20.0  # seconds between briefing checks and outbox retries
    concurrency: int = 4  # chats sent to at once
    send_timeout: float = 60.0  # one part of a message to one chat, its retries included
    send_attempts: int = 4  # send.py's own tries of one part within one flush
    retry_base: float = 30.0  # then the row waits retry_base * 2**attempts (capped)
    clock: Callable[[], datetime] = _utcnow  # briefing schedule only
    # A push waits at most this long for the background worker's summaries of its documents
    # (about 50 s each on 2 cores); then it goes with their lead sentences, marked as such.
    push_summary_wait: float = 100.0


@dataclass(frozen=True)
class ScreenPart:
    """The top page of a one-screen message (one Telegram message); its buttons open the
    pages stored under `screen_id`."""

    screen_id: str
    part: Part


class TelegramCourier:
    """The outbox's parts as Telegram messages: a text payload split under the length limit
    (bot/tg/format.py), a one-screen payload as one message with its buttons, the debate map
    as one picture drawn when it is sent. send_parts and
    send_photo raise the outbox's own Unreachable and TryLater."""

    def __init__(self, services: Services, bot: Bot, timing: Timing):
        self.services, self.bot, self.timing = services, bot, timing
        # A longer flood wait would eat the part's time box: the row resumes after it instead.
        self.max_flood_wait = timing.send_timeout / 2

    def parts(self, payload: str) -> list[Part | ScreenPart | str]:
        if payload == DEBATE_MAP_PAYLOAD or parse_changes_payload(payload) is not None:
            return [payload]
        screen = parse_screen_payload(payload)
        if screen is None:
            return list(plain_parts(payload))
        screen_id, text = screen
        return [ScreenPart(screen_id, part) for part in render_parts(text_lines(text))[:1]]

    async def send_part(self, chat_id: int, part: object) -> None:
        store, timing = self.services.store, self.timing
        if isinstance(part, (Part, ScreenPart)):
            markup = None
            if isinstance(part, ScreenPart):
                markup = keyboard(await asyncio.to_thread(store.screen, part.screen_id))
                part = part.part
            await send_parts(self.bot, store, chat_id, [part], max_attempts=timing.send_attempts,
                             max_flood_wait=self.max_flood_wait, reply_markup=markup)
            return
        assert isinstance(part, str)
        changed = parse_changes_payload(part)
        debate = self.services.debate
        png = await asyncio.to_thread(  # the map as it stands, or what a briefing changed
            debate.picture if changed is None else partial(debate.changes_picture, changed))
        await send_photo(self.bot, store, chat_id, png, caption=texts.DEBATE_PICTURE_CAPTION,
                         max_attempts=timing.send_attempts, max_flood_wait=self.max_flood_wait)


def build_outbox(services: Services, bot: Bot, timing: Timing) -> Outbox:
    settings = services.settings
    return Outbox(services.store, TelegramCourier(services, bot, timing),
                  lock_path=lock_path_for(settings.BRIEFBOT_DB), concurrency=timing.concurrency,
                  send_timeout=timing.send_timeout, retry_base=timing.retry_base,
                  briefing_expiry=timedelta(hours=settings.BRIEFING_GRACE_HOURS),
                  allowlist=settings.ALLOWED_CHAT_IDS)


class Newsdesk:
    """Watches the folder, decides what is owed, and flushes the outbox, for one Application."""

    def __init__(self, services: Services, bot: Bot, timing: Timing,
                 worker: ModelWorker | None = None):
        self.services, self.timing, self.worker = services, timing, worker
        self._waiting_since: dict[str, float] = {}  # document -> when its push began waiting
        self.watch = services.folder_watch(settle_seconds=timing.settle_seconds)
        self.outbox = build_outbox(services, bot, timing)
        self.scans = 0  # completed scan rounds (tests wait on these)
        self.ticks = 0  # completed briefing/outbox rounds
        self.started = False
        self._scanning = asyncio.Lock()
        self._ticking = asyncio.Lock()
        self._deferred_since: float | None = None
        self._baselined = False  # set by on_start; no announcement before it
        self._pruned_at: float | None = None  # monotonic time of the last prune

    # --- job callbacks ----------------------------------------------------------------------
    async def on_start(self, context: object = None) -> None:
        """Start-up: catch up on the folder, send what is owed. On a database that has never
        delivered, what the folder and database hold at this first start is the baseline."""
        store = self.services.store
        async with self._scanning, self._ticking:  # the periodic jobs wait for this round
            if await asyncio.to_thread(store.get_meta, notify.BASELINE_META) is None:
                try:
                    await asyncio.to_thread(self.watch.scan)
                except Exception:  # noqa: BLE001 - a later scan retries; the baseline must happen
                    log.exception("first folder scan failed")
                await asyncio.to_thread(notify.ensure_baseline, store)
            self._baselined = True
            for step in (self._scan_and_announce, self._queue_briefings, self._flush):
                try:
                    await step()
                except Exception:  # noqa: BLE001 - the periodic jobs retry each step
                    log.exception("start-up delivery step %s failed", step.__name__)
        self.started = True

    async def on_scan(self, context: object = None) -> None:
        """Ingest new or changed files, summarise and announce them."""
        if not self._baselined or self._scanning.locked():
            return
        async with self._scanning:
            try:
                if await self._scan_and_announce():
                    await self._flush()
            except Exception:  # noqa: BLE001 - the next scan tries again
                log.exception("folder scan failed; retrying at the next scan")
            self.scans += 1

    async def on_tick(self, context: object = None) -> None:
        """Queue the briefings that are due, then send everything due (including retries)."""
        if self._ticking.locked():
            return
        async with self._ticking:
            try:
                await self._queue_briefings()
                await self._flush()
                await asyncio.to_thread(self._prune_if_due)
            except Exception:  # noqa: BLE001 - the next tick tries again
                log.exception("delivery tick failed; retrying at the next tick")
            self.ticks += 1

    # --- the work ---------------------------------------------------------------------------
    async def _scan_and_announce(self) -> bool:
        scan = await asyncio.to_thread(self.watch.scan)
        if self.worker is not None and scan is not None and scan.result is not None \
                and scan.result.ingested:
            self.worker.wake()  # new documents: summaries and prefixes to make
        if scan is not None and scan.settling and self._should_wait():
            return False  # files still arriving: announce them together in a moment
        self._deferred_since = None
        return bool((await asyncio.to_thread(self._announce)).queued)

    def _prune_if_due(self) -> None:
        now = clock_time.monotonic()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        days = self.services.settings.RETENTION_DAYS
        cutoff = (_utcnow() - timedelta(days=days)).isoformat(timespec="seconds")
        removed = self.services.store.prune(cutoff)
        self._pruned_at = now
        if any(removed.values()):
            log.info("deleted records older than RETENTION_DAYS=%d: %s", days, removed)

    def _should_wait(self) -> bool:
        now = clock_time.monotonic()
        if self._deferred_since is None:
            self._deferred_since = now
        return now - self._deferred_since < self.timing.batch_wait

    def _announce(self) -> notify.Announcement:
        store, llm = self.services.store, self.services.llm
        docs = store.unannounced_documents()
        if docs and self.worker is not None:
            if self._summaries_pending(self.worker, docs):
                return notify.Announcement()  # the worker is on them; look again next scan
        elif docs:  # no background worker (tests): summarise them here
            notify.summarize_new(store, llm, docs)
        self._find_positions_for_followers(docs)
        settings = self.services.settings
        return notify.announce(store, admin_ids=settings.ADMIN_IDS,
                               allowlist=settings.ALLOWED_CHAT_IDS, korean=self.services.korean)

    def _find_positions_for_followers(self, docs: list[Document]) -> None:
        """A chat that follows a proposition is pushed the documents with a position on it, so
        their positions must be known before the push. From the wording they take Kiwi about a
        second a document and are found here; when the model decides sides they come later
        (the background worker), and the chat's next briefing carries those documents."""
        store, debate = self.services.store, self.services.debate
        if not docs or debate.uses_model or not any(
                f.kind == PROPOSITION for sub in store.active_subscriptions()
                for f in store.follows(sub.chat_id)):
            return
        pending = set(debate.pending())
        for doc in docs:
            if doc.id in pending:
                debate.find(doc)

    def _summaries_pending(self, worker: ModelWorker, docs: list[Document]) -> bool:
        """True while the worker is still summarising these documents and the push has waited
        less than `push_summary_wait` for them."""
        now = clock_time.monotonic()
        missing = [d.id for d in docs if not d.summary]
        for doc_id in missing:
            self._waiting_since.setdefault(doc_id, now)
        for doc_id in set(self._waiting_since) - set(missing):
            del self._waiting_since[doc_id]
        if not missing:
            return False
        wait = self.timing.push_summary_wait
        if now - min(self._waiting_since[d] for d in missing) >= wait:
            log.info("pushing %d document(s) with their lead sentences: their summaries are "
                     "not ready after %.0f s", len(missing), wait)
            return False
        worker.urgent(missing)
        return True

    async def _queue_briefings(self) -> None:
        settings: Settings = self.services.settings
        await asyncio.to_thread(
            notify.enqueue_due_briefings, self.services.store, self.services.korean,
            now=self.timing.clock(), default_time=settings.briefing_time, tz=settings.tz,
            grace=timedelta(hours=settings.BRIEFING_GRACE_HOURS),
            allowlist=settings.ALLOWED_CHAT_IDS)

    async def _flush(self) -> FlushReport:
        report = await self.outbox.flush()
        if report.sent or report.retrying or report.failed or report.dropped or report.expired:
            log.info("outbox: sent %d, retrying %d, failed %d, dropped %d, expired %d",
                     report.sent, report.retrying, report.failed, report.dropped, report.expired)
        return report


def register_jobs(application: Application[Any, Any, Any, Any, Any, Any], services: Services,
                  timing: Timing | None = None, worker: ModelWorker | None = None) -> Newsdesk:
    """Add the JobQueue ticks; returns the Newsdesk that runs them."""
    timing = timing or Timing()
    desk = Newsdesk(services, application.bot, timing, worker)
    jobs = application.job_queue
    if jobs is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    # max_instances=2 lets a tick that finds the previous one still running return at once
    # (the Newsdesk's own locks), instead of APScheduler logging a skipped-run warning.
    kwargs = {"max_instances": 2, "coalesce": True, "misfire_grace_time": None}
    jobs.run_once(desk.on_start, when=0, name="delivery-start")
    jobs.run_repeating(desk.on_scan, interval=timing.scan_every, first=timing.scan_every,
                       name="folder-scan", job_kwargs=kwargs)
    jobs.run_repeating(desk.on_tick, interval=timing.tick_every, first=timing.tick_every,
                       name="delivery-tick", job_kwargs=kwargs)
    return desk


def build_bot(settings: Settings) -> Bot:
    if not settings.token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    return Bot(settings.token, base_url=settings.TELEGRAM_API_BASE_URL)


async def send_briefings_now(services: Services, *, lock_wait: float = 120.0,
                             timing: Timing | None = None) -> tuple[int, FlushReport]:
    """`briefbot brief --send`: queue a manual briefing for every subscribed chat and deliver
    it through the same outbox. If the running bot is sending, wait up to `lock_wait` seconds
    for it; rows still pending after that are left to the bot's next tick."""
    timing = timing or Timing()
    settings = services.settings
    queued = await asyncio.to_thread(notify.enqueue_briefings_now, services.store,
                                     services.korean, now=timing.clock(), tz=settings.tz,
                                     allowlist=settings.ALLOWED_CHAT_IDS)
    total = FlushReport()
    async with build_bot(settings) as bot:
        outbox = build_outbox(services, bot, timing)
        deadline = clock_time.monotonic() + lock_wait
        while True:
            report = await outbox.flush()
            total.add(report)
            if not report.busy or clock_time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.5)  # polling the OS lock; no notification exists for it
    total.busy = report.busy
    return len(queued.queued), total
