"""A briefing on one screen, through the whole application and the fake Bot API: a day of 60
new documents and new debate positions is one message under Telegram's limit that leads with
what changed in the debate; its buttons page through the rest by editing that message; a chat
that follows one proposition gets only its items; a restart sends nothing twice and the
buttons still work."""
from __future__ import annotations

import asyncio
import io
import shutil
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot import texts
from bot.debate.picture import PHONE_HEIGHT
from bot.delivery import notify
from bot.ingest.pipeline import ingest_folder
from bot.services import Services
from bot.store import Store
from bot.tg.app import build_application
from bot.types import Document, Position
from tests.botapi import utf16_len
from tests.botapi_fixture import botapi  # noqa: F401 - the fixture
from tests.delivery_support import make_services, subscribe

ALICE, BOB = 501, 502
SEOUL = ZoneInfo("Asia/Seoul")
OUTLETS = ("정책일보", "전자신문", "한국경제", "디지털타임스")
COLLECTION = Path(__file__).resolve().parent.parent / "eval" / "collection"
REAL = ("c002", "c003", "c004", "c012", "c013", "c024", "c025", "c028", "c029")
# New positions: five on one proposition (more than the top page shows), two on another.
POSITIONS = {"infra_first": 5, "human_skills": 2}


def title(i: int) -> str:
    return f"새 자료 {i:02d}호: 지역 데이터센터와 AI 인재 정책 점검"


def day_of_documents(store: Store, count: int = 60) -> list[Document]:
    """`count` documents stored in the same second, so none is newer than another."""
    docs, now = [], datetime.now(UTC).isoformat(timespec="seconds")
    for i in range(count):
        doc = Document(id=f"d{i:02d}.txt", title=title(i), content_hash=f"h{i}",
                       text=(f"{title(i)}\n정부가 {i}번째 AI 정책 과제를 발표했다. "
                             f"업계는 과제 {i}의 예산 규모를 두고 의견이 엇갈린다."),
                       outlet=OUTLETS[i % len(OUTLETS)], date="2025-06-02", ingested_at=now,
                       summary=f"정부가 {i}번째 AI 정책 과제를 발표했고 업계는 예산 규모를 따졌다.")
        store.save_document(doc, [])
        docs.append(doc)
    return docs


def real_reports(store: Store, korean, folder: Path) -> None:
    """REAL: three events each told by two outlets (c002/c003, c012/c013, c024/c025), and
    reports that follow them up (c004 a week later, c028 and c029 a week apart): one story
    only where one event is told, ingested as the folder would be."""
    folder.mkdir()
    for prefix in REAL:
        [path] = COLLECTION.glob(prefix + "_*.txt")
        shutil.copy(path, folder / path.name)
    ingest_folder(store, korean, folder, max_bytes=5_000_000)


def quote(proposition: str, n: int) -> str:
    return f"{proposition} 쟁점의 {n}번째 입장: 정부는 이 방향으로 정책을 바꿔야 한다고 본다."


def new_positions(store: Store, docs: list[Document]) -> None:
    i = 0
    for proposition, count in POSITIONS.items():
        for n in range(count):
            doc = docs[i]
            side = "찬성" if n % 2 == 0 else "반대"
            store.save_positions(doc.id, [Position(doc.id, proposition, side, f"발언자{i}",
                                                   quote(proposition, n), 1.0)],
                                 "test-key", doc.content_hash)
            i += 1


@pytest.fixture
def services(tmp_path, korean, botapi):  # noqa: F811
    svc = make_services(tmp_path, korean, botapi)
    yield svc
    svc.close()


@asynccontextmanager
async def running_application(services: Services, botapi):  # noqa: F811
    """The whole bot, polling the fake Bot API; nothing scheduled is due today."""
    today = datetime.now(SEOUL).date().isoformat()
    services.store.db.execute("update subscriptions set last_briefed_on = ?", [today])
    application = build_application(services)
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0, timeout=1)
    desk = application.bot_data.newsdesk
    try:
        await botapi.wait_for(lambda: desk.started, timeout=60)
        yield desk
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


async def brief_now(services: Services, desk) -> None:
    await asyncio.to_thread(notify.enqueue_briefings_now, services.store, services.korean,
                            now=datetime.now(UTC), tz=SEOUL)
    await desk.outbox.flush()


def buttons(message: dict) -> dict[str, str]:
    markup = message["reply_markup"] or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", [])
            for b in row}


async def tap(botapi, message: dict, label: str) -> dict:  # noqa: F811
    """Tap the button `label` under `message`; returns the message once it is edited."""
    chat, edits = message["chat_id"], message["edits"]
    botapi.add_update_callback_query(chat, message["message_id"], buttons(message)[label])

    def edited():
        now = [m for m in botapi.sent(chat) if m["message_id"] == message["message_id"]]
        return now[0] if now and now[0]["edits"] > edits else None

    return await botapi.wait_for(edited, timeout=30)


async def test_a_day_of_60_documents_is_one_screen_led_by_the_debate_and_paged_in_place(
        services, botapi, korean, tmp_path):  # noqa: F811
    store = services.store
    real_reports(store, korean, tmp_path / "folder")
    docs = day_of_documents(store, 60 - len(REAL))
    new_positions(store, docs)
    subscribe(store, ALICE)
    async with running_application(services, botapi) as desk:
        await brief_now(services, desk)
        [brief] = botapi.sent(ALICE)
        text = brief["text"]
        assert utf16_len(text) < 4096 and len(text) <= 2000
        lines = text.split("\n")
        assert texts.BRIEF_NEW.format(count=60) in lines
        first_item = next(line for line in lines[2:] if line)
        assert first_item.startswith("🧭 ")  # the debate's changes lead, before the news
        assert lines.index(first_item) < min(i for i, line in enumerate(lines)
                                             if line.startswith(("• ", "🔢 ", "📰 ")))
        assert "찬성 — 발언자0 · 정책일보, 2025-06-02: “infra_first 쟁점의 0번째" in text
        # The picture that follows shows what changed, sized for a phone.
        [photo] = await botapi.wait_for(lambda: botapi.photos(ALICE), timeout=30)
        drawn = Image.open(io.BytesIO(photo["data"]))
        assert drawn.width == 1080 and drawn.height <= PHONE_HEIGHT
        assert any(line.startswith("➕ ") for line in lines)  # how much more there is
        labels = buttons(brief)
        more = next(label for label in labels if label.startswith(texts.SCREEN_MORE_BUTTON))
        [own] = [label for label in labels if label.startswith("🧭 ")]  # infra_first has more

        seen, message = [text], brief
        while any(label.startswith(texts.SCREEN_MORE_BUTTON) for label in buttons(message)):
            label = next(label for label in buttons(message)
                         if label.startswith(texts.SCREEN_MORE_BUTTON))
            message = await tap(botapi, message, label)
            assert utf16_len(message["text"]) < 4096
            seen.append(message["text"])
        assert len(seen) >= 2 and more
        everything = "\n".join(seen)
        synthetic = range(60 - len(REAL))
        assert all(title(i) in everything for i in synthetic)
        assert sum(everything.count(title(i)) for i in synthetic) == len(synthetic)  # once each
        # Each event told by two outlets is one item that names both, shown once; its
        # reports are not listed again one by one.
        stories = [line for line in everything.split("\n") if line.startswith("📰 ")]
        assert len(stories) == 3 and all("2개 매체: " in line for line in stories)
        outlets = {line.split("2개 매체: ")[1] for line in stories}
        assert outlets == {"누리경제, 한빛타임스", "누리경제, 푸른데일리", "새벽뉴스, 다온경제"}
        for doc in store.documents():
            if doc.id[:4] in ("c002", "c003", "c012", "c013", "c024", "c025"):
                assert f"• {doc.title} (" not in everything

        message = await tap(botapi, message, own)
        assert all(quote("infra_first", n) in message["text"] for n in range(5))
        message = await tap(botapi, message, texts.SCREEN_TOP_BUTTON)
        assert message["text"] == text
        assert len(botapi.sent(ALICE)) == 1  # every tap edited the one message
        taps = len(seen) + 1  # the "더 보기" pages, the proposition's page, back to the top
        answered = await botapi.wait_for(
            lambda: len(botapi.calls("answerCallbackQuery")) == taps
            and botapi.calls("answerCallbackQuery"), timeout=30)
        assert not any(c["params"].get("text") for c in answered)  # no note: all went well

        # A day later its buttons answer with a note and change nothing.
        store.db.execute("update screens set created_at = ?",
                         [(datetime.now(UTC) - timedelta(days=2)).isoformat()])
        botapi.add_update_callback_query(ALICE, brief["message_id"], labels[more])
        note = await botapi.wait_for(lambda: [c for c in botapi.calls("answerCallbackQuery")
                                              if c["params"].get("text")], timeout=30)
        assert note[0]["params"]["text"] == texts.SCREEN_EXPIRED
        # A button whose page was never stored (or was pruned) says so, too.
        botapi.add_update_callback_query(ALICE, brief["message_id"], "s:0123456789abcdef:1")
        notes = await botapi.wait_for(lambda: [c["params"]["text"] for c in botapi.calls(
            "answerCallbackQuery") if c["params"].get("text")][1:], timeout=30)
        assert notes == [texts.SCREEN_GONE]
        assert botapi.sent(ALICE)[0]["edits"] == message["edits"]
