"""Per-document summaries (made once, at ingest) and the briefing composed from them."""
from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Protocol

from bot import prompts, texts
from bot.answer.checks import grounded
from bot.answer.prompting import lead_summary
from bot.debate.propositions import shared as shared_propositions
from bot.korean import Korean
from bot.llm import LLM, Interrupt, Message
from bot.store import Store
from bot.types import Document, Position

log = logging.getLogger(__name__)

SUMMARY_TOKENS = 320
MIN_SUMMARY_CHARS = 40  # shorter is a fragment, not a summary
SUMMARY_PROMPTS = ("summary_system", "summary_user")
SUMMARY_CHECKS = 5  # a new number when the checks below change: stored summaries are redone
# What the model reads to summarise: a small model given a whole article retells its opening.
# Given its lead, its close and its most central sentences, it states what the article argues,
# and reads a third of the tokens.
SUMMARY_INPUT_TOKENS = 600
BORNE_OUT = 0.6  # of a summary sentence's words that must stand in one article sentence
SUMMARY_LEAD_SHARE = 6
# A sentence about the document rather than what it says ("이 문서는 … 요약합니다.").
META_SENTENCE = re.compile(r"^(이|본|해당|위)\s?(문서|기사|글|칼럼|자료|보도)"
                           r"(는|은|에서는|에서)\s")


class Named(Protocol):
    """What summary_key reads of a model: its name, which doctor knows without loading it."""

    @property
    def name(self) -> str: ...


def summary_key(llm: Named) -> str:
    """Summaries are redone when the prompts, the checks or the model change."""
    return f"{prompts.prompts_key(*SUMMARY_PROMPTS)}:checks{SUMMARY_CHECKS}:{llm.name}"


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()]


def shown_summary(doc: Document) -> str:
    """What a reader sees for a document: its model summary, or until that exists its lead
    sentences, marked as such."""
    if doc.summary:
        return doc.summary
    lead = lead_summary(doc)
    return texts.LEAD_MARK.format(lead=lead) if lead else texts.NO_SUMMARY


def _spans(text: str) -> list[tuple[int, int]]:
    """Sentence (or line) spans of `text`, as offsets."""
    spans, start = [], 0
    for sep in re.finditer(r"(?<=[.!?])\s+|\n+", text):
        if sep.start() > start:
            spans.append((start, sep.start()))
        start = sep.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def fit_text(text: str, budget: int, count_tokens: Callable[[str], int], *,
             lead_share: int = 3) -> str:
    """The document as the summary prompt can take it: whole when it fits `budget` tokens;
    otherwise its lead (1/`lead_share` of the budget), its closing sentence, then its most
    central sentences (those sharing the document's most frequent words), each run verbatim
    and in order, with "…" where text was left out. One model call whatever the length: a
    section-by-section summary costs a call per section (~50 s each on 2 cores)."""
    total = count_tokens(text)
    if total <= budget:
        return text
    spans = _spans(text)
    ratio = total / max(1, len(text))  # tokens per character, to budget without re-tokenizing
    cost = [int((e - s) * ratio * 1.1) + 2 for s, e in spans]
    words = [set(w[:2] if re.match(r"[가-힣]", w) else w.lower()
                 for w in re.findall(r"[가-힣A-Za-z0-9]{2,}", text[s:e])) for s, e in spans]
    freq = Counter(w for ws in words for w in ws)
    picked: list[int] = []
    used = 0
    for i, c in enumerate(cost):  # the lead: about a third of the budget
        if used + c > budget // lead_share:
            break
        picked.append(i)
        used += c
    last = len(spans) - 1  # a column's close is often its argument
    if last not in picked and used + cost[last] <= budget:
        picked.append(last)
        used += cost[last]
    central = sorted((i for i in range(len(spans)) if i not in picked),
                     key=lambda i: -sum(math.log(freq[w]) for w in words[i]) / (len(words[i]) + 4))
    for i in central:
        if used + cost[i] <= budget:
            picked.append(i)
            used += cost[i]
    picked.sort()
    while True:
        runs: list[list[int]] = []
        for i in picked:
            if runs and runs[-1][1] == i - 1:
                runs[-1][1] = i
            else:
                runs.append([i, i])
        fitted = "\n…\n".join(text[spans[a][0]:spans[b][1]] for a, b in runs)
        if count_tokens(fitted) <= budget or len(picked) <= 1:  # the estimate ran over: trim
            return fitted
        picked.pop()


def summarize(doc: Document, llm: LLM, interrupt: Interrupt = None) -> str:
    """The model's summary of `doc` (checked; the article's lead when it fails the checks).
    With `interrupt`, the model is given up (Interrupted) as soon as it returns True."""
    def messages(text: str) -> list[Message]:
        return [
            {"role": "system", "content": prompts.render("summary_system", title=doc.title,
                                                         meta=doc.meta, text=text)},
            {"role": "user", "content": prompts.render("summary_user")},
        ]

    frame = sum(llm.count_tokens(m["content"]) for m in messages("")) + 32  # template markers
    budget = min(getattr(llm, "context_length", 4096) - SUMMARY_TOKENS - frame,
                 SUMMARY_INPUT_TOKENS)
    fitted = fit_text(doc.text, budget, llm.count_tokens, lead_share=SUMMARY_LEAD_SHARE)
    text = "".join(llm.stream(messages(fitted),
                              max_tokens=SUMMARY_TOKENS, interrupt=interrupt)).strip()
    text = re.sub(r"^[#*\-•\s]+", "", text)
    text = re.sub(r"\s*\n\s*[-•*\d.]*\s*", " ", text).strip()
    written = about_the_article(_sentences(text), doc)
    kept = borne_out(written, doc)
    text = " ".join(kept[:5]) if len(kept) >= max(1, len(written) // 2) else ""
    if not grounded(text, doc.text, min_chars=MIN_SUMMARY_CHARS):
        log.warning("model summary of %s failed its checks; using the article's lead", doc.id)
        return lead_summary(doc)
    return text


def borne_out(sentences: list[str], doc: Document) -> list[str]:
    """A summary's sentences that the article bears out (most of their words stand within
    three consecutive article sentences), each once: a small model's summary repeats itself
    and garbles what it paraphrases."""
    korean = Korean()
    article = [set(korean.morphemes(s)) for s in _sentences(doc.text)]
    source = [set().union(*article[i:i + 3]) for i in range(len(article))]
    kept, seen = [], []
    for sentence in sentences:
        words = set(korean.morphemes(sentence))
        if not words or words in seen:
            continue
        best = max((len(words & s) for s in source), default=0)
        if best >= BORNE_OUT * len(words):
            kept.append(sentence)
            seen.append(words)
    return kept


def about_the_article(sentences: list[str], doc: Document) -> list[str]:
    """A summary's sentences that state what the article argues or reports: sentences about
    the document itself are dropped, and the outlet is not made the subject of what its
    article says ("더에이아이는 AI 기술의 격변이 …" loses "더에이아이는")."""
    outlet = re.split(r"[\s(（\[]", doc.outlet or "", maxsplit=1)[0]
    as_subject = (re.compile(rf"^{re.escape(outlet)}\s?(은|는|이|가)\s+")
                  if len(outlet) >= 2 else None)
    kept = []
    for sentence in sentences:
        if META_SENTENCE.match(sentence):
            continue
        if as_subject is not None:
            sentence = as_subject.sub("", sentence, count=1)
        kept.append(sentence)
    return kept


def summarize_pending(store: Store, llm: LLM) -> list[str]:
    key = summary_key(llm)
    done = []
    for doc_id in store.docs_needing_summary(key):
        doc = store.document(doc_id)
        if doc is None:
            continue
        store.set_summary(doc_id, summarize(doc, llm), key)
        log.info("summarised %s", doc_id)
        done.append(doc_id)
    return done


def gist(doc: Document, limit: int = 140) -> str:
    first = _sentences(doc.summary or lead_summary(doc, 1) or doc.title)[0]
    if not doc.summary:
        first = texts.LEAD_MARK.format(lead=first)
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def new_positions(store: Store, since: str | None) -> list[Position]:
    """Positions found after `since` on propositions still in force (the briefing shows no
    others, and sends the map's picture only when there are some)."""
    if not since:
        return []
    current = {p.id for p in shared_propositions().current()}
    return [p for p in store.positions(since=since) if p.proposition in current]


class _Hit(Protocol):
    """A search hit, as select_documents reads it."""

    @property
    def doc_id(self) -> str: ...


def select_documents(store: Store, search: Callable[[str], Iterable[_Hit]],
                     arg: str | None, *, default: int = 3,
                     most: int = 10) -> list[Document]:
    """What `/summary [N | 키워드]` means: the latest documents, or those matching a keyword."""
    arg = (arg or "").strip()
    if not arg:
        return store.documents(limit=default)
    if arg.isascii() and arg.isdigit():  # not '²' or '٣', which int() refuses
        return store.documents(limit=max(1, min(int(arg), most)))
    ids = list(dict.fromkeys(hit.doc_id for hit in search(arg)))
    return [d for d in (store.document(i) for i in ids[:default]) if d]
