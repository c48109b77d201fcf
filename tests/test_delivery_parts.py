"""A message too long for one Telegram message goes as parts, each recorded as it is accepted:
against the fake Bot API over HTTP, a group's flood limit is waited out part by part, and a
sender stopped mid-message resumes at the first part not yet delivered, never resending one.
And a briefing stays a few messages long however many documents are new."""
from __future__ import annotations

import asyncio
import time
from contextlib import suppress

import pytest
from telegram import Bot

from bot.delivery import Outbox
from bot.store import Store
from bot.tg.jobs import build_outbox
from tests.conftest import TOKEN
from tests.delivery_support import HoldingBotAPI, fast, make_services, subscribe, texts_for

GROUP = -100777
PARTS = 21  # a briefing listing some 400 new documents
LABELS = [f"부분 {i:02d}" for i in range(1, PARTS + 1)]


@pytest.fixture
def botapi():
    with HoldingBotAPI() as server:
        yield server
        server.release()


@pytest.fixture
def services(tmp_path, korean, botapi):
    svc = make_services(tmp_path, korean, botapi)
    subscribe(svc.store, GROUP)
    yield svc
    svc.close()


@pytest.fixture
async def bot(botapi):
    async with Bot(TOKEN, base_url=botapi.base_url) as tg_bot:
        yield tg_bot


def queue_long_message(store: Store, parts: int = PARTS) -> list[str]:
    """Queue a briefing of `parts` paragraphs, two of which never fit one message; returns
    the text each part must arrive with."""
    paragraphs = [f"부분 {i:02d} " + "인공지능 정책 자료 요약 " * 230 for i in range(1, parts + 1)]
    assert store.enqueue(f"brief:{GROUP}:long", GROUP, "briefing", "\n\n".join(paragraphs))
    return [p.strip() for p in paragraphs]


def labels(botapi) -> list[str]:
    """The part numbers the group received, in order ("부분 01", …)."""
    return [text[:5] for text in texts_for(botapi, GROUP)]


def the_row(store: Store):
    [row] = store.outbox_rows(GROUP)
    return row


def group_calls(botapi) -> list[dict]:
    return [c for c in botapi.calls("sendMessage") if c["params"].get("chat_id") == GROUP]


async def flush_until_done(outbox: Outbox, store: Store, botapi, deadline: float = 60.0) -> None:
    """Flush whenever the row is due until it is no longer pending, stopping early once any
    part has arrived twice (the failure under test)."""
    until = time.monotonic() + deadline
    while the_row(store).status == "pending":
        texts = texts_for(botapi, GROUP)
        if len(texts) != len(set(texts)) or time.monotonic() > until:
            return
        await botapi.wait_for(lambda: store.due_outbox() or the_row(store).status != "pending",
                              timeout=until - time.monotonic() + 1)
        await outbox.flush()


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_21_part_message_to_a_flood_limited_group_arrives_once_in_order(
        services, botapi, bot):
    store = services.store
    botapi.limit_rate(GROUP, messages=5, seconds=1)  # four flood waits within the message
    expected = queue_long_message(store)
    # Each part, its flood wait (1 s) included, fits the time box; the whole message does not.
    outbox = build_outbox(services, bot, fast(send_timeout=3.0))
    started = time.monotonic()
    report = await outbox.flush()
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    assert time.monotonic() - started > 3.0  # 21 messages at 5 a second: 4 s at least
    assert 429 in [c["status"] for c in group_calls(botapi)]
    assert labels(botapi) == LABELS and texts_for(botapi, GROUP) == expected
    row = the_row(store)
    assert (row.status, row.parts_sent, row.attempts) == ("sent", PARTS, 0)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_flood_wait_longer_than_a_part_may_take_resumes_the_row_after_it(
        services, botapi, bot):
    store = services.store
    botapi.limit_rate(GROUP, messages=20, seconds=5)  # part 21 must wait up to 5 s
    expected = queue_long_message(store)
    outbox = build_outbox(services, bot, fast(send_timeout=3.0))  # waits ≤ 1.5 s in place
    first = await outbox.flush()
    assert (first.sent, first.retrying) == (0, 1)
    assert the_row(store).status == "pending"
    assert labels(botapi) == LABELS[:20]
    flood = next(c for c in group_calls(botapi) if c["status"] == 429)
    await flush_until_done(outbox, store, botapi)
    assert labels(botapi) == LABELS and texts_for(botapi, GROUP) == expected
    row = the_row(store)
    assert (row.status, row.parts_sent) == ("sent", PARTS)
    # Nothing more went to the group before Telegram's retry_after had passed.
    retry_after = flood["answer"]["parameters"]["retry_after"]
    assert retry_after > 1.5  # longer than the sender waits in place
    later = [c for c in group_calls(botapi) if c["time"] > flood["time"]]
    assert later and later[0]["time"] >= flood["time"] + retry_after - 0.05


@pytest.mark.parametrize("stop", ["part times out", "process stops"])
async def test_a_sender_stopped_after_part_k_resumes_at_part_k_plus_1(
        stop, services, botapi, bot, tmp_path, korean):
    store, k = services.store, 7
    expected = queue_long_message(store)
    botapi.hold(GROUP, after=k)  # part k+1 hangs: Telegram never answers it
    if stop == "part times out":
        outbox = build_outbox(services, bot, fast(send_timeout=1.0))
        assert (await outbox.flush()).retrying == 1
        botapi.release()  # the hung request fails: it never reached the chat
        assert the_row(store).status == "pending"
        await flush_until_done(outbox, store, botapi)
    else:
        flush = asyncio.create_task(build_outbox(services, bot, fast()).flush())
        await botapi.wait_for(botapi.held_calls, timeout=30)
        flush.cancel()  # stopped mid-part, before anything is recorded about part k+1
        with suppress(asyncio.CancelledError):
            await flush
        botapi.release()
        assert the_row(store).status == "pending"
        # A new process: its own connection to the database, its own Bot and outbox.
        restarted = make_services(tmp_path, korean, botapi)
        try:
            async with Bot(TOKEN, base_url=botapi.base_url) as new_bot:
                assert (await build_outbox(restarted, new_bot, fast()).flush()).sent == 1
        finally:
            restarted.close()
    assert labels(botapi) == LABELS and texts_for(botapi, GROUP) == expected
    assert (the_row(store).status, the_row(store).parts_sent) == ("sent", PARTS)
    assert [c["status"] for c in group_calls(botapi)].count(200) == PARTS


async def test_a_group_migrated_at_its_first_part_gets_every_part_at_the_new_id(
        services, botapi, bot):
    store, new_id = services.store, -1009990777
    expected = queue_long_message(store)
    botapi.fail_next("sendMessage", status=400, migrate_to_chat_id=new_id, chat_id=GROUP)
    assert (await build_outbox(services, bot, fast()).flush()).sent == 1
    assert botapi.sent(GROUP) == []  # no later part went to the old id
    assert [m["text"] for m in botapi.sent(new_id)] == expected
    assert store.outbox_rows(new_id)[0].parts_sent == PARTS

