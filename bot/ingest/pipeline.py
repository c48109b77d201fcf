"""One folder scan: every supported file ends ingested, unchanged, duplicate or quarantined."""
from __future__ import annotations

import hashlib
import logging
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from bot.ingest.clean import clean_page
from bot.ingest.decode import Quarantined, decode_bytes, html_to_text
from bot.ingest.meta import extract_meta
from bot.korean import Korean
from bot.store import Store, utcnow
from bot.types import Chunk, Document, IngestResult, Sentence

log = logging.getLogger(__name__)

SUFFIXES = {".txt", ".md", ".html", ".htm"}
PARTIAL_SUFFIXES = {".part", ".partial", ".tmp", ".crdownload", ".download", ".swp"}
CHUNK_CHARS = 400
MIN_ARTICLE_CHARS = 80


@dataclass
class _Tally:
    ingested: int = 0
    unchanged: int = 0
    quarantined: int = 0
    duplicates: int = 0
    new_doc_ids: list[str] = field(default_factory=list)
    quarantined_files: list[tuple[str, str]] = field(default_factory=list)


def candidate_files(folder: Path) -> list[Path]:
    """Supported document files; hidden files and files still being downloaded are not."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith((".", "~"))
                  and p.suffix.lower() in SUFFIXES and p.suffix.lower() not in PARTIAL_SUFFIXES)


def chunk_text(korean: Korean, doc_id: str, text: str) -> list[Chunk]:
    """Whole sentences packed into chunks of about CHUNK_CHARS; offsets point into `text`.
    Each chunk keeps its sentences and their morphemes, so queries need no Kiwi for them."""
    lines = text.split("\n")
    sentences: list[Sentence] = []
    offset = 0
    for line, found in zip(lines, korean.analyse(lines)):
        sentences += [Sentence(offset + s.start, offset + s.end, s.morphemes) for s in found]
        offset += len(line) + 1
    groups: list[list[Sentence]] = []
    for sentence in sentences:
        if groups and sentence.end - groups[-1][0].start <= CHUNK_CHARS:
            groups[-1].append(sentence)
        else:
            groups.append([sentence])
    return [_chunk(doc_id, seq, text, group) for seq, group in enumerate(groups)]


def _chunk(doc_id: str, seq: int, text: str, group: list[Sentence]) -> Chunk:
    start, end = group[0].start, group[-1].end
    return Chunk(doc_id=doc_id, seq=seq, text=text[start:end], start=start,
                 morphs=" ".join(m for s in group for m in s.morphemes),
                 sentences=tuple(Sentence(s.start - start, s.end - start, s.morphemes)
                                 for s in group))


def prepare(raw: bytes, name: str, *, max_bytes: int) -> tuple[str, object]:
    """Decode and clean one file: (cleaned text, page meta). Raises Quarantined."""
    text, _encoding = decode_bytes(raw, max_bytes=max_bytes)
    if name.lower().endswith((".html", ".htm")):
        text = html_to_text(text)
    page = clean_page(text)
    if len(page.text) < MIN_ARTICLE_CHARS:
        raise Quarantined(f"no article text after cleaning ({len(page.text)} characters)")
    return page.text, extract_meta(text, page)


def ingest_file(store: Store, korean: Korean, path: Path, tally: _Tally, *, max_bytes: int) -> None:
    name = unicodedata.normalize("NFC", path.name)
    stat = path.stat()
    if stat.st_size > max_bytes:
        raw = b""
        raw_hash = f"size:{stat.st_size}:{stat.st_mtime}"
    else:
        raw = path.read_bytes()
        raw_hash = hashlib.sha256(raw).hexdigest()
    state = store.file_state(name)
    if state and state["raw_hash"] == raw_hash:
        tally.unchanged += 1
        return
    record = dict(raw_hash=raw_hash, size=stat.st_size, mtime=stat.st_mtime)
    try:
        if stat.st_size > max_bytes:
            raise Quarantined(f"oversized: {stat.st_size:,} bytes exceeds "
                              f"INGEST_MAX_BYTES={max_bytes:,}")
        text, meta = prepare(raw, name, max_bytes=max_bytes)
    except Quarantined as exc:
        store.record_file(name, status="quarantined", reason=str(exc), **record)
        tally.quarantined += 1
        tally.quarantined_files.append((name, str(exc)))
        log.warning("quarantined %s: %s", name, exc)
        return
    content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    owner = store.doc_id_for_hash(content_hash)
    if owner and owner != name:
        if state and state["doc_id"] == name:
            store.delete_document(name)  # this file now repeats another document
        store.record_file(name, status="duplicate", doc_id=owner, **record)
        tally.duplicates += 1
        log.info("%s has the same text as %s; not stored twice", name, owner)
        return
    if owner == name:
        store.record_file(name, status="ingested", doc_id=name, **record)
        tally.unchanged += 1
        return
    doc = Document(id=name, title=meta.title, text=text, content_hash=content_hash,
                   date=meta.date, outlet=meta.outlet, author=meta.author, url=meta.url,
                   ingested_at=utcnow())
    store.save_document(doc, chunk_text(korean, name, text))
    store.record_file(name, status="ingested", doc_id=name, **record)
    tally.ingested += 1
    tally.new_doc_ids.append(name)
    log.info("ingested %s (%s) %d characters", name, meta.title, len(text))


def add_sentences(store: Store, korean: Korean) -> int:
    """Chunk again the documents stored before chunks kept their sentences (migration m005),
    so their queries need no Kiwi either. Returns how many documents were chunked again."""
    done = 0
    for doc_id in store.docs_without_sentences():
        if doc := store.document(doc_id):
            store.replace_chunks(doc_id, chunk_text(korean, doc_id, doc.text))
            log.info("chunked %s again, with its sentences", doc_id)
            done += 1
    return done


def ingest_folder(store: Store, korean: Korean, folder: Path, *, max_bytes: int,
                  settle_seconds: float = 0.0) -> IngestResult:
    """Scan `folder` once. Files modified within `settle_seconds` are left for the next scan
    (they may still be being copied)."""
    tally = _Tally()
    now = time.time()
    add_sentences(store, korean)
    for path in candidate_files(folder):
        try:
            if settle_seconds and now - path.stat().st_mtime < settle_seconds:
                log.info("%s is still changing; it will be read on the next scan", path.name)
                continue
            ingest_file(store, korean, path, tally, max_bytes=max_bytes)
        except OSError as exc:
            log.warning("could not read %s: %s (will retry on the next scan)", path.name, exc)
    return IngestResult(ingested=tally.ingested, unchanged=tally.unchanged,
                        quarantined=tally.quarantined, duplicates=tally.duplicates,
                        new_doc_ids=tuple(tally.new_doc_ids),
                        quarantined_files=tuple(tally.quarantined_files))
