"""Background model work on documents (summaries, debate-map positions, prompt prefixes), one
step at a time, users' questions first."""
from bot.worker.lease import WorkerLease
from bot.worker.modelwork import (
    COLLECTION,
    MAX_ATTEMPTS,
    POSITIONS,
    PREFIX,
    SUMMARY,
    ModelWorker,
    Step,
    warm_documents,
)
from bot.worker.progress import Backlog

__all__ = ["COLLECTION", "MAX_ATTEMPTS", "POSITIONS", "PREFIX", "SUMMARY", "Backlog",
           "ModelWorker", "Step", "WorkerLease", "warm_documents"]
