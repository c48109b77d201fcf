"""Everything that puts text into a chat, and what each Telegram failure means for it.

Handlers and the outbox both send through here, so the rules live in one place:
429 waits `retry_after`; network errors, timeouts and 5xx are retried with exponential
backoff; a blocked bot or a vanished chat deactivates the subscription; a migrated group
follows its new id; HTML Telegram cannot parse is resent as plain text. What cannot be
delivered raises the outbox's own outcomes (bot/delivery/outbox.py): Unreachable or TryLater.
"""
from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ChatAction, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.delivery import TryLater, Unreachable
from bot.store import Store
from bot.tg.format import Part, plain_parts

log = logging.getLogger(__name__)

BACKOFF_START = 0.5  # seconds; doubled after each transient failure
MAX_SWITCHES = 3  # plain-text fallbacks and chat migrations allowed for one message
GONE = ("chat not found", "peer_id_invalid")  # 400s that mean the chat no longer exists
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
T = TypeVar("T")


def retry_after_seconds(error: RetryAfter) -> float:
    """PTB 22 gives an int (deprecated) or a timedelta, depending on its settings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def _deliver(call: Callable[[int, bool], Awaitable[T]], store: Store, chat_id: int, *,
                   max_attempts: int, follow_migration: bool = True,
                   max_flood_wait: float | None = None) -> tuple[T, int]:
    """Run `call(chat_id, as_html)` under the rules above; returns (result, final chat id).
    A flood wait longer than `max_flood_wait` is not waited out here: TryLater carries it."""
    as_html, failures, switches, backoff = True, 0, 0, BACKOFF_START
    error: TelegramError  # the last transient failure
    while True:
        try:
            return await call(chat_id, as_html), chat_id
        except RetryAfter as exc:
            wait, error = retry_after_seconds(exc), exc
            if max_flood_wait is not None and wait > max_flood_wait:
                raise TryLater(f"chat {chat_id}: Telegram asks to wait {wait:.0f} s",
                               retry_after=wait) from exc
        except ChatMigrated as exc:
            log.info("chat %s was migrated to %s; following it", chat_id, exc.new_chat_id)
            store.migrate_chat(chat_id, exc.new_chat_id)
            switches += 1
            if not follow_migration or switches > MAX_SWITCHES:
                raise
            chat_id = exc.new_chat_id
            continue
        except Forbidden as exc:
            raise _gone(store, chat_id, exc) from exc
        except BadRequest as exc:
            reason = exc.message.lower()
            if any(marker in reason for marker in GONE):
                raise _gone(store, chat_id, exc) from exc
            if "can't parse entities" in reason and as_html and switches < MAX_SWITCHES:
                log.warning("Telegram rejected the HTML for chat %s (%s); resending as plain text",
                            chat_id, exc.message)
                as_html, switches = False, switches + 1
                continue
            raise
        except NetworkError as exc:  # connection errors, timeouts and 5xx answers
            wait, error = backoff, exc
            backoff *= 2
        failures += 1
        if failures >= max_attempts:
            raise TryLater(f"chat {chat_id}: gave up after {failures} attempt(s): "
                           f"{error}") from error
        log.warning("sending to chat %s failed (%s); retry %d/%d in %.1f s", chat_id, error,
                    failures, max_attempts - 1, wait)
        await asyncio.sleep(wait)


def _gone(store: Store, chat_id: int, error: TelegramError) -> Unreachable:
    reason = error.message[:200]
    if store.unsubscribe(chat_id, reason):
        log.info("chat %s is unreachable (%s); subscription deactivated", chat_id, reason)
    else:
        log.info("chat %s is unreachable (%s)", chat_id, reason)
    return Unreachable(f"chat {chat_id}: {reason}")


async def send_html(bot: Bot, store: Store, chat_id: int, html_parts: list[str], *,
                    plain_parts: list[str], reply_to_message_id: int | None = None,
                    max_attempts: int = 4, max_flood_wait: float | None = None,
                    reply_markup: InlineKeyboardMarkup | None = None) -> list[Message]:
    """Send prepared parts (each ≤ 4096 units, valid HTML alone) in order; the first one
    replies to `reply_to_message_id` when that message still exists, the last one carries
    `reply_markup`. A flood wait longer than `max_flood_wait` raises TryLater with
    Telegram's retry_after."""
    if len(html_parts) != len(plain_parts):
        raise ValueError("every HTML part needs its plain twin")
    messages: list[Message] = []
    for index, (html, plain) in enumerate(zip(html_parts, plain_parts)):
        reply = (ReplyParameters(reply_to_message_id, allow_sending_without_reply=True)
                 if reply_to_message_id and index == 0 else None)

        markup = reply_markup if index == len(html_parts) - 1 else None

        async def call(target: int, as_html: bool, html: str = html, plain: str = plain,
                       reply: ReplyParameters | None = reply,
                       markup: InlineKeyboardMarkup | None = markup) -> Message:
            return await bot.send_message(
                target, html if as_html else plain, parse_mode=ParseMode.HTML if as_html else None,
                reply_parameters=reply, link_preview_options=NO_PREVIEW, reply_markup=markup)

        message, chat_id = await _deliver(call, store, chat_id, max_attempts=max_attempts,
                                          max_flood_wait=max_flood_wait)
        messages.append(message)
    return messages


async def send_parts(bot: Bot, store: Store, chat_id: int, parts: list[Part], *,
                     reply_to_message_id: int | None = None, max_attempts: int = 4,
                     max_flood_wait: float | None = None,
                     reply_markup: InlineKeyboardMarkup | None = None) -> list[Message]:
    return await send_html(bot, store, chat_id, [p.html for p in parts],
                           plain_parts=[p.plain for p in parts],
                           reply_to_message_id=reply_to_message_id, max_attempts=max_attempts,
                           max_flood_wait=max_flood_wait, reply_markup=reply_markup)


async def send_photo(bot: Bot, store: Store, chat_id: int, png: bytes, *, caption: str = "",
                     reply_to_message_id: int | None = None, max_attempts: int = 4,
                     max_flood_wait: float | None = None) -> Message:
    """Upload a picture (the debate map), under the same rules as text."""
    reply = (ReplyParameters(reply_to_message_id, allow_sending_without_reply=True)
             if reply_to_message_id else None)

    async def call(target: int, as_html: bool) -> Message:
        return await bot.send_photo(target, photo=png, caption=caption or None,
                                    reply_parameters=reply)

    message, _ = await _deliver(call, store, chat_id, max_attempts=max_attempts,
                                max_flood_wait=max_flood_wait)
    return message


async def send_plain(bot: Bot, store: Store, chat_id: int, text: str, *,
                     reply_to_message_id: int | None = None,
                     max_attempts: int = 4) -> list[Message]:
    """Escape, split and send plain text; returns the sent messages."""
    return await send_parts(bot, store, chat_id, plain_parts(text),
                            reply_to_message_id=reply_to_message_id, max_attempts=max_attempts)


async def edit_text(bot: Bot, store: Store, chat_id: int, message_id: int, html: str, *,
                    plain: str, max_attempts: int = 4,
                    reply_markup: InlineKeyboardMarkup | None = None) -> bool:
    """Replace a message's text (and its buttons). True when it now shows the text ("not
    modified" included); False when it can no longer be edited (deleted, too old, chat
    migrated): send anew."""

    async def call(target: int, as_html: bool) -> Message | bool:
        return await bot.edit_message_text(
            html if as_html else plain, chat_id=target, message_id=message_id,
            parse_mode=ParseMode.HTML if as_html else None, link_preview_options=NO_PREVIEW,
            reply_markup=reply_markup)

    try:
        await _deliver(call, store, chat_id, max_attempts=max_attempts, follow_migration=False)
    except ChatMigrated:
        return False
    except BadRequest as exc:
        reason = exc.message.lower()
        if "not modified" in reason:
            return True
        if "message to edit not found" in reason or "can't be edited" in reason:
            return False
        raise
    return True


async def show_typing(bot: Bot, chat_id: int) -> None:
    """Best effort: a missing "typing…" is not worth a retry or an error."""
    try:
        await bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as exc:
        log.debug("typing action for chat %s failed: %s", chat_id, exc)
