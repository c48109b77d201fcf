"""Files in the watched folders: what each held, quarantine, absence, and forgetting."""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace

from sqlite_utils import Database

from bot.store.chats import drop_turns_citing
from bot.store.db import StoreBase, utcnow
from bot.store.documents import drop_document, write_document
from bot.store.outbox import QUARANTINE_SUBJECT, carry_announcement, drop_pushes_announcing
from bot.store.rows import READ_AGAIN, FileState, Quarantine
from bot.types import Chunk, Document


def _forget_document(db: Database, doc_id: str) -> None:
    """A forgotten document goes with what still quotes it: pending pushes and chat turns."""
    drop_document(db, doc_id)
    drop_pushes_announcing(db, doc_id)
    drop_turns_citing(db, doc_id)


class FilesMixin(StoreBase):
    """One row per file name: its raw hash, status, the document it holds, its folder."""

    def file_state(self, name: str) -> FileState | None:
        rows = self._rows("select * from files where name = ?", [name])
        return FileState.of(rows[0]) if rows else None

    def record_file(self, name: str, *, raw_hash: str, size: int, mtime: float, status: str,
                    doc_id: str | None = None, reason: str | None = None,
                    folder: str | None = None) -> None:
        with self._tx() as db:
            row = {"name": name, "raw_hash": raw_hash, "size": size, "mtime": mtime,
                   "status": status, "doc_id": doc_id, "reason": reason,
                   "updated_at": utcnow(), "missing_since": None}
            if folder is not None:
                row["folder"] = folder
            db.table("files").upsert(row, pk="name")

    def read_again(self) -> None:
        """Every ingested file is read on the next scan as if it had changed; its raw hash is
        kept behind a mark (`FileState.read_again_holding`)."""
        with self._tx() as db:
            db.execute("update files set raw_hash = ? || raw_hash where status = 'ingested' "
                       "and substr(raw_hash, 1, length(?)) != ?", [READ_AGAIN] * 3)

    def save_reading(self, doc: Document, chunks: list[Chunk], previous: Document) -> None:
        """Store `doc`, the page `previous` came from read again by better page rules into a
        different text: chunked anew (its summary and positions are made again), but no new
        document — found when `previous` was, announced if `previous` was."""
        with self._tx() as db:
            write_document(db, replace(doc, ingested_at=previous.ingested_at), chunks)
            carry_announcement(db, previous, doc)

    def note_absent(self, folder: str, present: Iterable[str], now: str) -> list[str]:
        """Compare `folder`'s file rows with the names it holds now: rows whose file is back
        lose their missing mark, rows whose file is gone get one (`now`). Rows without a
        folder are claimed by the folder that holds their file. Returns the newly missing."""
        names = json.dumps(sorted(present), ensure_ascii=False)
        listed = "name in (select value from json_each(?))"
        with self._tx() as db:
            db.execute(f"update files set folder = ? where folder is null and {listed}",
                       [folder, names])
            db.execute("update files set missing_since = null where folder = ? and "
                       f"missing_since is not null and {listed}", [folder, names])
            gone = [name for (name,) in db.execute(
                f"select name from files where folder = ? and missing_since is null and not "
                f"{listed} order by name", [folder, names])]
            db.execute("update files set missing_since = ? where folder = ? and "
                       f"missing_since is null and not {listed}", [now, folder, names])
            return gone

    def missing_files(self, folder: str, since_before: str) -> list[str]:
        """`folder`'s files missing since before `since_before` (ISO time)."""
        return [r["name"] for r in self._rows(
            "select name from files where folder = ? and missing_since <= ? order by name",
            [folder, since_before])]

    def documents_from(self, folder: str) -> int:
        """How many stored documents came from files last seen in `folder`."""
        return int(self._rows("select count(*) as n from files where folder = ? and "
                              "status = 'ingested' and doc_id is not null", [folder])[0]["n"])

    def forget_file(self, name: str) -> str | None:
        """A file is gone for good: its row goes, and the document it holds unless another
        file holds the same text — that file is read again at the next scan and takes it
        over. Returns the id of the document removed."""
        with self._tx() as db:
            rows = list(db.query("select status, doc_id from files where name = ?", [name]))
            db.execute("delete from files where name = ?", [name])
            if not rows or rows[0]["status"] != "ingested" or not rows[0]["doc_id"]:
                return None
            doc_id: str = rows[0]["doc_id"]
            db.execute("update files set raw_hash = '' where doc_id = ? and status = 'duplicate'",
                       [doc_id])
            _forget_document(db, doc_id)
            return doc_id

    def forget(self, doc_or_file: str) -> str | None:
        """Forget by hand: the document with this id, or the one this file holds (its text,
        under every file name). The files stay known, unchanged: they are read again only
        when they change. Returns the document id, or the file name when the file held no
        document, or None when nothing has that name."""
        with self._tx() as db:
            doc_id = None
            if list(db.query("select 1 from documents where id = ?", [doc_or_file])):
                doc_id = doc_or_file
            else:
                rows = list(db.query("select doc_id from files where name = ?", [doc_or_file]))
                if not rows:
                    return None
                doc_id = rows[0]["doc_id"]
            if doc_id:
                _forget_document(db, doc_id)
            db.execute("update files set status = 'forgotten', doc_id = null, "
                       "reason = 'forgotten by hand', updated_at = ? "
                       "where name = ? or (doc_id is not null and doc_id = ?)",
                       [utcnow(), doc_or_file, doc_id])
            return doc_id or doc_or_file

    def quarantined(self) -> list[Quarantine]:
        rows = self._rows("select name, reason, raw_hash, updated_at, "
                          f"{QUARANTINE_SUBJECT} as subject from files "
                          "where status = 'quarantined' order by name")
        return [Quarantine.of(r) for r in rows]
