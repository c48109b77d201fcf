"""The topics each chat follows, and the stored pages of one-screen briefings and pushes."""
from __future__ import annotations

import json

from sqlite_utils import Database

from bot.store.db import StoreBase, utcnow
from bot.store.rows import Follow, Screen


def save_screen(db: Database, now: str, screen_id: str, chat_id: int,
                pages: list[tuple[str, str]]) -> None:
    """Inside the caller's transaction: a screen's pages as (button label, text), the top
    page first. Written once: a second queueing of the same message keeps the first."""
    db.execute("insert or ignore into screens (id, chat_id, pages, created_at) "
               "values (?, ?, ?, ?)",
               [screen_id, chat_id, json.dumps(pages, ensure_ascii=False), now])


class FollowsMixin(StoreBase):
    """/follow, /unfollow, /following; and the pages behind a screen's buttons."""

    def follow(self, chat_id: int, topic: str, kind: str) -> bool:
        """False when the chat follows `topic` already."""
        with self._tx() as db:
            cur = db.execute("insert or ignore into follows (chat_id, topic, kind, created_at) "
                             "values (?, ?, ?, ?)", [chat_id, topic, kind, utcnow()])
            return cur.rowcount > 0

    def unfollow(self, chat_id: int, topic: str | None = None) -> int:
        """Stop following `topic`, or every topic when None; returns how many went."""
        with self._tx() as db:
            if topic is None:
                return db.execute("delete from follows where chat_id = ?", [chat_id]).rowcount
            return db.execute("delete from follows where chat_id = ? and topic = ?",
                              [chat_id, topic]).rowcount

    def follows(self, chat_id: int) -> list[Follow]:
        rows = self._rows("select * from follows where chat_id = ? order by created_at, topic",
                          [chat_id])
        return [Follow.of(r) for r in rows]

    def keep_screen(self, screen_id: str, chat_id: int, pages: list[tuple[str, str]]) -> None:
        """The pages of a screen sent as a direct reply (/brief), for its buttons."""
        with self._tx() as db:
            save_screen(db, utcnow(), screen_id, chat_id, pages)

    def screen(self, screen_id: str) -> Screen | None:
        rows = self._rows("select * from screens where id = ?", [screen_id])
        return Screen.of(rows[0]) if rows else None
