"""Telegram handlers: parse the update, call one service, format, reply."""
from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram import Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import render, texts
from bot.briefing import compose_brief, select_documents
from bot.services import Services
from bot.store import Turn
from bot.tg import format as fmt
from bot.tg import send
from bot.tg.access import AccessGate, Cooldown
from bot.tg.lanes import CommandLanes
from bot.tg.queue import ChatFull, ModelQueue, QueueFull
from bot.types import Answer

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 500  # the retriever and a small model gain nothing from more
EDIT_INTERVAL = 1.0  # seconds between streamed edits of one answer
SEARCH_HITS = 5
COMMAND = re.compile(r"^/\S*\s*")
HANGUL = re.compile(r"[가-힣]")
GROUP_ADMINS = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
Context = ContextTypes.DEFAULT_TYPE
Callback = Callable[[Update, Context], Awaitable[None]]


def _services(context: Context) -> Services:
    return context.bot_data["services"]


def _in_group(update: Update) -> bool:
    return update.effective_chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


def _argument(message: Message) -> str:
    """What follows the command, newlines kept (context.args would split them away)."""
    return COMMAND.sub("", message.text or "", count=1).strip()


async def _reply(update: Update, context: Context, content: str | list[fmt.Line]) -> list[Message]:
    """Answer the update's chat; in groups as a reply, so the thread stays readable."""
    message = update.effective_message
    lines = content if isinstance(content, list) else fmt.text_lines(content)
    return await send.send_parts(context.bot, _services(context).store, message.chat_id,
                                 fmt.render_parts(lines),
                                 reply_to_message_id=message.message_id if _in_group(update)
                                 else None)


# --- access --------------------------------------------------------------------------------
async def guard(update: Update, context: Context) -> None:
    """Stop updates from chats outside the allowlist, telling each such chat once."""
    chat = update.effective_chat
    gate: AccessGate = context.bot_data["gate"]
    if chat is None or gate.allows(chat.id):
        return
    if update.effective_message and gate.first_refusal(chat.id):
        log.info("chat %s is not in ALLOWED_CHAT_IDS; refused (told once)", chat.id)
        try:
            await send.send_plain(context.bot, _services(context).store, chat.id,
                                  texts.TG_NOT_ALLOWED)
        except (send.Undeliverable, send.SendFailed, TelegramError) as exc:
            log.warning("could not tell chat %s it is not allowed: %s", chat.id, exc)
    raise ApplicationHandlerStop


def in_lane(callback: Callback) -> Callback:
    """Answer a command that needs no model from its chat's lane (bot/tg/lanes.py): the
    handler returns at once instead of holding an update slot while the reply is paced."""

    @functools.wraps(callback)
    async def handler(update: Update, context: Context) -> None:
        chat, message = update.effective_chat, update.effective_message
        if chat is None or message is None:
            return
        lanes: CommandLanes = context.bot_data["lanes"]
        key = _command_key(message)
        answer = _reporting(update, context, lambda: callback(update, context))
        note = _reporting(update, context,
                          lambda: _reply(update, context, texts.TG_TOO_MANY_COMMANDS))
        if lanes.submit(chat.id, key, answer, note) == CommandLanes.NOTED:
            log.info("chat %s sent commands faster than they can be answered; told once", chat.id)

    return handler


def _reply_later(update: Update, context: Context, text: str) -> None:
    """A fixed reply from the chat's lane, so the handler frees its update slot at once."""
    lanes: CommandLanes = context.bot_data["lanes"]
    job = _reporting(update, context, lambda: _reply(update, context, text))
    lanes.submit(update.effective_chat.id, f"reply {text}", job, job)


def _command_key(message: Message) -> str:
    """What a command asks for: its name (without @botname) and its argument."""
    text = message.text or ""
    name = text.split(maxsplit=1)[0].split("@")[0].lower() if text.startswith("/") else ""
    return f"{name} {_argument(message)}"


def _reporting(update: Update, context: Context, work: Callable[[], Awaitable[object]]):
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
    async def handler(update: Update, context: Context) -> None:
        if _in_group(update) and not await _may_change_settings(update, context):
            await _reply(update, context, texts.TG_GROUP_ADMINS_ONLY)
            return
        await callback(update, context)

    return handler


async def _may_change_settings(update: Update, context: Context) -> bool:
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous administrator, writing as the group (only they can)
    if user is None:
        return False
    if context.bot_data["gate"].is_admin(user.id):
        return True
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.warning("could not check whether user %s administers chat %s: %s", user.id,
                    chat.id, exc)
        return False
    return member.status in GROUP_ADMINS


# --- questions -----------------------------------------------------------------------------
async def question(update: Update, context: Context) -> None:
    """A private message: the text is a question, with the chat's recent turns as history."""
    await _answer(update, context, update.effective_message.text or "", use_history=True)


async def ask(update: Update, context: Context) -> None:
    """/ask 질문: a fresh question (in groups the way to ask)."""
    await _answer(update, context, _argument(update.effective_message),
                  use_history=not _in_group(update))


async def group_reply(update: Update, context: Context) -> None:
    """A reply to one of the bot's messages in a group: a follow-up question."""
    message = update.effective_message
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return
    await _answer(update, context, message.text or "", use_history=True)


async def _answer(update: Update, context: Context, text: str, *, use_history: bool) -> None:
    services, bot = _services(context), context.bot
    store, message = services.store, update.effective_message
    chat_id = message.chat_id
    question, notes = _clean(text)
    if not question:
        await _reply(update, context, texts.EMPTY_QUESTION)
        return
    line: ModelQueue = context.bot_data["model_queue"]
    try:
        turn = line.reserve(chat_id)
    except ChatFull as full:
        if full.tell:
            log.info("chat %s has %d questions waiting; told once", chat_id,
                     line.max_waiting_per_chat)
            _reply_later(update, context, texts.TG_CHAT_BUSY)
        return
    except QueueFull:
        log.info("model queue full; chat %s told to come back later", chat_id)
        _reply_later(update, context, texts.TG_BUSY)
        return
    async with turn:
        await send.show_typing(bot, chat_id)
        status = texts.TG_QUEUED.format(ahead=turn.ahead) if turn.ahead else texts.TG_PLACEHOLDER
        [placeholder] = await _reply(update, context, status)
        await turn.ready()
        try:
            if turn.ahead:
                await send.show_typing(bot, chat_id)
            history = (await asyncio.to_thread(store.recent_turns, chat_id) if use_history
                       else [])
            answer = await _stream(context, placeholder, question, history, status)
        except send.Undeliverable:
            raise
        except Exception:
            log.exception("answering in chat %s failed", chat_id)
            await send.edit_text(bot, store, chat_id, placeholder.message_id,
                                 fmt.escape(texts.TG_ERROR), plain=texts.TG_ERROR)
            return
    if not answer.covered and not HANGUL.search(question):
        notes.append(texts.TG_ASK_IN_KOREAN)
    await _finish(update, context, placeholder, answer, notes)
    if answer.covered:
        await asyncio.to_thread(_remember, store, chat_id, question, answer.text)


def _remember(store, chat_id: int, question: str, answer: str) -> None:
    store.add_turn(chat_id, "user", question)
    store.add_turn(chat_id, "assistant", answer)


def _clean(text: str) -> tuple[str, list[str]]:
    question = text.strip()
    if len(question) <= MAX_QUESTION_CHARS:
        return question, []
    return (question[:MAX_QUESTION_CHARS].rstrip(),
            [texts.TG_QUESTION_TRIMMED.format(limit=MAX_QUESTION_CHARS)])


async def _stream(context: Context, placeholder: Message, question: str, history: list[Turn],
                  shown: str) -> Answer:
    """Relay the growing answer into the placeholder, at most one edit per EDIT_INTERVAL."""
    services, bot = _services(context), context.bot
    loop = asyncio.get_running_loop()
    # plan() counts tokens on the event loop; a lazily loaded model would load right there.
    await asyncio.to_thread(services.llm.count_tokens, question)
    last_edit = loop.time()
    async for item in services.answers.ask_stream(question, history):
        if isinstance(item, Answer):
            return item
        text = fmt.preview(item)
        if text == shown or loop.time() - last_edit < EDIT_INTERVAL:
            continue
        try:  # one attempt: the next preview supersedes this one anyway
            await send.edit_text(bot, services.store, placeholder.chat_id,
                                 placeholder.message_id, fmt.escape(text), plain=text,
                                 max_attempts=1)
        except send.SendFailed as exc:
            log.info("skipped a preview edit in chat %s: %s", placeholder.chat_id, exc)
        shown, last_edit = text, loop.time()
    raise RuntimeError("ask_stream ended without an Answer")


async def _finish(update: Update, context: Context, placeholder: Message, answer: Answer,
                  notes: list[str]) -> None:
    """The formatted answer replaces the placeholder; any further parts follow it."""
    store, bot = _services(context).store, context.bot
    parts = fmt.render_parts(fmt.answer_lines(answer, notes))
    first = parts[0]
    edited = await send.edit_text(bot, store, placeholder.chat_id, placeholder.message_id,
                                  first.html, plain=first.plain)
    rest = parts[1:] if edited else parts
    if rest:
        await send.send_parts(bot, store, placeholder.chat_id, rest,
                              reply_to_message_id=update.effective_message.message_id
                              if _in_group(update) else None)


# --- documents -----------------------------------------------------------------------------
async def summary(update: Update, context: Context) -> None:
    """/summary [N | 키워드]: stored summaries of the latest or matching documents."""
    services = _services(context)
    chat_id = update.effective_chat.id
    if _in_group(update):
        cooldown: Cooldown = context.bot_data["summary_cooldown"]
        now = asyncio.get_running_loop().time()
        verdict = cooldown.check(chat_id, now)
        if verdict == Cooldown.NOTE:
            seconds = max(1, round(cooldown.remaining(chat_id, now)))
            await _reply(update, context, texts.TG_SUMMARY_COOLDOWN.format(seconds=seconds))
        if verdict != Cooldown.GO:
            return
    arg = _argument(update.effective_message)
    docs = await asyncio.to_thread(select_documents, services.store, services.retriever.search,
                                   arg)
    if not docs:
        await _reply(update, context,
                     texts.NO_MATCHING_DOCS.format(keyword=arg) if arg else texts.NO_DOCUMENTS)
        return
    await _reply(update, context, fmt.summary_lines(docs))


async def brief(update: Update, context: Context) -> None:
    """/brief: the briefing composed from the latest documents' stored summaries."""
    services = _services(context)
    today = datetime.now(services.settings.tz).date()
    result = await asyncio.to_thread(compose_brief, services.store, services.korean, since=None,
                                     today=today)
    await _reply(update, context, result.text)


async def sources(update: Update, context: Context) -> None:
    """/sources: every document the bot answers from."""
    docs = await asyncio.to_thread(_services(context).store.documents)
    await _reply(update, context, render.sources_plain(docs))


async def search(update: Update, context: Context) -> None:
    """/search 키워드: the best matching passages, verbatim."""
    arg = _argument(update.effective_message)
    if not arg:
        await _reply(update, context, texts.TG_SEARCH_USAGE)
        return
    hits = await asyncio.to_thread(_services(context).retriever.search, arg, SEARCH_HITS)
    if not hits:
        await _reply(update, context, texts.NO_MATCHING_DOCS.format(keyword=arg))
        return
    lines = []
    for hit in hits:
        lines += [fmt.Line(f"• {hit.title}", "b"), fmt.Line(hit.sentence, "quote")]
    await _reply(update, context, lines)


# --- chat settings and help ----------------------------------------------------------------
async def start(update: Update, context: Context) -> None:
    """/start: what the bot does."""
    await _reply(update, context, texts.TG_START)


async def help_command(update: Update, context: Context) -> None:
    """/help: commands, and how to use the bot in a group."""
    await _reply(update, context, texts.TG_HELP)


async def text_only(update: Update, context: Context) -> None:
    """A photo, sticker or file in a private chat: say what the bot can read."""
    await _reply(update, context, texts.TG_TEXT_ONLY)


async def subscribe(update: Update, context: Context) -> None:
    """/subscribe: morning briefings and new-document notes for this chat."""
    chat = update.effective_chat
    added = await asyncio.to_thread(_services(context).store.subscribe, chat.id, chat.type,
                                    chat.title or chat.full_name or "")
    await _reply(update, context, texts.TG_SUBSCRIBED if added else texts.TG_ALREADY_SUBSCRIBED)


async def unsubscribe(update: Update, context: Context) -> None:
    """/unsubscribe: stop them."""
    removed = await asyncio.to_thread(_services(context).store.unsubscribe,
                                      update.effective_chat.id)
    await _reply(update, context, texts.TG_UNSUBSCRIBED if removed else texts.TG_NOT_SUBSCRIBED)


async def stats(update: Update, context: Context) -> None:
    """/stats (admins, in a private chat): store counts and quarantined files."""
    if _in_group(update):  # file names are for the operator, not for a whole group
        await _reply(update, context, texts.TG_STATS_PRIVATE_ONLY)
        return
    gate: AccessGate = context.bot_data["gate"]
    user = update.effective_user
    if not gate.is_admin(user.id if user else None):
        await _reply(update, context, texts.TG_ADMIN_ONLY)
        return
    store = _services(context).store
    counts, quarantined = await asyncio.to_thread(lambda: (store.counts(), store.quarantined()))
    lines = [fmt.Line(texts.TG_STATS_HEADER, "b")]
    lines += [fmt.Line(f"{texts.TG_STATS_LABELS.get(name, name)}: {value}")
              for name, value in counts.items()]
    worker = context.bot_data.get("worker")
    if worker is not None:
        backlog = await asyncio.to_thread(worker.backlog)
        lines.append(fmt.Line(texts.TG_STATS_BACKLOG.format(
            summaries=backlog.summaries, prefixes=backlog.prefixes, failed=backlog.failed)))
    if quarantined:
        lines += [fmt.Line(""), fmt.Line(texts.TG_STATS_QUARANTINED, "b")]
        lines += [fmt.Line(f"• {row.name}: {row.reason}") for row in quarantined]
    await _reply(update, context, lines)


# --- errors --------------------------------------------------------------------------------
async def on_error(update: object, context: Context) -> None:
    """Log a failed update (English, with its chat) and apologise to the chat when possible."""
    chat = update.effective_chat if isinstance(update, Update) else None
    chat_id = chat.id if chat else None
    if isinstance(context.error, send.Undeliverable):
        log.info("chat %s cannot be reached: %s", chat_id, context.error)
        return
    log.error("update for chat %s failed: %s", chat_id, context.error, exc_info=context.error)
    if chat_id is None or not context.bot_data["gate"].allows(chat_id):
        return
    try:
        await send.send_plain(context.bot, _services(context).store, chat_id, texts.TG_ERROR,
                              max_attempts=2)
    except Exception as exc:  # the apology is a courtesy; never let it raise again
        log.warning("could not apologise to chat %s: %s", chat_id, exc)
