"""bot/tg/send.py against the fake Bot API over real HTTP, with a plain Bot (no rate limiter)."""
from __future__ import annotations

import logging
import warnings
from datetime import timedelta

import pytest
from telegram import Bot
from telegram.error import BadRequest, RetryAfter

from bot.delivery import TryLater, Unreachable
from bot.tg import send
from tests.botapi import utf16_len
from tests.conftest import TOKEN

CHAT = 5151


@pytest.fixture
async def bot(botapi):
    async with Bot(TOKEN, base_url=botapi.base_url) as tg_bot:
        yield tg_bot


def statuses(botapi, method="sendMessage"):
    return [c["status"] for c in botapi.calls(method)]


async def test_plain_text_is_escaped_split_and_sent_as_html(bot, botapi, store):
    paragraph = ("정책 <b>논쟁</b> & “인용” 😀 " * 60).strip()
    text = "\n\n".join(f"{i}. {paragraph}" for i in range(8))
    messages = await send.send_plain(bot, store, CHAT, text)
    sent = botapi.sent(CHAT)
    assert len(messages) == len(sent) >= 2
    assert all(m["parse_mode"] == "HTML" and utf16_len(m["text"]) <= 4096 for m in sent)
    assert "\n\n".join(m["text"] for m in sent) == text.strip()
    assert set(statuses(botapi)) == {200}


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own
async def test_flood_control_waits_retry_after_then_sends(bot, botapi, store):
    botapi.fail_next("sendMessage", status=429, retry_after=1)
    [message] = await send.send_plain(bot, store, CHAT, "다시 보냅니다")
    assert message.text == "다시 보냅니다"
    first, second = botapi.calls("sendMessage")
    assert (first["status"], second["status"]) == (429, 200)
    assert second["time"] - first["time"] >= 0.9  # it waited retry_after


async def test_server_errors_are_retried_with_backoff_then_given_up(bot, botapi, store):
    botapi.fail_next("sendMessage", status=502, times=2)
    await send.send_plain(bot, store, CHAT, "세 번째에 성공")
    assert statuses(botapi) == [502, 502, 200]
    calls = botapi.calls("sendMessage")
    assert calls[1]["time"] - calls[0]["time"] >= 0.45  # 0.5 s, then 1 s
    assert calls[2]["time"] - calls[1]["time"] >= 0.95

    botapi.fail_next("sendMessage", status=500, times=5)
    with pytest.raises(TryLater, match="2 attempt"):
        await send.send_plain(bot, store, CHAT, "포기", max_attempts=2)
    assert statuses(botapi)[3:] == [500, 500]


async def test_blocked_chat_deactivates_its_subscription(bot, botapi, store, caplog):
    store.subscribe(CHAT, "private", "테스터")
    botapi.block_chat(CHAT)
    with pytest.raises(Unreachable):
        await send.send_plain(bot, store, CHAT, "안녕하세요")
    row = store.subscription(CHAT)
    assert row.active == 0 and "blocked" in row.deactivated_reason
    assert len(botapi.calls("sendMessage")) == 1  # not retried


async def test_unknown_chat_is_undeliverable(bot, botapi, store):
    store.subscribe(-999, "group", "사라진 방")
    botapi.unknown_chat(-999)
    with pytest.raises(Unreachable):
        await send.send_plain(bot, store, -999, "안녕하세요")
    assert store.subscription(-999).active == 0


async def test_migrated_group_is_followed_and_stored(bot, botapi, store):
    store.subscribe(-55, "group", "옛 그룹")
    botapi.fail_next("sendMessage", status=400, migrate_to_chat_id=-100555, chat_id=-55)
    [message] = await send.send_plain(bot, store, -55, "새 방으로")
    assert message.chat.id == -100555
    assert store.subscription(-100555).active == 1 and store.subscription(-55) is None
    assert [m["text"] for m in botapi.sent(-100555)] == ["새 방으로"]


async def test_html_rejected_by_telegram_is_resent_plain(bot, botapi, store, caplog):
    botapi.fail_next("sendMessage", status=400,
                     description="Bad Request: can't parse entities: unsupported start tag")
    await send.send_html(bot, store, CHAT, ["<b>굵게</b> &amp; 끝"], plain_parts=["굵게 & 끝"])
    first, second = botapi.calls("sendMessage")
    assert first["params"]["parse_mode"] == "HTML" and "parse_mode" not in second["params"]
    assert [m["text"] for m in botapi.sent(CHAT)] == ["굵게 & 끝"]
    assert "resending as plain text" in caplog.text


async def test_other_bad_requests_are_not_retried(bot, botapi, store):
    botapi.fail_next("sendMessage", status=400, description="Bad Request: something else")
    with pytest.raises(BadRequest, match="(?i)something else"):
        await send.send_plain(bot, store, CHAT, "x")
    assert len(botapi.calls("sendMessage")) == 1


async def test_edit_not_modified_is_success_and_a_deleted_message_is_reported(bot, botapi, store):
    [message] = await send.send_plain(bot, store, CHAT, "초안")
    assert await send.edit_text(bot, store, CHAT, message.message_id, "<b>최종</b>", plain="최종")
    assert await send.edit_text(bot, store, CHAT, message.message_id, "<b>최종</b>", plain="최종")
    assert statuses(botapi, "editMessageText") == [200, 400]
    assert botapi.sent(CHAT)[0]["text"] == "최종"
    await bot.delete_message(CHAT, message.message_id)
    assert await send.edit_text(bot, store, CHAT, message.message_id, "x", plain="x") is False


async def test_reply_to_a_vanished_message_still_sends(bot, botapi, store):
    [message] = await send.send_plain(bot, store, CHAT, "원문", reply_to_message_id=777)
    assert message.text == "원문" and message.reply_to_message is None


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own
def test_retry_after_accepts_int_and_timedelta():
    errors = RetryAfter(3), RetryAfter(timedelta(seconds=1.5))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert [send.retry_after_seconds(e) for e in errors] == [3.0, 1.5]
    assert caught == []  # reading it the way send.py does raises no deprecation warning


async def test_typing_failures_are_swallowed(bot, botapi, caplog):
    botapi.block_chat(CHAT)
    with caplog.at_level(logging.DEBUG, logger="bot.tg.send"):
        await send.show_typing(bot, CHAT)
    assert botapi.calls("sendChatAction")[0]["status"] == 403
