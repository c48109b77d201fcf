"""Background model work that failed, per document and step, for retries."""
from __future__ import annotations

from bot.store.db import StoreBase, utcnow
from bot.store.rows import WorkFailure


class WorkMixin(StoreBase):
    """Failed summaries and prompt prefixes: attempts so far, and when to try again."""

    def record_work_failure(self, doc_id: str, step: str, content_hash: str, error: str,
                            retry_at: str) -> int:
        """Count one more failed attempt at `step` for this version of the document; returns
        the attempts so far. A changed document starts again from zero."""
        with self._tx() as db:
            rows = list(db.execute("select attempts, content_hash from model_work "
                                   "where doc_id = ? and step = ?", [doc_id, step]))
            attempts = 1 + (rows[0][0] if rows and rows[0][1] == content_hash else 0)
            db.table("model_work").upsert({"doc_id": doc_id, "step": step,
                                     "content_hash": content_hash, "attempts": attempts,
                                     "last_error": error[:500], "failed_at": utcnow(),
                                     "retry_at": retry_at}, pk=("doc_id", "step"))
            return attempts

    def clear_work_failure(self, doc_id: str, step: str) -> None:
        with self._tx() as db:
            db.execute("delete from model_work where doc_id = ? and step = ?", [doc_id, step])

    def work_failures(self) -> list[WorkFailure]:
        """Failed background steps of stored documents (a stale row, for a document since
        changed or removed, is not reported)."""
        rows = self._rows("select m.doc_id, m.step, m.attempts, m.last_error, m.failed_at, "
                          "m.retry_at from model_work m join documents d on d.id = m.doc_id "
                          "and d.content_hash = m.content_hash order by m.failed_at")
        return [WorkFailure.of(r) for r in rows]
