"""Documents and their chunks, with the per-term chunk counts kept in step with them."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from sqlite_utils import Database

from bot.store.db import Row, StoreBase, utcnow
from bot.store.fts import index_terms
from bot.types import NAME_MAX, TITLE_MAX, Chunk, Document, Sentence, clip


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


# Newest arrivals first; within one batch, the date the text states (undated last).
NEWEST_DOCUMENTS = ("substr(ingested_at, 1, 16) desc, date is null, date desc, "
                    "ingested_at desc, id")


def as_document(row: Row) -> Document:
    """A `documents` row as the Document the rest of the bot reads (title, outlet and author
    capped: rows stored before the caps are read the same way)."""
    return Document(id=row["id"], title=clip(row["title"], TITLE_MAX), text=row["text"],
                    content_hash=row["content_hash"], date=row["date"],
                    outlet=row["outlet"] and clip(row["outlet"], NAME_MAX),
                    author=row["author"] and clip(row["author"], NAME_MAX), url=row["url"],
                    summary=row["summary"],
                    ingested_at=row["ingested_at"], credits=row.get("credits"))


def drop_document(db: Database, doc_id: str) -> None:
    """Delete a document, its chunks and its positions, inside the caller's transaction."""
    _delete_chunks(db, doc_id)
    db.execute("delete from positions where doc_id = ?", [doc_id])
    db.execute("delete from documents where id = ?", [doc_id])


def write_document(db: Database, doc: Document, chunks: list[Chunk]) -> None:
    """Inside the caller's transaction: insert or replace a document and all its chunks."""
    drop_document(db, doc.id)
    db.table("documents").insert({
        "id": doc.id, "title": doc.title, "text": doc.text,
        "content_hash": doc.content_hash, "date": doc.date, "outlet": doc.outlet,
        "author": doc.author, "url": doc.url, "summary": doc.summary,
        "summary_key": None, "ingested_at": doc.ingested_at or utcnow(),
        "credits": doc.credits})
    _insert_chunks(db, chunks)


def _insert_chunks(db: Database, chunks: list[Chunk]) -> None:
    db.table("chunks").insert_all(
        ({"doc_id": c.doc_id, "seq": c.seq, "text": c.text, "start": c.start,
          "morphs": c.morphs, "sentences": sentences_json(c.sentences)} for c in chunks),
        batch_size=500)
    _count_terms(db, (c.morphs for c in chunks), +1)


def _delete_chunks(db: Database, doc_id: str) -> None:
    old = [m for (m,) in db.execute("select morphs from chunks where doc_id = ?", [doc_id])]
    db.execute("delete from chunks where doc_id = ?", [doc_id])
    _count_terms(db, old, -1)


class DocumentsMixin(StoreBase):
    """Documents, each stored with its chunks in one transaction."""

    def doc_id_for_hash(self, content_hash: str) -> str | None:
        rows = self._rows("select id from documents where content_hash = ?", [content_hash])
        return rows[0]["id"] if rows else None

    def save_document(self, doc: Document, chunks: list[Chunk]) -> None:
        """Insert or replace a document and all its chunks in one transaction."""
        with self._tx() as db:
            write_document(db, doc, chunks)

    def documents_naming(self, word: str, limit: int = 20) -> list[str]:
        """Ids of the newest documents whose title, outlet, author or credits hold `word`."""
        like = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return [r["id"] for r in self._rows(
            "select id from documents where title like :w escape '\\' or outlet like :w "
            "escape '\\' or author like :w escape '\\' or credits like :w escape '\\' "
            "order by ingested_at desc limit :n", {"w": like, "n": limit})]

    def documents_titled(self, words: list[str], limit: int = 20) -> list[str]:
        """Ids of the newest documents whose title holds `words` in this order (anything
        between them): a title quoted in a question, found among thousands that share its
        longest word."""
        escaped = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                   for w in words]
        return [r["id"] for r in self._rows(
            "select id from documents where title like :t escape '\\' "
            "order by ingested_at desc limit :n",
            {"t": "%" + "%".join(escaped) + "%", "n": limit})]

    def update_meta(self, doc: Document) -> None:
        """What the page says about itself, read again (the text is unchanged)."""
        with self._tx() as db:
            db.execute("update documents set title = ?, date = ?, outlet = ?, author = ?, "
                       "url = ?, credits = ? where id = ?",
                       [doc.title, doc.date, doc.outlet, doc.author, doc.url, doc.credits,
                        doc.id])

    def replace_chunks(self, doc_id: str, chunks: list[Chunk]) -> None:
        """New chunks for a stored document; the document row (and its summary) stays."""
        with self._tx() as db:
            _delete_chunks(db, doc_id)
            _insert_chunks(db, chunks)

    def docs_without_sentences(self) -> list[str]:
        """Documents with chunks stored before sentences were kept with them (m005)."""
        return [r["doc_id"] for r in self._rows(
            "select distinct doc_id from chunks where sentences is null order by doc_id")]

    def delete_document(self, doc_id: str) -> None:
        with self._tx() as db:
            drop_document(db, doc_id)

    def set_summary(self, doc_id: str, summary: str, key: str) -> None:
        with self._tx() as db:
            db.execute("update documents set summary = ?, summary_key = ? where id = ?",
                       [summary, key, doc_id])

    def docs_needing_summary(self, key: str) -> list[str]:
        rows = self._rows("select id from documents where summary is null or summary_key is null "
                          f"or summary_key != ? order by {self._NEWEST}", [key])
        return [r["id"] for r in rows]

    _NEWEST = NEWEST_DOCUMENTS

    def document(self, doc_id: str) -> Document | None:
        rows = self._rows("select * from documents where id = ?", [doc_id])
        return as_document(rows[0]) if rows else None

    def documents(self, limit: int | None = None, since: str | None = None) -> list[Document]:
        """Newest first."""
        sql = "select * from documents"
        params: list[str | int] = []
        if since:
            sql += " where ingested_at > ?"
            params.append(since)
        sql += f" order by {self._NEWEST}"
        if limit:
            sql += " limit ?"
            params.append(limit)
        return [as_document(r) for r in self._rows(sql, params)]
