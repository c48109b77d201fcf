"""Progress of the background worker for the operator: periodic log lines while a backlog lasts."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger("bot.worker")
LOG_EVERY = 60.0  # seconds between progress lines while a backlog lasts …
LOG_STEPS = 5  # … or every this many steps, whichever comes first


@dataclass(frozen=True)
class Backlog:
    summaries: int  # documents still without a current summary
    prefixes: int  # of the newest documents, prompt prefixes not yet evaluated
    failed: int  # documents whose step failed and is waiting to be retried or was given up
    positions: int = 0  # documents whose debate-map positions are not current

    @property
    def total(self) -> int:
        return self.summaries + self.prefixes + self.positions

    def line(self) -> str:
        return (f"{self.summaries} summaries, {self.positions} documents' positions and "
                f"{self.prefixes} document prefixes to do, {self.failed} failed")


class Worker(Protocol):
    """What the progress lines read of the worker (bot/worker/modelwork.py)."""
    steps_failed: int

    def backlog(self) -> Backlog: ...


class ProgressLog:
    """A log line with done/left and an ETA every few steps while a backlog lasts."""

    def __init__(self, worker: Worker):
        self.worker = worker
        self.started: float | None = None
        self.done = 0
        self.last = 0.0

    def step(self) -> None:
        now = time.monotonic()
        if self.started is None:
            self.started, self.last = now, now
        self.done += 1
        if now - self.last >= LOG_EVERY or self.done % LOG_STEPS == 0:
            self.last = now
            backlog = self.worker.backlog()
            rate = (now - self.started) / self.done
            eta = rate * backlog.total
            log.info("background work: %d step(s) done, %s; about %d min left", self.done,
                     backlog.line(), round(eta / 60))

    def finished(self) -> None:
        if self.started is not None:
            minutes = (time.monotonic() - self.started) / 60
            log.info("background work: backlog done, %d step(s) in %.1f min (%d failed)",
                     self.done, minutes, self.worker.steps_failed)
            self.started, self.done = None, 0
