"""Retention: history older than RETENTION_DAYS is deleted, by the store and, once a day, by
the running bot's delivery tick. Real SQLite files; the running bot against the fake Bot API."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store import Store
from bot.types import Document
from tests.delivery_support import make_services, rounds, running_bot, subscribe


def ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")


def age_rows(store: Store, days: float) -> None:
    """Everything stored so far happened `days` ago."""
    store.db.execute("update outbox set created_at = ?, sent_at = case when sent_at is null "
                     "then null else ? end", [ago(days), ago(days)])
    store.db.execute("update turns set created_at = ?", [ago(days)])
    store.db.execute("update announced set announced_at = ?", [ago(days)])
    store.db.conn.commit()


def history(store: Store) -> list[str]:
    """The test's own outbox rows (the running bot also queues a briefing for chat 7)."""
    return [r.key for r in store.outbox_rows() if not r.key.startswith("brief:")]


def fill_history(store: Store, tag: str) -> None:
    """A sent, a dropped and a pending message, a chat turn and an announcement of a document
    that is no longer stored."""
    for status in ("sent", "dropped", "pending"):
        store.enqueue(f"{tag}:{status}", 7, "push", "본문")
        row = store.outbox_rows()[-1]
        if status == "sent":
            store.mark_sent(row.id)
        elif status == "dropped":
            store.mark_dropped(row.id, "dropped", "chat unsubscribed")
    store.add_turn(7, "user", f"{tag} 질문")
    store.enqueue_announcement([], [f"doc:gone-{tag}:hash"])


def test_prune_deletes_history_older_than_the_retention_and_keeps_what_is_owed(tmp_path):
    store = Store(tmp_path / "b.db")
    doc = Document(id="kept", title="제목", text="본문", content_hash="h1")
    store.save_document(doc, [])
    store.mark_all_announced()  # the stored document's announcement must survive
    fill_history(store, "old")
    age_rows(store, 45)
    fill_history(store, "new")
    removed = store.prune(ago(30))
    assert removed == {"outbox": 2, "turns": 1, "screens": 0, "announced": 1}
    keys = {r.key: r.status for r in store.outbox_rows()}
    assert keys == {"old:pending": "pending", "new:sent": "sent", "new:dropped": "dropped",
                    "new:pending": "pending"}
    assert [t.text for t in store.recent_turns(7)] == ["new 질문"]
    announced = {r["subject"] for r in store.db["announced"].rows}
    assert announced == {Store.document_subject(doc), "doc:gone-new:hash"}
    store.close()


async def test_the_running_bot_prunes_once_a_day_from_its_delivery_tick(tmp_path, korean,
                                                                        botapi):
    services = make_services(tmp_path, korean, botapi, RETENTION_DAYS=30)
    store = services.store
    subscribe(store, 7)  # its pending message is sent, and then kept as recent history
    fill_history(store, "old")
    age_rows(store, 31)
    async with running_bot(services, botapi) as desk:
        await rounds(botapi, desk, scans=1, ticks=2)
        assert history(store) == ["old:pending"]
        assert store.recent_turns(7) == []
        # Pruned today already: history that turns old now waits for tomorrow's prune.
        fill_history(store, "later")
        age_rows(store, 31)
        await rounds(botapi, desk, scans=1, ticks=2)
        assert len(history(store)) == 4 and len(store.recent_turns(7)) == 1
    services.close()
