"""The prompts of the answer path, from the files in prompts/: a document's block, a summary's
block, and the messages of a turn. Fixed text first, so evaluated prefixes can be reused."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot import prompts
from bot.llm import Message
from bot.store import Turn
from bot.types import Document

HISTORY_TURNS = 4


def doc_block(number: int, doc: Document, text: str) -> str:
    return prompts.render("answer_context_doc", number=number, title=doc.title, meta=doc.meta,
                          text=text)


def lead_summary(doc: Document, sentences: int = 3) -> str:
    """Extractive fallback: the first real sentences of the article body."""
    lines = (s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", doc.text))
    picked = [s for s in lines if s and s != doc.title and len(s) >= 25
              and re.search(r"[.!?]$", s)]
    return " ".join(picked[:sentences])


def summary_block(number: int, doc: Document) -> str:
    """A document as the shared prefix knows it: its summary, or until that exists its lead."""
    return prompts.render("answer_context_summary", number=number, title=doc.title,
                          meta=doc.meta,
                          summary=doc.summary or lead_summary(doc) or doc.text[:300])


def collection_context(docs: Sequence[Document]) -> str:
    return "\n\n".join(summary_block(n, doc) for n, doc in enumerate(docs, 1))


def system(context: str) -> list[Message]:
    """The cacheable start of every answer prompt: instructions and the given context."""
    return [{"role": "system", "content": prompts.render("answer_system", context=context)}]


def messages(context: str, history: Sequence[Turn], turn: str) -> list[Message]:
    """Earlier turns are rendered exactly as they were asked, so the model's state after
    the previous answer is a prefix of this prompt and only the new question is processed."""
    result = system(context)
    for earlier in history[-HISTORY_TURNS:]:
        if earlier.role == "user":
            content = prompts.render("answer_user", question=earlier.text)
        else:
            content = earlier.text[:600]
        result.append({"role": earlier.role, "content": content})
    result.append({"role": "user", "content": turn})
    return result


DOC_LABEL = re.compile(r"\[?문서\s?(\d+)\]?")


def readable(numbers: Mapping[int, Document], text: str) -> str:
    """The prompt's "[문서 3]" means nothing to a reader: name the outlet (or the title)."""
    def name(match: re.Match[str]) -> str:
        doc = numbers.get(int(match.group(1)))
        return doc.display_name if doc else match.group(0)
    return DOC_LABEL.sub(name, text)


def unlabelled(numbers: Mapping[int, Document], text: str) -> str:
    """A small model often starts by copying the document's heading ("[문서 1] 제목
    (매체)"): that is not part of the answer."""
    text = re.sub(r"^\s*\[?문서\s?\d+\]?\s+", "", text)  # not "[문서 1]에 따르면"
    for doc in numbers.values():
        for heading in (f"{doc.title} ({doc.meta})", doc.title):
            if text.startswith(heading):
                return text[len(heading):].lstrip(" :\n")
    return text
