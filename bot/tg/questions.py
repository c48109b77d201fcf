"""Questions to the model: private messages, /ask and replies to the bot in groups.

Each question takes a turn in the one model queue (bot/tg/queue.py); its answer streams into
a placeholder message, which the formatted answer then replaces.
"""
from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import AsyncIterator

from telegram import Message, Update

from bot import texts
from bot.delivery import TryLater, Unreachable
from bot.tg import format as fmt
from bot.tg import send
from bot.tg.chat import argument, in_group, message_of, reply
from bot.tg.context import BotContext
from bot.tg.guard import reply_later
from bot.tg.queue import ChatFull, QueueFull
from bot.types import Answer

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 500  # the retriever and a small model gain nothing from more
EDIT_INTERVAL = 1.0  # seconds between streamed edits of one answer
HANGUL = re.compile(r"[가-힣]")
_RUNNING: set[asyncio.Task[None]] = set()  # answers being made (a task needs a reference)


async def question(update: Update, context: BotContext) -> None:
    """A private message: the text is a question, with the chat's recent turns as history."""
    await _answer(update, context, message_of(update).text or "", use_history=True)


async def ask(update: Update, context: BotContext) -> None:
    """/ask 질문: a fresh question (in groups the way to ask)."""
    await _answer(update, context, argument(message_of(update)),
                  use_history=not in_group(update))


async def group_reply(update: Update, context: BotContext) -> None:
    """A reply to one of the bot's messages in a group: a follow-up question."""
    message = message_of(update)
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return
    await _answer(update, context, message.text or "", use_history=True)


async def _answer(update: Update, context: BotContext, text: str, *,
                  use_history: bool) -> None:
    services, bot = context.services, context.bot
    store, message = services.store, message_of(update)
    chat_id = message.chat_id
    question, notes = _clean(text)
    if not question:
        await reply(update, context, texts.EMPTY_QUESTION)
        return
    line = context.model_queue
    try:
        turn = line.reserve(chat_id)
    except ChatFull as full:
        if full.tell:
            log.info("chat %s has %d questions waiting; told once", chat_id,
                     line.max_waiting_per_chat)
            reply_later(update, context, texts.TG_CHAT_BUSY)
        return
    except QueueFull:
        log.info("model queue full; chat %s told to come back later", chat_id)
        reply_later(update, context, texts.TG_BUSY)
        return
    async with turn:
        status = texts.TG_QUEUED.format(ahead=turn.ahead) if turn.ahead else texts.TG_PLACEHOLDER
        items = None
        if not turn.ahead:  # the model starts while "typing…" and the placeholder go out
            await turn.ready()
            items = await _started(context, chat_id, question, use_history)
        await send.show_typing(bot, chat_id)
        [placeholder] = await reply(update, context, status)
        try:
            if items is None:
                await turn.ready()
                await send.show_typing(bot, chat_id)
                items = await _started(context, chat_id, question, use_history)
            answer = await _stream(context, placeholder, items, status)
        except Unreachable:
            raise
        except Exception:
            log.exception("answering in chat %s failed", chat_id)
            await send.edit_text(bot, store, chat_id, placeholder.message_id,
                                 fmt.escape(texts.TG_ERROR), plain=texts.TG_ERROR)
            return
    if not answer.covered and not HANGUL.search(question):
        notes.append(texts.TG_ASK_IN_KOREAN)
    await _finish(update, context, placeholder, answer, notes)
    await asyncio.to_thread(context.services.answers.remember, chat_id, question, answer)


def _clean(text: str) -> tuple[str, list[str]]:
    question = text.strip()
    if len(question) <= MAX_QUESTION_CHARS:
        return question, []
    return (question[:MAX_QUESTION_CHARS].rstrip(),
            [texts.TG_QUESTION_TRIMMED.format(limit=MAX_QUESTION_CHARS)])


async def _started(context: BotContext, chat_id: int, question: str,
                   use_history: bool) -> AsyncIterator[str | Answer]:
    """The answer's pieces, already being made: a task runs `ask_stream` ahead of the reader,
    so planning and the prompt's first tokens overlap the Bot API calls that show the
    placeholder (~0.3 s of every first token). The task runs to its end even when the reader
    stops early: the model is never left mid-answer, and its lock keeps the next one waiting."""
    answers, llm = context.services.answers, context.services.llm
    history = await asyncio.to_thread(answers.history, chat_id) if use_history else []
    pieces: asyncio.Queue[str | Answer | BaseException] = asyncio.Queue()

    async def run() -> None:
        try:
            # plan() counts tokens on the event loop; a lazily loaded model would load there.
            await asyncio.to_thread(llm.count_tokens, question)
            async for item in answers.ask_stream(question, history):
                pieces.put_nowait(item)
        except Exception as exc:  # noqa: BLE001 - handed to the reader
            pieces.put_nowait(exc)

    task = asyncio.create_task(run())
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)

    async def read() -> AsyncIterator[str | Answer]:
        while True:
            item = await pieces.get()
            if isinstance(item, BaseException):
                raise item
            yield item
            if isinstance(item, Answer):
                return

    return read()


async def _stream(context: BotContext, placeholder: Message,
                  items: AsyncIterator[str | Answer], shown: str) -> Answer:
    """Relay the growing answer into the placeholder: its first words as soon as they exist
    (what the person waits for), then at most one edit per EDIT_INTERVAL."""
    services, bot = context.services, context.bot
    loop = asyncio.get_running_loop()
    last_edit = -math.inf
    async for item in items:
        if isinstance(item, Answer):
            return item
        text = fmt.preview(item)
        if text == shown or loop.time() - last_edit < EDIT_INTERVAL:
            continue
        try:  # one attempt: the next preview supersedes this one anyway
            await send.edit_text(bot, services.store, placeholder.chat_id,
                                 placeholder.message_id, fmt.escape(text), plain=text,
                                 max_attempts=1)
        except TryLater as exc:
            log.info("skipped a preview edit in chat %s: %s", placeholder.chat_id, exc)
        shown, last_edit = text, loop.time()
    raise RuntimeError("ask_stream ended without an Answer")


async def _finish(update: Update, context: BotContext, placeholder: Message, answer: Answer,
                  notes: list[str]) -> None:
    """The formatted answer replaces the placeholder; any further parts follow it."""
    store, bot = context.services.store, context.bot
    parts = fmt.render_parts(fmt.answer_lines(answer, notes))
    first = parts[0]
    edited = await send.edit_text(bot, store, placeholder.chat_id, placeholder.message_id,
                                  first.html, plain=first.plain)
    rest = parts[1:] if edited else parts
    if rest:
        await send.send_parts(bot, store, placeholder.chat_id, rest,
                              reply_to_message_id=message_of(update).message_id
                              if in_group(update) else None)
