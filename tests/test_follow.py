"""/follow, /unfollow, /following through the whole application and the fake Bot API: stored
per chat across a restart, admins only in groups, and a chat that follows topics is briefed and
pushed only what is on them, told how much it was not shown."""
from __future__ import annotations

from bot import texts
from bot.delivery import notify
from bot.ingest.pipeline import ingest_folder
from bot.store import Store
from tests.botapi_fixture import botapi  # noqa: F401 - the fixture
from tests.delivery_support import article, subscribe, write_file
from tests.test_briefing_screen import (
    ALICE,
    BOB,
    brief_now,
    buttons,
    day_of_documents,
    new_positions,
    running_application,
    services,  # noqa: F401 - the fixture
    tap,
    title,
)
from tests.test_tg_debate import ARTICLES

DC_ARTICLE = ARTICLES["dc.txt"]  # three officials argue where public AI data centres go
GROUP = -100600
MEMBER, ADMIN = 1_000_001, 1_000_002


async def say(botapi, chat: int, text: str, user: int | None = None) -> str:  # noqa: F811
    before = len(botapi.sent(chat))
    botapi.add_update_message(chat, text, chat_type="private" if chat > 0 else "supergroup",
                              user_id=user)
    replies = await botapi.wait_for(lambda: botapi.sent(chat)[before:], timeout=30)
    return replies[-1]["text"]


async def test_follow_unfollow_and_following_are_kept_per_chat_across_a_restart(
        services, botapi, tmp_path):  # noqa: F811
    subscribe(services.store, ALICE)
    async with running_application(services, botapi):
        assert await say(botapi, ALICE, "/following") == texts.FOLLOWING_NONE
        assert "/follow" in await say(botapi, ALICE, "/follow")  # the usage, with an example
        assert await say(botapi, ALICE, "/follow infra_first") == texts.FOLLOW_PROPOSITION.format(
            text=next(p for p in services.debate.propositions.current()
                      if p.id == "infra_first").text, id="infra_first")
        assert await say(botapi, ALICE, "/follow 데이터센터") == texts.FOLLOW_KEYWORD.format(
            keyword="데이터센터")
        assert await say(botapi, ALICE, "/follow 데이터센터") == texts.FOLLOW_ALREADY.format(
            topic="데이터센터")
        assert await say(botapi, ALICE, "/follow 가") == texts.FOLLOW_BAD_KEYWORD.format(
            least=2, most=40)
        # In a group only an administrator chooses, as with /time.
        assert await say(botapi, GROUP, "/follow 반도체", MEMBER) == texts.TG_GROUP_ADMINS_ONLY
        botapi.set_member_status(GROUP, ADMIN, "administrator")
        answer = await say(botapi, GROUP, "/follow@briefbot_test_bot 반도체", ADMIN)
        assert answer.startswith(texts.FOLLOW_KEYWORD.format(keyword="반도체"))
        assert texts.FOLLOW_NOT_SUBSCRIBED in answer
        assert await say(botapi, GROUP, "/following", MEMBER) == "\n".join(
            [texts.FOLLOWING_HEAD.format(count=1), texts.FOLLOWING_KEYWORD.format(
                keyword="반도체")])
        assert await say(botapi, GROUP, "/unfollow", MEMBER) == texts.TG_GROUP_ADMINS_ONLY
    services.store.close()

    again = Store(services.settings.BRIEFBOT_DB)  # a restart: only the file remembers
    try:
        assert [(f.topic, f.kind) for f in again.follows(ALICE)] == [
            ("infra_first", "proposition"), ("데이터센터", "keyword")]
        assert [f.topic for f in again.follows(GROUP)] == ["반도체"]
        services.store = again
        async with running_application(services, botapi):
            listed = await say(botapi, ALICE, "/following")
            assert listed.split("\n")[1:] == [
                texts.FOLLOWING_PROPOSITION.format(id="infra_first", text=next(
                    p.text for p in services.debate.propositions.current()
                    if p.id == "infra_first")),
                texts.FOLLOWING_KEYWORD.format(keyword="데이터센터")]
            assert await say(botapi, ALICE, "/unfollow 데이터센터") == texts.UNFOLLOW_ONE.format(
                topic="데이터센터")
            assert await say(botapi, ALICE, "/unfollow 없는주제") == texts.UNFOLLOW_NONE.format(
                topic="없는주제")
            assert await say(botapi, ALICE, "/unfollow") == texts.UNFOLLOW_ALL.format(count=1)
            assert again.follows(ALICE) == []
    finally:
        again.close()


async def test_a_chat_following_one_proposition_is_briefed_only_its_items(
        services, botapi):  # noqa: F811
    store = services.store
    docs = day_of_documents(store)
    new_positions(store, docs)  # five documents take a side on infra_first
    subscribe(store, ALICE, BOB)
    store.follow(ALICE, "infra_first", "proposition")
    async with running_application(services, botapi) as desk:
        await brief_now(services, desk)
        [mine] = botapi.sent(ALICE)
        [everyone] = botapi.sent(BOB)
        pages = [mine["text"]]
        for label in [label for label in buttons(mine) if label != texts.SCREEN_TOP_BUTTON]:
            pages.append((await tap(botapi, mine, label))["text"])
    shown = "\n".join(pages)
    assert [i for i in range(60) if title(i) in shown] == [0, 1, 2, 3, 4]
    assert texts.BRIEF_LEFT_OUT.format(count=55) in mine["text"]
    assert "human_skills" not in shown  # the other proposition's new positions stay out
    assert "infra_first 쟁점의 0번째" in mine["text"]
    assert texts.BRIEF_NEW.format(count=60) in everyone["text"]
    assert "human_skills 쟁점의 0번째" in everyone["text"]
    assert "팔로우한 주제" not in everyone["text"]


async def test_pushes_keep_to_a_followed_keyword_and_skip_a_chat_with_nothing_on_it(
        services, botapi, korean):  # noqa: F811
    store, seeds = services.store, services.settings.SEEDS_DIR
    subscribe(store, ALICE, BOB, GROUP)
    notify.ensure_baseline(store)
    write_file(seeds / "gpu.txt", article("GPU 확보 경쟁 본격화", topic="GPU"))
    write_file(seeds / "law.txt", article("AI 기본법 시행령 논란", topic="기본법"))
    write_file(seeds / "chip.txt", article("반도체 보조금 확대", topic="반도체"))
    ingest_folder(store, korean, seeds, max_bytes=1_000_000)
    store.follow(ALICE, "기본법", "keyword")
    store.follow(GROUP, "양자컴퓨터", "keyword")  # nothing new on it
    async with running_application(services, botapi) as desk:
        await botapi.wait_for(lambda: botapi.sent(ALICE) and botapi.sent(BOB), timeout=30)
        await desk.outbox.flush()
    [mine], [everyone] = botapi.sent(ALICE), botapi.sent(BOB)
    assert mine["text"].startswith(texts.PUSH_ONE) and "AI 기본법 시행령 논란" in mine["text"]
    assert "GPU 확보 경쟁 본격화" not in mine["text"] and "반도체" not in mine["text"]
    assert texts.BRIEF_LEFT_OUT.format(count=2) in mine["text"]
    assert everyone["text"].startswith(texts.PUSH_MANY.format(count=3))
    assert botapi.sent(GROUP) == []
    assert {r.chat_id for r in store.outbox_rows()} == {ALICE, BOB}
    assert all(r.status == "sent" for r in store.outbox_rows())


async def test_a_chat_following_a_proposition_is_pushed_a_new_article_that_argues_it(
        services, botapi):  # noqa: F811
    """The article's positions are not found yet when it lands (the worker finds them later):
    the push finds them itself, from the wording, before deciding who hears of it."""
    store, seeds = services.store, services.settings.SEEDS_DIR
    subscribe(store, ALICE, BOB)
    store.follow(ALICE, "regional_dc", "proposition")
    store.follow(BOB, "chip_subsidy", "proposition")
    notify.ensure_baseline(store)
    write_file(seeds / "dc.txt", DC_ARTICLE)
    write_file(seeds / "gpu.txt", article("GPU 확보 경쟁 본격화", topic="GPU"))
    async with running_application(services, botapi) as desk:
        await botapi.wait_for(lambda: botapi.sent(ALICE), timeout=30)
        await desk.outbox.flush()
    [push] = botapi.sent(ALICE)
    assert "공공 AI 데이터센터 입지 놓고 의견 갈려" in push["text"]
    assert "GPU 확보 경쟁 본격화" not in push["text"]
    assert texts.BRIEF_LEFT_OUT.format(count=1) in push["text"]
    assert {p.proposition for p in store.positions(doc_id="dc.txt")} >= {"regional_dc"}
    assert botapi.sent(BOB) == []  # neither article is on chip subsidies
