"""Lines that say the point: per document, one line stating what it reports or argues — who,
what, the figure — without a model, every line a sentence of the stored text.

A report says its point first, as news is written (the inverted pyramid): its line is its lede,
the first sentence of its lead that states something — a name, a figure with its unit or a
reporting verb — in the report's own words, so a scene-setting opening ("AI 기술의 격변이
눈부시게 진행되고 있다."), a subheadline or someone's quoted reaction is passed over. A piece
that argues (an editorial, a column, an op-ed: `Facts.argues`) says its point in its own voice:
the sentence of its own argument that names most of what its title names, with its writer; only
when it has none does its debate-map position stand for it."""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot import texts
from bot.debate.actors import AUTHOR
from bot.news.facts import BYLINE, DATE_UNITS, FactReader, Facts, own_voice
from bot.store import Store
from bot.types import Document, Position, clip

POINT_MAX = 160  # characters of a line
KEY_SENTENCES = 4  # a summary's sentences beside the point
KEY_MAX = 240  # characters: a longer sentence is a list or a table row, not a summary's line
LEAD_SENTENCES = 6  # how far into a report its point is looked for
TITLE_WORDS = 2  # of the headline's nouns a lede that names no one and gives no figure holds
# Verbs by which a report says what happened or what someone stated.
_REPORTS = re.compile(r"(?:밝혔|발표했|확정|의결|통과|결정|선정|공개|집계됐|나타났|조사됐|"
                      r"합의|출시|시행|부과|지정|발급|승인|채택|늘린|줄인|줄였|늘렸)")
_TOO_SHORT = 15
# A sentence, not a headline or a subheadline: it ends as Korean prose does ("…했다.", "…된다.").
_STATES = re.compile(r"다[.!]?[\"”’']?\s*$")
# Prose a reader can be shown, spoken too (an interview's "…해야 해요.", "…거죠."): it ends as a
# statement does.
_PROSE = re.compile(r"(?:다|요|죠)[.!]?[\"”’']?\s*$")
_SPEECH = re.compile(r"[\"“”]")  # someone's words, quoted: a report's lede is its own
# A speaker's turn in a transcript or a broadcast script ("박서윤 의원: …", "예문길(좌장) = …",
# "◆ 김승찬> …"): someone's words too.
_TURN = re.compile(r"^\s*[◆▶■●-]?\s*[가-힣]{2,4}(?:\s[가-힣]{1,8})?\s?(?:\([^)]{1,16}\))?\s?[:=>]")
# A private person as Korean news introduces one ("최영주(43)씨는", "김씨가"): a feature's
# opening scene, told through one citizen, before the report says what it reports.
_ANECDOTE = re.compile(r"[가-힣]{1,4}\s?\(\d{1,3}(?:·[가-힣]+)?\)\s?씨|"
                       r"(?:^|\s)[가-힣]{1,3}씨(?:는|가|의|도|에게)\s")
# A photo or graphic caption, as Korean pages mark one: "[사진] …", "▲ …", "(사진=…)"; and
# a note set apart by "※" (a disclaimer, a source line).
_CAPTION = re.compile(r"^\s*(?:[\[(（〔]\s*(?:사진|그래픽|영상|자료)|▲|△|※)|(?:사진|그래픽)\s*=")
# A sentence that cannot be shown alone as a page's point: it points back at what the one
# before it said ("그러나 이 논리에는 …", "이런 주장은 …", "그 결과 …", "… 이런 내용의 방안을
# 발표했다", the news lede's second sentence). (Beside other
# sentences of its page, as in a comparison, it reads well enough.)
_LEANS_BACK = re.compile(r"^(?:(?:그러나|하지만|그런데|그리고|다만|물론|또한?)\s*,?\s*)?"
                         r"(?:이런|그런|이러한|그러한|이같은|이와 같은|이|그)\s"
                         # "… 이런 내용의 방안을 발표했다": what it says is in the sentence before
                         r"|(?:이런|이러한|이같은|이 같은|이와 같은)\s?내용")
# Someone else's words reported: a quotation, then the verb that reports it ("…한 일간지는
# 사설에서 "…"며 "…"고 했다."). In a piece that argues, that is the view it answers.
_REPORTS_WORDS = re.compile(r"[\"“”'‘’]\s*(?:이?라?고|며|면서|라며)\s[^\"“”]{0,30}"
                            r"(?:했|말했|밝혔|주장했|썼|적었|강조했|지적했|전했|물었)다[.!]?\s*$")


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
        """The document's line, or None when no sentence of it says anything specific. A
        report says its point first (the inverted pyramid of news writing): its lede. A piece
        that argues says it in its own voice; else its position on the debate map stands."""
        facts = self.facts.facts(doc)
        if not facts.argues:
            return _reported(facts)
        if argument := _own_argument(facts):
            return Point(doc.id, _by(doc, argument), argument, True)
        positions = self.store.positions(doc_id=doc.id)
        return _argued(doc, positions) if positions else _reported(facts)


def _by(doc: Document, sentence: str) -> str:
    return texts.POINT_ARGUES.format(who=doc.author or AUTHOR, quote=clip(sentence, POINT_MAX))


def _argued(doc: Document, positions: list[Position]) -> Point:
    own = sorted(positions, key=lambda p: (not stands_alone(p.quote, argues=True),
                                           p.actor != AUTHOR, -p.score))[0]
    who = (doc.author or AUTHOR) if own.actor == AUTHOR else own.actor
    line = texts.POINT_ARGUES.format(who=who, quote=clip(own.quote, POINT_MAX))
    return Point(doc.id, line, own.quote, True, own.proposition, own.side)


def _own_argument(facts: Facts) -> str | None:
    """A piece that argues in its own voice (two sentences or more that say what should be
    done, outside quotation marks) says its point in the one of them nearest its title."""
    voiced = set(own_voice([sentence for sentence, _ in facts.sentences]))
    own = [(sentence, nouns) for sentence, nouns in facts.sentences if sentence in voiced
           and not _LEANS_BACK.search(sentence)]
    if len(own) < 2:
        return None
    # The one that names what the title names; among equals the later one: a column states
    # its case as it concludes, and opens with a scene ("개인적인 경험부터 고백하자").
    title = facts.title_words | facts.names
    return max(own, key=lambda s: (len(s[1] & title), own.index(s)))[0]


def _reported(facts: Facts) -> Point | None:
    """The report's lede: the first sentence of its lead that states something — a name, a
    figure with its unit, a reporting verb, or two of the headline's words (the lede tells
    what the headline names) — in the report's own words (not someone's quoted speech, not a
    byline, a caption, a subheadline or a question). The lead is counted in sentences of
    prose: a subheadline, a date line and a byline above it do not use it up."""
    prose = [(s, n) for s, n in facts.sentences if _STATES.search(s)]
    for sentence, nouns in prose[:LEAD_SENTENCES]:
        if _SPEECH.search(sentence) or _TURN.search(sentence) or _ANECDOTE.search(sentence) \
                or not stands_alone(sentence):
            continue
        if nouns and nouns <= facts.title_words:
            continue  # the title again, in other words
        figures = [g for g in facts.figures if g.sentence == sentence and g.unit not in DATE_UNITS]
        if figures or nouns & facts.names or _REPORTS.search(sentence) \
                or len(nouns & facts.title_words) >= TITLE_WORDS:
            return Point(facts.doc.id, clip(sentence, POINT_MAX), sentence, False)
    return None


def standalone(sentence: str, *, argues: bool = False) -> bool:
    """A sentence a reader can be shown as what a page says: prose that ends as a statement
    does, not a byline, a caption, a note or a question, and — in a piece that argues — not the
    words of someone it answers."""
    return (len(sentence) >= _TOO_SHORT and bool(_PROSE.search(sentence))
            and not BYLINE.search(sentence) and not sentence.endswith("?")
            and not _CAPTION.search(sentence)
            and not (argues and _REPORTS_WORDS.search(sentence)))


def stands_alone(sentence: str, *, argues: bool = False) -> bool:
    """`standalone`, and shown alone as a page's point: not leaning on the sentence before."""
    return standalone(sentence, argues=argues) and not _LEANS_BACK.search(sentence)


def key_sentences(facts: Facts, n: int = KEY_SENTENCES, besides: str = "",
                  rarity: dict[str, float] | None = None) -> list[str]:
    """A document's `n` sentences that between them cover most of what it is about, in the
    order they stand, `besides` its point: a word the document says again and again is what it
    is about, and each sentence taken counts only the words no sentence taken before holds
    (what a later section adds: another speaker's proposal, another country's case).
    `rarity`: each word's weight across the collection (idf): a word every page says ("AI")
    says little of this one."""
    candidates = [(at, sentence, nouns) for at, (sentence, nouns) in enumerate(facts.sentences)
                  if len(sentence) <= KEY_MAX and sentence != besides
                  and _STATES.search(sentence) and standalone(sentence, argues=facts.argues)]
    counts: dict[str, int] = {}
    for _, nouns in facts.sentences:
        for noun in nouns:
            counts[noun] = counts.get(noun, 0) + 1
    # A word said once is a detail; the page's own name says nothing of its content.
    weight = {w: (c - 1) * (rarity.get(w, 1.0) if rarity else 1.0) for w, c in counts.items()
              if c > 1 and w not in facts.title_words}
    covered = set(next((nouns for sentence, nouns in facts.sentences if sentence == besides),
                       frozenset()))
    chosen: list[tuple[int, str]] = []
    while len(chosen) < n and candidates:
        gains = [(_gain(nouns, weight, covered), -at, at, sentence, nouns)
                 for at, sentence, nouns in candidates]
        best = max(gains)
        if best[0] <= 0:
            break
        chosen.append((best[2], best[3]))
        covered |= best[4]
        candidates = [c for c in candidates if c[0] != best[2]]
    return [sentence for _, sentence in sorted(chosen)]


def _gain(nouns: frozenset[str], weight: dict[str, float], covered: set[str]) -> float:
    """What a sentence adds to a summary: the weight of its words no sentence taken holds,
    per the square root of its length in words (a long sentence is not worth more for being
    long)."""
    return float(sum(weight.get(w, 0) for w in nouns - covered) / (1 + len(nouns)) ** 0.5)
