"""The fake Bot API (tests/botapi.py) against the real python-telegram-bot client."""

import asyncio
import json
import logging
import threading
import time

import httpx
import pytest
from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, MessageEntity
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter
from telegram.ext import Application, CommandHandler

from bot.tg.send import retry_after_seconds
from tests.botapi import BotAPIError, BotAPIServer, parse_html, utf16_len
from tests.botapi_fixture import botapi  # noqa: F401 - the fixture

TOKEN = "123456:TEST-token_abc"
CHAT = 4242


@pytest.fixture
async def bot(botapi):  # noqa: F811
    async with Bot(TOKEN, base_url=botapi.base_url) as tg_bot:
        yield tg_bot


def api_call(botapi, method, token=TOKEN, **kwargs):
    """A raw HTTP request, for what PTB cannot send."""
    return httpx.post(f"{botapi.base_url}{token}/{method}", timeout=10, **kwargs)


# ------------------------------------------------------------------ plain Bot
async def test_get_me(bot, botapi):
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "briefbot_test_bot", True)
    assert bot.username == "briefbot_test_bot"  # from initialize()'s getMe
    assert "/bot123456:TEST-token_abc/getMe" in botapi.request_log_text()
    assert botapi.calls("getMe")[-1]["status"] == 200


async def test_send_message_returns_message_and_is_recorded(bot, botapi):
    first = await bot.send_message(CHAT, "안녕하세요")
    second = await bot.send_message(CHAT, "두 번째")
    assert (first.text, first.chat.id, first.from_user.id) == ("안녕하세요", CHAT, 123456)
    assert (first.message_id, second.message_id) == (1, 2)
    assert [m["text"] for m in botapi.sent(CHAT)] == ["안녕하세요", "두 번째"]
    assert botapi.sent(999) == []
    params = botapi.calls("sendMessage")[0]["params"]
    assert params["chat_id"] == CHAT and isinstance(params["chat_id"], int)


async def test_html_is_parsed_to_plain_text_and_entities(bot, botapi):
    message = await bot.send_message(CHAT, "<b>x</b> &amp; y", parse_mode="HTML")
    assert message.text == "x & y"
    assert message.entities == (MessageEntity(MessageEntity.BOLD, 0, 1),)
    [stored] = botapi.sent(CHAT)
    assert (stored["text"], stored["parse_mode"]) == ("x & y", "HTML")
    assert stored["entities"] == [{"type": "bold", "offset": 0, "length": 1}]


async def test_invalid_html_is_rejected(bot, botapi):
    with pytest.raises(BadRequest, match="(?i)can't parse entities") as info:
        await bot.send_message(CHAT, "a < b", parse_mode="HTML")
    # PTB drops "Bad Request: " and str.capitalize()s the rest of the description
    assert info.value.message == 'Can\'t parse entities: unsupported start tag "" at byte offset 2'
    assert botapi.calls("sendMessage")[0]["params"]["parse_mode"] == "HTML"
    assert botapi.sent() == []
    assert botapi.calls("sendMessage")[0]["status"] == 400
    # the same text without parse_mode is fine
    assert (await bot.send_message(CHAT, "a < b")).text == "a < b"


async def test_too_long_and_empty_text(bot, botapi):
    with pytest.raises(BadRequest, match="(?i)too long"):
        await bot.send_message(CHAT, "x" * 4097)
    with pytest.raises(BadRequest, match="(?i)too long"):  # 2049 emoji = 4098 UTF-16 units
        await bot.send_message(CHAT, "😀" * 2049)
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")
    assert (await bot.send_message(CHAT, "x" * 4096)).text == "x" * 4096
    # the limit applies to the text after HTML parsing
    long_html = "<b>" + "y" * 4096 + "</b>"
    assert (await bot.send_message(CHAT, long_html, parse_mode="HTML")).text == "y" * 4096


async def test_edit_message_text(bot, botapi):
    message = await bot.send_message(CHAT, "초안")
    with pytest.raises(BadRequest, match="(?i)not modified"):
        await bot.edit_message_text("초안", chat_id=CHAT, message_id=message.message_id)
    edited = await bot.edit_message_text("<i>최종</i>", chat_id=CHAT,
                                         message_id=message.message_id, parse_mode="HTML")
    assert edited.text == "최종" and edited.edit_date is not None
    # same text but different formatting is a modification
    await bot.edit_message_text("최종", chat_id=CHAT, message_id=message.message_id)
    [stored] = botapi.sent(CHAT)
    assert (stored["text"], stored["edits"], stored["entities"]) == ("최종", 2, [])
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=CHAT, message_id=99)
    with pytest.raises(BadRequest, match="(?i)message_too_long"):
        await bot.edit_message_text("x" * 4097, chat_id=CHAT, message_id=message.message_id)


async def test_delete_message_and_chat_action(bot, botapi):
    message = await bot.send_message(CHAT, "곧 삭제")
    assert await bot.send_chat_action(CHAT, "typing") is True
    assert await bot.delete_message(CHAT, message.message_id) is True
    assert botapi.sent(CHAT) == []
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(CHAT, message.message_id)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_injected_flood_error_raises_retry_after_once(bot, botapi):
    botapi.fail_next("sendMessage", status=429, retry_after=1)
    with pytest.raises(RetryAfter, match="Retry in 1 seconds|Retry in 0:00:01"):
        await bot.send_message(CHAT, "hi")
    assert (await bot.send_message(CHAT, "hi")).text == "hi"  # times=1: only the first fails
    assert [c["status"] for c in botapi.calls("sendMessage")] == [429, 200]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_rate_limited_chat_answers_429_until_its_window_frees(bot, botapi):
    botapi.limit_rate(-100777, messages=2, seconds=1)
    for text in ("one", "two"):
        assert (await bot.send_message(-100777, text)).text == text
    assert (await bot.send_message(CHAT, "other chats are not limited")).text
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(-100777, "three")
    assert botapi.calls("sendMessage")[-1]["status"] == 429
    wait = retry_after_seconds(info.value)
    assert wait == 1
    # The promise under test: after retry_after the chat takes a message again.
    await asyncio.sleep(wait)
    assert (await bot.send_message(-100777, "three")).text == "three"
    assert [m["text"] for m in botapi.sent(-100777)] == ["one", "two", "three"]


async def test_injected_failures_can_target_one_chat_and_migration(bot, botapi):
    botapi.fail_next("sendMessage", status=400, migrate_to_chat_id=-1001234, chat_id=-55,
                     times=2)
    assert (await bot.send_message(CHAT, "other chat unaffected")).text
    for _ in range(2):
        with pytest.raises(ChatMigrated) as info:
            await bot.send_message(-55, "hi")
        assert info.value.new_chat_id == -1001234
    assert (await bot.send_message(-55, "ok now")).chat.type == "group"


async def test_blocked_and_unknown_chats(bot, botapi):
    botapi.block_chat(777)
    botapi.unknown_chat(888)
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await bot.send_message(777, "hi")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(888, "hi")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.get_chat(888)
    assert botapi.sent() == []


async def test_get_chat_and_commands(bot, botapi):
    botapi.add_update_message(-100777, "hello", chat_type="supergroup", title="정책 토론방")
    chat = await bot.get_chat(-100777)
    assert (chat.type, chat.title) == ("supergroup", "정책 토론방")
    group_scope = BotCommandScopeAllGroupChats()
    assert await bot.set_my_commands([BotCommand("help", "도움말")])
    assert await bot.set_my_commands([BotCommand("brief", "요약")], scope=group_scope,
                                     language_code="ko")
    assert [c.command for c in await bot.get_my_commands()] == ["help"]
    ko = await bot.get_my_commands(scope=group_scope, language_code="ko")
    assert [(c.command, c.description) for c in ko] == [("brief", "요약")]
    assert botapi.commands({"type": "all_group_chats"}, "ko")[0]["command"] == "brief"
    with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])
    assert await bot.delete_my_commands() and await bot.get_my_commands() == ()


async def test_updates_offsets_and_replies(bot, botapi):
    sent = await bot.send_message(CHAT, "질문하세요")
    botapi.add_update_message(CHAT, "/brief@briefbot_test_bot 인공지능 기본법",
                              reply_to_message_id=sent.message_id, username="tester")
    botapi.add_update_message(CHAT, "그냥 텍스트")
    first, second = await bot.get_updates(timeout=0)
    message = first.message
    assert message.text.startswith("/brief") and message.message_id == 2  # ids shared per chat
    assert message.entities == (MessageEntity("bot_command", 0, len("/brief@briefbot_test_bot")),)
    assert message.reply_to_message.text == "질문하세요"
    assert message.reply_to_message.from_user.is_bot
    assert (message.from_user.username, message.chat.type) == ("tester", "private")
    assert second.message.entities == ()
    # updates stay until a later offset confirms them
    assert len(await bot.get_updates(timeout=0)) == 2
    assert [u.update_id for u in await bot.get_updates(offset=second.update_id)] == [
        second.update_id]
    assert await bot.get_updates(offset=second.update_id + 1, timeout=0) == ()
    assert botapi.pending_updates() == []
    with pytest.raises(ValueError, match="(?i)no message 99"):
        botapi.add_update_message(CHAT, "reply to nothing", reply_to_message_id=99)


async def test_long_polling_blocks_until_an_update_arrives(bot, botapi):
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9  # really waited for the timeout

    def push_when_polling():
        botapi.wait_for(lambda: any(c["status"] is None for c in botapi.calls("getUpdates")),
                        timeout=10)
        botapi.add_update_message(CHAT, "/start")

    pusher = threading.Thread(target=push_when_polling)
    pusher.start()
    started = time.monotonic()
    [update] = await bot.get_updates(timeout=20)
    pusher.join()
    assert update.message.text == "/start"
    assert time.monotonic() - started < 10


async def test_a_newer_poll_terminates_an_older_one(botapi):
    def old_poll():
        return api_call(botapi, "getUpdates", data={"timeout": "10"})

    result = {}
    worker = threading.Thread(target=lambda: result.update(response=old_poll()))
    worker.start()
    await botapi.wait_for(lambda: botapi.calls("getUpdates"))
    async with httpx.AsyncClient() as client:
        fresh = await client.post(f"{botapi.base_url}{TOKEN}/getUpdates", data={"timeout": "0"})
    worker.join(10)
    assert fresh.json() == {"ok": True, "result": []}
    assert result["response"].status_code == 409
    assert "terminated by other getUpdates request" in result["response"].json()["description"]


async def test_application_answers_group_command(botapi, caplog):
    async def help_command(update, context):
        await update.effective_message.reply_text("도움말입니다")

    application = Application.builder().token(TOKEN).base_url(botapi.base_url).build()
    application.add_handler(CommandHandler("help", help_command))
    group = -100555
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        botapi.add_update_message(group, "/help@some_other_bot", chat_type="supergroup",
                                  title="토론방", user_id=42)
        command = botapi.add_update_message(group, "/help@briefbot_test_bot",
                                            chat_type="supergroup", title="토론방", user_id=42)
        replies = await botapi.wait_for(lambda: botapi.sent(group), timeout=15)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
    assert [r["text"] for r in replies] == ["도움말입니다"]  # the other bot's command was ignored
    assert replies[0]["reply_to_message_id"] == command["message"]["message_id"]
    assert botapi.pending_updates() == []  # the final getUpdates confirmed everything
    assert "/deleteWebhook" in botapi.request_log_text()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


# ------------------------------------------------------------ raw HTTP details
def test_token_and_method_errors(botapi):
    bad = api_call(botapi, "getMe", token="not-a-token")
    assert (bad.status_code, bad.json()) == (
        401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    unknown = api_call(botapi, "doTheThing")
    assert (unknown.status_code, unknown.json()["description"]) == (
        404, "Not Found: method not found")


def test_json_query_and_multipart_parameters(botapi):
    by_json = api_call(botapi, "sendMessage", json={"chat_id": 5, "text": "json",
                                                    "reply_markup": {"inline_keyboard": []}})
    assert by_json.json()["result"]["text"] == "json"
    by_query = httpx.get(f"{botapi.base_url}{TOKEN}/sendMessage",
                         params={"chat_id": "5", "text": "query"})
    assert by_query.json()["result"]["message_id"] == 2
    multipart = api_call(botapi, "sendMessage", data={"chat_id": "5", "text": "멀티파트"},
                         files={"document": ("a.txt", b"hello")})
    assert multipart.json()["result"]["text"] == "멀티파트"
    assert botapi.calls()[-1]["params"]["document"] == {"filename": "a.txt", "content": b"hello"}
    keyboard = botapi.calls("sendMessage")[0]["params"]["reply_markup"]
    assert keyboard == {"inline_keyboard": []}
    assert "chat_id=5" in botapi.request_log_text()


def test_form_encoded_json_fields_are_decoded(botapi):
    markup = {"inline_keyboard": [[{"text": "더보기", "callback_data": "more"}]]}
    response = api_call(botapi, "sendMessage", data={
        "chat_id": "5", "text": "hi", "reply_markup": json.dumps(markup),
        "link_preview_options": json.dumps({"is_disabled": True})})
    assert response.json()["result"]["reply_markup"] == markup
    assert botapi.sent(5)[0]["reply_markup"] == markup
    assert api_call(botapi, "sendMessage", data={"chat_id": "5", "text": "x",
                                                 "reply_markup": "{oops"}).status_code == 400


def test_wait_for_reports_what_happened(botapi):
    api_call(botapi, "sendMessage", data={"chat_id": "5", "text": "보냈음"})
    with pytest.raises(AssertionError, match="(?s)still.*sendMessage -> 200.*보냈음"):
        botapi.wait_for(lambda: botapi.sent(6), timeout=0.1)
    assert botapi.wait_for(lambda: botapi.sent(5))[0]["text"] == "보냈음"


async def test_wait_for_must_be_awaited_inside_the_event_loop(botapi):
    with pytest.raises(TypeError, match="(?i)await server.wait_for"):
        assert botapi.wait_for(lambda: True)
    assert await botapi.wait_for(lambda: 42) == 42


def test_server_stops_while_a_long_poll_is_waiting():
    server = BotAPIServer().start()
    result = {}
    worker = threading.Thread(target=lambda: result.update(
        response=api_call(server, "getUpdates", data={"timeout": "30"})))
    worker.start()
    server.wait_for(lambda: server.calls("getUpdates"))
    started = time.monotonic()
    server.stop()
    worker.join(10)
    assert time.monotonic() - started < 5
    assert result["response"].json() == {"ok": True, "result": []}


# ------------------------------------------------------------------ HTML parser
@pytest.mark.parametrize(("html", "text", "entities"), [
    ("<b>bold <i>both</i></b>", "bold both",
     [{"type": "bold", "offset": 0, "length": 9}, {"type": "italic", "offset": 5, "length": 4}]),
    ('<a href="https://example.com/?a=1&amp;b=2">link</a>', "link",
     [{"type": "text_link", "offset": 0, "length": 4, "url": "https://example.com/?a=1&b=2"}]),
    ('<pre><code class="language-python">x = 1</code></pre>', "x = 1",
     [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]),
    ("<code>a</code> <s>b</s> <u>c</u> <tg-spoiler>d</tg-spoiler>", "a b c d",
     [{"type": "code", "offset": 0, "length": 1}, {"type": "strikethrough", "offset": 2,
      "length": 1}, {"type": "underline", "offset": 4, "length": 1},
      {"type": "spoiler", "offset": 6, "length": 1}]),
    ('<span class="tg-spoiler">s</span><blockquote expandable>q</blockquote>', "sq",
     [{"type": "spoiler", "offset": 0, "length": 1},
      {"type": "expandable_blockquote", "offset": 1, "length": 1}]),
    ("😀 <b>정책</b> &#65;&#x42;&lt;&gt;&quot;", '😀 정책 AB<>"',
     [{"type": "bold", "offset": 3, "length": 2}]),  # the emoji counts 2 UTF-16 units
    ("<B>upper</B>", "upper", [{"type": "bold", "offset": 0, "length": 5}]),
])
def test_parse_html(html, text, entities):
    assert parse_html(html) == (text, entities)


@pytest.mark.parametrize(("html", "error"), [
    ("x <foo>y</foo>", 'Unsupported start tag "foo" at byte offset 2'),
    ("정책 <foo>", 'Unsupported start tag "foo" at byte offset 7'),  # UTF-8 bytes, not chars
    ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("a <b", "Unclosed start tag at byte offset 2"),
    ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ("AT&T", 'Unescaped "&" at byte offset 2'),
    ("<a href=x_y>l</a>", "Unexpected end of name token at byte offset 8"),
])
def test_parse_html_errors(html, error):
    with pytest.raises(BotAPIError) as info:
        parse_html(html)
    assert info.value.status == 400
    assert info.value.description == f"Bad Request: can't parse entities: {error}"


def test_lenient_ampersand_matches_telegram():
    assert parse_html("AT&T &nbsp; &amp", strict_amp=False) == ("AT&T &nbsp; &", [])
    assert utf16_len("😀a") == 3

