"""The document folder, watched by polling.

Each scan stats the candidate files and runs the ingest pipeline only when one of them is new
or different since the last scan, so an idle folder costs a directory listing, not a re-read
of every file. Polling (rather than inotify events) sees files that arrived while the bot was
down, works on network and container mounts, and needs no extra dependency; the first scan
after start-up always runs the pipeline, which is the catch-up. A file that vanished also
runs it (its absence is noted), and so does a missing file whose grace period has run out.
Entries are stat'ed without following links; a file the pipeline quarantined is not read
again until its entry changes.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.ingest.pipeline import folder_entries, folder_key, ingest_folder, iso
from bot.korean import Korean
from bot.store import Store
from bot.types import IngestResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scan:
    result: IngestResult | None  # None: nothing had changed, the pipeline did not run
    settling: tuple[str, ...] = ()  # changed files not yet still for settle_seconds


class FolderWatch:
    """Decides when the folder needs ingesting. `scan` blocks (Kiwi, file reads): run it in a
    worker thread. Scans never overlap: a second concurrent call returns None at once."""

    def __init__(self, store: Store, korean: Korean, folder: Path, *, max_bytes: int,
                 settle_seconds: float, forget_after: float | None = None,
                 on_forgotten: Callable[[Iterable[str]], None] | None = None):
        self.store, self.korean, self.folder = store, korean, Path(folder)
        self.max_bytes, self.settle_seconds = max_bytes, settle_seconds
        self.forget_after = forget_after  # seconds a vanished file's document is kept
        # Told the ids of the documents a scan forgot, whichever caller ran that scan, so what
        # is kept for them elsewhere (evaluated prefixes) goes with them.
        self.on_forgotten = on_forgotten
        # name -> (mode, inode, size, mtime_ns, ctime_ns)
        self._seen: dict[str, tuple[int, ...]] = {}
        self._lock = threading.Lock()

    def scan(self) -> Scan | None:
        if not self._lock.acquire(blocking=False):
            return None
        try:
            return self._scan()
        finally:
            self._lock.release()

    def _scan(self) -> Scan:
        now = time.time()
        stats: dict[str, tuple[tuple[int, ...], float]] = {}
        for entry in folder_entries(self.folder) or []:
            try:
                st = os.lstat(self.folder / entry.os_name)
            except OSError:
                continue  # vanished between listing and stat
            # ctime too: fixing a file's permissions changes no mtime but should retry it
            stats[entry.name] = ((st.st_mode, st.st_ino, st.st_size, st.st_mtime_ns,
                                  st.st_ctime_ns), st.st_mtime)
        gone = set(self._seen) - set(stats)
        for name in gone:
            del self._seen[name]
        changed = [name for name, (fingerprint, _) in stats.items()
                   if self._seen.get(name) != fingerprint]
        if not changed and not gone and not self._forget_due(now):
            return Scan(None)
        # The pipeline's own test: a file modified within settle_seconds may still be being
        # copied. It stays "changed" here until it has been read once it was still.
        settle = self.settle_seconds
        settling = tuple(sorted(name for name in changed
                                if settle and now - stats[name][1] < settle))
        result = ingest_folder(self.store, self.korean, self.folder, max_bytes=self.max_bytes,
                               settle_seconds=self.settle_seconds,
                               forget_after=self.forget_after, now=now)
        for name in changed:
            if name not in settling:
                self._seen[name] = stats[name][0]
        if result.ingested or result.quarantined or result.duplicates or result.forgotten:
            log.info("folder scan: %s", result.line())
        if result.forgotten_docs and self.on_forgotten is not None:
            self.on_forgotten(result.forgotten_docs)
        return Scan(result, settling)

    def _forget_due(self, now: float) -> bool:
        if self.forget_after is None:
            return False
        return bool(self.store.missing_files(folder_key(self.folder),
                                             iso(now - self.forget_after)))
