"""A tap on a button of a one-screen briefing or push (bot/tg/keyboards.py): the same message
is edited to show the page it names, no new message per tap. Pages come from the store
(bot/delivery/screen.py lays them out when the message is queued), so a button works after a
restart; a button older than BUTTON_LIFETIME, or whose page is gone, gets a short note."""
from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime, timedelta

from telegram import CallbackQuery, Update
from telegram.error import TelegramError

from bot import texts
from bot.store import Screen
from bot.tg import format as fmt
from bot.tg import send
from bot.tg.context import BotContext
from bot.tg.keyboards import keyboard

log = logging.getLogger(__name__)

BUTTON_LIFETIME = timedelta(days=1)
CALLBACK = re.compile(r"^s:([0-9a-f]{1,32}):(\d{1,3})$")


def _fresh(screen: Screen, now: datetime) -> bool:
    try:
        created = datetime.fromisoformat(screen.created_at)
    except ValueError:
        return False
    return now - created <= BUTTON_LIFETIME


async def on_button(update: Update, context: BotContext) -> None:
    """A tap on a screen's button: show that page in the same message."""
    query = update.callback_query
    if query is None:
        return
    match = CALLBACK.match(query.data or "")
    message = query.message
    screen = None
    if match and message is not None:
        screen = await asyncio.to_thread(context.services.store.screen, match[1])
    page = int(match[2]) if match else -1
    if screen is None or message is None or screen.chat_id != message.chat.id \
            or not 0 <= page < len(screen.pages):
        log.info("a button tap names no stored page (data %r, chat %s); told the user",
                 (query.data or "")[:64], message.chat.id if message else None)
        await _answer(query, texts.SCREEN_GONE)
        return
    if not _fresh(screen, datetime.now(UTC)):
        log.info("a button of screen %s in chat %s is older than %s; told the user", screen.id,
                 screen.chat_id, BUTTON_LIFETIME)
        await _answer(query, texts.SCREEN_EXPIRED)
        return
    part = fmt.render_parts(fmt.text_lines(screen.pages[page][1]))[0]
    shown = await send.edit_text(context.bot, context.services.store, message.chat.id,
                                 message.message_id, part.html, plain=part.plain,
                                 reply_markup=keyboard(screen, page))
    await _answer(query, None if shown else texts.SCREEN_GONE)


async def _answer(query: CallbackQuery, text: str | None) -> None:
    """Stop the button's spinner; a note when there is something to say. Best effort: a query
    older than Telegram keeps them is not worth an error."""
    try:
        await query.answer(text)
    except TelegramError as exc:
        log.info("could not answer a button tap: %s", exc)
