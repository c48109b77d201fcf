"""Background model work on documents (summaries, prompt prefixes), one step at a time, users'
questions first. Further kinds of per-document work (positions for the debate map) land here."""
from bot.worker.modelwork import (COLLECTION, MAX_ATTEMPTS, PREFIX, SUMMARY, Backlog,
                                  ModelWorker, Step)

__all__ = ["COLLECTION", "MAX_ATTEMPTS", "PREFIX", "SUMMARY", "Backlog", "ModelWorker", "Step"]
