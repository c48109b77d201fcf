"""The one place a model is chosen and constructed, and the name it is known by."""
from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.llm.base import LLM
from bot.redact import public_url


def model_name(settings: Settings) -> str:
    """Names the model (stored summaries and cached prefixes are keyed by it) without loading it."""
    if settings.LLM_BACKEND == "openai":
        return f"openai:{settings.LLM_MODEL}@{public_url(settings.LLM_BASE_URL.rstrip('/'))}"
    path = Path(settings.MODEL_PATH)
    size = path.stat().st_size if path.is_file() else 0
    return f"{path.name}:{size}:{settings.LLM_CTX}"


def build_llm(settings: Settings) -> LLM:
    """The one place a model is constructed."""
    if settings.LLM_BACKEND == "openai":
        from bot.llm.openai_http import OpenAICompatLLM
        return OpenAICompatLLM(settings.LLM_BASE_URL, settings.LLM_MODEL,
                               context_length=settings.LLM_CTX)
    from bot.llm import llamacpp
    return llamacpp.load(settings, model_name(settings))
