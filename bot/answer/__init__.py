"""Answering questions: retrieval (`retrieval`), planning with no model call (`plan`), the
prompts (`prompting`), checks on what the model wrote (`checks`), and the service every face
calls (`service`)."""
from bot.answer.service import AnswerService

__all__ = ["AnswerService"]
