"""Background model work on documents (summaries, debate-map positions, prompt prefixes), one
step at a time, users' questions first."""
from bot.worker.lease import WorkerLease
from bot.worker.modelwork import (
    ASKED_KEY,
    COLLECTION,
    MAX_ATTEMPTS,
    POSITIONS,
    PREFIX,
    SUMMARY,
    ModelWorker,
    Step,
    remember_asked,
    warm_documents,
)
from bot.worker.progress import Backlog

__all__ = ["ASKED_KEY", "COLLECTION", "MAX_ATTEMPTS", "POSITIONS", "PREFIX", "SUMMARY", "Backlog",
           "ModelWorker", "Step", "WorkerLease", "remember_asked", "warm_documents"]
