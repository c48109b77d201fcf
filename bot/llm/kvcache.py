"""Evaluated prompt prefixes (llama.cpp context state) kept on disk, bounded, newest first.

A document's prefix — fixed instructions plus the whole document — costs seconds of prompt
processing on two cores. Its state is ~30 KB per token; loading it back takes a fraction of a
second, so a question about a known document only pays for its own few dozen tokens.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
import time
import uuid
from pathlib import Path

from bot.config import CACHE_FOLDER, disk_margin

log = logging.getLogger(__name__)


def cache_folder(db_path: Path | str) -> Path:
    """Where the prefix cache of a database lives: `kvcache/` next to it."""
    return Path(db_path).parent / CACHE_FOLDER


def disk_usage(folder: Path) -> tuple[int, int]:
    """(entries, bytes) of a prefix-cache folder; (0, 0) when it does not exist. Bytes count
    half-written entries (`.tmp`) too: they take the disk all the same."""
    folder = Path(folder)
    entries = [_size(p) for p in folder.glob("*.kv")]
    return len(entries), sum(entries) + sum(_size(p) for p in folder.glob("*.tmp"))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # removed meanwhile (another process evicted it)
        return 0


def prefix_key(model_id: str, prefix: str) -> str:
    """Any change to the model, the prompt files or the document gives a new key."""
    return hashlib.sha256(f"{model_id}\0{prefix}".encode()).hexdigest()[:32]


def forget_label(folder: Path, label: str) -> int:
    """Remove every entry kept for `label` (a forgotten document); returns how many. Needs no
    model: entries are found by their label file, not by their tokens."""
    removed = 0
    for side in Path(folder).glob("*.label"):
        try:
            if side.read_text(encoding="utf-8") != label:
                continue
            side.with_suffix(".kv").unlink(missing_ok=True)
            side.unlink(missing_ok=True)
        except OSError:
            continue
        removed += 1
    if removed:
        log.info("prefix cache: removed %d entr%s of %s", removed, "y" if removed == 1 else "ies",
                 label)
    return removed


class PrefixCache:
    """Entries are written whole or not at all (a uniquely named `.tmp`, then a rename), so
    the bot and `briefbot ingest` can share the folder. The cache never leaves the disk with
    less than `disk_margin` free: `max_bytes` is a ceiling, the free disk the real bound."""

    STALE_TMP_SECONDS = 600  # a `.tmp` this old belongs to a writer that died

    def __init__(self, folder: Path, max_bytes: int):
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self.folder.mkdir(parents=True, exist_ok=True)
        self._remove_stale_tmp()

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.kv"

    def get(self, key: str) -> bytearray | None:
        """The entry's bytes in a writable buffer (ctypes can use it without another copy)."""
        path = self._path(key)
        with self._lock:
            try:
                with path.open("rb") as file:
                    data = bytearray(os.fstat(file.fileno()).st_size)
                    file.readinto(data)
                os.utime(path)  # recently used: evicted last
            except FileNotFoundError:
                return None
            return data

    def contains(self, key: str) -> bool:
        return self._path(key).exists()

    def put(self, key: str, data: bytes, label: str | None = None) -> None:
        """Keep `data` under `key`; `label` (a document id) lets forget_label remove it. Older
        entries make room first; an entry the disk has no room for is not kept."""
        with self._lock:
            self._remove_stale_tmp()
            budget = self.budget()
            if len(data) > budget:
                log.info("prefix cache: no room for %s (%d MB; %d MB may be used)", key,
                         len(data) >> 20, max(budget, 0) >> 20)
                return
            self._evict(budget - len(data))
            try:
                self._write(self._path(key), data)
                if label:
                    self._write(self._path(key).with_suffix(".label"), label.encode("utf-8"))
            except OSError as exc:
                log.warning("prefix cache: could not keep %s in %s: %s", key, self.folder, exc)

    def budget(self) -> int:
        """Bytes the cache may hold now: `max_bytes`, or what it holds plus the free disk
        above the margin, whichever is smaller."""
        try:
            total, _used, free = shutil.disk_usage(self.folder)
        except OSError:
            return 0
        return min(self.max_bytes, self.size()[1] + free - disk_margin(total))

    def _write(self, path: Path, data: bytes) -> None:
        tmp = self.folder / f"{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp"
        try:
            tmp.write_bytes(data)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def _remove_stale_tmp(self) -> None:
        cutoff = time.time() - self.STALE_TMP_SECONDS
        for tmp in self.folder.glob("*.tmp"):
            try:
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
                    log.info("prefix cache: removed %s, left half-written", tmp.name)
            except OSError:
                continue

    def _evict(self, limit: int) -> None:
        """Least recently used entries go until the folder holds at most `limit` bytes; files
        being written count but stay."""
        total = sum(_size(p) for p in self.folder.glob("*.tmp"))
        entries = []
        for path in self.folder.glob("*.kv"):
            try:
                entries.append((path.stat().st_mtime, path))
            except OSError:
                continue
        for _, path in sorted(entries, reverse=True):
            total += _size(path)
            if total > limit:
                path.unlink(missing_ok=True)
                path.with_suffix(".label").unlink(missing_ok=True)
                log.info("prefix cache over %d MB: evicted %s", max(limit, 0) >> 20, path.name)

    def size(self) -> tuple[int, int]:
        return disk_usage(self.folder)
