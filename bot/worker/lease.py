"""Which process does the model work on a database: the running bot's background worker.

While its worker runs, `briefbot run` holds an exclusive OS lock on `<database>.worker.lock`
and writes its pid there. `briefbot ingest` beside it asks `holder()` and, when a bot holds the
lease, leaves the model work to it instead of loading a second copy of the model on the same
cores. The kernel releases the lock however the holder ends (`kill -9` too), so a lock file
left behind never blocks anything: only a live holder counts.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

try:
    import fcntl
    _FLOCK = True
except ImportError:  # pragma: no cover - not POSIX: no lease, every process works alone
    _FLOCK = False

log = logging.getLogger("bot.worker")


class WorkerLease:
    """The lease on one database's model work; `path` None (an in-memory database): no lease."""

    def __init__(self, path: Path | None):
        self.path = path
        self._fd: int | None = None

    @classmethod
    def beside(cls, db_path: Path | str) -> WorkerLease:
        return cls(None if str(db_path) == ":memory:" else Path(f"{db_path}.worker.lock"))

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Take the lease without waiting; False when another live process holds it."""
        if self.path is None or not _FLOCK or self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def holder(self) -> int | None:
        """The pid of the live process holding the lease (0 if it wrote none yet), or None."""
        if self.path is None or not _FLOCK:
            return None
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        try:
            # A shared lock is refused only while someone holds the exclusive one; when it is
            # granted, nobody holds the lease (whatever pid a dead holder left in the file).
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            return int(text) if text.isdigit() else 0
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        return None
