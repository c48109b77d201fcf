"""Schema history. Every schema change is a new function at the end; never edit an applied one."""
from __future__ import annotations

from collections import Counter

from sqlite_utils import Database, Migrations

from bot.store.fts import index_terms

migrations = Migrations("briefbot")


@migrations()
def m001_documents(db: Database) -> None:
    db.table("documents").create({
        "id": str, "title": str, "text": str, "content_hash": str, "date": str, "outlet": str,
        "author": str, "url": str, "summary": str, "summary_key": str, "ingested_at": str,
    }, pk="id")
    db.table("documents").create_index(["content_hash"], unique=True)
    db.table("chunks").create({
        "id": int, "doc_id": str, "seq": int, "text": str, "start": int, "morphs": str,
    }, pk="id", foreign_keys=[("doc_id", "documents", "id")])
    db.table("chunks").create_index(["doc_id", "seq"], unique=True)
    db.table("chunks").enable_fts(["morphs"], create_triggers=True, tokenize="unicode61")
    db.table("files").create({
        "name": str, "raw_hash": str, "size": int, "mtime": float, "status": str,
        "doc_id": str, "reason": str, "updated_at": str,
    }, pk="name")


@migrations()
def m002_chats(db: Database) -> None:
    db.table("subscriptions").create({
        "chat_id": int, "active": int, "chat_type": str, "title": str, "briefing_time": str,
        "subscribed_at": str, "last_briefed_on": str, "deactivated_reason": str,
    }, pk="chat_id")
    db.table("turns").create({
        "id": int, "chat_id": int, "role": str, "text": str, "created_at": str,
    }, pk="id")
    db.table("turns").create_index(["chat_id", "id"])
    db.table("outbox").create({
        "id": int, "key": str, "chat_id": int, "kind": str, "payload": str, "status": str,
        "attempts": int, "last_error": str, "created_at": str, "next_attempt_at": str,
        "sent_at": str,
    }, pk="id")
    db.table("outbox").create_index(["key"], unique=True)
    db.table("outbox").create_index(["status", "next_attempt_at"])
    db.table("meta").create({"key": str, "value": str}, pk="key")


@migrations()
def m003_vocabulary(db: Database) -> None:
    # Per-term row counts for the FTS index: the document frequency behind idf weights.
    db.execute("create virtual table chunks_vocab using fts5vocab(chunks_fts, 'row')")


@migrations()
def m004_delivery(db: Database) -> None:
    # What has been announced (documents by content, quarantined files by raw bytes), so the
    # pushes that are due can be computed from the database after any crash or restart.
    db.table("announced").create({"subject": str, "announced_at": str}, pk="subject")
    # The exact moment of a chat's last briefing: the next one covers documents after it.
    db.table("subscriptions").add_column("last_briefed_at", str)


@migrations()
def m005_sentences_and_terms(db: Database) -> None:
    # Each chunk's sentences with their morphemes (JSON), stored at ingest so a query needs
    # no Kiwi for the hits' sentences. Chunks stored before this are analysed again by the
    # next ingest scan; until then the retriever analyses them itself.
    db.table("chunks").add_column("sentences", str)
    # Every ingest scan looks for such chunks; this keeps that look-up free once none are left.
    db.execute("create index chunks_without_sentences on chunks (doc_id) where sentences is null")
    # Chunks per index term, kept with the chunks: fts5vocab counts them by reading the
    # term's whole postings list, which takes tens of ms for a common term at 10^6 chunks.
    db.table("terms").create({"term": str, "chunks": int}, pk="term")
    counts: Counter[str] = Counter()
    for (morphs,) in db.execute("select morphs from chunks"):
        counts.update(set(index_terms(morphs)))
    db.table("terms").insert_all(({"term": t, "chunks": n} for t, n in counts.items()),
                           batch_size=1000)


@migrations()
def m006_model_work(db: Database) -> None:
    # Background model work that failed (a summary, an evaluated prompt prefix), per document:
    # retried a few times with a growing pause, then left alone until the document changes.
    db.table("model_work").create({
        "doc_id": str, "step": str, "content_hash": str, "attempts": int, "last_error": str,
        "failed_at": str, "retry_at": str,
    }, pk=("doc_id", "step"))


@migrations()
def m007_forget_llm_credentials(db: Database) -> None:
    # Summary keys named the LLM server by its full LLM_BASE_URL, credentials and all. Keys
    # now hold the URL without them; forgetting the old keys only re-makes those summaries.
    db.execute("update documents set summary_key = null "
               "where summary_key like '%://%@%' or summary_key like '%://%?%'")


@migrations()
def m008_file_folder_and_absence(db: Database) -> None:
    # Which folder a file row belongs to (its resolved path), so a scan of one folder never
    # takes another folder's files for deleted ones; rows from before are claimed by the
    # first scan that finds their file. Since when a file has been missing from its folder:
    # its document is forgotten after a grace period (FORGET_AFTER_HOURS).
    db.table("files").add_column("folder", str)
    db.table("files").add_column("missing_since", str)


@migrations()
def m009_no_outlet_from_a_body_url(db: Database) -> None:
    # Outlets used to fall back to the host of the first web address in the text, so a forum
    # post quoting an article (or a page carrying an injected link) was named after that
    # host. Such outlets are cleared; the page's own byline or copyright line names the rest.
    rows = db.execute("select id, outlet, url from documents "
                      "where outlet is not null and url is not null").fetchall()
    for doc_id, outlet, url in rows:
        host = url.split("/")[2] if url.count("/") >= 2 else ""
        if outlet == host.removeprefix("www."):
            db.execute("update documents set outlet = null where id = ?", [doc_id])


@migrations()
def m010_document_credits(db: Database) -> None:
    # Names a page shows outside its body (a series label, a photo credit) are kept with the
    # document, so a question naming it that way finds it. Every file is read again on the
    # next scan (its recorded hash is cleared); an unchanged text only updates these fields.
    db.execute("alter table documents add column credits text")
    db.execute("update files set raw_hash = '' where status = 'ingested'")


@migrations()
def m011_positions(db: Database) -> None:
    # The debate map: the sides each document takes on the propositions of
    # prompts/debate.toml, with who holds them and the verbatim sentence. `positions_key` says
    # which model, propositions and prompt they were found with (null: not yet looked for), so
    # a change to any of them finds them again; a replaced document row starts at null.
    db.table("positions").create({
        "id": int, "doc_id": str, "proposition": str, "side": str, "actor": str,
        "quote": str, "score": float, "found_at": str,
    }, pk="id", foreign_keys=[("doc_id", "documents", "id")])
    db.table("positions").create_index(["doc_id"])
    db.table("positions").create_index(["proposition"])
    db.execute("alter table documents add column positions_key text")


@migrations()
def m012_turn_sources(db: Database) -> None:
    # The documents an answer cited, kept with its turn (a JSON list of document ids), so a
    # follow-up ("거기서 …", "그 사람은 …") can lean on what was answered, not only on what
    # was asked.
    db.execute("alter table turns add column sources text")


@migrations()
def m013_outbox_parts_sent(db: Database) -> None:
    # A message longer than Telegram's limit goes as several parts; how many of them have
    # been delivered is recorded as each goes, so a retry or a restart resumes at the first
    # unsent part instead of sending the message again from its start.
    db.execute("alter table outbox add column parts_sent integer not null default 0")


@migrations()
def m014_follows_and_screens(db: Database) -> None:
    # The topics a chat follows (/follow): a proposition of the debate map by its id, or a
    # keyword; a chat that follows any is briefed and pushed only what is on them.
    db.table("follows").create({"chat_id": int, "topic": str, "kind": str, "created_at": str},
                         pk=("chat_id", "topic"))
    # A briefing or push laid out for one screen: its pages (the top one and those behind its
    # buttons), written in the transaction that queues its outbox row, so a button tapped
    # after a restart opens the same page.
    db.table("screens").create({"id": str, "chat_id": int, "pages": str, "created_at": str},
                         pk="id")
