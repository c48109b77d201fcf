"""Drafts made without the model, from what is stored (the generate stage's other half): a
refusal as retrieval decided it, who is for and who against from the debate map, a document's
gist (its checked summary, the sentence that says what its title says, its positions on the
debate map), each source's own figure, and a comparison (each named document's own sentences
on the topic, or its side on a debate-map proposition). Every word quoted is verbatim."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

from bot import texts
from bot.answer import figures, verify
from bot.answer.evidence import Grounds, gather
from bot.answer.retrieval import Retriever
from bot.answer.retrieve import GIST_DOCS, Found
from bot.answer.sources import cited
from bot.answer.stances import Stances
from bot.answer.understand import Asked
from bot.debate.actors import AUTHOR
from bot.debate.extract import takes_side
from bot.news.facts import DATE_UNITS, FactReader, Facts
from bot.news.points import (
    KEY_SENTENCES,
    Point,
    PointReader,
    key_sentences,
    standalone,
    stands_alone,
)
from bot.news.stories import idf, same_event
from bot.store import Store
from bot.types import Answer, Document, Source

COMPARE_QUOTES = 2  # sentences quoted from each document compared
GIST_STANCES = 3  # debate-map positions a gist answer lists
GIST_QUOTES = 2  # sentences quoted from each of them: its point, its most on the question
THESIS_SHARE = 0.3  # of the title's words the sentence quoted as a column's argument holds


class Composer:
    def __init__(self, store: Store, retriever: Retriever, stances: Stances):
        self.store = store
        self.retriever = retriever
        self.stances = stances
        self.facts = FactReader(store, retriever.korean)
        self.points = PointReader(store, self.facts)

    def compose(self, asked: Asked, found: Found, grounds: Grounds) -> Answer:
        """The draft of a route that needs no model; its sources are the quotes it shows."""
        if found.refusal is not None:
            return found.refusal
        if found.sides is not None:  # who is for and who against (bot/answer/stances.py)
            return self.stances.compose(found.sides)
        if found.route == "gist" and len(grounds.docs) == 1:
            return self._gist(asked, grounds.docs[0], grounds)
        if found.route == "gist":
            return self._gists(asked, grounds)
        if found.route == "figures" and found.values:  # each value the question names
            text, sources = figures.compose_stated(found.values)
            return Answer(text, sources)
        if found.route == "figures":  # each source's own figure (bot/answer/figures.py)
            text, sources = figures.compose(found.figures)
            return Answer(text, sources)
        return self._compare_stances(asked, grounds) or self._compare(asked, grounds)

    def _cited(self, asked: Asked, grounds: Grounds, text: str,
               sources: list[Source] | None = None) -> Answer:
        return Answer(text, sources or cited(self.retriever, grounds.docs, asked.weights,
                                             asked.plural, text))

    def _gist(self, asked: Asked, doc: Document, grounds: Grounds) -> Answer:
        """A document's gist: its stored, checked summary when there is one, then its point
        (a report's lede, a column's own argument) and the sentences that between them cover
        the rest of what it is about, quoted in the order they stand; and what it argues on
        the debate map."""
        point = self.points.point(doc)
        quotes = [point.sentence] if point else []
        quotes += self._keys(doc, point)
        if not quotes and (thesis := self._thesis(asked, doc)):
            quotes = [thesis]
        parts = [doc.summary] if doc.summary else []
        if quotes:
            parts.append("\n".join([texts.GIST_HEAD.format(
                name=_dated(doc, self.facts.facts(doc).argues)),
                                     *(texts.GIST_LINE.format(quote=q) for q in quotes)]))
        if stances := self._stances(doc):
            parts.append("\n".join([texts.GIST_POSITIONS, *stances]))
        if not parts:
            return self._cited(asked, grounds, doc.text[:200])
        sources = [Source(doc_id=doc.id, title=doc.title, quote=quotes[0], date=doc.date,
                          outlet=doc.outlet)] if quotes else None
        return self._cited(asked, grounds, "\n\n".join(parts), sources)

    def _keys(self, doc: Document, point: Point | None, n: int = KEY_SENTENCES) -> list[str]:
        """The sentences besides its point that cover the rest of what `doc` is about."""
        facts = self.facts.facts(doc)
        rarity = idf(self.store, {w for _, nouns in facts.sentences for w in nouns})
        return key_sentences(facts, n, besides=point.sentence if point else "", rarity=rarity)

    def _gists(self, asked: Asked, grounds: Grounds) -> Answer:
        """Several documents on what was asked: each one's point, with who and when, and
        beside it the sentence of that document that says most of what was asked (a summary
        of "the chip-subsidy debate" wants each source's figure or reason on it, not only
        its lede)."""
        lines, sources = [texts.GISTS_HEAD], list[Source]()
        listed: list[Facts] = []
        arguing = takes_side if asked.read.views else None
        rarity = idf(self.store, set().union(*(self.facts.facts(d).lead_words
                                               for d in grounds.docs)))
        for doc in grounds.docs:
            if len(sources) == GIST_DOCS:
                break
            facts = self.facts.facts(doc)
            if any(same_event(facts, other, rarity) for other in listed):
                continue  # one event told by two outlets is listed once
            point = self.points.point(doc)
            argues = facts.argues
            # Asked about a debate, a report is quoted by what the people in it argue, not by
            # its lede.
            quotes = [point.sentence] if point and stands_alone(point.sentence, argues=argues) \
                and (argues or arguing is None) else []
            evidence = gather(self.retriever, asked, [doc])
            if arguing is None:
                statements = verify.top_statements(evidence, {doc.title}, GIST_QUOTES)
            else:  # of a few more, what its people argue first, each group in page order
                statements = verify.top_statements(evidence, {doc.title}, GIST_QUOTES + 2,
                                                   arguing)
                statements.sort(key=lambda q: not arguing(q))
            quotes += [q for q in statements if standalone(q, argues=argues)
                       and not any(q in o or o in q for o in quotes)]
            if not quotes:
                continue
            listed.append(facts)
            quotes = quotes[:GIST_QUOTES]
            lines.append(texts.GISTS_LINE.format(name=_dated(doc, argues),
                                                 quote="” “".join(quotes)))
            sources.append(Source(doc_id=doc.id, title=doc.title, quote=quotes[0],
                                  date=doc.date, outlet=doc.outlet))
        if not sources:
            return self._compare(asked, grounds)
        return self._cited(asked, grounds, "\n".join(lines), sources)

    def _compare(self, asked: Asked, grounds: Grounds) -> Answer:
        """What each named document says on the topic, quoted."""
        lines, sources = [texts.COMPARE_HEAD], []
        arguing = takes_side if asked.read.views else None
        for doc in grounds.docs:
            # A piece that argues is compared by its own argument first, then by what it
            # says on the topic that argues most.
            # (When it says something of what was asked: "각각 정부 대응을 어떻게 설명해요?"
            # is answered by what each says of that, not by each one's thesis.)
            point = self.points.point(doc)
            evidence = gather(self.retriever, asked, [doc])
            # "… 수치 각각", "도입률 둘 다": each one's figure, not each one's argument.
            amount = asked.read.amount
            own = [point.sentence] if point and point.argues and not amount and (
                not evidence.topic or verify.weight(dict(evidence.sentences).get(
                    point.sentence, frozenset()), evidence.topic)) else []
            # The kind of sentence the question asks for counts for more: one that gives a
            # figure (other than a date), or one that argues.
            facts = self.facts.facts(doc)
            found = verify.top_statements(
                evidence, {doc.title}, COMPARE_QUOTES,
                _giving_figures(facts) if amount else
                arguing or (takes_side if point and point.argues else None))
            # Not a byline, a signature, a caption or a question, and not someone else's
            # words in a piece that argues.
            argues = facts.argues
            quotes = own + [q for q in found if not any(q in o or o in q for o in own)
                            and standalone(q, argues=argues)]
            if not quotes:  # nothing on the question's words: what the piece says first
                quotes = ([point.sentence] if point else []) + self._keys(doc, point)
            quotes = quotes[:COMPARE_QUOTES]
            if quotes:
                lines.append(texts.COMPARE_QUOTE.format(
                    name=_dated(doc, argues), quote="” “".join(quotes)))
                sources.append(Source(doc_id=doc.id, title=doc.title, quote=quotes[0],
                                      date=doc.date, outlet=doc.outlet))
            else:
                lines.append(texts.COMPARE_GIST.format(name=doc.display_name,
                                                       summary=doc.summary or doc.text[:200]))
        return self._cited(asked, grounds, "\n".join(lines), sources)

    def _compare_stances(self, asked: Asked, grounds: Grounds) -> Answer | None:
        """When every document compared takes one side on the debate-map proposition the
        question is about: each one's side with its sentence, and whether they agree — said
        only because each side rests on a quote. A document in which people take different
        sides (a news report of a debate) has no one side to compare."""
        prop = self.stances.proposition_for(asked.text)
        if prop is None:
            return None
        held = []
        for doc in grounds.docs:
            found = self.store.positions(proposition=prop.id, doc_id=doc.id)
            if len({p.side for p in found}) != 1:  # none, or people in it disagree
                return None
            found.sort(key=lambda p: (p.actor != AUTHOR, -p.score))
            held.append((doc, found[0]))
        lines = [texts.COMPARE_STANCE_HEAD.format(proposition=prop.text.rstrip("."))]
        lines += [texts.COMPARE_STANCE.format(name=doc.display_name, side=p.side, actor=p.actor,
                                              quote=p.quote) for doc, p in held]
        sides = {p.side for _, p in held}
        lines.append(texts.COMPARE_SAME.format(side=sides.pop()) if len(sides) == 1
                     else texts.COMPARE_SPLIT)
        return self._cited(asked, grounds, "\n".join(lines), [
            Source(doc_id=doc.id, title=doc.title, quote=p.quote, date=doc.date,
                   outlet=doc.outlet) for doc, p in held])

    def _stances(self, doc: Document) -> list[str]:
        """The sides the document takes on the debate map's propositions, each with its
        verbatim sentence; the author's first."""
        texts_of = {p.id: p.text for p in self.stances.propositions.current()}
        found = [p for p in self.store.positions(doc_id=doc.id) if p.proposition in texts_of]
        found.sort(key=lambda p: p.actor != AUTHOR)
        return [texts.GIST_POSITION.format(proposition=texts_of[p.proposition].rstrip("."),
                                           side=p.side, actor=p.actor, quote=p.quote)
                for p in found[:GIST_STANCES]]

    def _thesis(self, asked: Asked, doc: Document) -> str | None:
        """The body sentence closest to the document's title: for a column, its argument."""
        evidence = dataclasses.replace(
            gather(self.retriever, asked, [doc]),
            topic=self.retriever.idf(self.retriever.query_terms(doc.title)))
        quote, share = verify.best_statement(evidence, {doc.title})
        return quote if share >= THESIS_SHARE else None


def _giving_figures(facts: Facts) -> Callable[[str], bool]:
    """Whether a statement holds one of the page's figures other than a date."""
    counted = {g.sentence for g in facts.figures if g.unit not in DATE_UNITS}
    return lambda statement: any(sentence in statement for sentence in counted)


def _dated(doc: Document, argues: bool = False) -> str:
    """A document's name with its day, for a line that stands for it: "한빛일보(2026-12-01)",
    and who wrote it when they wrote in their own name ("디지털포스트(2026-12-01), 정하윤
    동진과기원 반도체공학과 교수"): a comparison of views is a comparison of people. A
    reporter is named for a piece that argues (a column under their byline), not for a
    report."""
    name = f"{doc.display_name}({doc.date[:10]})" if doc.date else doc.display_name
    writer = doc.author.strip() if argues and doc.author else doc.writer
    return f"{name}, {writer}" if writer and writer not in name else name
