"""What stands between an update and its handler: the allowlist, the chat's command lane and
group-admin checks; and the error handler for whatever fails behind them."""
from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import texts
from bot.delivery import TryLater, Unreachable
from bot.tg import send
from bot.tg.chat import argument, chat_of, in_group, message_of, reply
from bot.tg.context import BotContext
from bot.tg.lanes import CommandLanes

log = logging.getLogger(__name__)

GROUP_ADMINS = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
Callback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]  # PTB's HandlerCallback


async def guard(update: Update, context: BotContext) -> None:
    """Stop updates from chats outside the allowlist, telling each such chat once."""
    chat = update.effective_chat
    if chat is None or context.gate.allows(chat.id):
        return
    if update.effective_message and context.gate.first_refusal(chat.id):
        log.info("chat %s is not in ALLOWED_CHAT_IDS; refused (told once)", chat.id)
        try:
            await send.send_plain(context.bot, context.services.store, chat.id,
                                  texts.TG_NOT_ALLOWED)
        except (Unreachable, TryLater, TelegramError) as exc:
            log.warning("could not tell chat %s it is not allowed: %s", chat.id, exc)
    raise ApplicationHandlerStop


def in_lane(callback: Callback) -> Callback:
    """Answer a command that needs no model from its chat's lane (bot/tg/lanes.py): the
    handler returns at once instead of holding an update slot while the reply is paced."""

    @functools.wraps(callback)
    async def handler(update: Update, context: BotContext) -> None:
        chat, message = update.effective_chat, update.effective_message
        if chat is None or message is None:
            return
        key = _command_key(message)
        answer = _reporting(update, context, lambda: callback(update, context))
        note = _reporting(update, context,
                          lambda: reply(update, context, texts.TG_TOO_MANY_COMMANDS))
        if context.lanes.submit(chat.id, key, answer, note) == CommandLanes.NOTED:
            log.info("chat %s sent commands faster than they can be answered; told once", chat.id)

    return handler


def reply_later(update: Update, context: BotContext, text: str) -> None:
    """A fixed reply from the chat's lane, so the handler frees its update slot at once."""
    job = _reporting(update, context, lambda: reply(update, context, text))
    context.lanes.submit(chat_of(update).id, f"reply {text}", job, job)


def _command_key(message: Message) -> str:
    """What a command asks for: its name (without @botname) and its argument."""
    text = message.text or ""
    name = text.split(maxsplit=1)[0].split("@")[0].lower() if text.startswith("/") else ""
    return f"{name} {argument(message)}"


def _reporting(update: Update, context: BotContext,
               work: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[None]]:
    """A lane job whose failure reaches the application's error handlers, as a handler's would."""

    async def job() -> None:
        try:
            await work()
        except Exception as exc:  # noqa: BLE001 - handed to on_error
            await context.application.process_error(update, exc)

    return job


def group_admins_only(callback: Callback) -> Callback:
    """In groups, a chat setting may be changed by a group administrator or an ADMIN_IDS user;
    anyone else gets one short reply."""

    @functools.wraps(callback)
    async def handler(update: Update, context: BotContext) -> None:
        if in_group(update) and not await _may_change_settings(update, context):
            await reply(update, context, texts.TG_GROUP_ADMINS_ONLY)
            return
        await callback(update, context)

    return handler


async def _may_change_settings(update: Update, context: BotContext) -> bool:
    chat, message, user = chat_of(update), message_of(update), update.effective_user
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous administrator, writing as the group (only they can)
    if user is None:
        return False
    if context.gate.is_admin(user.id):
        return True
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.warning("could not check whether user %s administers chat %s: %s", user.id,
                    chat.id, exc)
        return False
    return member.status in GROUP_ADMINS


async def on_error(update: object, context: BotContext) -> None:
    """Log a failed update (English, with its chat) and apologise to the chat when possible."""
    chat = update.effective_chat if isinstance(update, Update) else None
    chat_id = chat.id if chat else None
    if isinstance(context.error, Unreachable):
        log.info("chat %s cannot be reached: %s", chat_id, context.error)
        return
    log.error("update for chat %s failed: %s", chat_id, context.error, exc_info=context.error)
    if chat_id is None or not context.gate.allows(chat_id):
        return
    try:
        await send.send_plain(context.bot, context.services.store, chat_id, texts.TG_ERROR,
                              max_attempts=2)
    except Exception as exc:  # noqa: BLE001 - the apology is a courtesy; never raise again
        log.warning("could not apologise to chat %s: %s", chat_id, exc)
