"""Answering questions: six stages a question passes in order — `understand`, `retrieve`,
`evidence`, `generate`, the check (`rules`), `fallback` — built in `pipeline` and run by the
service every face calls (`service`)."""
from bot.answer.service import AnswerService

__all__ = ["AnswerService"]
