"""Stage 2, retrieve: which documents the question needs and how it will be answered (`Found`).
The route is decided here: refused (with what the bot says instead), the debate map's sides,
a comparison or a gist made without the model, each source's own figure, or the model."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from bot import texts
from bot.answer import figures
from bot.answer.question import asking_removed
from bot.answer.retrieval import Coverage, Retriever
from bot.answer.stances import Sides, Stances
from bot.answer.understand import ASKING_WORDS, Asked, namings
from bot.answer.verify import YEAR_WORD
from bot.store import Store
from bot.types import Answer, Document, Hit

MIN_COVERAGE = 0.4  # idf-weighted share of the question's terms the best document must hold
MULTI_DOC_RATIO = 0.8
SEARCHED = 12  # chunks a question's search ranks
GIST_DOCS = 4  # documents a gist of several lists, each by its point
CHOSEN = 3  # documents a question about several is answered from, when it is not a gist

Route = Literal["refuse", "sides", "compare", "gist", "figures", "model"]


@dataclass(frozen=True)
class Found:
    route: Route
    docs: tuple[Document, ...] = ()  # what the answer rests on, best first
    hits: tuple[Hit, ...] = ()  # the chunks found, of those documents when there are any
    coverage: tuple[Coverage, ...] = ()
    figures: tuple[tuple[Document, str], ...] = ()  # route "figures": each source's sentence
    # route "figures", for values the question sets against each other: each value, with the
    # document and sentence that state it (None, "" where none does)
    values: tuple[tuple[str, Document | None, str], ...] = ()
    sides: Sides | None = None  # route "sides": the proposition asked about and its positions
    refusal: Answer | None = None  # route "refuse": what the bot says instead


class Retrieve:
    name: ClassVar[str] = "retrieve"

    def __init__(self, store: Store, retriever: Retriever, stances: Stances):
        self.store = store
        self.retriever = retriever
        self.stances = stances

    def run(self, asked: Asked, *, sides: bool = True) -> Found:
        """`sides`: whether a question about who takes which side is answered from the debate
        map's stored positions (False: how the other routes would answer it)."""
        if not asked.text:
            return Found("refuse", refusal=Answer(texts.EMPTY_QUESTION, covered=False))
        if sides and (held := self.stances.sides(asked.text)):  # who is for, who against
            return Found("sides", sides=held)
        if not self.store.documents(limit=1):
            return Found("refuse", refusal=Answer(texts.NO_DOCUMENTS, covered=False))
        hits, coverage = self._search(asked)
        read, named = asked.read, list(asked.named)
        # "11곳이야 19곳이야?": where each value the question names is stated, quoted.
        if not read.who and (values := figures.stated(self.store, self.retriever, asked,
                                                       coverage)):
            stating = tuple(dict.fromkeys(d for _, d, _ in values if d is not None))
            return Found("figures", stating, tuple(hits), tuple(coverage), values=tuple(values))
        # Two pages named ("A 교수랑 B 칼럼니스트, … 어떻게 봐?") are asked about together:
        # each by its own sentences, as a comparison is. (Two namings, not one that several
        # pages answer to.)
        if len(named) >= 2 and (read.compare or not read.slot and namings(read) >= 2):
            return Found("compare", tuple(named[:3]), tuple(hits), tuple(coverage))
        if read.compare and len(named) == 1 and not read.slot and (
                runner := next((c for c in coverage if c.doc_id != named[0].id
                                and c.share >= MIN_COVERAGE), None)) and \
                (counterpart := self.store.document(runner.doc_id)):
            # "A 칼럼이랑 정부 쪽 말은 어떻게 달라?": the one named, and the other side as
            # the question's words find it.
            return Found("compare", (named[0], counterpart), tuple(hits), tuple(coverage))
        if named:
            docs = named[:1] if not read.compare else named
            hits = [h for h in hits if h.doc_id in {d.id for d in docs}] or hits
            if read.gist and len(docs) == 1 and not read.slot:
                return Found("gist", tuple(docs), tuple(hits), tuple(coverage))
            return Found("model", tuple(docs), tuple(hits), tuple(coverage))
        if not coverage or max(c.share for c in coverage) < MIN_COVERAGE and not asked.leaning:
            return Found("refuse", refusal=self.not_covered())
        # A summary of a topic ("… 논쟁 정리해줘") lists one more source than the gist shows, for
        # a report of an event another one listed already tells.
        docs = self._choose_docs(asked, coverage, GIST_DOCS + 1 if read.gist and not read.slot
                                 else CHOSEN)
        # Several documents weighed against each other, or summed up, are quoted, each by its
        # own sentences: a 1.5B model's comparison or summary of them is its own invention.
        if read.compare and not read.slot:
            if len(docs) < 2:  # the other side, as far as the question's words find one
                docs += [d for c in coverage[1:] if c.share >= MIN_COVERAGE
                         and c.doc_id not in {x.id for x in docs}
                         and (d := self.store.document(c.doc_id))][:1]
            if len(docs) >= 2:
                return Found("compare", tuple(docs[:3]), tuple(hits), tuple(coverage))
        if read.gist and not read.slot:  # "… 논란 요약": each document's point, or the one's
            return Found("gist", tuple(docs), tuple(hits), tuple(coverage))
        if quoted := figures.across(self.store, self.retriever, asked, docs, coverage):
            return Found("figures", tuple(d for d, _ in quoted), tuple(hits), tuple(coverage),
                         figures=tuple(quoted))
        if other := figures.elsewhere(self.store, self.retriever, asked, docs, coverage):
            docs = [other]  # the one that gives the figure asked for
            hits = [h for h in hits if h.doc_id == other.id] or hits
        return Found("model", tuple(docs), tuple(hits), tuple(coverage))

    def _search(self, asked: Asked) -> tuple[list[Hit], list[Coverage]]:
        # "… 요약해줘", "… 어떻게 달라?" say how to answer, not what about: not searched for.
        question = asking_removed(asked.text, asked.read)
        hits = self.retriever.search(question, limit=SEARCHED, drop=ASKING_WORDS)
        coverage = self.retriever.coverage(question, hits, drop=ASKING_WORDS)
        if asked.asked_before is not None:
            # A follow-up ("그럼 대안으로 무엇을 제안했나요?") leans on the previous question;
            # read it together with that one unless it stands better on its own (a new topic).
            joined = asked.asked_before + " " + question
            joined_hits = self.retriever.search(joined, limit=SEARCHED)
            joined_coverage = self.retriever.coverage(joined, joined_hits)
            if joined_coverage and (asked.read.leans_back and not asked.named or not coverage
                                    or joined_coverage[0].share > coverage[0].share):
                hits, coverage = joined_hits, joined_coverage
        if not asked.named and asked.days:
            # "지난주 칼럼에서 …": of the documents that cover it, those dated then.
            first, last = (d.isoformat() for d in asked.days)
            dated = [c for c in coverage if c.share >= MIN_COVERAGE and
                     (doc := self.store.document(c.doc_id)) and doc.date and
                     first <= doc.date[:10] <= last]
            coverage = dated or coverage
            hits = [h for h in hits if h.doc_id in {c.doc_id for c in dated}] or hits
        return hits, coverage

    def _choose_docs(self, asked: Asked, coverage: list[Coverage],
                     limit: int = CHOSEN) -> list[Document]:
        best = coverage[0].rank
        chosen = [coverage[0]]
        # The proper names asked about that the best document holds ("엔비디아"), and the
        # weightiest word it holds as asked when no runner-up holds it ("마누스", which Kiwi
        # does not know for a name): a document without them speaks of something else,
        # however much of the rest it shares.
        names = set(asked.search_names & coverage[0].matched)
        weights = asked.weights
        held = [t for t in coverage[0].exact if not YEAR_WORD.fullmatch(t)]  # not 올해
        top = max(held, key=lambda t: (weights.get(t, 0.0), t)) if held else None  # ties: same
        if top and not any(top in c.matched for c in coverage[1:3]):
            names.add(top)
        for cov in coverage[1:limit]:
            if not asked.plural and not names <= cov.matched:
                continue
            if cov.rank >= best * MULTI_DOC_RATIO or (asked.plural and cov.rank >= best * 0.5):
                chosen.append(cov)
        return [d for c in chosen if (d := self.store.document(c.doc_id))]

    def not_covered(self) -> Answer:
        docs = self.store.documents(limit=8)
        topics = "\n".join(f"• {d.title} ({d.meta})" for d in docs)
        return Answer(texts.NOT_COVERED.format(topics=topics), covered=False)
