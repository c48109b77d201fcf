"""Evaluated prompt prefixes (llama.cpp context state) kept on disk, bounded, newest first.

A document's prefix — fixed instructions plus the whole document — costs seconds of prompt
processing on two cores. Its state is ~30 KB per token; loading it back takes a fraction of a
second, so a question about a known document only pays for its own few dozen tokens.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path

from bot.config import CACHE_FOLDER

log = logging.getLogger(__name__)


def cache_folder(db_path: Path | str) -> Path:
    """Where the prefix cache of a database lives: `kvcache/` next to it."""
    return Path(db_path).parent / CACHE_FOLDER


def disk_usage(folder: Path) -> tuple[int, int]:
    """(entries, bytes) of a prefix-cache folder; (0, 0) when it does not exist."""
    sizes = [p.stat().st_size for p in Path(folder).glob("*.kv")]
    return len(sizes), sum(sizes)


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
    def __init__(self, folder: Path, max_bytes: int):
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self.folder.mkdir(parents=True, exist_ok=True)

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
            except FileNotFoundError:
                return None
            os.utime(path)  # recently used: evicted last
            return data

    def contains(self, key: str) -> bool:
        return self._path(key).exists()

    def put(self, key: str, data: bytes, label: str | None = None) -> None:
        """Keep `data` under `key`; `label` (a document id) lets forget_label remove it."""
        if len(data) > self.max_bytes:
            return
        with self._lock:
            tmp = self._path(key).with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(self._path(key))
            if label:
                self._path(key).with_suffix(".label").write_text(label, encoding="utf-8")
            self._evict()

    def _evict(self) -> None:
        files = sorted(self.folder.glob("*.kv"), key=lambda p: p.stat().st_mtime, reverse=True)
        total = 0
        for path in files:
            total += path.stat().st_size
            if total > self.max_bytes:
                path.unlink(missing_ok=True)
                path.with_suffix(".label").unlink(missing_ok=True)
                log.info("prefix cache over %d MB: evicted %s", self.max_bytes >> 20, path.name)

    def size(self) -> tuple[int, int]:
        return disk_usage(self.folder)
