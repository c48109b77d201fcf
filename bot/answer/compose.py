"""Answers made without the model, from what is stored: a document's gist (its checked
summary, the sentence that says what its title says, its positions on the debate map) and a
comparison (each named document's own sentences on the topic, or its side on a debate-map
proposition). A part of AnswerService (bot/answer/service.py), kept apart for its size."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot import texts
from bot.answer import figures, verify
from bot.answer.plan import Plan
from bot.debate.actors import AUTHOR
from bot.debate.extract import takes_side
from bot.types import Answer, Document, Source

if TYPE_CHECKING:
    from bot.answer.service import AnswerService

COMPARE_QUOTES = 2  # sentences quoted from each document compared
GIST_STANCES = 3  # debate-map positions a gist answer lists


class Composer:
    """AnswerService's answers without a model call."""

    def compose(self: AnswerService, plan: Plan, started: float) -> Answer:
        """Answers made without the model: a document's gist (its stored, checked summary) or
        a comparison (what each named document says on the topic, quoted)."""
        if plan.kind == "gist":
            doc = plan.docs[0]
            text = doc.summary or ""
            if thesis := self._thesis(plan, doc):  # the sentence that says what the title says
                text += "\n\n" + texts.GIST_QUOTE.format(quote=thesis)
            if stances := self._stances(doc):  # what it argues, from the debate map
                text += "\n\n" + "\n".join([texts.GIST_POSITIONS, *stances])
            return self._answer(plan, text, started, None)
        if plan.kind == "figures":  # each source's own figure (bot/answer/figures.py)
            text, sources = figures.compose(plan.figures)
            return self._answer(plan, text, started, None, sources)
        if stance := self._compare_stances(plan, started):
            return stance
        lines, sources = [texts.COMPARE_HEAD], []
        arguing = takes_side if plan.read and plan.read.views else None
        for doc in plan.docs:
            quotes = verify.top_statements(self.evidence(plan, [doc]), {doc.title},
                                           COMPARE_QUOTES, arguing)
            if quotes:
                lines.append(texts.COMPARE_QUOTE.format(
                    name=doc.display_name, quote="” “".join(quotes)))
                sources.append(Source(doc_id=doc.id, title=doc.title, quote=quotes[0],
                                      date=doc.date, outlet=doc.outlet))
            else:
                lines.append(texts.COMPARE_GIST.format(name=doc.display_name,
                                                       summary=doc.summary or doc.text[:200]))
        return self._answer(plan, "\n".join(lines), started, None, sources)

    def _compare_stances(self: AnswerService, plan: Plan, started: float) -> Answer | None:
        """When every document compared takes one side on the debate-map proposition the
        question is about: each one's side with its sentence, and whether they agree — said
        only because each side rests on a quote. A document in which people take different
        sides (a news report of a debate) has no one side to compare."""
        prop = self.stances.proposition_for(plan.question)
        if prop is None:
            return None
        held = []
        for doc in plan.docs:
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
        return self._answer(plan, "\n".join(lines), started, None, [
            Source(doc_id=doc.id, title=doc.title, quote=p.quote, date=doc.date,
                   outlet=doc.outlet) for doc, p in held])

    def _stances(self: AnswerService, doc: Document) -> list[str]:
        """The sides the document takes on the debate map's propositions, each with its
        verbatim sentence; the author's first."""
        texts_of = {p.id: p.text for p in self.stances.propositions.current()}
        found = [p for p in self.store.positions(doc_id=doc.id) if p.proposition in texts_of]
        found.sort(key=lambda p: p.actor != AUTHOR)
        return [texts.GIST_POSITION.format(proposition=texts_of[p.proposition].rstrip("."),
                                           side=p.side, actor=p.actor, quote=p.quote)
                for p in found[:GIST_STANCES]]

    def _thesis(self: AnswerService, plan: Plan, doc: Document) -> str | None:
        """The body sentence closest to the document's title: for a column, its argument."""
        evidence = self.evidence(plan, [doc])
        evidence.topic = self.retriever.idf(self.retriever.query_terms(doc.title))
        quote, share = verify.best_statement(evidence, {doc.title})
        return quote if share >= 0.3 else None
