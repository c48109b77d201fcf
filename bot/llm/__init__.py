"""The language model: one protocol (`base`), two backends (llama.cpp in this process, an
OpenAI-compatible server), the prefix cache, and the one place a model is chosen and built
(`build`). Backends are imported when built, so importing this package loads no model library."""
from bot.llm.base import LLM, Interrupt, Interrupted, LLMError, Message, PlainText, astream
from bot.llm.build import build_llm, model_name
from bot.llm.lazy import LazyLLM

__all__ = ["LLM", "Interrupt", "Interrupted", "LLMError", "LazyLLM", "Message", "PlainText",
           "astream", "build_llm", "model_name"]
