"""The debate map as a Telegram user sees it: `/debate` (the overview text, then the map as a
picture), `/debate <id | keyword>` (one proposition in full, no picture), the group cooldown it
shares with /summary, and the morning briefing's debate section followed by the map.

The real Application (or the real outbox) talks HTTP to the fake Bot API; the model is FakeLLM
and is never asked: positions are stored directly, quoting sentences of two small articles.
"""
from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from telegram import Bot

from bot import texts
from bot.debate.propositions import shared
from bot.delivery import notify
from bot.ingest.pipeline import ingest_folder
from bot.services import Services
from bot.store import Store
from bot.tg.app import build_application
from bot.tg.jobs import build_outbox
from bot.types import AGAINST, CONDITIONAL, FOR, Position, Proposition
from tests.conftest import TOKEN, copy_db, make_settings
from tests.delivery_support import FAST, subscribe
from tests.fakes import FakeLLM
from tests.test_tg_bot import failed_calls, settle, texts_of

CHAT, GROUP = 5101, -1005101
ALICE, BOB = 5201, 5202
BOT_NAME = "briefbot_test_bot"

# The sentences the positions quote, verbatim from the articles below.
S1 = "김지역 의원은 공공 AI 데이터센터를 지역에 분산해야 균형발전이 가능하다고 주장했다."
S2 = "박분산 지사도 전력과 부지가 넉넉한 지방에 데이터센터를 지어야 한다고 말했다."
S3 = "반면 이수도 교수는 인재와 수요가 몰린 수도권에 데이터센터를 모아야 효율이 높다고 반박했다."
S4 = "최유예 협회장은 AI 기본법의 과태료 조항은 계도 기간을 두고 적용해야 한다고 말했다."
S5 = "정균형 연구위원은 데이터센터를 지역에 두되 전력망 확충이 먼저라고 조건을 달았다."
S6 = "한 지역 시민단체는 데이터센터의 지방 분산을 환영한다고 밝혔다."
S7 = "김법률 변호사는 하위법령이 마련된 조항부터는 유예 없이 바로 적용할 수 있다고 말했다."

ARTICLES = {
    "dc.txt": ("공공 AI 데이터센터 입지 놓고 의견 갈려\n작성일: 2025-06-02\n"
               f"[정책일보 김민수 기자] 정부가 공공 AI 데이터센터 부지를 다음 달 발표한다. {S1} {S2} "
               f"{S3}\nCopyright ⓒ 정책일보. 무단 전재 및 재배포 금지.\n"),
    "law.txt": ("AI 기본법 시행 앞두고 유예 요구 커져\n작성일: 2025-06-03\n"
                f"[전자신문 이영희 기자] AI 기본법 시행을 앞두고 업계의 목소리가 커지고 있다. {S4} {S7} "
                f"{S5} {S6}\nCopyright ⓒ 전자신문. 무단 전재 및 재배포 금지.\n"),
}
# doc -> (proposition, side, actor, quote, score). regional_dc: 찬성 ×3, 반대, 조건부 (엇갈림);
# regulate_now: 반대 and 조건부, which is no disagreement. The newer article (law.txt) comes
# first in every listing.
POSITIONS = {
    "dc.txt": [("regional_dc", FOR, "김지역 의원", S1, 2.0),
               ("regional_dc", FOR, "박분산 지사", S2, 1.0),
               ("regional_dc", AGAINST, "이수도 교수", S3, 1.5)],
    "law.txt": [("regulate_now", AGAINST, "최유예 협회장", S4, 1.2),
                ("regulate_now", CONDITIONAL, "김법률 변호사", S7, 0.9),
                ("regional_dc", CONDITIONAL, "정균형 연구위원", S5, 0.8),
                ("regional_dc", FOR, "지역 시민단체", S6, 0.5)],
}
DC, LAW = "정책일보, 2025-06-02", "전자신문, 2025-06-03"
REGIONAL_LINES = [(f"찬성 — 지역 시민단체 · {LAW}", S6), (f"찬성 — 김지역 의원 · {DC}", S1),
                  (f"찬성 — 박분산 지사 · {DC}", S2), (f"반대 — 이수도 교수 · {DC}", S3),
                  (f"조건부 — 정균형 연구위원 · {LAW}", S5)]
REGULATE_LINES = [(f"반대 — 최유예 협회장 · {LAW}", S4), (f"조건부 — 김법률 변호사 · {LAW}", S7)]


def proposition(pid: str) -> Proposition:
    found = shared().get(pid)
    assert found is not None, f"prompts/debate.toml has no proposition {pid}"
    return found


def save_debate(store: Store) -> None:
    """Store the positions above as the background worker would, against the real hashes."""
    for doc_id, specs in POSITIONS.items():
        doc = store.document(doc_id)
        found = []
        for pid, side, actor, quote, score in specs:
            assert quote in doc.text  # a verbatim sentence of the stored text
            found.append(Position(doc_id, pid, side, actor, quote, score))
        assert store.save_positions(doc_id, found, "test-positions", doc.content_hash)


@pytest.fixture(scope="module")
def debate_db_template(tmp_path_factory, korean) -> Path:
    """The two articles ingested once (no positions yet)."""
    folder = tmp_path_factory.mktemp("debate-articles")
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    path = tmp_path_factory.mktemp("debate-db") / "template.db"
    store = Store(path)
    result = ingest_folder(store, korean, folder, max_bytes=1_000_000)
    assert result.ingested == 2, result
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


def new_services(tmp_path: Path, botapi, korean, template: Path) -> Services:
    settings = make_settings(tmp_path, TELEGRAM_API_BASE_URL=botapi.base_url,
                             TELEGRAM_BOT_TOKEN=TOKEN)
    copy_db(template, settings.BRIEFBOT_DB)
    return Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                    llm=FakeLLM())


@pytest.fixture
async def start_bot(botapi, tmp_path, korean, debate_db_template):
    """The real Application polling the fake server: `app, services = await start_bot()`."""
    running = []

    async def start(*, positions: bool = True):
        services = new_services(tmp_path, botapi, korean, debate_db_template)
        if positions:
            save_debate(services.store)
        app = build_application(services)
        running.append((app, services))
        await app.initialize()
        await app.post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        return app, services

    yield start
    for app, services in running:
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        services.close()


def blockquotes(message: dict) -> list[str]:
    """The text under blockquote entities (offsets are UTF-16 units)."""
    raw = message["text"].encode("utf-16-le")
    return [raw[2 * e["offset"]:2 * (e["offset"] + e["length"])].decode("utf-16-le")
            for e in message["entities"] if e["type"] == "blockquote"]


def assert_map_picture(photo: dict) -> None:
    assert photo["caption"] == texts.DEBATE_PICTURE_CAPTION
    assert photo["data"].startswith(b"\x89PNG\r\n\x1a\n")
    picture = Image.open(io.BytesIO(photo["data"]))
    picture.load()  # the whole image decodes, not just its header
    assert picture.format == "PNG" and picture.width == 1080 and picture.height > 200


def more_line(side: str, count: int, pid: str) -> str:
    return texts.DEBATE_MORE.format(side=side, count=count, id=pid).strip()


# --- private chat ---------------------------------------------------------------------------
async def test_debate_overview_names_sides_actors_and_quotes_then_sends_the_map(
        start_bot, botapi):
    app, _ = await start_bot()
    botapi.add_update_message(CHAT, "/debate")
    await settle(botapi, app)
    [overview] = botapi.sent(CHAT)
    text = overview["text"]
    regional, regulate = proposition("regional_dc"), proposition("regulate_now")
    assert text.startswith(texts.DEBATE_HEADER.format(count=2, disputed=1))
    assert f"■ {regional.text}  [{texts.DEBATE_DISPUTED}]" in text
    assert f"■ {regulate.text}\n" in text  # 반대 and 조건부 only: not 엇갈림
    # equally recent evidence: the disagreement first
    assert text.index(regional.text) < text.index(regulate.text)
    # two per side in the overview: the newest two 찬성, the third behind a pointer to it
    for source, quote in [*REGIONAL_LINES[:2], *REGIONAL_LINES[3:], *REGULATE_LINES]:
        assert f"{source}\n“{quote}”" in text
    assert S2 not in text and "박분산 지사" not in text
    assert more_line(FOR, 1, "regional_dc") in text
    assert text.rstrip().endswith(texts.DEBATE_FOOTER)
    assert f"“{S1}”" in blockquotes(overview) and f"“{S4}”" in blockquotes(overview)
    # then the map, under the text
    [photo] = botapi.photos(CHAT)
    assert photo["message_id"] > overview["message_id"]
    assert_map_picture(photo)
    assert failed_calls(botapi) == []


async def test_debate_with_an_id_or_a_keyword_shows_one_proposition_in_full_without_a_map(
        start_bot, botapi):
    app, _ = await start_bot()
    botapi.add_update_message(CHAT, "/debate regional_dc")
    botapi.add_update_message(CHAT + 1, "/debate 데이터센터")
    botapi.add_update_message(CHAT + 2, "/debate 없는쟁점")
    await settle(botapi, app)
    regional = proposition("regional_dc")
    for chat in (CHAT, CHAT + 1):
        [detail] = texts_of(botapi, chat)
        assert f"■ {regional.text}  [{texts.DEBATE_DISPUTED}]" in detail
        for source, quote in REGIONAL_LINES:  # all five positions, 찬성 ×3 included
            assert f"{source}\n“{quote}”" in detail, (chat, source)
        assert "개 더 (/debate" not in detail
        assert S4 not in detail and S7 not in detail
        assert proposition("regulate_now").text not in detail
    ids = ", ".join(p.id for p in shared().current())
    assert texts_of(botapi, CHAT + 2) == [
        texts.DEBATE_NO_MATCH.format(keyword="없는쟁점", ids=ids)]
    assert "regional_dc" in ids and "regulate_now" in ids
    assert botapi.photos() == [] and botapi.calls("sendPhoto") == []
    assert failed_calls(botapi) == []


async def test_debate_without_positions_says_so_and_sends_no_picture(start_bot, botapi):
    app, services = await start_bot(positions=False)
    assert services.store.positions() == []
    botapi.add_update_message(CHAT, "/debate")
    botapi.add_update_message(CHAT + 1, "/debate regional_dc")
    await settle(botapi, app)
    assert texts_of(botapi, CHAT) == [texts.DEBATE_EMPTY]
    assert texts_of(botapi, CHAT + 1) == [
        texts.DEBATE_NO_POSITIONS.format(text=proposition("regional_dc").text)]
    assert botapi.photos() == [] and botapi.calls("sendPhoto") == []
    assert failed_calls(botapi) == []


# --- groups -----------------------------------------------------------------------------------
async def test_group_debate_replies_to_the_command_then_cools_down_with_one_note(
        start_bot, botapi):
    app, _ = await start_bot()
    command = botapi.add_update_message(GROUP, f"/debate@{BOT_NAME}", chat_type="supergroup",
                                        user_id=7)
    await settle(botapi, app)
    [overview] = botapi.sent(GROUP)
    assert overview["reply_to_message_id"] == command["message"]["message_id"]
    assert overview["text"].startswith(texts.DEBATE_HEADER.format(count=2, disputed=1))
    assert f"“{S1}”" in overview["text"]
    [photo] = botapi.photos(GROUP)
    assert_map_picture(photo)
    [upload] = botapi.calls("sendPhoto")
    assert upload["params"]["reply_parameters"]["message_id"] == overview["message_id"]
    # right after: the group has just seen the map; one note, then silence
    for user in (7, 8):
        botapi.add_update_message(GROUP, f"/debate@{BOT_NAME}", chat_type="supergroup",
                                  user_id=user)
    await settle(botapi, app)
    later = texts_of(botapi, GROUP)[1:]
    note = texts.TG_DEBATE_COOLDOWN.split("{seconds}")[0]
    assert len(later) == 1 and later[0].startswith(note), later
    assert len(botapi.photos(GROUP)) == 1 and len(botapi.calls("sendPhoto")) == 1
    assert failed_calls(botapi) == []


# --- the morning briefing ---------------------------------------------------------------------
async def test_briefing_brings_new_positions_and_then_the_map_once(
        tmp_path, korean, botapi, debate_db_template):
    services = new_services(tmp_path, botapi, korean, debate_db_template)
    store, settings = services.store, services.settings
    try:
        subscribe(store, ALICE, BOB)
        # ALICE was last briefed before the positions were found ...
        store.db["subscriptions"].update(ALICE, {"last_briefed_at": "2025-01-01T00:00:00+00:00"})
        save_debate(store)
        found = max(p.found_at for p in store.positions())
        # ... BOB after (one second later than the newest of them)
        after = datetime.fromisoformat(found) + timedelta(seconds=1)
        store.db["subscriptions"].update(BOB, {"last_briefed_at": after.isoformat()})
        now = datetime.now(UTC)
        slot = (now - timedelta(minutes=5)).astimezone(settings.tz).time().replace(
            second=0, microsecond=0)  # both chats' morning slot passed five minutes ago

        def tick():
            return notify.enqueue_due_briefings(store, korean, now=datetime.now(UTC),
                                                default_time=slot, tz=settings.tz,
                                                grace=timedelta(hours=3))

        queued = await asyncio.to_thread(tick)
        assert sorted(queued.queued) == [ALICE, BOB]
        async with Bot(TOKEN, base_url=botapi.base_url) as bot:
            outbox = build_outbox(services, bot, FAST)
            first = await outbox.flush()
            again = await asyncio.to_thread(tick)  # a later tick owes nothing more
            second = await outbox.flush()
        assert (first.sent, second.sent) == (3, 0) and again.queued == ()
    finally:
        services.close()

    regional, regulate = proposition("regional_dc"), proposition("regulate_now")
    [brief] = botapi.sent(ALICE)
    text = brief["text"]
    # The briefing leads with the propositions that gained positions: the disputed one
    # first, two of its five new positions shown, the rest behind its own button.
    first = next(line for line in text.split("\n")[2:] if line)
    assert first == (texts.SCREEN_DEBATE_ITEM.format(proposition=regional.text)
                     + f"  [{texts.DEBATE_DISPUTED}]")
    assert texts.SCREEN_POSITIONS_MORE.format(count=3) in text
    item = text[text.index(first):].split("\n\n")[0]  # the proposition's own item
    assert sum(f"“{quote}”" in item for _, quote in REGIONAL_LINES) == 2
    assert (texts.SCREEN_DEBATE_ITEM.format(proposition=regulate.text) + "\n") in text
    assert texts.SCREEN_POSITION.format(side=AGAINST, source=f"최유예 협회장 · {LAW}",
                                        quote=S4) in text
    assert text.index(regulate.text) < text.index("• ")  # the debate before the news
    labels = [b["text"] for row in brief["reply_markup"]["inline_keyboard"] for b in row]
    assert any(label.startswith(f"🧭 {regional.text[:10]}") for label in labels)
    [photo] = botapi.photos(ALICE)
    assert photo["message_id"] > brief["message_id"]  # the map follows the briefing
    assert_map_picture(photo)

    [bob_brief] = texts_of(botapi, BOB)
    assert texts.BRIEF_NOTHING_NEW in bob_brief
    assert "🧭" not in bob_brief  # nothing new for BOB ...
    standing = bob_brief[bob_brief.index(texts.SCREEN_DISPUTED_ITEM.format(
        proposition=regional.text)):]  # ... though the disagreement stands
    assert (f"  찬성 — 김지역 의원 · {DC}: “{S1}”\n"
            f"  반대 — 이수도 교수 · {DC}: “{S3}”") in standing
    assert regulate.text not in bob_brief  # 반대 and 조건부: no disagreement
    assert botapi.photos(BOB) == []
    assert len(botapi.calls("sendMessage")) == 2 and len(botapi.calls("sendPhoto")) == 1
    assert failed_calls(botapi) == []
