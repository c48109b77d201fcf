"""Progress of the background worker for the operator: periodic log lines while a backlog lasts."""
from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.worker.modelwork import ModelWorker

log = logging.getLogger("bot.worker")
LOG_EVERY = 60.0  # seconds between progress lines while a backlog lasts …
LOG_STEPS = 5  # … or every this many steps, whichever comes first


class ProgressLog:
    """A log line with done/left and an ETA every few steps while a backlog lasts."""

    def __init__(self, worker: ModelWorker):
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
