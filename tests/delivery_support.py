"""Shared parts of the delivery tests: articles to drop into seeds/, a fake Bot API that can hold
one chat's sends, and a running Application with the delivery jobs on short timings."""
from __future__ import annotations

import threading
import time
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from telegram.ext import Application

from bot.services import Services
from bot.store import Store
from bot.tg.jobs import Timing, register_jobs
from tests.botapi import BotAPIError, BotAPIServer
from tests.conftest import TOKEN, make_settings
from tests.fakes import FakeLLM

# A model summary that passes the summary checks: long enough, Korean, no invented numbers, and
# borne out by `article()` (its words stand in the article's sentences).
SUMMARY = "정부가 GPU 확보 계획을 발표했고 업계와 전문가들은 투자 규모와 인재 양성을 두고 의견이 엇갈렸다."
FAST = Timing(scan_every=0.2, settle_seconds=0.6, batch_wait=3.0, tick_every=0.3,
              concurrency=3, send_timeout=30.0, send_attempts=3, retry_base=0.5)


def article(title: str, *, outlet: str = "정책일보", date: str = "2025-06-02",
            topic: str = "GPU") -> str:
    """A small scraped-looking Korean article whose title, date and outlet the pipeline finds."""
    return (f"{title}\n작성일: {date}\n"
            f"[{outlet} 김민수 기자] 정부가 {topic} 확보를 위한 새 계획을 발표했다. "
            f"업계는 {topic} 투자 규모가 충분한지에 대해 의견이 엇갈린다. "
            f"한 전문가는 인재 양성과 데이터 개방이 함께 가야 한다고 말했다. "
            f"국회는 다음 달 관련 법안을 심사할 예정이다.\n"
            f"Copyright ⓒ {outlet}. 무단 전재 및 재배포 금지.\n")


def write_file(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def make_services(tmp_path: Path, korean, botapi: BotAPIServer, **overrides) -> Services:
    settings = make_settings(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN,
                             TELEGRAM_API_BASE_URL=botapi.base_url, **overrides)
    Path(settings.SEEDS_DIR).mkdir(parents=True, exist_ok=True)
    return Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                    llm=FakeLLM(default=SUMMARY))


def subscribe(store: Store, *chat_ids: int, since: str = "2020-01-01T00:00:00+00:00") -> None:
    """Subscribed long ago, so today's slot is not 'before they subscribed'."""
    for chat_id in chat_ids:
        store.subscribe(chat_id, "private" if chat_id > 0 else "supergroup", "")
        store.db["subscriptions"].update(chat_id, {"subscribed_at": since})


@asynccontextmanager
async def running_bot(services: Services, botapi: BotAPIServer, timing: Timing = FAST, *,
                      polling: bool = False, worker=None):
    """The Application with only the delivery half registered, started and ready."""
    application = Application.builder().token(TOKEN).base_url(botapi.base_url).build()
    desk = register_jobs(application, services, timing, worker=worker)
    await application.initialize()
    await application.start()
    if polling:
        await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        await botapi.wait_for(lambda: desk.started, timeout=60)
        yield desk
    finally:
        if polling:
            await application.updater.stop()
        await application.stop()
        await application.shutdown()


async def rounds(botapi: BotAPIServer, desk, scans: int = 2, ticks: int = 2) -> None:
    """Wait until `scans` scans and `ticks` ticks have completed from now: anything the bot was
    going to do about the current state has been done."""
    want_scans, want_ticks = desk.scans + scans, desk.ticks + ticks
    await botapi.wait_for(lambda: desk.scans >= want_scans and desk.ticks >= want_ticks,
                          timeout=30)


def texts_for(botapi: BotAPIServer, chat_id: int) -> list[str]:
    return [m["text"] for m in botapi.sent(chat_id)]


class ShiftedClock:
    """Real time plus an offset the test moves forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> datetime:
        return datetime.fromtimestamp(time.time() + self.offset, UTC)

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def fast(**changes) -> Timing:
    return replace(FAST, **changes)


class HoldingBotAPI(BotAPIServer):
    """The fake Bot API, plus: sends to `hold()`-en chats hang until `release()`, then fail with
    502 (the request never reached Telegram), so a test controls exactly when a chat is slow."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._held: dict[int, int] = {}  # chat -> messages it receives before sends hang
        self._released = threading.Event()

    def hold(self, *chat_ids: int, after: int = 0) -> None:
        """Sends to these chats hang, once each has received `after` messages."""
        with self._lock:
            self._held.update(dict.fromkeys(chat_ids, after))
            self._released.clear()

    def release(self) -> None:
        with self._lock:
            self._held.clear()
        self._released.set()

    def held_calls(self) -> list[dict]:
        """sendMessage calls now hanging."""
        return [c for c in self.calls("sendMessage") if c["status"] is None]

    def _m_sendMessage(self, params: dict, bot_id: int) -> dict:  # noqa: N802 - API naming
        chat_id = params.get("chat_id")
        with self._lock:
            held = chat_id in self._held and len(self.sent(chat_id)) >= self._held[chat_id]
        if held:
            self._released.wait(timeout=120)
            raise BotAPIError(502, "Bad Gateway")
        return super()._m_sendMessage(params, bot_id)
