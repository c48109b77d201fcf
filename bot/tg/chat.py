"""Reading an update's message and answering its chat, as every handler does."""
from __future__ import annotations

import re

from telegram import Message, Update
from telegram.constants import ChatType

from bot.tg import format as fmt
from bot.tg import send
from bot.tg.context import BotContext

COMMAND = re.compile(r"^/\S*\s*")


def in_group(update: Update) -> bool:
    return update.effective_chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


def argument(message: Message) -> str:
    """What follows the command, newlines kept (context.args would split them away)."""
    return COMMAND.sub("", message.text or "", count=1).strip()


async def reply(update: Update, context: BotContext,
                content: str | list[fmt.Line]) -> list[Message]:
    """Answer the update's chat; in groups as a reply, so the thread stays readable."""
    message = update.effective_message
    lines = content if isinstance(content, list) else fmt.text_lines(content)
    return await send.send_parts(context.bot, context.services.store, message.chat_id,
                                 fmt.render_parts(lines),
                                 reply_to_message_id=message.message_id if in_group(update)
                                 else None)
