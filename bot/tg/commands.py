"""Commands answered without the model: documents, chat settings, /start and /stats.

bot/tg/table.py states each one's rules: answered from its chat's lane (guard.in_lane), and
the chat settings in groups for group administrators only (guard.group_admins_only).
"""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import datetime

from telegram import Update

from bot import render, texts
from bot.briefing import select_documents
from bot.config import parse_hhmm
from bot.delivery import TryLater, Unreachable
from bot.delivery.digest import compose_briefing
from bot.delivery.screen import screen_id
from bot.delivery.topics import topics_of
from bot.services import Services
from bot.tg import format as fmt
from bot.tg import send
from bot.tg.access import Cooldown
from bot.tg.chat import argument, chat_of, in_group, message_of, reply
from bot.tg.context import BotContext
from bot.tg.keyboards import keyboard

log = logging.getLogger(__name__)

SEARCH_HITS = 5


# --- documents -----------------------------------------------------------------------------
async def summary(update: Update, context: BotContext) -> None:
    """/summary [N | 키워드]: stored summaries of the latest or matching documents."""
    services = context.services
    if in_group(update) and not await _group_may_answer(update, context):
        return
    arg = argument(message_of(update))
    docs = await asyncio.to_thread(select_documents, services.store, services.retriever.search,
                                   arg)
    if not docs:
        await reply(update, context,
                    texts.NO_MATCHING_DOCS.format(keyword=arg) if arg else texts.NO_DOCUMENTS)
        return
    await reply(update, context, fmt.summary_lines(docs))


async def brief(update: Update, context: BotContext) -> None:
    """/brief: the briefing of the latest documents, on the chat's topics, laid out as the
    morning one: one message, the rest behind its buttons."""
    services, message = context.services, message_of(update)
    today = datetime.now(services.settings.tz).date()
    store = services.store

    def compose() -> tuple[str, str]:
        digest = compose_briefing(store, services.korean, since=None, today=today,
                                  topics=topics_of(store, message.chat_id))
        sid = screen_id(f"brief-now:{message.chat_id}:{message.message_id}")
        store.keep_screen(sid, message.chat_id, digest.pages)
        return sid, digest.text

    sid, text = await asyncio.to_thread(compose)
    markup = keyboard(await asyncio.to_thread(store.screen, sid))
    await send.send_parts(context.bot, store, message.chat_id,
                          fmt.render_parts(fmt.text_lines(text))[:1], reply_markup=markup,
                          reply_to_message_id=message.message_id if in_group(update) else None)


async def sources(update: Update, context: BotContext) -> None:
    """/sources: every document the bot answers from."""
    docs = await asyncio.to_thread(context.services.store.documents)
    await reply(update, context, render.sources_plain(docs))


async def search(update: Update, context: BotContext) -> None:
    """/search 키워드: the best matching passages, verbatim."""
    arg = argument(message_of(update))
    if not arg:
        await reply(update, context, texts.TG_SEARCH_USAGE)
        return
    hits = await asyncio.to_thread(context.services.retriever.search, arg, SEARCH_HITS)
    if not hits:
        await reply(update, context, texts.NO_MATCHING_DOCS.format(keyword=arg))
        return
    lines = []
    for hit in hits:
        lines += [fmt.Line(f"• {hit.title}", "b"), fmt.Line(hit.sentence, "quote")]
    await reply(update, context, lines)


async def debate(update: Update, context: BotContext) -> None:
    """/debate [쟁점ID | 키워드]: who argues what, from stored positions (no model), and the map
    as a picture. In groups, at most once per SUMMARY_COOLDOWN seconds, like /summary."""
    if in_group(update) and not await _group_may_answer(update, context,
                                                         texts.TG_DEBATE_COOLDOWN):
        return
    arg = argument(message_of(update))
    lines, picture = await asyncio.to_thread(render.debate_reply, context.services.debate, arg)
    sent = await reply(update, context, [fmt.Line(text, style) for text, style in lines])
    if picture:
        message = message_of(update)
        await send.send_photo(context.bot, context.services.store, message.chat_id, picture,
                              caption=texts.DEBATE_PICTURE_CAPTION,
                              reply_to_message_id=sent[0].message_id if sent else None)


async def _group_may_answer(update: Update, context: BotContext,
                            note: str = texts.TG_SUMMARY_COOLDOWN) -> bool:
    """The group cooldown /summary and /debate share: a note once, then silence."""
    cooldown = context.summary_cooldown
    chat_id = chat_of(update).id
    now = asyncio.get_running_loop().time()
    verdict = cooldown.check(chat_id, now)
    if verdict == Cooldown.NOTE:
        seconds = max(1, round(cooldown.remaining(chat_id, now)))
        await reply(update, context, note.format(seconds=seconds))
    return verdict == Cooldown.GO


# --- chat settings ------------------------------------------------------------------------
async def start(update: Update, context: BotContext) -> None:
    """/start: what the bot does."""
    await reply(update, context, texts.TG_START)


async def text_only(update: Update, context: BotContext) -> None:
    """A photo, sticker or file in a private chat: say what the bot can read."""
    await reply(update, context, texts.TG_TEXT_ONLY)


async def subscribe(update: Update, context: BotContext) -> None:
    """/subscribe: morning briefings and new-document notes for this chat."""
    chat = chat_of(update)
    added = await asyncio.to_thread(context.services.store.subscribe, chat.id, chat.type,
                                    chat.title or chat.full_name or "")
    await reply(update, context, texts.TG_SUBSCRIBED if added else texts.TG_ALREADY_SUBSCRIBED)


async def unsubscribe(update: Update, context: BotContext) -> None:
    """/unsubscribe: stop them."""
    removed = await asyncio.to_thread(context.services.store.unsubscribe,
                                      chat_of(update).id)
    await reply(update, context, texts.TG_UNSUBSCRIBED if removed else texts.TG_NOT_SUBSCRIBED)


async def time_command(update: Update, context: BotContext) -> None:
    """Show or set this chat's briefing time: /time, /time 07:30, /time 기본."""
    message, chat = update.effective_message, update.effective_chat
    if message is not None and chat is not None:
        answer = await asyncio.to_thread(_time_reply, context.services, chat.id,
                                         " ".join(context.args or []))
        try:
            await send.send_plain(context.bot, context.services.store, chat.id, answer,
                                  reply_to_message_id=message.message_id)
        except (Unreachable, TryLater) as exc:
            log.warning("could not answer /time in chat %s: %s", chat.id, exc)


def _time_reply(services: Services, chat_id: int, arg: str) -> str:
    settings, store = services.settings, services.store
    default = {"time": settings.BRIEFING_TIME, "tz": settings.BRIEFING_TZ}
    sub = store.subscription(chat_id)
    arg = arg.strip()
    if not sub or not sub.active:
        return texts.TIME_NOT_SUBSCRIBED.format(**default)
    if not arg:
        own = sub.briefing_time
        return (texts.TIME_SHOW.format(time=own, tz=settings.BRIEFING_TZ) if own
                else texts.TIME_SHOW_DEFAULT.format(**default))
    if arg.lower() in texts.TIME_RESET_WORDS:
        store.set_briefing_time(chat_id, None)
        return texts.TIME_RESET.format(**default)
    try:
        hhmm = parse_hhmm(arg).strftime("%H:%M")
    except ValueError:
        return texts.TIME_INVALID
    store.set_briefing_time(chat_id, hhmm)
    return texts.TIME_SET.format(time=hhmm, tz=settings.BRIEFING_TZ)


async def stats(update: Update, context: BotContext) -> None:
    """/stats (admins, in a private chat): store counts and quarantined files."""
    if in_group(update):  # file names are for the operator, not for a whole group
        await reply(update, context, texts.TG_STATS_PRIVATE_ONLY)
        return
    user = update.effective_user
    if not context.gate.is_admin(user.id if user else None):
        await reply(update, context, texts.TG_ADMIN_ONLY)
        return
    store = context.services.store
    counts, quarantined = await asyncio.to_thread(lambda: (store.counts(), store.quarantined()))
    lines = [fmt.Line(texts.TG_STATS_HEADER, "b")]
    lines += [fmt.Line(f"{texts.TG_STATS_LABELS.get(name, name)}: {value}")
              for name, value in counts.items()]
    worker = context.worker
    if worker is not None:
        backlog = await asyncio.to_thread(worker.backlog)
        lines.append(fmt.Line(texts.TG_STATS_BACKLOG.format(
            summaries=backlog.summaries, positions=backlog.positions, prefixes=backlog.prefixes,
            failed=backlog.failed)))
    if medians := context.services.answers.timings.medians():
        lines.append(fmt.Line(texts.TG_STATS_TIMINGS.format_map(defaultdict(
            lambda: "-", medians, count=len(context.services.answers.timings)))))
    if quarantined:
        lines += [fmt.Line(""), fmt.Line(texts.TG_STATS_QUARANTINED, "b")]
        lines += [fmt.Line(f"• {row.name}: {row.reason}") for row in quarantined]
    await reply(update, context, lines)
