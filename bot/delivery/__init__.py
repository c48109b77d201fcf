"""What is owed to whom, and getting it there exactly once: `notify` works out pushes,
quarantine notes and briefings and writes them to the outbox; `schedule` says which briefings
are due; `outbox` sends what is queued and records each outcome. The send outcomes
(`Unreachable`, `TryLater`) are the faces' contract with the sender."""
from bot.delivery.outbox import FlushReport, Outbox, TryLater, Unreachable, lock_path_for

__all__ = ["FlushReport", "Outbox", "TryLater", "Unreachable", "lock_path_for"]
