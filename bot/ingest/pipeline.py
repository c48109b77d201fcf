"""One folder scan: every supported file ends ingested, unchanged, duplicate or quarantined."""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import stat
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

from bot.ingest.chunks import add_sentences, chunk_text
from bot.ingest.clean import clean_page
from bot.ingest.decode import Quarantined, decode_bytes
from bot.ingest.formats import FORMATS, plain_text
from bot.ingest.meta import PageMeta, extract_meta
from bot.korean import Korean
from bot.store import FileState, Store, utcnow
from bot.types import Document, IngestResult

log = logging.getLogger(__name__)

PARTIAL_SUFFIXES = {".part", ".partial", ".tmp", ".crdownload", ".download", ".swp"}
MIN_ARTICLE_CHARS = 80


@dataclass
class _Tally:
    ingested: int = 0
    unchanged: int = 0
    quarantined: int = 0
    duplicates: int = 0
    new_doc_ids: list[str] = field(default_factory=list)
    quarantined_files: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class FolderEntry:
    os_name: str  # as the OS lists it: undecodable bytes surrogate-escaped
    name: str  # NFC text SQLite accepts: the file's row and its document's id
    # Another file already has this name in another Unicode normalisation (NFC and NFD of one
    # Korean name): this one is not read, and its row is keyed by its own spelling.
    same_name_as: str | None = None


class Unreadable(Quarantined):
    """The file was not read (a link, not a regular file, too big, no permission). It is
    tried again only when its directory entry changes."""

    def __init__(self, reason: str, st: os.stat_result):
        super().__init__(reason)
        self.stat = st
        self.fingerprint = (f"unread:{st.st_mode:o}:{st.st_size}:{st.st_mtime_ns}:"
                            f"{st.st_ctime_ns}:{st.st_ino}")


def _readable_name(os_name: str, taken: set[str]) -> str:
    """A name that is not UTF-8 is most likely CP949 (a zip made on Korean Windows); if it is
    not CP949 either, or that spelling is another file's, the bad bytes are spelled \\xNN,
    which keeps names of different files different."""
    raw = os.fsencode(os_name)
    try:
        return unicodedata.normalize("NFC", raw.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    try:
        name = unicodedata.normalize("NFC", raw.decode("cp949"))
        if name not in taken:
            return name
    except UnicodeDecodeError:
        pass
    return unicodedata.normalize("NFC", raw.decode("utf-8", errors="backslashreplace"))


def folder_entries(folder: Path) -> list[FolderEntry] | None:
    """Entries directly in `folder` with a supported suffix, except hidden files and files
    still being downloaded. Links and other non-regular files are listed too, so they end
    quarantined with a reason rather than silently ignored. None when the folder cannot be
    listed (a missing folder is not an empty one)."""
    try:
        with os.scandir(folder) as found:
            listed = [(e.name, e.is_dir(follow_symlinks=False)) for e in found]
    except OSError:
        return None
    utf8 = set()
    for os_name, _ in listed:
        with contextlib.suppress(UnicodeDecodeError):
            utf8.add(unicodedata.normalize("NFC", os.fsencode(os_name).decode("utf-8")))
    entries: dict[str, FolderEntry] = {}
    shadowed = []
    # The NFC spelling first, so it keeps the name whichever order the OS lists them in.
    for os_name, is_dir in sorted(listed, key=lambda e: (not _is_nfc(e[0]), os.fsencode(e[0]))):
        name = _readable_name(os_name, utf8)
        suffix = Path(name).suffix.lower()
        if (is_dir or name.startswith((".", "~")) or suffix not in FORMATS
                or suffix in PARTIAL_SUFFIXES):
            continue
        if name in entries:
            spelled = os.fsencode(os_name).decode("utf-8", errors="backslashreplace")
            shadowed.append(FolderEntry(os_name, spelled, same_name_as=name))
        else:
            entries[name] = FolderEntry(os_name, name)
    return sorted([*entries.values(), *shadowed], key=lambda e: e.name)


def _is_nfc(os_name: str) -> bool:
    return unicodedata.is_normalized("NFC", os_name)


def read_regular(folder_fd: int, os_name: str, *, max_bytes: int) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file directly in the folder, opened without following a link
    and without blocking (a FIFO), at most max_bytes of them. Raises Unreadable, or
    FileNotFoundError when the file vanished."""
    st = os.stat(os_name, dir_fd=folder_fd, follow_symlinks=False)
    if stat.S_ISLNK(st.st_mode):
        raise Unreadable("a symbolic link: only regular files in SEEDS_DIR are read", st)
    try:
        fd = os.open(os_name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                     dir_fd=folder_fd)
    except FileNotFoundError:
        raise  # vanished: nothing to quarantine
    except OSError as exc:  # ELOOP: replaced by a link since the stat; EACCES; ...
        raise Unreadable(f"could not be opened: {exc.strerror or exc}", st) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Unreadable("not a regular file (a FIFO, device or socket)", st)
        if st.st_size > max_bytes:
            raise Unreadable(f"oversized: {st.st_size:,} bytes exceeds "
                             f"INGEST_MAX_BYTES={max_bytes:,}", st)
        chunks, size = [], 0
        while size <= max_bytes and (chunk := os.read(fd, max_bytes + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:  # it grew since the fstat
            raise Unreadable(f"oversized: more than INGEST_MAX_BYTES={max_bytes:,} bytes", st)
        return b"".join(chunks), st
    except OSError as exc:
        raise Unreadable(f"could not be read: {exc.strerror or exc}", st) from None
    finally:
        os.close(fd)


def prepare(raw: bytes, name: str, *, max_bytes: int) -> tuple[str, PageMeta]:
    """Decode and clean one file: (cleaned text, page meta). Raises Quarantined."""
    text, _encoding = decode_bytes(raw, max_bytes=max_bytes)
    text = plain_text(name, text)
    page = clean_page(text)
    if len(page.text) < MIN_ARTICLE_CHARS:
        raise Quarantined(f"no article text after cleaning ({len(page.text)} characters)")
    return page.text, extract_meta(text, page)


class _FileRecord(TypedDict):
    """What the files table keeps of a file whatever became of it (Store.record_file)."""

    raw_hash: str
    size: int
    mtime: float
    folder: str | None


def _quarantine(store: Store, name: str, tally: _Tally, reason: str,
                record: _FileRecord) -> None:
    store.record_file(name, status="quarantined", reason=reason, **record)
    tally.quarantined += 1
    tally.quarantined_files.append((name, reason))
    log.warning("quarantined %s: %s", name, reason)


def ingest_file(store: Store, korean: Korean, folder_fd: int, entry: FolderEntry, tally: _Tally,
                *, max_bytes: int, folder: str | None = None) -> None:
    name = entry.name
    state = store.file_state(name)
    try:
        if entry.same_name_as:
            raise Unreadable(f"the same name as {entry.same_name_as} in another Unicode "
                             "normalisation (such as the NFD macOS writes): only that file "
                             "is read; rename or remove one of them",
                             os.stat(entry.os_name, dir_fd=folder_fd, follow_symlinks=False))
        raw, st = read_regular(folder_fd, entry.os_name, max_bytes=max_bytes)
    except Unreadable as exc:
        if state and state.raw_hash == exc.fingerprint:
            tally.unchanged += 1
        else:
            _quarantine(store, name, tally, str(exc), _FileRecord(
                raw_hash=exc.fingerprint, size=exc.stat.st_size, mtime=exc.stat.st_mtime,
                folder=folder))
        return
    raw_hash = hashlib.sha256(raw).hexdigest()
    if state and state.raw_hash == raw_hash:
        tally.unchanged += 1
        return
    record = _FileRecord(raw_hash=raw_hash, size=st.st_size, mtime=st.st_mtime, folder=folder)
    try:
        _store_file(store, korean, name, raw, state, tally, record, max_bytes=max_bytes)
    except Quarantined as exc:
        _quarantine(store, name, tally, str(exc), record)
    except sqlite3.OperationalError:
        raise  # the database, not this file (locked, full): the next scan tries again
    except Exception as exc:  # noqa: BLE001 - one odd file must not stop the scan
        log.warning("%s could not be ingested", name, exc_info=True)
        _quarantine(store, name, tally, f"could not be ingested: {exc.__class__.__name__}: "
                                        f"{str(exc)[:200]}", record)


def _store_file(store: Store, korean: Korean, name: str, raw: bytes, state: FileState | None,
                tally: _Tally, record: _FileRecord, *, max_bytes: int) -> None:
    text, meta = prepare(raw, name, max_bytes=max_bytes)
    content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    owner = store.doc_id_for_hash(content_hash)
    if owner and owner != name:
        if state and state.doc_id == name:
            store.delete_document(name)  # this file now repeats another document
        store.record_file(name, status="duplicate", doc_id=owner, **record)
        tally.duplicates += 1
        log.info("%s has the same text as %s; not stored twice", name, owner)
        return
    doc = Document(id=name, title=meta.title, text=text, content_hash=content_hash,
                   date=meta.date, outlet=meta.outlet, author=meta.author, url=meta.url,
                   ingested_at=utcnow(), credits=meta.credits)
    if owner == name:  # the same text; what the page says about itself may be read better now
        stored = store.document(name)
        if stored and _meta(stored) != _meta(doc):
            store.update_meta(doc)
        store.record_file(name, status="ingested", doc_id=name, **record)
        tally.unchanged += 1
        return
    previous = store.document(name) if state and state.doc_id == name \
        and state.read_again_holding(record["raw_hash"]) else None
    if previous:  # the same bytes read by better page rules: a better text, not news
        store.save_reading(doc, chunk_text(korean, name, text), previous)
        store.record_file(name, status="ingested", doc_id=name, **record)
        tally.ingested += 1
        log.info("read %s again by page rules %d: its text is cleaned differently", name,
                 PAGE_RULES)
        return
    store.save_document(doc, chunk_text(korean, name, text))
    store.record_file(name, status="ingested", doc_id=name, **record)
    tally.ingested += 1
    tally.new_doc_ids.append(name)
    log.info("ingested %s (%s) %d characters", name, meta.title, len(text))


# The rules that read what a page says about itself (title, date, outlet, author, credits): a
# new number when they change, so documents stored before are read by the new ones.
PAGE_RULES = 9  # 3: masthead dates; 4: menu bars are no headline, bylines; 5: publication
# lines; 6: the headline from the head's shape, the outlet from byline/masthead/copyright/dateline;
# 7: the outlet's name in Hangul when the page prints it in Hanja or Latin letters too;
# 8: a date field's label ("발표일", "일시") and a time of day are no outlet; 9: a Latin
# outlet name read as the Hangul form the head prints beside it


def _meta(doc: Document) -> tuple[str | None, ...]:
    return doc.title, doc.date, doc.outlet, doc.author, doc.url, doc.credits


def folder_key(folder: Path) -> str:
    """How file rows name their folder: its resolved path."""
    return str(Path(folder).resolve())


def iso(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).isoformat(timespec="seconds")


def forget_missing(store: Store, folder: Path, present: set[str], *, forget_after: float,
                   now: float) -> list[tuple[str, str | None]]:
    """Notice files gone from `folder`; forget the documents of those gone longer than
    `forget_after` seconds. Returns (file name, id of the document removed or None)."""
    key = folder_key(folder)
    for name in store.note_absent(key, present, iso(now)):
        log.info("%s is no longer in %s; its document is forgotten after %.4g hours unless it "
                 "comes back", name, folder, forget_after / 3600)
    forgotten = []
    for name in store.missing_files(key, iso(now - forget_after)):
        doc_id = store.forget_file(name)
        forgotten.append((name, doc_id))
        log.info("forgot %s: gone from %s for %.4g hours%s", name, folder, forget_after / 3600,
                 f" (document {doc_id} removed)" if doc_id else "")
    return forgotten


# meta key: "<since> <folder>" while the watched folder is empty but its documents are stored
EMPTY_FOLDER_META = "seeds_empty_since"


def may_forget(store: Store, folder: Path, entries: list[FolderEntry], now: float) -> bool:
    """False while `folder` holds no supported file but documents came from it: an empty
    mount point (a share not mounted, a sync that failed) looks exactly like a folder whose
    files were all deleted, and forgetting would throw away every summary and position and
    make every document news again on remount. Forgetting resumes once a file is back."""
    key = folder_key(folder)
    marked = (store.get_meta(EMPTY_FOLDER_META) or "").partition(" ")[2] == key
    if entries or not store.documents_from(key):
        if marked:
            store.set_meta(EMPTY_FOLDER_META, "")
            log.info("SEEDS_DIR=%s holds files again; files gone from it are forgotten after "
                     "FORGET_AFTER_HOURS again", folder)
        return True
    if not marked:
        store.set_meta(EMPTY_FOLDER_META, f"{iso(now)} {key}")
        log.warning("SEEDS_DIR=%s is empty but %d stored documents came from it: is it "
                    "unmounted? Nothing is forgotten until it holds a supported file again "
                    "(`briefbot forget DOC` forgets one by hand)", folder,
                    store.documents_from(key))
    return False


def ingest_folder(store: Store, korean: Korean, folder: Path, *, max_bytes: int,
                  settle_seconds: float = 0.0, forget_after: float | None = None,
                  now: float | None = None) -> IngestResult:
    """Scan `folder` once. Files modified within `settle_seconds` are left for the next scan
    (they may still be being copied). With `forget_after` (seconds), the documents of files
    gone from the folder that long are removed, unless the folder looks unmounted (`may_forget`).
    `now` (epoch seconds) is the scan's time."""
    tally = _Tally()
    now = time.time() if now is None else now
    add_sentences(store, korean)
    if store.get_meta("page_rules") != str(PAGE_RULES):
        # What pages say about themselves is read by better rules now: every file once more
        # (an unchanged text only has these fields updated, nothing re-chunked or announced).
        store.read_again()
        store.set_meta("page_rules", str(PAGE_RULES))
    entries = folder_entries(folder)
    if entries is None:
        log.warning("SEEDS_DIR=%s cannot be listed; nothing read, nothing forgotten", folder)
        return IngestResult()
    forgotten: list[tuple[str, str | None]] = []
    if forget_after is not None and may_forget(store, folder, entries, now):
        forgotten = forget_missing(store, folder, {e.name for e in entries},
                                   forget_after=forget_after, now=now)
    key = folder_key(folder)
    folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for entry in entries:
            try:
                mtime = os.stat(entry.os_name, dir_fd=folder_fd, follow_symlinks=False).st_mtime
                if settle_seconds and now - mtime < settle_seconds:
                    log.info("%s is still changing; it will be read on the next scan", entry.name)
                    continue
                ingest_file(store, korean, folder_fd, entry, tally, max_bytes=max_bytes,
                            folder=key)
            except FileNotFoundError:
                log.info("%s vanished while the folder was read", entry.name)
    finally:
        os.close(folder_fd)
    return IngestResult(ingested=tally.ingested, unchanged=tally.unchanged,
                        quarantined=tally.quarantined, duplicates=tally.duplicates,
                        new_doc_ids=tuple(tally.new_doc_ids),
                        quarantined_files=tuple(tally.quarantined_files),
                        forgotten=tuple(name for name, _ in forgotten),
                        forgotten_docs=tuple(doc for _, doc in forgotten if doc))
