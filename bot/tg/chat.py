"""Reading an update's message and answering its chat, as every handler does."""
from __future__ import annotations

import re

from telegram import Chat, Message, Update
from telegram.constants import ChatType

from bot.tg import format as fmt
from bot.tg import send
from bot.tg.context import BotContext

COMMAND = re.compile(r"^/\S*\s*")


def in_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


def message_of(update: Update) -> Message:
    """The update's message. Every handler but the guard and the button handler is registered
    for messages (bot/tg/app.py), and the guard stops an update without a chat, so there is
    one; PTB types it optional for the update kinds that have none."""
    message = update.effective_message
    if message is None:
        raise ValueError(f"update {update.update_id} has no message")
    return message


def chat_of(update: Update) -> Chat:
    """The update's chat (see message_of)."""
    chat = update.effective_chat
    if chat is None:
        raise ValueError(f"update {update.update_id} has no chat")
    return chat


def argument(message: Message) -> str:
    """What follows the command, newlines kept (context.args would split them away)."""
    return COMMAND.sub("", message.text or "", count=1).strip()


async def reply(update: Update, context: BotContext,
                content: str | list[fmt.Line]) -> list[Message]:
    """Answer the update's chat; in groups as a reply, so the thread stays readable."""
    message = message_of(update)
    lines = content if isinstance(content, list) else fmt.text_lines(content)
    return await send.send_parts(context.bot, context.services.store, message.chat_id,
                                 fmt.render_parts(lines),
                                 reply_to_message_id=message.message_id if in_group(update)
                                 else None)
