"""Builds the python-telegram-bot Application over the services, and runs it."""
from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import redact
from bot.services import Services
from bot.tg import commands, guard, keyboards, questions, screens, table
from bot.tg.access import AccessGate, Cooldown
from bot.tg.context import CONTEXT_TYPES, BotApplication, BotState
from bot.tg.jobs import register_jobs
from bot.tg.lanes import CommandLanes
from bot.tg.queue import MAX_WAITING, ModelQueue
from bot.worker import ModelWorker

log = logging.getLogger(__name__)

CONCURRENT_UPDATES = 32  # handlers run side by side; the model line serialises model work
SUMMARY_COOLDOWN = 10.0  # seconds between /summary answers in one group


class HandledFloodFilter(logging.Filter):
    """AIORateLimiter(max_retries=0) logs every 429 as an error with a traceback, but send.py
    waits and retries it (logging its own warning), so that record is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "Rate limit hit after maximum of 0 retries"


def build_application(services: Services, worker: ModelWorker | None = None) -> BotApplication:
    """The bot, ready for run_polling() or for initialize()/start() in tests. With a
    background `worker`, pushes wait (a little) for its summaries and /stats shows its backlog."""
    settings = services.settings
    token = settings.token
    if not token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    redact.install(settings.secrets)  # the CLI has done so already; other callers too
    limiter_log = logging.getLogger("telegram.ext.AIORateLimiter")
    if not any(isinstance(f, HandledFloodFilter) for f in limiter_log.filters):
        limiter_log.addFilter(HandledFloodFilter())
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.TELEGRAM_API_BASE_URL)
        .concurrent_updates(CONCURRENT_UPDATES)
        # Paces sends to Telegram's limits (30/s overall, 20/min per group). Retries stay in
        # bot/tg/send.py (max_retries=0), so a flood wait never freezes every other chat.
        .rate_limiter(AIORateLimiter(max_retries=0))
        .post_init(_post_init)
        .context_types(CONTEXT_TYPES)
        .build())
    state: BotState = application.bot_data
    state.services, state.worker = services, worker
    state.gate = AccessGate(settings.ALLOWED_CHAT_IDS, settings.ADMIN_IDS)
    state.model_queue = ModelQueue(MAX_WAITING)
    state.lanes = CommandLanes(application.create_task)
    state.summary_cooldown = Cooldown(SUMMARY_COOLDOWN)
    state.newsdesk = register_jobs(application, services, worker=worker)
    add_handlers(application)
    return application


def add_handlers(application: BotApplication) -> None:
    """Every handler, behind the one access guard: this is the only place handlers are added.
    The commands come from bot/tg/table.py, each with its own rules (lane, group admins)."""
    new = filters.UpdateType.MESSAGE  # an edited message is not asked again
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    lane = guard.in_lane
    application.add_handler(TypeHandler(Update, guard.guard), group=-1)
    for command in table.COMMANDS:
        application.add_handler(CommandHandler(command.name, command.callback(), filters=new))
    application.add_handler(CallbackQueryHandler(screens.on_button,
                                                 pattern=keyboards.CALLBACK_PATTERN))
    application.add_handler(MessageHandler(new & private & filters.COMMAND,
                                           lane(table.help_command)))
    application.add_handler(MessageHandler(new & private & filters.TEXT, questions.question))
    application.add_handler(MessageHandler(new & groups & filters.REPLY & filters.TEXT
                                           & ~filters.COMMAND, questions.group_reply))
    application.add_handler(MessageHandler(new & private & ~filters.TEXT
                                           & ~filters.StatusUpdate.ALL, lane(commands.text_only)))
    application.add_error_handler(guard.on_error)


async def _post_init(application: BotApplication) -> None:
    try:
        await application.bot.set_my_commands(table.menu())
    except TelegramError as exc:  # the menu is a convenience; the bot works without it
        log.warning("could not register the command menu: %s", exc)
    log.info("Telegram bot @%s is ready", application.bot.username)


def run_bot(services: Services, worker: ModelWorker | None = None) -> None:
    """Long polling until Ctrl-C / SIGTERM."""
    build_application(services, worker).run_polling()
