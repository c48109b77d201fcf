"""The chats load test, shared by tests/test_load.py and `make bench` (bench/load.py).

The real Application over real services (SQLite, Kiwi, the GGUF model) polls the fake Bot API.
Each wave: 40 private chats ask a question at once, one group floods 60 commands, and another
private chat sends /help, one at a time, until every question chat has its final reply.
"""
from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from telegram.ext import Application

from bot import texts
from bot.services import Services
from bot.tg.app import build_application
from tests.botapi import BotAPIServer

QUESTION = "딥시크 다음으로 등장한 중국의 AI 에이전트 플랫폼은?"  # one document, its prefix cached
QUESTION_CHATS = 40
FLOOD = 60
GROUP_COMMANDS = ("/sources", "/brief", "/help", "/search 딥시크", "/summary")
HELP_CHAT = 5_000
HELP_EVERY = 0.25  # seconds between one /help answer and the next /help (pacing, not waiting)
MIN_HELP_SAMPLES = 20
WAVE_TIMEOUT = 300.0
UNFINISHED = {texts.TG_PLACEHOLDER} | {texts.TG_QUEUED.format(ahead=n) for n in range(1, 50)}


class ShortAnswers:
    """The real model, writing short answers: the load under test is the chats, not generation.
    It keeps no prefixes, so the background worker only summarises."""

    supports_prefix_cache = False

    def __init__(self, llm, max_tokens: int = 24):
        self.llm, self.max_tokens = llm, max_tokens

    @property
    def name(self) -> str:
        return self.llm.name

    @property
    def stages(self) -> dict[str, int]:
        return self.llm.stages

    def stream(self, messages, *, max_tokens: int, **options):
        return self.llm.stream(messages, max_tokens=min(max_tokens, self.max_tokens), **options)

    def count_tokens(self, text: str) -> int:
        return self.llm.count_tokens(text)

    def warm(self, messages, interrupt=None, label=None) -> str:
        return self.llm.warm(messages, interrupt, label)

    def has_prefix(self, messages) -> bool:
        return self.llm.has_prefix(messages)

    def choose(self, messages, options, **options_):
        return self.llm.choose(messages, options, **options_)


@dataclass
class Wave:
    answered: list[int] = field(default_factory=list)
    busy: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)  # no reply, or one left unfinished
    doubled: list[int] = field(default_factory=list)  # more than one message
    group_replies: int = 0
    group_notes: int = 0
    help_seconds: list[float] = field(default_factory=list)
    seconds: float = 0.0
    rss_mb: float = 0.0  # after the wave


def rss_mb() -> float:
    """This process's resident memory now (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@asynccontextmanager
async def running(services: Services) -> AsyncIterator[Application]:
    """The bot as `briefbot run` builds it, polling the fake Bot API, until the block ends."""
    app = build_application(services)
    await app.initialize()
    await app.post_init(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def _ok_calls(botapi: BotAPIServer, method: str, chat_id: int) -> list[dict]:
    return [c for c in botapi.calls(method)
            if c["params"].get("chat_id") == chat_id and c["status"] == 200]


def _final(botapi: BotAPIServer, chat_id: int) -> str | None:
    """The chat's reply, once it is final: a busy note or a finished answer."""
    sent = botapi.sent(chat_id)
    if not sent or sent[0]["text"] in UNFINISHED or sent[0]["text"].endswith(" …"):
        return None
    return sent[0]["text"]


async def run_wave(botapi: BotAPIServer, app: Application, wave: int) -> Wave:
    chats = [100_000 * (wave + 1) + n for n in range(QUESTION_CHATS)]
    group = -100_900_000 - wave
    started = time.monotonic()
    for chat in chats:
        botapi.add_update_message(chat, QUESTION)
    for n in range(FLOOD):
        botapi.add_update_message(group, GROUP_COMMANDS[n % len(GROUP_COMMANDS)],
                                  chat_type="supergroup", user_id=7_000 + n)
    result = Wave()

    async def sample_help() -> None:
        while (len(result.help_seconds) < MIN_HELP_SAMPLES
               or not all(_final(botapi, chat) for chat in chats)):
            before = len(botapi.sent(HELP_CHAT))
            asked = time.time()
            botapi.add_update_message(HELP_CHAT, "/help")
            await botapi.wait_for(lambda before=before: len(botapi.sent(HELP_CHAT)) > before,
                                 timeout=60)
            answered = _ok_calls(botapi, "sendMessage", HELP_CHAT)[-1]["time"]
            result.help_seconds.append(answered - asked)
            await asyncio.sleep(HELP_EVERY)

    await asyncio.wait_for(sample_help(), WAVE_TIMEOUT)
    await botapi.wait_for(lambda: not botapi.pending_updates(), timeout=WAVE_TIMEOUT)
    await asyncio.wait_for(app.update_queue.join(), WAVE_TIMEOUT)
    await asyncio.wait_for(app.bot_data.lanes.idle(), WAVE_TIMEOUT)
    result.seconds = time.monotonic() - started
    for chat in chats:
        sends, edits = _ok_calls(botapi, "sendMessage", chat), _ok_calls(botapi,
                                                                          "editMessageText", chat)
        final = _final(botapi, chat)
        if len(botapi.sent(chat)) > 1 or len(sends) > 1:
            result.doubled.append(chat)
        elif final is None:
            result.lost.append(chat)
        elif final == texts.TG_BUSY and not edits:
            result.busy.append(chat)
        elif edits:
            result.answered.append(chat)
        else:
            result.lost.append(chat)
    group_texts = [m["text"] for m in botapi.sent(group)]
    result.group_replies = len(group_texts)
    result.group_notes = group_texts.count(texts.TG_TOO_MANY_COMMANDS)
    gc.collect()
    result.rss_mb = rss_mb()
    return result


@dataclass
class Load:
    rss_before_mb: float
    waves: list[Wave]

    @property
    def help_seconds(self) -> list[float]:
        return [s for w in self.waves for s in w.help_seconds]

    @property
    def rss_growth_mb(self) -> float:
        """After the first wave (which warms caches and pools up) to after the last."""
        return self.waves[-1].rss_mb - self.waves[0].rss_mb


async def run_load(botapi: BotAPIServer, services: Services, waves: int = 2) -> Load:
    """`waves` waves through one running bot."""
    gc.collect()
    before = rss_mb()
    async with running(services) as app:
        return Load(before, [await run_wave(botapi, app, wave) for wave in range(waves)])


def summary(load: Load) -> dict:
    waves, helps = load.waves, load.help_seconds
    return {"waves": len(waves), "chats_per_wave": QUESTION_CHATS, "flood": FLOOD,
            "answered": [len(w.answered) for w in waves], "busy": [len(w.busy) for w in waves],
            "lost": [len(w.lost) for w in waves], "doubled": [len(w.doubled) for w in waves],
            "group_replies": [w.group_replies for w in waves],
            "group_notes": [w.group_notes for w in waves],
            "help_samples": len(helps), "help_p50_s": round(statistics.median(helps), 3),
            "help_p95_s": round(percentile(helps, 0.95), 3),
            "wave_seconds": [round(w.seconds, 1) for w in waves],
            "rss_mb_before": round(load.rss_before_mb),
            "rss_mb_after_each_wave": [round(w.rss_mb) for w in waves],
            "rss_growth_mb": round(load.rss_growth_mb, 1)}
