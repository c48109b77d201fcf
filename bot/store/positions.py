"""The debate map's positions, per document: replaced as a whole when found again."""
from __future__ import annotations

import json
from collections.abc import Collection

from bot.store.db import Row, StoreBase, utcnow
from bot.store.documents import NEWEST_DOCUMENTS
from bot.types import ACTOR_MAX, NAME_MAX, TITLE_MAX, Position, clip

_SELECT = ("select p.doc_id, p.proposition, p.side, p.actor, p.quote, p.score, p.found_at, "
           "d.title, d.outlet, d.date from positions p join documents d on d.id = p.doc_id")
# Newest evidence first: the date the text states, else when it arrived.
_NEWEST = ("coalesce(d.date, substr(d.ingested_at, 1, 10)) desc, d.ingested_at desc, "
           "p.id")


def _position(row: Row) -> Position:
    return Position(doc_id=row["doc_id"], proposition=row["proposition"], side=row["side"],
                    actor=clip(row["actor"], ACTOR_MAX), quote=row["quote"],
                    score=row["score"] or 0.0, title=clip(row["title"], TITLE_MAX),
                    outlet=row["outlet"] and clip(row["outlet"], NAME_MAX), date=row["date"],
                    found_at=row["found_at"])


class PositionsMixin(StoreBase):
    def save_positions(self, doc_id: str, positions: list[Position], key: str,
                       content_hash: str, in_force: Collection[str] | None = None) -> bool:
        """Replace the document's positions, found with `key` from the text whose hash is
        `content_hash`; False (nothing written) when the document changed or went meanwhile.
        A position found before keeps its `found_at`, so finding it again (a new model or
        proposition file) does not make it news for the briefing. With `in_force` (the
        proposition ids looked for), positions on other propositions are kept, unshown, until
        the document changes: a proposition back in the file after a half-saved edit brings
        its positions back as they were, not as new."""
        now = utcnow()
        keep = ""
        params: list[str] = [doc_id]
        if in_force is not None:
            keep = " and proposition in (select value from json_each(?))"
            params.append(json.dumps(sorted(in_force)))
        with self._tx() as db:
            if not list(db.execute("select 1 from documents where id = ? and content_hash = ?",
                                   [doc_id, content_hash])):
                return False
            before = {(r[0], r[1], r[2]): r[3] for r in db.execute(
                "select proposition, side, quote, found_at from positions where doc_id = ?",
                [doc_id])}
            db.execute(f"delete from positions where doc_id = ?{keep}", params)
            db.table("positions").insert_all(
                ({"doc_id": doc_id, "proposition": p.proposition, "side": p.side,
                  "actor": p.actor, "quote": p.quote, "score": p.score,
                  "found_at": before.get((p.proposition, p.side, p.quote), now)}
                 for p in positions), batch_size=200)
            db.execute("update documents set positions_key = ? where id = ?", [key, doc_id])
            return True

    def docs_needing_positions(self, key: str) -> list[str]:
        """Documents whose positions were not looked for with `key`, newest first."""
        rows = self._rows("select id from documents where positions_key is null "
                          f"or positions_key != ? order by {NEWEST_DOCUMENTS}", [key])
        return [r["id"] for r in rows]

    def positions(self, proposition: str | None = None, doc_id: str | None = None,
                  since: str | None = None) -> list[Position]:
        """Stored positions, newest evidence first; `since` (UTC ISO): found after it."""
        where, params = [], []
        for clause, value in (("p.proposition = ?", proposition), ("p.doc_id = ?", doc_id),
                              ("p.found_at > ?", since)):
            if value is not None:
                where.append(clause)
                params.append(value)
        sql = _SELECT + (" where " + " and ".join(where) if where else "")
        return [_position(r) for r in self._rows(f"{sql} order by {_NEWEST}", params)]
