"""Lines that say the point: per document, one line stating what it argues or reports — who,
what, the figure — without a model.

A document with positions on the debate map argues something: its line is the position's own
sentence, verbatim, with who holds it (the author's position first, then the one the map is
surest of). Otherwise it reports something: its line is the sentence of its lead that tells
the most of the event — an actor or name, a figure with its unit, a reporting or deciding verb,
the title's words — so a scene-setting opening ("AI 기술의 격변이 눈부시게 진행되고 있다.")
loses to the sentence that says what happened. Every line is a sentence of the stored text."""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot import texts
from bot.debate.actors import AUTHOR
from bot.news.facts import BYLINE, DATE_UNITS, FactReader, Facts, own_voice
from bot.store import Store
from bot.types import Document, Position, clip

POINT_MAX = 160  # characters of a line
LEAD_SENTENCES = 6  # how far into a report its point is looked for
# Verbs by which a report says what happened or what someone stated.
_REPORTS = re.compile(r"(?:밝혔|발표했|확정|의결|통과|결정|선정|공개|집계됐|나타났|조사됐|"
                      r"합의|출시|시행|부과|지정|발급|승인|채택|늘린|줄인|줄였|늘렸)")
_TOO_SHORT = 15
REPORT = 2  # of a name, a figure and a reporting verb, what a report's lead sentence holds


@dataclass(frozen=True)
class Point:
    doc_id: str
    line: str  # what the document argues or reports, in one line
    sentence: str  # the stored sentence it rests on, verbatim
    argues: bool  # True: from a debate-map position
    proposition: str | None = None  # the position's proposition id
    side: str | None = None


class PointReader:
    def __init__(self, store: Store, facts: FactReader) -> None:
        self.store, self.facts = store, facts

    def point(self, doc: Document) -> Point | None:
        """The document's line, or None when no sentence of it says anything specific."""
        positions = self.store.positions(doc_id=doc.id)
        if positions:
            return _argued(doc, positions)
        return _reported(self.facts.facts(doc))


def _argued(doc: Document, positions: list[Position]) -> Point:
    own = sorted(positions, key=lambda p: (p.actor != AUTHOR, -p.score))[0]
    who = (doc.author or AUTHOR) if own.actor == AUTHOR else own.actor
    line = texts.POINT_ARGUES.format(who=who, quote=clip(own.quote, POINT_MAX))
    return Point(doc.id, line, own.quote, True, own.proposition, own.side)


def _own_argument(facts: Facts) -> str | None:
    """A piece that argues in its own voice (two sentences or more that say what should be
    done, outside quotation marks) says its point in the one of them nearest its title."""
    voiced = set(own_voice([sentence for sentence, _ in facts.sentences]))
    own = [(sentence, nouns) for sentence, nouns in facts.sentences if sentence in voiced]
    if len(own) < 2:
        return None
    # The one that names what the title names; among equals the later one: a column states
    # its case as it concludes, and opens with a scene ("개인적인 경험부터 고백하자").
    title = facts.title_words | facts.names
    return max(own, key=lambda s: (len(s[1] & title), own.index(s)))[0]


def _reported(facts: Facts) -> Point | None:
    best = _report_line(facts)
    # A lead that reports (a name or a figure, with a reporting verb) makes it a report, even
    # when it goes on to quote obligations; otherwise its own argument is its point.
    if (best is None or best[0] < REPORT) and (argument := _own_argument(facts)):
        return Point(facts.doc.id, clip(argument, POINT_MAX), argument, False)
    if best is None:
        return None
    return Point(facts.doc.id, clip(best[2], POINT_MAX), best[2], False)


def _report_line(facts: Facts) -> tuple[float, int, str] | None:
    """The lead sentence that tells most of the event, with its score."""
    title = facts.title_words
    scored = []
    for at, (sentence, nouns) in enumerate(facts.sentences[:LEAD_SENTENCES]):
        if len(sentence) < _TOO_SHORT or BYLINE.search(sentence) or sentence.endswith("?"):
            continue
        if nouns and nouns <= title:
            continue  # the title again, in other words
        figures = [g for g in facts.figures if g.sentence == sentence and g.unit not in DATE_UNITS]
        tells = bool(figures) + bool(nouns & facts.names) + bool(_REPORTS.search(sentence))
        if not tells:
            continue  # a scene-setting line: says nothing in particular
        scored.append((tells + len(nouns & title) / max(len(title), 1), -at, sentence))
    return max(scored) if scored else None
