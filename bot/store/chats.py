"""Chats: subscriptions, their briefing times, and the recent turns of each conversation."""
from __future__ import annotations

import json
from collections.abc import Iterable

from sqlite_utils import Database

from bot.store.db import StoreBase, utcnow
from bot.store.rows import Subscription, Turn

MAX_TURNS_PER_CHAT = 6
_CITES = ("exists (select 1 from json_each(case when json_valid(turns.sources) "
          "then turns.sources else '[]' end) where value = ?)")


def drop_turns_citing(db: Database, doc_id: str) -> int:
    """Inside the caller's transaction: remove the answers that cite a forgotten document and
    the question each answered, so its quotes are not a follow-up's context. Returns how many
    answers went."""
    answers = list(db.execute(f"select id, chat_id from turns where {_CITES}", [doc_id]))
    for turn_id, chat_id in answers:
        db.execute("delete from turns where id = (select id from turns where chat_id = ? and "
                   "id < ? order by id desc limit 1) and role = 'user'", [chat_id, turn_id])
        db.execute("delete from turns where id = ?", [turn_id])
    return len(answers)


class ChatsMixin(StoreBase):
    """Who is subscribed, when each chat is briefed, and what each chat said recently."""

    def subscribe(self, chat_id: int, chat_type: str = "", title: str = "") -> bool:
        """Returns False when the chat was already subscribed."""
        with self._tx() as db:
            rows = list(db.query("select active from subscriptions where chat_id = ?", [chat_id]))
            if rows and rows[0]["active"]:
                return False
            if rows:
                # A fresh subscribed_at: a returning chat is owed nothing from before.
                db.execute("update subscriptions set active = 1, deactivated_reason = null, "
                           "chat_type = ?, title = ?, subscribed_at = ? where chat_id = ?",
                           [chat_type, title, utcnow(), chat_id])
            else:
                db.table("subscriptions").insert({"chat_id": chat_id, "active": 1,
                                            "chat_type": chat_type, "title": title,
                                            "subscribed_at": utcnow()})
            return True

    def unsubscribe(self, chat_id: int, reason: str = "unsubscribed") -> bool:
        with self._tx() as db:
            cur = db.execute("update subscriptions set active = 0, deactivated_reason = ? "
                             "where chat_id = ? and active = 1", [reason, chat_id])
            return cur.rowcount > 0

    def subscription(self, chat_id: int) -> Subscription | None:
        rows = self._rows("select * from subscriptions where chat_id = ?", [chat_id])
        return Subscription.of(rows[0]) if rows else None

    def active_subscriptions(self) -> list[Subscription]:
        rows = self._rows("select * from subscriptions where active = 1 order by chat_id")
        return [Subscription.of(r) for r in rows]

    def set_briefing_time(self, chat_id: int, hhmm: str | None) -> None:
        with self._tx() as db:
            db.execute("update subscriptions set briefing_time = ? where chat_id = ?",
                       [hhmm, chat_id])

    def set_last_briefed(self, chat_id: int, day: str) -> None:
        with self._tx() as db:
            db.execute("update subscriptions set last_briefed_on = ? where chat_id = ?",
                       [day, chat_id])

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """Telegram moved a group to a supergroup: everything keyed by the old id follows it."""
        with self._tx() as db:
            if not list(db.query("select 1 from subscriptions where chat_id = ?", [new_id])):
                db.execute("update subscriptions set chat_id = ? where chat_id = ?",
                           [new_id, old_id])
            else:  # the new id is subscribed already: the old one must not receive twice
                db.execute("update subscriptions set active = 0, deactivated_reason = 'migrated' "
                           "where chat_id = ?", [old_id])
            db.execute("update turns set chat_id = ? where chat_id = ?", [new_id, old_id])
            db.execute("update or ignore follows set chat_id = ? where chat_id = ?",
                       [new_id, old_id])
            db.execute("update screens set chat_id = ? where chat_id = ?", [new_id, old_id])
            db.execute("update outbox set chat_id = ? where chat_id = ? and status = 'pending'",
                       [new_id, old_id])

    # --- conversation turns -----------------------------------------------------------------
    def add_turn(self, chat_id: int, role: str, text: str, keep: int = MAX_TURNS_PER_CHAT,
                 sources: Iterable[str] = ()) -> None:
        with self._tx() as db:
            db.table("turns").insert({"chat_id": chat_id, "role": role, "text": text[:2000],
                                "created_at": utcnow(),
                                "sources": json.dumps(list(sources)[:8], ensure_ascii=False)})
            db.execute("delete from turns where chat_id = ? and id not in (select id from turns "
                       "where chat_id = ? order by id desc limit ?)", [chat_id, chat_id, keep])

    def recent_turns(self, chat_id: int, limit: int = MAX_TURNS_PER_CHAT) -> list[Turn]:
        rows = self._rows("select role, text, sources from turns where chat_id = ? "
                          "order by id desc limit ?", [chat_id, limit])
        return [Turn.of(r) for r in reversed(rows)]
