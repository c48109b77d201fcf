"""New files in the watched folder become one push per subscribed chat, exactly once — through
the real Application, JobQueue, Kiwi, SQLite and the fake Bot API over HTTP."""
from __future__ import annotations

import os
import shutil
import time

import pytest

from bot import texts
from bot.services import build_worker
from tests.botapi_fixture import botapi  # noqa: F401 - the fixture
from tests.delivery_support import (
    SUMMARY,
    article,
    fast,
    make_services,
    rounds,
    running_bot,
    subscribe,
    texts_for,
    write_file,
)

ALICE, BOB, GROUP, ADMIN = 101, 102, -100200, 9001


@pytest.fixture
def services(tmp_path, korean, botapi):  # noqa: F811
    # No morning briefing in these tests, whatever the hour they run at (a slot passed less
    # than BRIEFING_GRACE_HOURS ago would be sent to the subscribers).
    svc = make_services(tmp_path, korean, botapi, ADMIN_IDS=str(ADMIN), BRIEFING_GRACE_HOURS=0)
    subscribe(svc.store, ALICE, BOB, GROUP)
    yield svc
    svc.close()


@pytest.fixture
def seeds(services):
    return services.settings.SEEDS_DIR


async def test_new_file_reaches_each_subscriber_once_and_repeats_send_nothing(
        services, seeds, botapi):  # noqa: F811
    async with running_bot(services, botapi) as desk:
        path = write_file(seeds / "gpu.txt", article("정부, 국가 AI 컴퓨팅 센터 추가 구축 발표"))
        for chat in (ALICE, BOB, GROUP):
            await botapi.wait_for(lambda c=chat: botapi.sent(c), timeout=30)
        [push] = texts_for(botapi, ALICE)
        assert push.startswith(texts.PUSH_ONE)
        assert "정부, 국가 AI 컴퓨팅 센터 추가 구축 발표" in push
        assert "정책일보" in push and "2025-06-02" in push
        assert SUMMARY in push and texts.PUSH_HINT in push
        assert texts_for(botapi, BOB) == [push] and texts_for(botapi, GROUP) == [push]
        assert botapi.sent(ADMIN) == []  # admins are told about quarantines only

        # the same bytes again (a new mtime) and the same text under another name
        path.write_bytes(path.read_bytes())
        shutil.copy(path, seeds / "gpu-copy.txt")
        await botapi.wait_for(lambda: getattr(services.store.file_state("gpu-copy.txt"), "status",
                                              None) == "duplicate", timeout=30)
        await rounds(botapi, desk)
    assert [len(botapi.sent(c)) for c in (ALICE, BOB, GROUP)] == [1, 1, 1]
    rows = services.store.outbox_rows()
    assert [(r.kind, r.status) for r in rows] == [("push", "sent")] * 3
    assert len({r.key for r in rows}) == 3


async def test_half_written_file_is_read_only_once_complete(services, seeds, botapi):  # noqa: F811
    settle = 3.0
    head, tail = article("반쯤 복사된 기사의 제목").split("한 전문가는")
    tail = "한 전문가는" + tail
    async with running_bot(services, botapi, fast(settle_seconds=settle)) as desk:
        path = seeds / "copying.txt"
        with path.open("wb") as out:
            out.write(head.encode())
            out.flush()
            started = time.time()
            await rounds(botapi, desk, scans=2, ticks=0)
            assert time.time() - started < settle, "the machine was too slow for this test"
            assert services.store.file_state("copying.txt") is None
            out.write(tail.encode())
        await botapi.wait_for(lambda: services.store.file_state("copying.txt"), timeout=30)
        await botapi.wait_for(lambda: botapi.sent(ALICE), timeout=30)
        await rounds(botapi, desk)
    doc = services.store.document("copying.txt")
    assert doc.text.endswith("국회는 다음 달 관련 법안을 심사할 예정이다.")
    assert len(botapi.sent(ALICE)) == 1 and len(services.store.documents()) == 1


async def test_cp949_file_arrives_readable(services, seeds, botapi):  # noqa: F811
    async with running_bot(services, botapi):
        write_file(seeds / "euckr.txt", article("과기정통부, 인공지능 기본법 시행령 초안 공개",
                                                 outlet="한국경제"), encoding="cp949")
        [push] = await botapi.wait_for(lambda: texts_for(botapi, ALICE), timeout=30)
    assert "과기정통부, 인공지능 기본법 시행령 초안 공개" in push and "한국경제" in push
    assert "\ufffd" not in push


async def test_files_arriving_together_make_one_message_per_chat(
        services, seeds, botapi):  # noqa: F811
    titles = ["딥시크 충격 이후 GPU 확보 경쟁", "AI 기본법 고영향 인공지능 정의 논란",
              "공공 데이터 개방 확대 방안 발표"]
    async with running_bot(services, botapi) as desk:
        for number, title in enumerate(titles):
            write_file(seeds / f"batch-{number}.txt", article(title, topic=f"주제{number}"))
        await botapi.wait_for(lambda: botapi.sent(ALICE) and botapi.sent(GROUP), timeout=30)
        await rounds(botapi, desk)
    [push] = texts_for(botapi, ALICE)
    assert push.startswith(texts.PUSH_MANY.format(count=3))
    assert all(title in push for title in titles)
    assert texts_for(botapi, BOB) == [push] and texts_for(botapi, GROUP) == [push]


async def test_quarantined_file_tells_admins_one_line_and_users_nothing(
        services, seeds, botapi):  # noqa: F811
    async with running_bot(services, botapi) as desk:
        (seeds / "broken.txt").write_bytes(b"\x00\x01\x02binary\xff\xfe" * 50)
        [note] = await botapi.wait_for(lambda: texts_for(botapi, ADMIN), timeout=30)
        await rounds(botapi, desk)
    reason = services.store.file_state("broken.txt").reason
    assert note == texts.QUARANTINE_LINE.format(name="broken.txt", reason=reason)
    assert [botapi.sent(c) for c in (ALICE, BOB, GROUP)] == [[], [], []]
    assert len(botapi.sent(ADMIN)) == 1


async def test_file_added_while_down_is_pushed_at_start_up(services, seeds, botapi):  # noqa: F811
    old = write_file(seeds / "old.txt", article("이미 있던 자료는 기준선이다", topic="기준"))
    os.utime(old, (time.time() - 60, time.time() - 60))  # sitting there, not being copied
    async with running_bot(services, botapi):
        pass  # the first start takes what is there as the baseline
    assert botapi.sent() == []
    write_file(seeds / "while-down.txt", article("봇이 꺼진 사이에 들어온 자료", topic="반도체"))
    async with running_bot(services, botapi) as desk:
        await botapi.wait_for(lambda: botapi.sent(ALICE), timeout=30)
        await rounds(botapi, desk)
    [push] = texts_for(botapi, ALICE)
    assert "봇이 꺼진 사이에 들어온 자료" in push and "이미 있던 자료는 기준선이다" not in push


async def test_a_changed_file_is_pushed_again_with_its_new_text(
        services, seeds, botapi):  # noqa: F811
    async with running_bot(services, botapi) as desk:
        path = write_file(seeds / "draft.txt", article("초안: 데이터센터 전력 대책"))
        await botapi.wait_for(lambda: botapi.sent(ALICE), timeout=30)
        write_file(path, article("수정본: 데이터센터 전력 대책과 요금 논쟁", topic="전력"))
        await botapi.wait_for(lambda: len(botapi.sent(ALICE)) == 2, timeout=30)
        await rounds(botapi, desk)
    first, second = texts_for(botapi, ALICE)
    assert "초안: 데이터센터 전력 대책" in first and "수정본: 데이터센터 전력 대책과 요금 논쟁" in second
    assert len(botapi.sent(BOB)) == 2 and len(services.store.documents()) == 1


async def test_with_the_background_worker_a_push_carries_its_model_summary(
        services, seeds, botapi):  # noqa: F811
    worker = build_worker(services)
    worker.start()
    try:
        async with running_bot(services, botapi, worker=worker):
            write_file(seeds / "new.txt", article("정부, AI 인재 양성 예산 두 배로"))
            await botapi.wait_for(lambda: botapi.sent(ALICE), timeout=60)
    finally:
        worker.stop()
    [push] = texts_for(botapi, ALICE)
    assert SUMMARY in push and texts.LEAD_MARK.split("{")[0] not in push
    assert services.store.document("new.txt").summary == SUMMARY


async def test_a_push_waits_only_so_long_for_a_busy_worker_then_sends_the_marked_lead(
        services, seeds, botapi):  # noqa: F811
    worker = build_worker(services)  # never started: as busy as a worker can be
    async with running_bot(services, botapi, fast(push_summary_wait=1.5), worker=worker):
        started = time.monotonic()
        write_file(seeds / "new.txt", article("정부, AI 인재 양성 예산 두 배로"))
        await botapi.wait_for(lambda: botapi.sent(ALICE), timeout=30)
        assert time.monotonic() - started >= 1.5
    [push] = texts_for(botapi, ALICE)
    assert texts.LEAD_MARK.split("{")[0] in push and SUMMARY not in push
    assert "정부가 GPU 확보를 위한 새 계획을 발표했다." in push  # the article's own lead
    assert services.store.document("new.txt").summary is None
