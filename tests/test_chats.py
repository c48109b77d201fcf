"""Chats: who may receive and change what, and nobody starves — through the real
Application, SQLite, Kiwi and the fake Bot API over HTTP (the scripted model where the
behaviour is ours)."""
from __future__ import annotations

import threading
import time

from bot import texts
from bot.tg.jobs import send_briefings_now
from bot.tg.lanes import MAX_PENDING
from bot.tg.queue import MAX_WAITING_PER_CHAT
from tests.delivery_support import (
    article,
    make_services,
    rounds,
    running_bot,
    subscribe,
    texts_for,
    write_file,
)
from tests.fakes import FakeLLM
from tests.test_tg_bot import (  # noqa: F401
    CHAT,
    GROUNDED,
    GROUP,
    MANUS_TITLE,
    QUESTION,
    lead_db_template,
    settle,
    start_bot,
    texts_of,
)

ALICE, BOB = 101, 102
MEMBER, GROUP_ADMIN, BOT_ADMIN = 8, 7, 42


# --- access ---------------------------------------------------------------------------------
async def test_a_chat_left_off_the_allowlist_gets_no_push_or_briefing(
        tmp_path, korean, botapi):
    """ALICE subscribed while the allowlist was empty, and a push to her was still pending when
    the operator set ALLOWED_CHAT_IDS to BOB only."""
    services = make_services(tmp_path, korean, botapi, ALLOWED_CHAT_IDS=str(BOB))
    try:
        subscribe(services.store, ALICE, BOB)
        services.store.enqueue("push:old", ALICE, "push", "지난번에 대기 중이던 알림")
        async with running_bot(services, botapi) as desk:
            write_file(services.settings.SEEDS_DIR / "gpu.txt", article("새 GPU 계획 발표"))
            await botapi.wait_for(lambda: any(t.startswith(texts.PUSH_ONE)
                                              for t in texts_for(botapi, BOB)), timeout=30)
            await rounds(botapi, desk)
        before = len(botapi.sent(BOB))  # the push, and the morning briefing if it is past 08:00
        queued, _ = await send_briefings_now(services)
        assert queued == 1 and len(botapi.sent(BOB)) == before + 1
        assert botapi.sent(ALICE) == []
        rows = {r.key: r for r in services.store.outbox_rows(ALICE)}
        assert list(rows) == ["push:old"]  # nothing new was queued for her ...
        assert rows["push:old"].status == "dropped"  # ... and the old one was not sent
    finally:
        services.close()


async def test_group_settings_need_a_group_administrator(start_bot, botapi):
    app, services = await start_bot(ADMIN_IDS=[BOT_ADMIN])
    botapi.set_member_status(GROUP, GROUP_ADMIN, "administrator")

    async def say(text: str, user: int) -> str:
        before = len(botapi.sent(GROUP))
        botapi.add_update_message(GROUP, text, chat_type="supergroup", user_id=user)
        await settle(botapi, app)
        [reply] = texts_of(botapi, GROUP)[before:]
        return reply

    assert await say("/subscribe@briefbot_test_bot", MEMBER) == texts.TG_GROUP_ADMINS_ONLY
    assert services.store.subscription(GROUP) is None
    assert await say("/subscribe", GROUP_ADMIN) == texts.TG_SUBSCRIBED
    assert await say("/time 06:00", MEMBER) == texts.TG_GROUP_ADMINS_ONLY
    assert await say("/unsubscribe", MEMBER) == texts.TG_GROUP_ADMINS_ONLY
    assert services.store.subscription(GROUP).active == 1
    assert services.store.subscription(GROUP).briefing_time is None
    assert await say("/time 06:00", BOT_ADMIN) == texts.TIME_SET.format(time="06:00",
                                                                         tz="Asia/Seoul")
    assert await say("/stats", BOT_ADMIN) == texts.TG_STATS_PRIVATE_ONLY  # no file names
    assert await say("/stats", MEMBER) == texts.TG_STATS_PRIVATE_ONLY
    assert await say("/unsubscribe", GROUP_ADMIN) == texts.TG_UNSUBSCRIBED
    checked = [c["params"]["user_id"] for c in botapi.calls("getChatMember")]
    assert BOT_ADMIN not in checked and GROUP_ADMIN in checked and MEMBER in checked
    botapi.add_update_message(CHAT, "/time", user_id=MEMBER)  # a private chat is its own
    await settle(botapi, app)
    assert texts_of(botapi, CHAT)[0].startswith("이 대화방은 브리핑을 구독하지 않았습니다")


async def test_time_is_behind_the_access_guard(start_bot, botapi):
    app, services = await start_bot(ALLOWED_CHAT_IDS=[CHAT])
    stranger = 7777
    services.store.subscribe(stranger, "private", "")  # from before the allowlist
    botapi.add_update_message(stranger, "/time 06:00")
    botapi.add_update_message(stranger, "/time")
    botapi.add_update_message(CHAT, "/time")
    await settle(botapi, app)
    assert texts_of(botapi, stranger) == [texts.TG_NOT_ALLOWED]
    assert services.store.subscription(stranger).briefing_time is None
    assert texts_of(botapi, CHAT)[0].startswith("이 대화방은 브리핑을 구독하지 않았습니다")


# --- fair under load --------------------------------------------------------------------------
async def test_one_chat_cannot_take_every_place_in_the_model_line(start_bot, botapi):
    llm = FakeLLM(GROUNDED)
    llm.gate = threading.Event()
    app, _ = await start_bot(llm=llm)
    for _ in range(12):
        botapi.add_update_message(CHAT, QUESTION)
    botapi.add_update_message(CHAT + 1, QUESTION)
    accepted = 1 + MAX_WAITING_PER_CHAT  # the running question and its waiting ones
    await botapi.wait_for(lambda: len(botapi.sent(CHAT)) >= accepted + 1
                          and botapi.sent(CHAT + 1), timeout=30)
    assert texts_of(botapi, CHAT + 1) == [texts.TG_QUEUED.format(ahead=accepted)]
    assert texts_of(botapi, CHAT).count(texts.TG_CHAT_BUSY) == 1  # one note, not nine
    llm.gate.set()
    await settle(botapi, app)
    assert len(llm.prompts) == accepted + 1
    chat_texts = texts_of(botapi, CHAT)
    assert len(chat_texts) == accepted + 1
    assert sum(t.startswith(GROUNDED) for t in chat_texts) == accepted
    assert texts_of(botapi, CHAT + 1)[0].startswith(GROUNDED)
    botapi.add_update_message(CHAT, QUESTION)  # its questions are done: it may ask again
    await settle(botapi, app)
    assert texts_of(botapi, CHAT)[-1].startswith(GROUNDED) and len(llm.prompts) == accepted + 2


async def test_a_flooding_group_does_not_delay_another_chats_help(start_bot, botapi):
    app, services = await start_bot()
    commands = ("/sources", "/brief", "/search 딥시크", "/search 인재", "/help")
    for n in range(60):  # repeats of a waiting command are answered by it; the rest overflow
        botapi.add_update_message(GROUP, commands[n % len(commands)], chat_type="supergroup",
                                  user_id=1000 + n)
    await botapi.wait_for(lambda: botapi.sent(GROUP), timeout=30)
    asked = time.time()
    botapi.add_update_message(CHAT, "/help")
    await botapi.wait_for(lambda: botapi.sent(CHAT), timeout=60)
    [answered] = [c["time"] for c in botapi.calls("sendMessage")
                  if c["params"]["chat_id"] == CHAT]
    assert answered - asked < 1.0
    await settle(botapi, app, timeout=120)
    group = texts_of(botapi, GROUP)
    assert group.count(texts.TG_TOO_MANY_COMMANDS) == 1
    assert len(group) <= 1 + MAX_PENDING + 1  # the one answered first, those waiting, the note
    assert MANUS_TITLE in group[0]


async def test_summary_with_a_superscript_digit_gets_a_normal_reply(start_bot, botapi):
    app, _ = await start_bot()
    botapi.add_update_message(CHAT, "/summary ²")
    botapi.add_update_message(CHAT + 1, "/summary 2")
    await settle(botapi, app)
    assert texts_of(botapi, CHAT) == [texts.NO_MATCHING_DOCS.format(keyword="²")]
    assert texts_of(botapi, CHAT + 1)[0].count("■ ") == 2

