"""The outbox sender against the fake Bot API over HTTP: retries, unreachable chats, slow chats,
stale briefings, and one sending process at a time."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot

from bot.delivery.outbox import SenderLock, lock_path_for
from bot.store import Store
from bot.tg.jobs import build_outbox
from tests.conftest import TOKEN
from tests.delivery_support import HoldingBotAPI, fast, make_services, subscribe

CHATS = (201, 202, 203, 204, 205)


@pytest.fixture
def botapi():
    with HoldingBotAPI() as server:
        yield server
        server.release()


@pytest.fixture
def services(tmp_path, korean, botapi):
    svc = make_services(tmp_path, korean, botapi)
    subscribe(svc.store, *CHATS)
    yield svc
    svc.close()


@pytest.fixture
async def bot(botapi):
    async with Bot(TOKEN, base_url=botapi.base_url) as tg_bot:
        yield tg_bot


def queue_pushes(store: Store, chats=CHATS, text: str = "새 자료 알림") -> None:
    for chat in chats:
        assert store.enqueue(f"push:{chat}:test", chat, "push", f"{text} {chat}")


def statuses(store: Store) -> dict[int, str]:
    return {r.chat_id: r.status for r in store.outbox_rows()}


def sends_to(botapi, chat: int) -> list[int]:
    return [c["status"] for c in botapi.calls("sendMessage") if c["params"].get("chat_id") == chat]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_waits_retry_after_and_5xx_are_retried(services, botapi, bot):
    botapi.fail_next("sendMessage", status=429, retry_after=1, chat_id=201)
    botapi.fail_next("sendMessage", status=502, times=2, chat_id=202)
    botapi.fail_next("sendMessage", status=500, chat_id=203)
    queue_pushes(services.store)
    report = await build_outbox(services, bot, fast()).flush()
    assert report.sent == 5 and report.retrying == 0
    assert sends_to(botapi, 201) == [429, 200]
    assert sends_to(botapi, 202) == [502, 502, 200]
    assert sends_to(botapi, 203) == [500, 200]
    assert all(len(botapi.sent(c)) == 1 for c in CHATS)
    assert set(statuses(services.store).values()) == {"sent"}


async def test_5xx_past_the_retries_stays_pending_then_goes_at_a_later_flush(
        services, botapi, bot):
    timing = fast(send_attempts=3, retry_base=0.5)
    botapi.fail_next("sendMessage", status=502, times=3, chat_id=203)
    queue_pushes(services.store)
    outbox = build_outbox(services, bot, timing)
    first = await outbox.flush()
    assert (first.sent, first.retrying) == (4, 1)
    [row] = [r for r in services.store.outbox_rows() if r.chat_id == 203]
    assert (row.status, row.attempts) == ("pending", 1) and row.last_error
    assert row.next_attempt_at > row.created_at  # backing off, not hammering
    await botapi.wait_for(lambda: services.store.due_outbox(), timeout=10)  # backoff elapsed
    second = await outbox.flush()
    assert second.sent == 1
    assert all(len(botapi.sent(c)) == 1 for c in CHATS)


async def test_blocked_and_vanished_chats_are_deactivated_while_others_receive(
        services, botapi, bot):
    botapi.block_chat(202)
    botapi.unknown_chat(204)
    queue_pushes(services.store)
    services.store.enqueue("brief:202:later", 202, "briefing", "두 번째 메시지")
    report = await build_outbox(services, bot, fast()).flush()
    assert (report.sent, report.dropped) == (3, 3)
    assert [c for c in CHATS if botapi.sent(c)] == [201, 203, 205]
    assert services.store.subscription(202).active == 0
    assert services.store.subscription(204).active == 0
    assert services.store.subscription(201).active == 1
    dropped = [r for r in services.store.outbox_rows() if r.status == "dropped"]
    assert sorted(r.chat_id for r in dropped) == [202, 202, 204]
    assert len(sends_to(botapi, 202)) == 1  # its second message was not tried


async def test_a_slow_chat_does_not_hold_up_the_others(services, botapi, bot):
    botapi.hold(201)  # the first chat in the broadcast hangs
    queue_pushes(services.store)
    flush = asyncio.create_task(build_outbox(services, bot, fast(concurrency=2)).flush())
    await botapi.wait_for(lambda: all(botapi.sent(c) for c in CHATS[1:]), timeout=30)
    assert botapi.held_calls() and not flush.done()
    botapi.release()  # the held request fails (502); the sender's own retry then gets through
    await asyncio.wait_for(flush, 60)
    assert all(len(botapi.sent(c)) == 1 for c in CHATS)


async def test_unsubscribed_chats_and_stale_briefings_are_not_sent(services, botapi, bot):
    store = services.store
    long_ago = (datetime.now(UTC) - timedelta(hours=5)).isoformat(timespec="seconds")
    store.enqueue("brief:201:old", 201, "briefing", "다섯 시간 지난 브리핑")
    store.enqueue("push:202:old", 202, "push", "다섯 시간 지난 새 자료 알림")
    store.enqueue("push:203:x", 203, "push", "구독 해지한 방")
    for row in store.outbox_rows():
        store.db["outbox"].update(row.id, {"created_at": long_ago})
    store.unsubscribe(203)
    report = await build_outbox(services, bot, fast()).flush()
    assert (report.sent, report.expired, report.dropped) == (1, 1, 1)
    assert statuses(store) == {201: "expired", 202: "sent", 203: "dropped"}
    assert [c for c in CHATS if botapi.sent(c)] == [202]


async def test_one_process_sends_at_a_time(services, botapi, bot):
    queue_pushes(services.store)
    other = SenderLock(lock_path_for(services.settings.BRIEFBOT_DB))
    assert other.try_acquire()  # e.g. `briefbot brief --send` is delivering
    outbox = build_outbox(services, bot, fast())
    try:
        report = await outbox.flush()
        assert report.busy and report.sent == 0 and botapi.sent() == []
    finally:
        other.release()
    assert (await outbox.flush()).sent == 5


async def test_a_migrated_group_gets_its_messages_at_the_new_id(services, botapi, bot):
    store = services.store
    subscribe(store, -555)
    store.enqueue("push:-555:a", -555, "push", "첫 번째")
    store.enqueue("brief:-555:b", -555, "briefing", "두 번째")
    botapi.fail_next("sendMessage", status=400, migrate_to_chat_id=-100555, chat_id=-555)
    report = await build_outbox(services, bot, fast()).flush()
    assert report.sent == 2
    assert [m["text"] for m in botapi.sent(-100555)] == ["첫 번째", "두 번째"]
    assert store.subscription(-100555).active == 1 and store.subscription(-555) is None
