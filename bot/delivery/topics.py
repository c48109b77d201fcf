"""The topics a chat follows (/follow): propositions of the debate map and keywords. A chat
that follows any is pushed and briefed only the documents on them — those with a position on a
followed proposition, or that the search finds for a followed keyword — and told how many it
was not shown. Blocking (SQLite, Kiwi): call from a worker thread."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.answer.retrieval import Retriever
from bot.debate.propositions import shared as shared_propositions
from bot.korean import Korean, normalize_text
from bot.store import Store
from bot.types import Document, Position

PROPOSITION, KEYWORD = "proposition", "keyword"
MOST_TOPICS = 10
KEYWORD_CHARS = (2, 40)
KEYWORD_HITS = 200  # search hits looked at per keyword, over the whole collection


@dataclass(frozen=True)
class Topics:
    """What one chat follows; nothing means everything."""

    propositions: frozenset[str] = frozenset()
    keywords: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        return not self.propositions and not self.keywords


EVERYTHING = Topics()


def topics_of(store: Store, chat_id: int) -> Topics:
    follows = store.follows(chat_id)
    return Topics(frozenset(f.topic for f in follows if f.kind == PROPOSITION),
                  tuple(f.topic for f in follows if f.kind == KEYWORD))


def on_topics(store: Store, korean: Korean | None, topics: Topics,
              docs: Sequence[Document]) -> list[Document]:
    """The documents of `docs` on the chat's topics, in their order. Without `korean` a keyword
    matches by its text in the title or body only (no search)."""
    if topics.everything:
        return list(docs)
    ids = {d.id for d in docs}
    on: set[str] = set()
    for proposition in topics.propositions:
        on |= {p.doc_id for p in store.positions(proposition=proposition)} & ids
    retriever = Retriever(store, korean) if korean is not None and topics.keywords else None
    for keyword in topics.keywords:
        if retriever is not None:
            on |= {hit.doc_id for hit in retriever.search(keyword, KEYWORD_HITS)} & ids
        low = keyword.lower()
        on |= {d.id for d in docs if low in d.title.lower() or low in d.text.lower()}
    return [d for d in docs if d.id in on]


def positions_on(topics: Topics, positions: Sequence[Position],
                 doc_ids: set[str]) -> list[Position]:
    """Positions on a followed proposition, or taken by a document on the chat's topics."""
    if topics.everything:
        return list(positions)
    return [p for p in positions if p.proposition in topics.propositions or p.doc_id in doc_ids]


@dataclass(frozen=True)
class Followed:
    """What `/follow <arg>` came to: the topic and its kind, or why not (`problem`)."""

    topic: str = ""
    kind: str = ""
    text: str = ""  # a proposition's sentence
    added: bool = False
    problem: str = ""  # "", "empty", "keyword", "too_many"


def follow(store: Store, chat_id: int, arg: str) -> Followed:
    """A proposition when `arg` is the id of one in force, else a keyword (normalised as
    documents are, 2 to 40 characters). At most MOST_TOPICS per chat."""
    arg = " ".join(normalize_text(arg).split())
    if not arg:
        return Followed(problem="empty")
    by_id = {p.id: p for p in shared_propositions().current()}
    proposition = by_id.get(arg.lower())
    if proposition is not None:
        topic, kind, text = proposition.id, PROPOSITION, proposition.text
    elif not KEYWORD_CHARS[0] <= len(arg) <= KEYWORD_CHARS[1]:
        return Followed(problem="keyword")
    else:
        topic, kind, text = arg, KEYWORD, ""
    known = {f.topic for f in store.follows(chat_id)}
    if topic not in known and len(known) >= MOST_TOPICS:
        return Followed(topic, kind, text, problem="too_many")
    return Followed(topic, kind, text, added=store.follow(chat_id, topic, kind))


def unfollow(store: Store, chat_id: int, arg: str) -> tuple[str, int]:
    """(the topic named, how many follows went); every follow when `arg` is empty."""
    arg = " ".join(normalize_text(arg).split())
    if not arg:
        return "", store.unfollow(chat_id)
    removed = store.unfollow(chat_id, arg) or store.unfollow(chat_id, arg.lower())
    return arg, removed


def proposition_texts() -> dict[str, str]:
    """The propositions in force, id to sentence (for /following)."""
    return {p.id: p.text for p in shared_propositions().current()}
