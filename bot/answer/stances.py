""""○○에 대해 누가 찬성하고 누가 반대하나요?": answered from the debate map's stored positions,
without the model — each side with who holds it and the sentence that shows it, verbatim."""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot import texts
from bot.debate.extract import TermIndex
from bot.debate.propositions import Propositions, shared
from bot.korean import Korean
from bot.store import Store
from bot.types import SIDES, Answer, Position, Proposition, Source

# Asks who holds which side (both a side word and a who/which word).
SIDE_WORDS = re.compile(r"(찬성|반대|찬반|입장|엇갈|대립|갈리|지지|옹호)")
WHO_WORDS = re.compile(r"(누가|누구|어느 쪽|어떤 (입장|쪽)|찬반|엇갈|대립|갈리|각각|어디)")
PER_SIDE = 3  # positions quoted per side; /debate shows the rest


def asks_sides(question: str) -> bool:
    return bool(SIDE_WORDS.search(question) and WHO_WORDS.search(question))


@dataclass(frozen=True)
class Sides:
    """The proposition a question asks sides on, and every stored position on it."""
    proposition: Proposition
    positions: tuple[Position, ...]


class Stances:
    def __init__(self, store: Store, korean: Korean, propositions: Propositions | None = None):
        self.store, self.korean = store, korean
        self.propositions = propositions or shared()
        self._index: tuple[str, TermIndex] | None = None

    def proposition_for(self, question: str) -> Proposition | None:
        """The proposition the question is about: the one whose terms (and words) it holds
        most, at least one term; None on a tie."""
        props = self.propositions.current()
        key = self.propositions.key
        if self._index is None or self._index[0] != key:
            self._index = (key, TermIndex(props, self.korean))
        index = self._index[1]
        asked = frozenset(self.korean.morphemes(question, drop_stop=True))
        scored = [(terms + 0.5 * index.overlap(prop.id, asked), prop) for prop in props
                  if (terms := index.count(prop.id, asked))]
        scored.sort(key=lambda x: x[0], reverse=True)
        if not scored or len(scored) > 1 and scored[0][0] == scored[1][0]:
            return None
        return scored[0][1]

    def sides(self, question: str) -> Sides | None:
        """The stored positions on the proposition asked about; None when the question does
        not ask who holds which side, names no proposition, or nobody has taken a side yet
        (the ordinary answer path takes over)."""
        if not asks_sides(question):
            return None
        prop = self.proposition_for(question)
        if prop is None:
            return None
        positions = self.store.positions(proposition=prop.id)
        return Sides(prop, tuple(positions)) if positions else None

    def compose(self, sides: Sides) -> Answer:
        """Each side with who holds it, and the sentences that show it, verbatim."""
        prop, positions = sides.proposition, sides.positions
        lines = [texts.STANCE_HEAD.format(proposition=prop.text)]
        shown: list[Position] = []
        for side in SIDES:
            mine = [p for p in positions if p.side == side][:PER_SIDE]
            if not mine:
                if side != SIDES[2]:
                    lines.append(texts.STANCE_NONE.format(side=side))
                continue
            lines.append(texts.STANCE_SIDE.format(
                side=side, holders=", ".join(f"{p.actor}({p.outlet or p.title})" for p in mine)))
            shown += mine
        lines.append(texts.STANCE_FOOT.format(id=prop.id))
        sources = [Source(doc_id=p.doc_id, title=p.title, quote=p.quote, date=p.date,
                          outlet=p.outlet) for p in shown]
        return Answer(text="\n".join(lines), sources=sources, covered=True)

    def answer(self, question: str) -> Answer | None:
        """"○○에 누가 찬성하나요?" answered from the stored positions, or None."""
        sides = self.sides(question)
        return self.compose(sides) if sides else None
