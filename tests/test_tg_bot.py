"""The whole bot, end to end: the real Application polling the fake Bot API over real HTTP.

The model is the scripted FakeLLM wherever the behaviour under test is ours (streaming,
splitting, escaping, queueing, access); one test asks the real small GGUF model.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest

from bot import prompts, texts
from bot.services import Services
from bot.store import Store
from bot.tg import table
from bot.tg.app import build_application
from tests.answer_fixture import lead_db_template  # noqa: F401 - the fixture
from tests.botapi import utf16_len
from tests.conftest import TOKEN, copy_db, make_settings
from tests.fakes import FakeLLM

CHAT = 4001
GROUP = -1001234
QUESTION = "딥시크 다음으로 등장한 중국의 AI 에이전트 플랫폼은?"
MANUS_TITLE = "기술의 미래, 컴퓨팅 인프라만으로는 부족하다"
GROUNDED = "마누스는 중국의 한 스타트업이 만든 AI 에이전트 플랫폼으로, 스스로 업무를 계획하고 실행합니다."


class SlowLLM(FakeLLM):
    """FakeLLM at a model's pace: each piece takes `delay` seconds in the worker thread."""

    def __init__(self, *args, delay: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.delay = delay

    def stream(self, messages, *, max_tokens: int, **options):
        for piece in super().stream(messages, max_tokens=max_tokens, **options):
            time.sleep(self.delay)  # simulated generation time, not a wait for a condition
            yield piece


@pytest.fixture
async def start_bot(botapi, tmp_path, korean, lead_db_template):
    """Start the real Application against the fake server: `app, services = await start_bot()`."""
    running = []

    async def start(llm=None, **overrides):
        settings = make_settings(tmp_path, TELEGRAM_API_BASE_URL=botapi.base_url,
                                 TELEGRAM_BOT_TOKEN=TOKEN, **overrides)
        copy_db(lead_db_template, settings.BRIEFBOT_DB)
        services = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                            llm=llm or FakeLLM(GROUNDED))
        app = build_application(services)
        running.append((app, services))
        await app.initialize()
        await app.post_init(app)  # run_polling() does this between initialize() and start()
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        return app, services

    yield start
    for app, services in running:
        if isinstance(services.llm, FakeLLM) and services.llm.gate is not None:
            services.llm.gate.set()  # never leave a generation hanging into shutdown
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        services.close()


async def settle(botapi, app, timeout: float = 30.0) -> None:
    """Every update sent so far has been fetched and completely handled, and every command
    its chat's lane was given has been answered."""
    await botapi.wait_for(lambda: not botapi.pending_updates(), timeout=timeout)
    await asyncio.wait_for(app.update_queue.join(), timeout)
    await asyncio.wait_for(app.bot_data.lanes.idle(), timeout)


def texts_of(botapi, chat_id: int) -> list[str]:
    return [m["text"] for m in botapi.sent(chat_id)]


def failed_calls(botapi) -> list[dict]:
    return [c for c in botapi.calls() if c["status"] not in (200, None)]


def entity_texts(message: dict, kind: str) -> list[str]:
    """Entity offsets are UTF-16 units."""
    raw = message["text"].encode("utf-16-le")
    return [raw[2 * e["offset"]:2 * (e["offset"] + e["length"])].decode("utf-16-le")
            for e in message["entities"] if e["type"] == kind]


# --- questions --------------------------------------------------------------------------------
async def test_private_question_is_answered_by_the_real_model_with_its_source(
        start_bot, botapi, small_llm):
    app, services = await start_bot(llm=small_llm)
    botapi.add_update_message(CHAT, QUESTION)
    await settle(botapi, app, timeout=400)
    [answer] = botapi.sent(CHAT)
    # Which words the 0.5B model picks depends on the CPU and on what its KV cache held from
    # the test before (a reused prefix changes the floating-point sums): whether it names
    # 마누스 is for `make eval` to score. What must hold on every machine: an answer, not a
    # refusal, resting on the right document, with a verbatim quote from it.
    body = answer["text"].split("\n\n출처")[0].strip()
    assert body and "찾을 수 없습니다" not in body and "나와 있지 않습니다" not in body
    assert f"[1] {MANUS_TITLE} (더에이아이, 2025-03-25)" in answer["text"]
    [quote] = entity_texts(answer, "blockquote")[:1]
    document = services.store.document("000_0fde8c8004443c85.txt").text
    assert quote.strip("“”") and quote.strip("“”") in document
    first_send = botapi.calls("sendMessage")[0]
    assert first_send["params"]["text"] == texts.TG_PLACEHOLDER
    assert botapi.calls("sendChatAction")[0]["params"]["action"] == "typing"
    assert [t.role for t in services.store.recent_turns(CHAT)] == ["user", "assistant"]
    assert failed_calls(botapi) == []


async def test_answer_streams_its_first_words_at_once_then_about_once_a_second(
        start_bot, botapi):
    # ~5,000 characters of distinct sentences (a model repeating one sentence is cut to one)
    reply = " ".join(f"({a}·{b}) {GROUNDED}" for a in "가나다라마바사아" for b in "가나다라마바사아자차")
    app, services = await start_bot(llm=SlowLLM(reply, piece_chars=250, delay=0.2))
    botapi.add_update_message(CHAT, QUESTION)
    await settle(botapi, app)
    edits = [c for c in botapi.calls("editMessageText") if c["params"]["chat_id"] == CHAT]
    previews = [c for c in edits if c["params"]["text"].endswith(" …")]
    assert len(previews) >= 2
    # The first piece (250 characters) is shown as it arrives, not held for the interval.
    assert previews[0]["params"]["text"] == reply[:250].rstrip() + " …"
    gaps = [b["time"] - a["time"] for a, b in zip(previews, previews[1:])]
    assert min(gaps) >= 0.95
    assert all(utf16_len(c["params"]["text"]) <= 4096 for c in edits)
    first, rest = botapi.sent(CHAT)[0], botapi.sent(CHAT)[1:]
    assert first["text"] != texts.TG_PLACEHOLDER and not first["text"].endswith("…")
    assert first["text"].startswith(f"(가·가) {GROUNDED}")
    assert len(rest) == 1 and texts.SOURCES_HEADER in rest[0]["text"]  # split in two
    assert failed_calls(botapi) == []


async def test_the_model_starts_while_the_placeholder_is_being_sent(start_bot, botapi):
    # The placeholder's sendMessage is held; the question's prompt must reach the model anyway:
    # planning and the prompt's first tokens do not wait for the Bot API's round trips. (The
    # deadline stays under the client's read timeout, after which it would send again.)
    llm = FakeLLM(GROUNDED)
    app, _ = await start_bot(llm=llm)
    release = botapi.hold_next("sendMessage")
    botapi.add_update_message(CHAT, QUESTION)
    try:
        await botapi.wait_for(lambda: llm.prompts, timeout=4)
        assert not botapi.sent(CHAT)  # the placeholder has not been answered yet
    finally:
        release.set()
    await settle(botapi, app)
    [answer] = texts_of(botapi, CHAT)
    assert answer.startswith(GROUNDED)
    assert botapi.calls("sendMessage")[0]["params"]["text"] == texts.TG_PLACEHOLDER
    assert failed_calls(botapi) == []


async def test_long_answer_is_split_into_valid_parts(start_bot, botapi):
    # ~9,000 characters; no digits, which the grounding check would look for in the sources
    paragraphs = [" ".join(f"<{mark}·{n}> & {GROUNDED}" for n in "가나다라마바사아자차카타파하거너더러")
                  for mark in "가나다라마바사아"]
    app, _ = await start_bot(llm=FakeLLM("\n\n".join(paragraphs)))
    botapi.add_update_message(CHAT, QUESTION)
    await settle(botapi, app)
    sent = botapi.sent(CHAT)
    assert len(sent) >= 3
    assert all(utf16_len(m["text"]) <= 4096 and m["parse_mode"] == "HTML" for m in sent)
    assert failed_calls(botapi) == []  # the fake parses every part's HTML
    joined = "\n\n".join(m["text"] for m in sent)
    positions = [joined.index(p.strip()) for p in paragraphs]
    assert positions == sorted(positions)
    assert MANUS_TITLE in sent[-1]["text"]


async def test_unsafe_characters_reach_the_user_verbatim(start_bot, botapi):
    app, services = await start_bot(llm=FakeLLM("마누스는 <b>중국 스타트업</b>이 만든 에이전트 & 플랫폼입니다 &amp; <끝>"))
    botapi.add_update_message(CHAT, "<b>&</b> 마누스는 어떤 AI 에이전트 플랫폼인가? <i>&amp;")
    botapi.add_update_message(GROUP, "/search@briefbot_test_bot <b>&amp;", chat_type="supergroup")
    await settle(botapi, app)
    [answer] = texts_of(botapi, CHAT)
    assert answer.startswith("마누스는 <b>중국 스타트업</b>이 만든 에이전트 & 플랫폼입니다 &amp; <끝>")
    assert "<b>&</b>" in services.llm.prompts[0][-1]["content"]  # the question, unmangled
    assert texts_of(botapi, GROUP) == [texts.NO_MATCHING_DOCS.format(keyword="<b>&amp;")]
    assert failed_calls(botapi) == []


async def test_odd_questions_get_sensible_replies(start_bot, botapi):
    app, services = await start_bot()
    botapi.add_update_message(CHAT, "/ask")
    botapi.add_update_message(CHAT + 1, QUESTION + " 자세히" * 1500)  # over 4,096 characters
    botapi.add_update_message(CHAT + 2, "Hello, how is the weather today?")
    user = {"id": CHAT + 3, "is_bot": False, "first_name": "테스터"}
    chat = {"id": CHAT + 3, "type": "private", "first_name": "테스터"}
    botapi.add_update({"message": {"message_id": 1, "date": 0, "chat": chat, "from": user,
                                   "location": {"latitude": 37.5, "longitude": 127.0}}})
    botapi.add_update({"edited_message": {"message_id": 2, "date": 0, "edit_date": 1,
                                          "chat": chat, "from": user, "text": QUESTION}})
    await settle(botapi, app)
    assert texts_of(botapi, CHAT) == [texts.EMPTY_QUESTION]
    [long_answer] = texts_of(botapi, CHAT + 1)
    assert long_answer.startswith(texts.TG_QUESTION_TRIMMED.format(limit=500))
    assert "마누스" in long_answer
    asked = services.llm.prompts[0][-1]["content"]
    assert QUESTION in asked and asked.count("자세히") < 200
    [english] = texts_of(botapi, CHAT + 2)
    assert english.startswith(texts.TG_ASK_IN_KOREAN)
    assert texts.NOT_COVERED.split("\n")[0] in english
    assert texts_of(botapi, CHAT + 3) == [texts.TG_TEXT_ONLY]  # the edit was not asked again
    assert len(services.llm.prompts) == 1  # neither the empty nor the uncovered one used it


async def test_group_reply_to_the_bot_is_a_follow_up(start_bot, botapi):
    app, services = await start_bot()
    ask = botapi.add_update_message(GROUP, f"/ask@briefbot_test_bot {QUESTION}",
                                    chat_type="supergroup", user_id=7)
    await settle(botapi, app)
    [answer] = botapi.sent(GROUP)
    assert answer["reply_to_message_id"] == ask["message"]["message_id"]
    other = botapi.add_update_message(GROUP, "사람끼리 대화", chat_type="supergroup", user_id=8)
    botapi.add_update_message(GROUP, "엉뚱한 답장", chat_type="supergroup", user_id=7,
                              reply_to_message_id=other["message"]["message_id"])
    botapi.add_update_message(GROUP, "그 플랫폼의 특징은?", chat_type="supergroup", user_id=7,
                              reply_to_message_id=answer["message_id"])
    await settle(botapi, app)
    assert len(botapi.sent(GROUP)) == 2  # only the reply to the bot was answered
    follow_up = services.llm.prompts[-1]
    assert len(services.llm.prompts) == 2
    earlier = {"role": "user", "content": prompts.render("answer_user", question=QUESTION)}
    assert earlier in follow_up[:-1]  # the first question, rendered as it was asked
    assert "그 플랫폼의 특징은?" in follow_up[-1]["content"]


# --- concurrency and the model line -------------------------------------------------------------
async def start_with_a_question_held_open(start_bot, botapi):
    """The bot, busy with CHAT's question until the test sets `llm.gate`."""
    llm = FakeLLM(GROUNDED)
    llm.gate = threading.Event()
    app, _ = await start_bot(llm=llm)
    botapi.add_update_message(CHAT, QUESTION)
    await botapi.wait_for(lambda: llm.prompts and botapi.sent(CHAT), timeout=30)
    return app, llm


async def test_sources_are_answered_while_the_model_is_busy(start_bot, botapi):
    app, llm = await start_with_a_question_held_open(start_bot, botapi)
    botapi.add_update_message(CHAT + 1, "/sources")
    [listing] = await botapi.wait_for(lambda: texts_of(botapi, CHAT + 1), timeout=10)
    assert MANUS_TITLE in listing
    assert texts_of(botapi, CHAT) == [texts.TG_PLACEHOLDER]  # still held open
    llm.gate.set()
    await settle(botapi, app)
    assert texts_of(botapi, CHAT)[0].startswith(GROUNDED)


async def test_a_full_line_gets_a_busy_reply_and_waiters_are_told_their_place(start_bot, botapi):
    app, llm = await start_with_a_question_held_open(start_bot, botapi)
    others = range(CHAT + 1, CHAT + 7)
    for chat in others:
        botapi.add_update_message(chat, QUESTION)
    await botapi.wait_for(lambda: all(botapi.sent(c) for c in others), timeout=30)
    replies = sorted(texts_of(botapi, c)[0] for c in others)
    assert replies == sorted([texts.TG_QUEUED.format(ahead=n) for n in range(1, 6)] +
                             [texts.TG_BUSY])
    llm.gate.set()
    await settle(botapi, app)
    answered = [c for c in [CHAT, *others] if texts_of(botapi, c)[0].startswith(GROUNDED)]
    assert len(answered) == 6 and len(llm.prompts) == 6


# --- groups, commands, access -------------------------------------------------------------------
async def test_group_summary_with_the_bot_suffix_and_cooldown(start_bot, botapi):
    app, services = await start_bot()
    command = botapi.add_update_message(GROUP, "/summary@briefbot_test_bot",
                                        chat_type="supergroup", user_id=7)
    botapi.add_update_message(GROUP - 1, "/summary@briefbot_test_bot 마누스",
                              chat_type="supergroup")
    botapi.add_update_message(GROUP - 2, "/summary 2", chat_type="group")
    await settle(botapi, app)
    [summary] = botapi.sent(GROUP)
    assert summary["reply_to_message_id"] == command["message"]["message_id"]
    latest = services.store.documents(limit=3)
    assert [f"■ {d.title}" in summary["text"] for d in latest] == [True] * 3
    assert latest[0].summary in summary["text"]
    assert any(t.startswith("■") for t in entity_texts(summary, "bold"))
    [keyword] = texts_of(botapi, GROUP - 1)
    assert keyword.startswith(f"■ {MANUS_TITLE}")
    assert texts_of(botapi, GROUP - 2)[0].count("■ ") == 2
    botapi.add_update_message(GROUP, "/summary@briefbot_test_bot 딥시크", chat_type="supergroup")
    await settle(botapi, app)
    assert texts_of(botapi, GROUP)[1].startswith("방금 요약을 보냈습니다.")
    assert services.llm.prompts == []  # summaries come from the database


async def test_brief_start_help_and_the_command_menu(start_bot, botapi):
    app, services = await start_bot()
    menu = {c["command"]: c["description"] for c in botapi.commands()}
    assert menu == {c.command: c.description for c in table.menu()} == texts.TG_MENU
    botapi.add_update_message(GROUP, "/brief@briefbot_test_bot", chat_type="supergroup")
    botapi.add_update_message(GROUP - 1, "/help@briefbot_test_bot", chat_type="supergroup")
    botapi.add_update_message(CHAT, "/start")
    botapi.add_update_message(CHAT + 1, "/nonsense")
    await settle(botapi, app)
    [brief] = texts_of(botapi, GROUP)
    assert brief.startswith("🗞 AI 정책 브리핑") and MANUS_TITLE in brief
    assert texts_of(botapi, GROUP - 1) == [table.help_text()]
    assert "그룹" in table.help_text() and "답장" in table.help_text()
    assert texts_of(botapi, CHAT) == [texts.TG_START]
    assert texts_of(botapi, CHAT + 1) == [table.help_text()]
    assert services.llm.prompts == []


async def test_subscribe_unsubscribe_and_admin_stats(start_bot, botapi):
    app, services = await start_bot(ADMIN_IDS=[42])
    botapi.set_member_status(GROUP, 7, "administrator")
    for text in ("/subscribe", "/subscribe", "/unsubscribe", "/unsubscribe"):
        botapi.add_update_message(GROUP, f"{text}@briefbot_test_bot", chat_type="supergroup",
                                  title="정책팀", user_id=7)
        await settle(botapi, app)  # one at a time: each answer depends on the previous
    assert texts_of(botapi, GROUP) == [texts.TG_SUBSCRIBED, texts.TG_ALREADY_SUBSCRIBED,
                                       texts.TG_UNSUBSCRIBED, texts.TG_NOT_SUBSCRIBED]
    row = services.store.subscription(GROUP)
    assert (row.active, row.title, row.chat_type) == (0, "정책팀", "supergroup")
    botapi.add_update_message(CHAT, "/stats", user_id=41)
    botapi.add_update_message(CHAT + 1, "/stats", user_id=42)
    await settle(botapi, app)
    assert texts_of(botapi, CHAT) == [texts.TG_ADMIN_ONLY]
    [stats] = texts_of(botapi, CHAT + 1)
    assert stats.startswith(texts.TG_STATS_HEADER) and "문서: 5" in stats


async def test_allowlist_refuses_other_chats_once_without_model_time(start_bot, botapi):
    app, services = await start_bot(ALLOWED_CHAT_IDS=[CHAT])
    stranger = 7777
    for text in (QUESTION, "/summary", f"/ask {QUESTION}"):
        botapi.add_update_message(stranger, text)
    botapi.add_update_message(CHAT, "/sources")
    await settle(botapi, app)
    assert texts_of(botapi, stranger) == [texts.TG_NOT_ALLOWED]
    assert services.llm.prompts == []
    assert MANUS_TITLE in texts_of(botapi, CHAT)[0]


# --- Telegram failures --------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own
async def test_flood_control_in_a_handler_is_waited_out(start_bot, botapi, caplog):
    app, _ = await start_bot()
    botapi.fail_next("sendMessage", status=429, retry_after=1)
    botapi.add_update_message(CHAT, "/sources")
    await settle(botapi, app)
    first, second = botapi.calls("sendMessage")
    assert (first["status"], second["status"]) == (429, 200)
    assert second["time"] - first["time"] >= 0.9
    assert MANUS_TITLE in texts_of(botapi, CHAT)[0]
    assert "Flood control exceeded" in caplog.text  # one warning from send.py ...
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # ... and no error


async def test_a_blocked_chat_is_unsubscribed_and_the_bot_carries_on(start_bot, botapi, caplog):
    app, services = await start_bot()
    services.store.subscribe(CHAT, "private", "테스터")
    botapi.block_chat(CHAT)
    botapi.add_update_message(CHAT, "/brief")
    await settle(botapi, app)
    assert services.store.subscription(CHAT).active == 0
    assert len(botapi.calls("sendMessage")) == 1  # no retries, no apology into the void
    botapi.add_update_message(CHAT + 1, "/sources")  # the bot is still serving
    await settle(botapi, app)
    assert texts_of(botapi, CHAT + 1)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_failing_handler_apologises_and_logs_the_chat(start_bot, botapi, caplog):
    app, services = await start_bot()
    services.store.close()  # every store call now fails
    botapi.add_update_message(CHAT, "/sources")
    await settle(botapi, app)
    assert texts_of(botapi, CHAT) == [texts.TG_ERROR]
    assert f"update for chat {CHAT} failed" in caplog.text
    services.store = Store(services.settings.BRIEFBOT_DB)  # for the fixture's close()


async def test_the_token_never_reaches_the_log(start_bot, botapi, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")
    app, _ = await start_bot()
    botapi.add_update_message(CHAT, QUESTION)
    botapi.add_update_message(GROUP, "/summary@briefbot_test_bot", chat_type="supergroup")
    botapi.fail_next("sendMessage", status=502, chat_id=GROUP)
    await settle(botapi, app)
    assert texts_of(botapi, CHAT) and texts_of(botapi, GROUP)
    assert "HTTP Request: POST" in caplog.text  # httpx did log the Bot API URLs ...
    assert TOKEN not in caplog.text  # ... without the token
    assert not [r for r in caplog.records if TOKEN in r.getMessage()]
    assert TOKEN.split(":")[1] not in caplog.text
