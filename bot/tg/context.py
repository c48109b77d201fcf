"""What every handler and job of one Application shares, as typed attributes of its context.

python-telegram-bot makes `bot_data` one instance of the class given to ContextTypes, so the
shared state is a dataclass, not a dict of string keys, and handlers take a BotContext whose
properties name it (`context.gate`, `context.lanes`, …).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.services import Services
from bot.tg.access import AccessGate, Cooldown
from bot.tg.jobs import Newsdesk
from bot.tg.lanes import CommandLanes
from bot.tg.queue import ModelQueue
from bot.worker import ModelWorker

T = TypeVar("T")


@dataclass
class BotState:
    """The Application's bot_data. PTB creates it without arguments, so everything starts as
    None; build_application (bot/tg/app.py) fills it in before the first update."""

    services: Services | None = None
    gate: AccessGate | None = None
    model_queue: ModelQueue | None = None  # the one line to the model
    lanes: CommandLanes | None = None  # per-chat lanes for commands that need no model
    summary_cooldown: Cooldown | None = None  # /summary in groups
    worker: ModelWorker | None = None  # the background worker, when there is one
    newsdesk: Newsdesk | None = None  # the delivery jobs


def _ready(value: T | None, name: str) -> T:
    if value is None:
        raise RuntimeError(f"bot_data.{name} is not set: build the Application with "
                           "build_application (bot/tg/app.py)")
    return value


class BotContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotState]):
    """The `context` of every handler and job, with the shared state as properties."""

    @property
    def services(self) -> Services:
        return _ready(self.bot_data.services, "services")

    @property
    def gate(self) -> AccessGate:
        return _ready(self.bot_data.gate, "gate")

    @property
    def model_queue(self) -> ModelQueue:
        return _ready(self.bot_data.model_queue, "model_queue")

    @property
    def lanes(self) -> CommandLanes:
        return _ready(self.bot_data.lanes, "lanes")

    @property
    def summary_cooldown(self) -> Cooldown:
        return _ready(self.bot_data.summary_cooldown, "summary_cooldown")

    @property
    def worker(self) -> ModelWorker | None:
        return self.bot_data.worker

    @property
    def newsdesk(self) -> Newsdesk | None:
        return self.bot_data.newsdesk


CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotState)
# The Application that build_application makes (bot/tg/app.py).
BotApplication = Application[ExtBot[Any], BotContext, dict[Any, Any], dict[Any, Any], BotState,
                             JobQueue[Any]]
