"""The soak test's rig (bench/soak.py): the real `briefbot run` as a supervised process, its
memory sampled, a small disk for its database, the documents it is fed, read-only looks at its
database, and the table of what was injected and what held."""
from __future__ import annotations

import errno
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.delivery_support import article

TITLE_WORDS = ("반도체", "데이터센터", "인공지능 기본법", "GPU 확보", "인재 양성", "공공 데이터",
               "생성형 AI", "규제 샌드박스", "클라우드", "연구개발 예산")


class Bot:
    """`briefbot run` (python -m bot run) that the soak kills and restarts. A process that ends
    without being told to is recorded (`deaths`) and started again, as a service manager would."""

    def __init__(self, cwd: Path, env: dict[str, str], logs: Path):
        self.cwd, self.env, self.logs = cwd, env, logs
        self.process: subprocess.Popen | None = None
        self.runs: list[Path] = []
        self.kills = 0
        self.deaths: list[str] = []  # ended by itself: "run N: exit status"
        self.rss: list[tuple[int, float, float]] = []  # (run, seconds since start, MB)
        self._started_at = 0.0
        self._lock = threading.Lock()
        self._sampling = threading.Event()
        self._sampler: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            log = self.logs / f"run-{len(self.runs) + 1}.log"
            self.runs.append(log)
            self.process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=self.cwd,
                                            env=self.env, stdout=log.open("wb"),
                                            stderr=subprocess.STDOUT)
            self._started_at = time.monotonic()
        if self._sampler is None:
            self._sampling.set()
            self._sampler = threading.Thread(target=self._sample, daemon=True, name="rss")
            self._sampler.start()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process and self.process.poll() is None else None

    def log_text(self, run: int | None = None) -> str:
        logs = self.runs if run is None else [self.runs[run]]
        return "\n".join(p.read_text(errors="replace") for p in logs if p.exists())

    def ready(self) -> bool:
        return self.pid is not None and " is ready" in self.log_text(len(self.runs) - 1)

    def kill9(self) -> None:
        with self._lock:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
            self.kills += 1

    def watch(self) -> None:
        """Restart a bot that ended by itself (and remember that it did)."""
        if self.process is not None and self.process.poll() is not None:
            self.deaths.append(f"run {len(self.runs)}: exit status {self.process.returncode}")
            self.start()

    def stop(self, timeout: float = 60) -> int | None:
        """SIGTERM; the exit status, or None when it had to be killed."""
        self._sampling.clear()
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
            return None

    def _sample(self) -> None:
        while self._sampling.is_set():
            pid = self.pid
            if pid is not None:
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    status = ""
                if match := re.search(r"^VmRSS:\s+(\d+) kB", status, re.M):
                    self.rss.append((len(self.runs), time.monotonic() - self._started_at,
                                     int(match[1]) / 1024))
            time.sleep(0.5)


class SmallDisk:
    """A tmpfs for the database's folder, so the soak can fill it and free it without touching
    the machine's own disk. `mounted` is False where mounting is not allowed (not root)."""

    def __init__(self, folder: Path, size_mb: int):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs",
                                 str(folder)], capture_output=True, text=True)
        self.mounted = result.returncode == 0
        self.why_not = result.stderr.strip()
        self.ballast = folder / "ballast.bin"

    def fill(self) -> int:
        """Write until the disk says it is full; the bytes written."""
        written, chunk = 0, b"\0" * (1 << 20)
        with self.ballast.open("wb") as out:
            while True:
                try:
                    out.write(chunk)
                    out.flush()
                    written += len(chunk)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
        return written

    def free(self) -> None:
        self.ballast.unlink(missing_ok=True)

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.folder)], check=False)
            self.mounted = False


class Documents:
    """Distinct articles for the watched folder, and the hostile files of issue 28."""

    def __init__(self, folder: Path, rng: random.Random):
        self.folder, self.rng = folder, rng
        self.good: list[str] = []  # file names written as good articles
        self.hostile: list[str] = []

    def add_good(self, prefix: str = "doc") -> str:
        n = len(self.good) + 1
        name = f"{prefix}-{n:03d}.txt"
        title = f"{self.rng.choice(TITLE_WORDS)} 정책 소식 제{n}호"
        (self.folder / name).write_text(article(title, date=f"2025-06-{1 + n % 28:02d}"),
                                        "utf-8")
        self.good.append(name)
        return name

    def hostile_kinds(self, outside: Path, secret: str) -> list:
        """Callables, each leaving one hostile thing in the folder (and naming it)."""
        folder = self.folder

        def leak():  # a link to a copy of .env
            target = outside / "env-copy.txt"
            target.write_text(f"TELEGRAM_BOT_TOKEN={secret}\n" + article("유출 시도"), "utf-8")
            (folder / "leak.txt").symlink_to(target)
            return "leak.txt (link to a copy of .env)"

        def fifo():
            os.mkfifo(folder / "pipe.txt")
            return "pipe.txt (FIFO)"

        def directory():
            (folder / "dir.txt").mkdir()
            (folder / "dir.txt" / "inside.txt").write_text(article("폴더 안"), "utf-8")
            return "dir.txt/ (a folder)"

        def cut_utf16():
            body = article("잘린 UTF-16").encode("utf-16-le")
            (folder / "cut-utf16.txt").write_bytes(b"\xff\xfe" + body + b"\x00")
            return "cut-utf16.txt (odd byte count)"

        def surrogate():
            (folder / "surrogate.txt").write_bytes(b"\xff\xfe" + b"\x00\xd8A\x00" * 60)
            return "surrogate.txt (lone surrogate)"

        def bad_name():
            (folder / os.fsdecode(b"bad-\xff-name.txt")).write_text(article("이름이 깨진"),
                                                                    "utf-8")
            return "bad-\\xff-name.txt (name not UTF-8)"

        def evil_html():
            (folder / "evil.html").write_text("<html><body><p>짧다</p>" + "<a " * 1_600_000,
                                              "utf-8")
            return "evil.html (4.8 MB of unclosed tags)"

        def too_big():
            text = article("거대한")
            (folder / "huge.txt").write_text(text * (5_100_000 // len(text.encode()) + 1),
                                             "utf-8")
            return "huge.txt (over INGEST_MAX_BYTES)"

        def garbage():
            (folder / "noise.txt").write_bytes(bytes(self.rng.randrange(256)
                                                     for _ in range(20_000)))
            return "noise.txt (random bytes)"

        def empty():
            (folder / "empty.md").write_bytes(b"")
            return "empty.md (empty)"

        kinds = [leak, fifo, directory, cut_utf16, surrogate, bad_name, evil_html, too_big,
                 garbage, empty]
        self.rng.shuffle(kinds)
        return kinds


class Database:
    """Read-only looks at the bot's SQLite file (the bot writes it)."""

    def __init__(self, path: Path):
        self.path = path

    def rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.Error:
            return []
        finally:
            conn.close()

    def dump(self) -> str:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        try:
            return "\n".join(conn.iterdump())
        finally:
            conn.close()

    def documents(self) -> dict[str, sqlite3.Row]:
        return {r["id"]: r for r in self.rows("select id, title, summary from documents")}

    def outbox(self) -> list[sqlite3.Row]:
        return self.rows("select * from outbox order by id")

    def unannounced(self) -> int:
        rows = self.rows("select count(*) as n from documents where 'doc:' || id || ':' || "
                         "content_hash not in (select subject from announced)")
        return rows[0]["n"] if rows else -1


@dataclass
class Table:
    rows: list[tuple[str, str, bool, str]] = field(default_factory=list)

    def add(self, injected: str, count: object, held: bool, details: str) -> bool:
        self.rows.append((injected, str(count), bool(held), details))
        return held

    @property
    def failed(self) -> list[str]:
        return [r[0] for r in self.rows if not r[2]]

    def print(self) -> None:
        width = max(len(r[0]) for r in self.rows)
        count = max(5, *(len(r[1]) for r in self.rows))
        print(f"\n{'injected':<{width}} | {'count':>{count}} | held | details")
        print(f"{'-' * width}-+-{'-' * count}-+------+--------")
        for injected, n, held, details in self.rows:
            print(f"{injected:<{width}} | {n:>{count}} | {'yes' if held else 'NO ':<4} | "
                  f"{details}")
