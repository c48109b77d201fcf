"""/follow, /unfollow and /following: the topics a chat's briefings and pushes keep to
(bot/delivery/topics.py). bot/tg/app.py runs them from the chat's lane, and /follow and
/unfollow in groups for group administrators only, as /time."""
from __future__ import annotations

import asyncio

from telegram import Update

from bot import texts
from bot.delivery import topics
from bot.store import Store
from bot.tg.chat import argument, chat_of, message_of, reply
from bot.tg.context import BotContext


async def follow(update: Update, context: BotContext) -> None:
    """/follow <쟁점ID | 키워드>: brief and push this chat only what is on the topic."""
    chat_id = chat_of(update).id
    answer = await asyncio.to_thread(_follow_reply, context.services.store, chat_id,
                                     argument(message_of(update)))
    await reply(update, context, answer)


async def unfollow(update: Update, context: BotContext) -> None:
    """/unfollow [<쟁점ID | 키워드>]: stop following it, or every topic."""
    chat_id = chat_of(update).id
    answer = await asyncio.to_thread(_unfollow_reply, context.services.store, chat_id,
                                     argument(message_of(update)))
    await reply(update, context, answer)


async def following(update: Update, context: BotContext) -> None:
    """/following: the topics this chat follows."""
    answer = await asyncio.to_thread(_following_reply, context.services.store,
                                     chat_of(update).id)
    await reply(update, context, answer)


def _follow_reply(store: Store, chat_id: int, arg: str) -> str:
    result = topics.follow(store, chat_id, arg)
    if result.problem == "empty":
        example = next(iter(topics.proposition_texts()), "ai_basic_act")
        return texts.FOLLOW_USAGE.format(example=example)
    if result.problem == "keyword":
        least, most = topics.KEYWORD_CHARS
        return texts.FOLLOW_BAD_KEYWORD.format(least=least, most=most)
    if result.problem == "too_many":
        return texts.FOLLOW_TOO_MANY.format(most=topics.MOST_TOPICS)
    if not result.added:
        answer = texts.FOLLOW_ALREADY.format(topic=result.topic)
    elif result.kind == topics.PROPOSITION:
        answer = texts.FOLLOW_PROPOSITION.format(text=result.text, id=result.topic)
    else:
        answer = texts.FOLLOW_KEYWORD.format(keyword=result.topic)
    sub = store.subscription(chat_id)
    return answer if sub and sub.active else f"{answer}\n{texts.FOLLOW_NOT_SUBSCRIBED}"


def _unfollow_reply(store: Store, chat_id: int, arg: str) -> str:
    topic, removed = topics.unfollow(store, chat_id, arg)
    if not topic:
        return texts.UNFOLLOW_ALL.format(count=removed) if removed else texts.FOLLOWING_NONE
    return (texts.UNFOLLOW_ONE if removed else texts.UNFOLLOW_NONE).format(topic=topic)


def _following_reply(store: Store, chat_id: int) -> str:
    follows = store.follows(chat_id)
    if not follows:
        return texts.FOLLOWING_NONE
    known = topics.proposition_texts()
    lines = [texts.FOLLOWING_HEAD.format(count=len(follows))]
    for item in follows:
        if item.kind == topics.KEYWORD:
            lines.append(texts.FOLLOWING_KEYWORD.format(keyword=item.topic))
        elif item.topic in known:
            lines.append(texts.FOLLOWING_PROPOSITION.format(id=item.topic, text=known[item.topic]))
        else:
            lines.append(texts.FOLLOWING_RETIRED.format(id=item.topic))
    return "\n".join(lines)
