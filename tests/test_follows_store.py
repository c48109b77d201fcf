"""The topics a chat follows and the pages of its one-screen messages follow a group that
Telegram migrates to a supergroup, and old pages go with the rest of old history."""
from __future__ import annotations

from bot.store import Store

GROUP, SUPERGROUP = -600, -100600


def test_a_migrated_group_keeps_its_topics_and_its_buttons(tmp_path):
    store = Store(tmp_path / "f.db")
    store.subscribe(GROUP, "group", "")
    store.follow(GROUP, "infra_first", "proposition")
    store.enqueue_briefing("brief:-600:2026-12-07", GROUP, "briefing", "본문",
                           briefed_at="2026-12-07T00:00:00+00:00", day=None,
                           screen=[("abc", GROUP, [("◀ 처음", "본문"), ("더 보기", "나머지")])])
    store.migrate_chat(GROUP, SUPERGROUP)
    assert [(f.chat_id, f.topic) for f in store.follows(SUPERGROUP)] == [
        (SUPERGROUP, "infra_first")]
    assert store.follows(GROUP) == []
    screen = store.screen("abc")
    assert screen.chat_id == SUPERGROUP and screen.pages[1] == ("더 보기", "나머지")
    store.close()


def test_pages_older_than_the_retention_are_pruned_and_follows_are_kept(tmp_path):
    store = Store(tmp_path / "f.db")
    store.follow(5, "데이터센터", "keyword")
    store.enqueue_announcement([], [], [("old", 5, [("◀ 처음", "옛 알림")])])
    store.db.execute("update screens set created_at = '2020-01-01T00:00:00+00:00'")
    store.enqueue_announcement([], [], [("new", 5, [("◀ 처음", "새 알림")])])
    assert store.prune("2025-01-01T00:00:00+00:00")["screens"] == 1
    assert store.screen("old") is None and store.screen("new") is not None
    assert [f.topic for f in store.follows(5)] == ["데이터센터"]
    store.close()
