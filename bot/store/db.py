"""The connection every part of the store shares: opening the file, one lock, transactions."""
from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.store.migrations import migrations

Row = dict[str, Any]  # a result row, by column name

BUSY_TIMEOUT = 30.0  # seconds a write waits for another connection's write to finish
WAL_RETRY = 0.02  # seconds between tries to switch a fresh file to WAL while another holds it


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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


class StoreBase:
    """One SQLite connection and the lock around it; the parts of the store build on this."""

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
                self._use_wal()
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

    def _use_wal(self) -> None:
        """Switching a fresh file to WAL needs it to itself for a moment, and SQLite answers
        "database is locked" at once, without waiting, when another process has it open
        (two `briefbot ingest` started together): try again until the busy timeout."""
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(WAL_RETRY)

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

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Row]:
        with self._lock:
            cursor = self.db.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]
