"""Morning briefings: at each chat's time in BRIEFING_TZ, once per local day, caught up after a
restart within the grace window, `/time`, and `briefbot brief --send`."""
from __future__ import annotations

import logging
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from bot import cli, texts
from bot.ingest.pipeline import ingest_folder
from bot.services import Services
from bot.store import Store
from bot.tg.app import build_application
from tests.botapi_fixture import botapi  # noqa: F401 - the fixture
from tests.delivery_support import (
    ShiftedClock,
    article,
    fast,
    make_services,
    rounds,
    running_bot,
    subscribe,
    texts_for,
    write_file,
)

ALICE, BOB, GROUP = 301, 302, -100300
SEOUL = ZoneInfo("Asia/Seoul")
TITLES = ("딥시크 충격 이후 GPU 확보 경쟁", "AI 기본법 고영향 인공지능 정의 논란")


@pytest.fixture
def services(tmp_path, korean, botapi):  # noqa: F811
    svc = make_services(tmp_path, korean, botapi)
    seeds = svc.settings.SEEDS_DIR
    write_file(seeds / "gpu.txt", article(TITLES[0], topic="GPU"))
    write_file(seeds / "law.txt", article(TITLES[1], outlet="전자신문", topic="기본법"))
    ingest_folder(svc.store, korean, seeds, max_bytes=1_000_000)
    yield svc
    svc.close()


def hhmm(moment) -> str:
    return moment.astimezone(SEOUL).strftime("%H:%M")


async def test_briefing_fires_at_the_chat_time_in_seoul_once(services, botapi):  # noqa: F811
    store, clock = services.store, ShiftedClock()
    subscribe(store, ALICE, GROUP)
    # Two minutes ahead in Asia/Seoul: "the next minute" may begin while the bot starts.
    at = hhmm(clock() + timedelta(minutes=2))
    store.set_briefing_time(ALICE, at)
    store.set_briefing_time(GROUP, at)
    store.db["subscriptions"].update(GROUP, {"last_briefed_at": "2999-01-01T00:00:00+00:00"})
    async with running_bot(services, botapi, fast(clock=clock)) as desk:
        await rounds(botapi, desk, scans=0, ticks=2)
        assert botapi.sent() == []  # not yet
        clock.advance(135)
        [brief] = await botapi.wait_for(lambda: texts_for(botapi, ALICE), timeout=30)
        [quiet] = await botapi.wait_for(lambda: texts_for(botapi, GROUP), timeout=30)
        await rounds(botapi, desk, scans=0, ticks=3)
    day = clock().astimezone(SEOUL).date().isoformat()
    assert brief.startswith(texts.BRIEF_HEADER.format(date=day))
    assert texts.BRIEF_NEW.format(count=2) in brief
    assert all(title in brief for title in TITLES) and "전자신문" in brief
    # nothing new for the group: one line saying so, then the state of the debate
    assert texts.BRIEF_NOTHING_NEW in quiet and all(title in quiet for title in TITLES)
    assert len(botapi.sent(ALICE)) == 1 and len(botapi.sent(GROUP)) == 1
    assert {r.key for r in store.outbox_rows()} == {f"brief:{ALICE}:{day}",
                                                       f"brief:{GROUP}:{day}"}
    assert store.subscription(ALICE).last_briefed_on == day


async def test_missed_briefing_is_sent_within_grace_and_skipped_after(
        services, botapi, caplog):  # noqa: F811
    store, clock = services.store, ShiftedClock()
    subscribe(store, ALICE, BOB)
    store.set_briefing_time(ALICE, hhmm(clock() - timedelta(hours=2)))  # 2 h late: send
    store.set_briefing_time(BOB, hhmm(clock() - timedelta(hours=5)))  # 5 h late: skip
    with caplog.at_level(logging.INFO, logger="bot.delivery.notify"):
        async with running_bot(services, botapi, fast(clock=clock)) as desk:
            [brief] = await botapi.wait_for(lambda: texts_for(botapi, ALICE), timeout=30)
            await rounds(botapi, desk, scans=0, ticks=2)
    assert TITLES[0] in brief and botapi.sent(BOB) == []
    skipped = [r.getMessage() for r in caplog.records if "skipped the" in r.getMessage()]
    assert len(skipped) == 1 and f"chat(s) {BOB}:" in skipped[0]
    assert "BRIEFING_GRACE_HOURS=3" in skipped[0]
    # a restart the same day sends nothing again and logs no second skip
    caplog.clear()
    async with running_bot(services, botapi, fast(clock=clock)) as desk:
        await rounds(botapi, desk, scans=1, ticks=2)
    assert len(botapi.sent(ALICE)) == 1 and botapi.sent(BOB) == []
    assert not [r for r in caplog.records if "skipped the" in r.getMessage()]


async def test_time_command_shows_and_sets_the_chat_time(services, botapi):  # noqa: F811
    """Through the whole application, whose other handlers must not swallow /time."""
    store = services.store

    async def say(text: str, chat: int = ALICE) -> str:
        before = len(botapi.sent(chat))
        botapi.add_update_message(chat, text, chat_type="private" if chat > 0 else "supergroup")
        replies = await botapi.wait_for(lambda: botapi.sent(chat)[before:], timeout=30)
        return replies[-1]["text"]

    application = build_application(services)
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        default = {"time": "08:00", "tz": "Asia/Seoul"}
        assert await say("/time") == texts.TIME_NOT_SUBSCRIBED.format(**default)
        subscribe(store, ALICE, GROUP)
        assert await say("/time") == texts.TIME_SHOW_DEFAULT.format(**default)
        assert await say("/time 7:30") == texts.TIME_SET.format(time="07:30", tz="Asia/Seoul")
        assert store.subscription(ALICE).briefing_time == "07:30"
        assert await say("/time") == texts.TIME_SHOW.format(time="07:30", tz="Asia/Seoul")
        assert await say("/time 25:00") == texts.TIME_INVALID
        assert await say("/time 아침") == texts.TIME_INVALID
        assert store.subscription(ALICE).briefing_time == "07:30"
        assert await say("/time 기본") == texts.TIME_RESET.format(**default)
        assert store.subscription(ALICE).briefing_time is None
        botapi.set_member_status(GROUP, 1_000_001, "creator")  # the group's default sender
        assert await say("/time@briefbot_test_bot 21:05", GROUP) == texts.TIME_SET.format(
            time="21:05", tz="Asia/Seoul")
        assert store.subscription(GROUP).briefing_time == "21:05"
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
    assert len(botapi.sent(ALICE)) == 7  # one answer per command, nothing else


def test_brief_send_delivers_through_the_outbox_once_per_day(
        services, botapi, monkeypatch):  # noqa: F811
    subscribe(services.store, ALICE, BOB)
    # the real command, with the session's Kiwi and the fake model instead of loading new ones
    monkeypatch.setattr(cli, "build_services", lambda settings, **_: Services(
        settings=settings, store=Store(settings.BRIEFBOT_DB), korean=services.korean,
        llm=services.llm))
    env = {"TELEGRAM_BOT_TOKEN": services.settings.token, "TELEGRAM_API_BASE_URL": botapi.base_url,
           "BRIEFBOT_DB": str(services.settings.BRIEFBOT_DB)}
    runner = CliRunner()
    first = runner.invoke(cli.main, ["brief", "--send"], env=env)
    assert first.exit_code == 0, first.output
    assert "queued 2 briefing(s); sent 2" in first.output
    assert all(len(botapi.sent(c)) == 1 for c in (ALICE, BOB))
    assert TITLES[1] in botapi.sent(ALICE)[0]["text"]
    again = runner.invoke(cli.main, ["brief", "--send"], env=env)
    assert "queued 0 briefing(s); sent 0" in again.output
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 9 * 3600))
    assert {r.key for r in services.store.outbox_rows()} == {
        f"brief:{ALICE}:{day}:manual", f"brief:{BOB}:{day}:manual"}
    # the manual briefing does not stand in for the scheduled one
    assert services.store.subscription(ALICE).last_briefed_on is None
    without_token = runner.invoke(cli.main, ["brief", "--send"],
                                  env=env | {"TELEGRAM_BOT_TOKEN": ""})
    assert without_token.exit_code != 0 and "TELEGRAM_BOT_TOKEN" in without_token.output
