"""Small key/value state, row counts, and the deletion of old history."""
from __future__ import annotations

from bot.store.db import StoreBase
from bot.store.outbox import DOC_SUBJECT, QUARANTINE_SUBJECT


class MetaMixin(StoreBase):
    """What fits no other part: key/value state, counts for stats, retention."""

    def get_meta(self, key: str) -> str | None:
        rows = self._rows("select value from meta where key = ?", [key])
        return rows[0]["value"] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as db:
            db.table("meta").upsert({"key": key, "value": value}, pk="key")

    def counts(self) -> dict[str, int]:
        out = {}
        for name, sql in [("documents", "select count(*) from documents"),
                          ("chunks", "select count(*) from chunks"),
                          ("quarantined", "select count(*) from files where status='quarantined'"),
                          ("subscribers", "select count(*) from subscriptions where active = 1")]:
            with self._lock:
                out[name] = self.db.execute(sql).fetchone()[0]
        for row in self._rows("select status, count(*) as n from outbox group by status"):
            out[f"outbox_{row['status']}"] = row["n"]
        return out

    def prune(self, before: str) -> dict[str, int]:
        """Delete history older than `before` (an ISO UTC time): outbox rows no longer owed
        (sent, failed, dropped, expired), chat turns, the pages behind old buttons, and
        announcement records of documents or quarantined files that are gone. Pending
        messages and current announcements stay. Returns the rows deleted per table."""
        statements = {
            "outbox": "delete from outbox where status != 'pending' "
                      "and coalesce(sent_at, created_at) < ?",
            "turns": "delete from turns where created_at < ?",
            "screens": "delete from screens where created_at < ?",
            "announced": "delete from announced where announced_at < ? and subject not in "
                         f"(select {DOC_SUBJECT} from documents) and subject not in "
                         f"(select {QUARANTINE_SUBJECT} from files "
                         "where status = 'quarantined')",
        }
        with self._tx() as db:
            return {table: db.execute(sql, [before]).rowcount for table, sql in statements.items()}
