"""The only code that speaks SQL. One SQLite file, opened through sqlite-utils."""
from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from bot.store.fts import averages, index_terms
from bot.store.migrations import migrations
from bot.types import Chunk, Document, Sentence

MAX_TURNS_PER_CHAT = 6
BUSY_TIMEOUT = 30.0  # seconds a write waits for another connection's write to finish


def sentences_json(sentences: Iterable[Sentence]) -> str:
    """A chunk's sentences as stored: [[start, end, [morpheme, ...]], ...]."""
    rows = [[s.start, s.end, list(s.morphemes)] for s in sentences]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def stored_sentences(value: str | None) -> list[Sentence] | None:
    """The inverse of sentences_json; None for chunks stored without sentences."""
    if value is None:
        return None
    return [Sentence(start, end, tuple(morphemes)) for start, end, morphemes in json.loads(value)]


def _count_terms(db: Database, morphs: Iterable[str], step: int) -> None:
    """Keep `terms` (chunks per index term) in step with inserted or deleted chunks."""
    counts: Counter[str] = Counter()
    for text in morphs:
        counts.update(set(index_terms(text)))
    db.conn.executemany(
        "insert into terms (term, chunks) values (?, ?) "
        "on conflict (term) do update set chunks = chunks + excluded.chunks",
        [(term, n * step) for term, n in counts.items()])
    if step < 0:
        db.execute("delete from terms where chunks <= 0")


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _document(row: dict) -> Document:
    return Document(id=row["id"], title=row["title"], text=row["text"],
                    content_hash=row["content_hash"], date=row["date"], outlet=row["outlet"],
                    author=row["author"], url=row["url"], summary=row["summary"],
                    ingested_at=row["ingested_at"])


class StoreUnavailable(Exception):
    """The database file cannot be used: corrupt, read-only, or its folder cannot be made."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = str(path), reason


def file_problem(exc: BaseException) -> str | None:
    """What an error says about the database file itself (corrupt, read-only, unreachable,
    held too long by another process), or None when it is about something else."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return f"is not a usable SQLite database (corrupt, or another kind of file): {text}"
    if "readonly" in text or "read-only" in text:
        return f"is read-only (the file, or the folder its journal files go in): {text}"
    if "unable to open" in text or "disk I/O" in text:
        return f"cannot be opened or read (missing folder, no permission, full disk): {text}"
    if "locked" in text:
        return f"was held by another process for more than {BUSY_TIMEOUT:.0f} s: {text}"
    return None


class Store:
    """All persistent state. Safe to share between the event loop and worker threads, and
    between processes (`briefbot ingest` beside `briefbot run`): every write transaction takes
    SQLite's write lock up front (BEGIN IMMEDIATE), so it waits out another process's write
    (busy_timeout) instead of failing on a read-to-write upgrade."""

    def __init__(self, path: Path | str, *, read_only: bool = False):
        """`read_only`: inspect an existing file as it is — no migrations, no writes, and no
        file created where there was none (briefbot doctor)."""
        self._lock = threading.RLock()
        if read_only:
            conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True,
                                   check_same_thread=False, timeout=BUSY_TIMEOUT)
            self.db = Database(conn)
            return
        try:
            self._open(path)
        except OSError as exc:  # only the folder is made with os calls
            reason = f"cannot create its folder: {exc.strerror or exc}"
            raise StoreUnavailable(path, reason) from exc
        except sqlite3.Error as exc:
            raise StoreUnavailable(path, file_problem(exc) or str(exc)) from exc

    def _open(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=BUSY_TIMEOUT)
        try:
            self.db = Database(conn)
            self.db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
            if str(path) != ":memory:":
                self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            # One transaction for the whole run: a second process opening a fresh file waits
            # here, then finds the migrations applied.
            with self._tx() as db:
                migrations.apply(db)
                # A read-only file is found at its first written page, not at BEGIN: write
                # one now and undo it, so the bot fails at start, not at its first message.
                db.execute("savepoint write_probe")
                db.execute("insert or replace into meta (key, value) values ('write_probe', '')")
                db.execute("rollback to write_probe")
                db.execute("release write_probe")
        except BaseException:
            conn.close()
            raise

    def close(self) -> None:
        with self._lock:
            self.db.conn.close()

    def schema(self) -> tuple[list[str], list[str]]:
        """(applied, pending) migration names, in order. Reads only, on a briefbot database."""
        with self._lock:
            return ([m.name for m in migrations.applied(self.db)],
                    [m.name for m in migrations.pending(self.db)])

    @contextmanager
    def _tx(self) -> Iterator[Database]:
        with self._lock:
            if self.db.conn.in_transaction:  # nested: a savepoint inside the open transaction
                with self.db.atomic():
                    yield self.db
                return
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.rollback()
                raise
            try:
                self.db.execute("COMMIT")
            except BaseException:
                self.db.rollback()
                raise

    def _rows(self, sql: str, params: Iterable | dict = ()) -> list[dict]:
        with self._lock:
            cursor = self.db.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    # --- files and documents -------------------------------------------------------------
    def file_state(self, name: str) -> dict | None:
        rows = self._rows("select * from files where name = ?", [name])
        return rows[0] if rows else None

    def record_file(self, name: str, *, raw_hash: str, size: int, mtime: float, status: str,
                    doc_id: str | None = None, reason: str | None = None,
                    folder: str | None = None) -> None:
        with self._tx() as db:
            row = {"name": name, "raw_hash": raw_hash, "size": size, "mtime": mtime,
                   "status": status, "doc_id": doc_id, "reason": reason,
                   "updated_at": utcnow(), "missing_since": None}
            if folder is not None:
                row["folder"] = folder
            db["files"].upsert(row, pk="name")

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

    def forget_file(self, name: str) -> str | None:
        """A file is gone for good: its row goes, and the document it holds unless another
        file holds the same text — that file is read again at the next scan and takes it
        over. Returns the id of the document removed."""
        with self._tx() as db:
            rows = list(db.query("select status, doc_id from files where name = ?", [name]))
            db.execute("delete from files where name = ?", [name])
            if not rows or rows[0]["status"] != "ingested" or not rows[0]["doc_id"]:
                return None
            doc_id = rows[0]["doc_id"]
            db.execute("update files set raw_hash = '' where doc_id = ? and status = 'duplicate'",
                       [doc_id])
            self._delete_document(db, doc_id)
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
                self._delete_document(db, doc_id)
            db.execute("update files set status = 'forgotten', doc_id = null, "
                       "reason = 'forgotten by hand', updated_at = ? "
                       "where name = ? or (doc_id is not null and doc_id = ?)",
                       [utcnow(), doc_or_file, doc_id])
            return doc_id or doc_or_file

    def doc_id_for_hash(self, content_hash: str) -> str | None:
        rows = self._rows("select id from documents where content_hash = ?", [content_hash])
        return rows[0]["id"] if rows else None

    def save_document(self, doc: Document, chunks: list[Chunk]) -> None:
        """Insert or replace a document and all its chunks in one transaction."""
        with self._tx() as db:
            self._delete_document(db, doc.id)
            db["documents"].insert({
                "id": doc.id, "title": doc.title, "text": doc.text,
                "content_hash": doc.content_hash, "date": doc.date, "outlet": doc.outlet,
                "author": doc.author, "url": doc.url, "summary": doc.summary,
                "summary_key": None, "ingested_at": doc.ingested_at or utcnow()})
            self._insert_chunks(db, chunks)

    def replace_chunks(self, doc_id: str, chunks: list[Chunk]) -> None:
        """New chunks for a stored document; the document row (and its summary) stays."""
        with self._tx() as db:
            self._delete_chunks(db, doc_id)
            self._insert_chunks(db, chunks)

    def docs_without_sentences(self) -> list[str]:
        """Documents with chunks stored before sentences were kept with them (m005)."""
        return [r["doc_id"] for r in self._rows(
            "select distinct doc_id from chunks where sentences is null order by doc_id")]

    def delete_document(self, doc_id: str) -> None:
        with self._tx() as db:
            self._delete_document(db, doc_id)

    @classmethod
    def _delete_document(cls, db: Database, doc_id: str) -> None:
        cls._delete_chunks(db, doc_id)
        db.execute("delete from documents where id = ?", [doc_id])

    @staticmethod
    def _insert_chunks(db: Database, chunks: list[Chunk]) -> None:
        db["chunks"].insert_all(
            ({"doc_id": c.doc_id, "seq": c.seq, "text": c.text, "start": c.start,
              "morphs": c.morphs, "sentences": sentences_json(c.sentences)} for c in chunks),
            batch_size=500)
        _count_terms(db, (c.morphs for c in chunks), +1)

    @staticmethod
    def _delete_chunks(db: Database, doc_id: str) -> None:
        old = [m for (m,) in db.execute("select morphs from chunks where doc_id = ?", [doc_id])]
        db.execute("delete from chunks where doc_id = ?", [doc_id])
        _count_terms(db, old, -1)

    def set_summary(self, doc_id: str, summary: str, key: str) -> None:
        with self._tx() as db:
            db.execute("update documents set summary = ?, summary_key = ? where id = ?",
                       [summary, key, doc_id])

    def docs_needing_summary(self, key: str) -> list[str]:
        rows = self._rows("select id from documents where summary is null or summary_key is null "
                          f"or summary_key != ? order by {self._NEWEST}", [key])
        return [r["id"] for r in rows]

    # Newest arrivals first; within one batch, the date the text states (undated last).
    _NEWEST = "substr(ingested_at, 1, 16) desc, date is null, date desc, ingested_at desc, id"

    def document(self, doc_id: str) -> Document | None:
        rows = self._rows("select * from documents where id = ?", [doc_id])
        return _document(rows[0]) if rows else None

    def documents(self, limit: int | None = None, since: str | None = None) -> list[Document]:
        """Newest first."""
        sql = "select * from documents"
        params: list = []
        if since:
            sql += " where ingested_at > ?"
            params.append(since)
        sql += f" order by {self._NEWEST}"
        if limit:
            sql += " limit ?"
            params.append(limit)
        return [_document(r) for r in self._rows(sql, params)]

    def quarantined(self) -> list[dict]:
        return self._rows("select name, reason, updated_at from files where status = 'quarantined' "
                          "order by name")

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

    # --- retrieval --------------------------------------------------------------------------
    def search_chunks(self, match: str, limit: int) -> list[dict]:
        """FTS5 bm25 over chunk morphemes; score is positive, higher is better. The ranking
        runs on the FTS table alone and only the `limit` winners are joined to their text."""
        return self._rows(
            f"select {self._HIT_COLUMNS}, ranked.score from ({self._RANKED}) as ranked "
            "join chunks on chunks.id = ranked.rowid "
            "join documents on documents.id = chunks.doc_id "
            "order by ranked.score desc, chunks.id desc", [match, limit])

    def candidate_chunks(self, match: str, limit: int, *, newest: bool = False) -> list[dict]:
        """Like search_chunks, with only each chunk's id, morphemes and score, to be scored
        again. `newest`: the most recent matches, unscored (0) — cheap even for very common
        terms, whose bm25 would have to visit every chunk that holds them."""
        ranked = ("select rowid, 0.0 as score from chunks_fts where chunks_fts match ? "
                  "order by rowid desc limit ?") if newest else self._RANKED
        return self._rows(
            "select chunks.id as chunk_id, chunks.morphs, ranked.score "
            f"from ({ranked}) as ranked join chunks on chunks.id = ranked.rowid", [match, limit])

    def hit_chunks(self, chunk_ids: list[int]) -> list[dict]:
        """search_chunks' columns for the given chunks, in no particular order."""
        marks = ",".join("?" * len(chunk_ids))
        return self._rows(f"select {self._HIT_COLUMNS} from chunks join documents on "
                          f"documents.id = chunks.doc_id where chunks.id in ({marks})", chunk_ids)

    _RANKED = ("select rowid, -bm25(chunks_fts) as score from chunks_fts "
               "where chunks_fts match ? order by score desc limit ?")
    _HIT_COLUMNS = ("chunks.id as chunk_id, chunks.doc_id, chunks.text, chunks.morphs, "
                    "chunks.sentences, documents.title")

    def index_size(self) -> tuple[int, float]:
        """(chunks in the search index, their mean length in index terms)."""
        rows = self._rows("select block from chunks_fts_data where id = 1")
        count, tokens = averages(rows[0]["block"] if rows else None)
        return count, tokens / count if count else 0.0

    def term_frequencies(self, terms: list[str]) -> tuple[int, dict[str, int]]:
        """(number of chunks, {index term: chunks containing it})."""
        total, _ = self.index_size()
        if not terms:
            return total, {}
        marks = ",".join("?" * len(terms))
        rows = self._rows(f"select term, chunks from terms where term in ({marks})", terms)
        return total, {r["term"]: r["chunks"] for r in rows}

    def doc_morphemes(self, doc_id: str) -> list[str]:
        rows = self._rows("select morphs from chunks where doc_id = ?", [doc_id])
        return " ".join(r["morphs"] for r in rows).split()

    def chunks_of(self, doc_id: str) -> list[dict]:
        return self._rows("select id, seq, text, start, morphs, sentences from chunks "
                          "where doc_id = ? order by seq", [doc_id])

    # --- chats ------------------------------------------------------------------------------
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
                db["subscriptions"].insert({"chat_id": chat_id, "active": 1, "chat_type": chat_type,
                                            "title": title, "subscribed_at": utcnow()})
            return True

    def unsubscribe(self, chat_id: int, reason: str = "unsubscribed") -> bool:
        with self._tx() as db:
            cur = db.execute("update subscriptions set active = 0, deactivated_reason = ? "
                             "where chat_id = ? and active = 1", [reason, chat_id])
            return cur.rowcount > 0

    def subscription(self, chat_id: int) -> dict | None:
        rows = self._rows("select * from subscriptions where chat_id = ?", [chat_id])
        return rows[0] if rows else None

    def active_subscriptions(self) -> list[dict]:
        return self._rows("select * from subscriptions where active = 1 order by chat_id")

    def set_briefing_time(self, chat_id: int, hhmm: str | None) -> None:
        with self._tx() as db:
            db.execute("update subscriptions set briefing_time = ? where chat_id = ?", [hhmm, chat_id])

    def set_last_briefed(self, chat_id: int, day: str) -> None:
        with self._tx() as db:
            db.execute("update subscriptions set last_briefed_on = ? where chat_id = ?", [day, chat_id])

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """Telegram moved a group to a supergroup: everything keyed by the old id follows it."""
        with self._tx() as db:
            if not list(db.query("select 1 from subscriptions where chat_id = ?", [new_id])):
                db.execute("update subscriptions set chat_id = ? where chat_id = ?", [new_id, old_id])
            else:  # the new id is subscribed already: the old one must not receive twice
                db.execute("update subscriptions set active = 0, deactivated_reason = 'migrated' "
                           "where chat_id = ?", [old_id])
            db.execute("update turns set chat_id = ? where chat_id = ?", [new_id, old_id])
            db.execute("update outbox set chat_id = ? where chat_id = ? and status = 'pending'",
                       [new_id, old_id])

    # --- conversation turns -----------------------------------------------------------------
    def add_turn(self, chat_id: int, role: str, text: str, keep: int = MAX_TURNS_PER_CHAT) -> None:
        with self._tx() as db:
            db["turns"].insert({"chat_id": chat_id, "role": role, "text": text[:2000],
                                "created_at": utcnow()})
            db.execute("delete from turns where chat_id = ? and id not in (select id from turns "
                       "where chat_id = ? order by id desc limit ?)", [chat_id, chat_id, keep])

    def recent_turns(self, chat_id: int, limit: int = MAX_TURNS_PER_CHAT) -> list[dict]:
        rows = self._rows("select role, text from turns where chat_id = ? order by id desc limit ?",
                          [chat_id, limit])
        return list(reversed(rows))

    # --- outbox -----------------------------------------------------------------------------
    def enqueue(self, key: str, chat_id: int, kind: str, payload: str) -> bool:
        """Write a message that must be delivered. False when the key exists (already queued)."""
        with self._tx() as db:
            cur = db.execute(
                "insert or ignore into outbox (key, chat_id, kind, payload, status, attempts, "
                "created_at, next_attempt_at) values (?, ?, ?, ?, 'pending', 0, ?, ?)",
                [key, chat_id, kind, payload, utcnow(), utcnow()])
            return cur.rowcount > 0

    def due_outbox(self, now: str | None = None, limit: int = 200) -> list[dict]:
        return self._rows("select * from outbox where status = 'pending' and next_attempt_at <= ? "
                          "order by id limit ?", [now or utcnow(), limit])

    def mark_sent(self, outbox_id: int) -> None:
        with self._tx() as db:
            db.execute("update outbox set status = 'sent', sent_at = ?, last_error = null "
                       "where id = ?", [utcnow(), outbox_id])

    def mark_retry(self, outbox_id: int, error: str, next_attempt_at: str, max_attempts: int) -> str:
        """Record a failed attempt; returns the new status (pending, or failed when exhausted)."""
        with self._tx() as db:
            row = list(db.query("select attempts from outbox where id = ?", [outbox_id]))[0]
            attempts = row["attempts"] + 1
            status = "failed" if attempts >= max_attempts else "pending"
            db.execute("update outbox set attempts = ?, last_error = ?, next_attempt_at = ?, "
                       "status = ? where id = ?",
                       [attempts, error[:500], next_attempt_at, status, outbox_id])
            return status

    def mark_dropped(self, outbox_id: int, status: str, reason: str) -> None:
        with self._tx() as db:
            db.execute("update outbox set status = ?, last_error = ? where id = ?",
                       [status, reason[:500], outbox_id])

    def outbox_rows(self, chat_id: int | None = None) -> list[dict]:
        if chat_id is None:
            return self._rows("select * from outbox order by id")
        return self._rows("select * from outbox where chat_id = ? order by id", [chat_id])

    # --- background model work ---------------------------------------------------------------
    def record_work_failure(self, doc_id: str, step: str, content_hash: str, error: str,
                            retry_at: str) -> int:
        """Count one more failed attempt at `step` for this version of the document; returns
        the attempts so far. A changed document starts again from zero."""
        with self._tx() as db:
            rows = list(db.execute("select attempts, content_hash from model_work "
                                   "where doc_id = ? and step = ?", [doc_id, step]))
            attempts = 1 + (rows[0][0] if rows and rows[0][1] == content_hash else 0)
            db["model_work"].upsert({"doc_id": doc_id, "step": step,
                                     "content_hash": content_hash, "attempts": attempts,
                                     "last_error": error[:500], "failed_at": utcnow(),
                                     "retry_at": retry_at}, pk=("doc_id", "step"))
            return attempts

    def clear_work_failure(self, doc_id: str, step: str) -> None:
        with self._tx() as db:
            db.execute("delete from model_work where doc_id = ? and step = ?", [doc_id, step])

    def work_failures(self) -> list[dict]:
        """Failed background steps of stored documents (a stale row, for a document since
        changed or removed, is not reported)."""
        return self._rows("select m.doc_id, m.step, m.attempts, m.last_error, m.failed_at, "
                          "m.retry_at from model_work m join documents d on d.id = m.doc_id "
                          "and d.content_hash = m.content_hash order by m.failed_at")

    # --- small key/value state ---------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        rows = self._rows("select value from meta where key = ?", [key])
        return rows[0]["value"] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as db:
            db["meta"].upsert({"key": key, "value": value}, pk="key")

    # --- announcements and delivery bookkeeping --------------------------------------------
    # A subject names one announceable version of a thing: a document by its cleaned content,
    # a quarantined file by its raw bytes. Changing either makes a new subject.
    _DOC_SUBJECT = "'doc:' || documents.id || ':' || documents.content_hash"
    _QUARANTINE_SUBJECT = "'quarantine:' || files.name || ':' || files.raw_hash"

    def unannounced_documents(self) -> list[Document]:
        """Documents no chat has been told about yet, oldest first."""
        rows = self._rows(f"select * from documents where {self._DOC_SUBJECT} not in "
                          "(select subject from announced) order by ingested_at, id")
        return [_document(r) for r in rows]

    def unannounced_quarantines(self) -> list[dict]:
        """Quarantined file versions the admins have not been told about, by name."""
        return self._rows(f"select name, reason, raw_hash, {self._QUARANTINE_SUBJECT} as subject "
                          "from files where status = 'quarantined' and "
                          f"{self._QUARANTINE_SUBJECT} not in (select subject from announced) "
                          "order by name")

    @staticmethod
    def document_subject(doc: Document) -> str:
        return f"doc:{doc.id}:{doc.content_hash}"

    def mark_all_announced(self) -> int:
        """Treat everything already stored as known (the first start's baseline)."""
        with self._tx() as db:
            now = utcnow()
            cur = db.execute(f"insert or ignore into announced (subject, announced_at) "
                             f"select {self._DOC_SUBJECT}, ? from documents", [now])
            count = cur.rowcount
            cur = db.execute(f"insert or ignore into announced (subject, announced_at) "
                             f"select {self._QUARANTINE_SUBJECT}, ? from files "
                             "where status = 'quarantined'", [now])
            return count + cur.rowcount

    def enqueue_announcement(self, messages: list[tuple[str, int, str, str]],
                             subjects: list[str]) -> int:
        """Queue (key, chat_id, kind, payload) messages and record `subjects` as announced, in
        one transaction: a crash leaves either both or neither. Returns the rows added."""
        with self._tx() as db:
            now = utcnow()
            added = sum(self._queue(db, now, *message) for message in messages)
            for subject in subjects:
                db.execute("insert or ignore into announced (subject, announced_at) values (?, ?)",
                           [subject, now])
            return added

    def enqueue_briefing(self, key: str, chat_id: int, kind: str, payload: str, *,
                         briefed_at: str, day: str | None) -> bool:
        """Queue a chat's briefing and move its watermark with it, atomically. `day` (the local
        date) is recorded for scheduled briefings only. False when the key was already queued."""
        with self._tx() as db:
            if not self._queue(db, utcnow(), key, chat_id, kind, payload):
                return False
            db.execute("update subscriptions set last_briefed_at = ? where chat_id = ?",
                       [briefed_at, chat_id])
            if day is not None:
                db.execute("update subscriptions set last_briefed_on = ? where chat_id = ?",
                           [day, chat_id])
            return True

    def outbox_row(self, outbox_id: int) -> dict | None:
        rows = self._rows("select * from outbox where id = ?", [outbox_id])
        return rows[0] if rows else None

    @staticmethod
    def _queue(db: Database, now: str, key: str, chat_id: int, kind: str, payload: str) -> int:
        cur = db.execute(
            "insert or ignore into outbox (key, chat_id, kind, payload, status, attempts, "
            "created_at, next_attempt_at) values (?, ?, ?, ?, 'pending', 0, ?, ?)",
            [key, chat_id, kind, payload, now, now])
        return cur.rowcount

    # --- retention ----------------------------------------------------------------------------
    def prune(self, before: str) -> dict[str, int]:
        """Delete history older than `before` (an ISO UTC time): outbox rows no longer owed
        (sent, failed, dropped, expired), chat turns, and announcement records of documents or
        quarantined files that are gone. Pending messages and current announcements stay.
        Returns the rows deleted per table."""
        statements = {
            "outbox": "delete from outbox where status != 'pending' "
                      "and coalesce(sent_at, created_at) < ?",
            "turns": "delete from turns where created_at < ?",
            "announced": "delete from announced where announced_at < ? and subject not in "
                         f"(select {self._DOC_SUBJECT} from documents) and subject not in "
                         f"(select {self._QUARANTINE_SUBJECT} from files "
                         "where status = 'quarantined')",
        }
        with self._tx() as db:
            return {table: db.execute(sql, [before]).rowcount for table, sql in statements.items()}
