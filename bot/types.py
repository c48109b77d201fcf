"""Plain data passed between layers."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

# Outbox message kinds. Subscriber kinds go only to chats still subscribed when sent;
# briefings expire when they could no longer be read as that morning's.
PUSH, QUARANTINE, BRIEFING, MANUAL_BRIEFING = "push", "quarantine", "briefing", "briefing_manual"
SUBSCRIBER_KINDS = frozenset({PUSH, BRIEFING, MANUAL_BRIEFING})
BRIEFING_KINDS = frozenset({BRIEFING, MANUAL_BRIEFING})
# An outbox payload that stands for the debate map's picture, drawn when it is sent.
DEBATE_MAP_PAYLOAD = "\x00debate-map"
# A briefing's picture: only the propositions named after the marker (comma-separated ids),
# the ones with new positions, drawn for a phone screen.
DEBATE_CHANGES_PAYLOAD = "\x00debate-changes:"


def changes_payload(proposition_ids: Iterable[str]) -> str:
    return DEBATE_CHANGES_PAYLOAD + ",".join(proposition_ids)


def parse_changes_payload(payload: str) -> tuple[str, ...] | None:
    """The proposition ids of a briefing's picture payload; None for any other payload."""
    if not payload.startswith(DEBATE_CHANGES_PAYLOAD):
        return None
    return tuple(i for i in payload[len(DEBATE_CHANGES_PAYLOAD):].split(",") if i)
# An outbox payload laid out for one screen: this marker, the screen's id, a newline, then the
# top page's text. The pages behind its buttons are stored under that id (store `screens`).
SCREEN_PAYLOAD = "\x00screen:"


def screen_payload(screen_id: str, text: str) -> str:
    return f"{SCREEN_PAYLOAD}{screen_id}\n{text}"


def parse_screen_payload(payload: str) -> tuple[str, str] | None:
    """(screen id, top page text) of a screen payload; None for any other payload."""
    if not payload.startswith(SCREEN_PAYLOAD):
        return None
    screen_id, _, text = payload[len(SCREEN_PAYLOAD):].partition("\n")
    return screen_id, text

# The longest title, outlet or author, and debate-map actor kept and shown. A scraped page can
# put a whole article on its headline line or into a byline; every list, push, briefing and
# picture that names a document must stay readable and cheap to lay out.
TITLE_MAX, NAME_MAX, ACTOR_MAX = 200, 80, 60


def clip(text: str, limit: int) -> str:
    """`text` if it has at most `limit` characters, else its start cut at a space (unless
    that drops more than half) with "…" after it, `limit` characters at most."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


# A byline's roles for someone who reports rather than argues in their own name.
REPORTER_ROLES = ("기자", "특파원", "앵커")


@dataclass(frozen=True)
class Document:
    id: str  # the file name it was first ingested under
    title: str
    text: str  # cleaned body
    content_hash: str
    date: str | None = None
    outlet: str | None = None
    author: str | None = None
    url: str | None = None
    summary: str | None = None
    ingested_at: str | None = None
    credits: str | None = None  # names the page shows outside its body (series, photo credit)

    @property
    def meta(self) -> str:
        """Where it is from, for a reader: outlet, author, date (the file name if none)."""
        return ", ".join(x for x in (self.outlet, self.author, self.date) if x) or self.id

    @property
    def display_name(self) -> str:
        """How an answer names it in running text: the outlet, or the title in quotes."""
        return self.outlet or f"‘{self.title}’"

    @property
    def writer(self) -> str | None:
        """Who wrote it in their own name, as its byline gives them (a columnist, a
        professor, an interviewee): not the reporter of a report."""
        author = (self.author or "").strip()
        return author if author and not author.endswith(REPORTER_ROLES) else None


@dataclass(frozen=True)
class Sentence:
    start: int  # character offsets into the text it was found in
    end: int
    morphemes: tuple[str, ...]  # content morphemes, lower-cased, in order (repeats kept)


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    seq: int
    text: str
    start: int  # character offset in Document.text
    morphs: str
    sentences: tuple[Sentence, ...] = ()  # offsets into `text`


@dataclass(frozen=True)
class Hit:
    doc_id: str
    title: str
    text: str  # the chunk
    sentence: str  # the chunk's sentence that matches the query best
    score: float  # higher is better
    chunk_id: int = 0
    matched: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Source:
    doc_id: str
    title: str
    quote: str
    date: str | None = None
    outlet: str | None = None


@dataclass
class Answer:
    text: str
    sources: list[Source] = field(default_factory=list)
    covered: bool = True
    timings: dict[str, int] = field(default_factory=dict)
    stages: list[str] = field(default_factory=list)  # the answer path's stages, as visited


# The sides a document can take on a proposition of the debate map (issue 13).
FOR, AGAINST, CONDITIONAL = "찬성", "반대", "조건부"
SIDES = (FOR, AGAINST, CONDITIONAL)


@dataclass(frozen=True)
class DebateMethod:
    """A way the debate map decides a sentence's side (the DEBATE_SIDES setting)."""
    wording: bool  # reads the side from the sentence's wording (bot/debate/sides.py)
    model: bool  # asks the model for its calibrated choice among the sides and 무관


# Every DEBATE_SIDES value: with both, the wording decides and the model may only veto it.
DEBATE_METHODS = {
    "cues": DebateMethod(wording=True, model=False),
    "model": DebateMethod(wording=False, model=True),
    "cues+veto": DebateMethod(wording=True, model=True),
}


@dataclass(frozen=True)
class Proposition:
    id: str  # stable, ASCII snake_case (prompts/debate.toml)
    text: str  # one Korean sentence a document can be for or against
    terms: tuple[str, ...] = ()  # words a sentence about it tends to hold
    focus: tuple[str, ...] = ()  # when given, a sentence about it holds one of these too
    pro: tuple[str, ...] = ()  # what its supporters argue for, in general policy words
    con: tuple[str, ...] = ()  # what its opponents argue for ("유예", "장비보다 사람": 사람)


@dataclass(frozen=True)
class Position:
    """One side taken on a proposition, by an actor, shown by a verbatim sentence."""
    doc_id: str
    proposition: str  # Proposition.id
    side: str  # one of SIDES
    actor: str  # "필자" for a column's author, or who the text says holds it ("정민호 팀장")
    quote: str  # a sentence of the document's stored text, verbatim
    score: float = 0.0  # how clearly the model chose the side (calibrated log-odds)
    title: str = ""
    outlet: str | None = None
    date: str | None = None
    found_at: str | None = None  # when it was stored (UTC ISO), for "new since"


@dataclass(frozen=True)
class IngestResult:
    ingested: int = 0
    unchanged: int = 0
    quarantined: int = 0
    duplicates: int = 0
    new_doc_ids: tuple[str, ...] = ()
    quarantined_files: tuple[tuple[str, str], ...] = ()  # (file name, reason)
    forgotten: tuple[str, ...] = ()  # files gone from the folder past the grace period
    forgotten_docs: tuple[str, ...] = ()  # the documents removed with them

    def line(self) -> str:
        line = (f"ingested {self.ingested}, unchanged {self.unchanged}, "
                f"quarantined {self.quarantined}, duplicates {self.duplicates}")
        return line + (f", forgotten {len(self.forgotten)}" if self.forgotten else "")
