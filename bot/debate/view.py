"""The debate map as readers see it, from stored positions only (no model): the propositions
that have positions, newest evidence first, with "엇갈림" where sources disagree; one
proposition in full; the briefing's section; and the JSON of `briefbot debate --json`."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot import texts
from bot.types import AGAINST, FOR, SIDES, Position, Proposition

OVERVIEW_PER_SIDE = 2  # positions per side in the overview; the drill-down shows them all
BRIEFING_DISPUTED = 3  # disagreements listed in a briefing


@dataclass(frozen=True)
class Topic:
    proposition: Proposition
    positions: tuple[Position, ...]  # newest evidence first

    @property
    def disputed(self) -> bool:
        sides = {p.side for p in self.positions}
        return FOR in sides and AGAINST in sides

    def side(self, side: str) -> list[Position]:
        return [p for p in self.positions if p.side == side]

    @property
    def newest(self) -> str:
        return max((p.date or "" for p in self.positions), default="")

    def strongest(self, side: str) -> Position | None:
        return max(self.side(side), key=lambda p: p.score, default=None)


def topics(propositions: Sequence[Proposition],
           positions: list[Position]) -> list[Topic]:
    """Propositions in force that have positions, newest evidence first (disagreements first
    among equals). Positions on a proposition no longer in the file are not shown."""
    by_id: dict[str, list[Position]] = {}
    for pos in positions:
        by_id.setdefault(pos.proposition, []).append(pos)
    found = [Topic(p, tuple(by_id[p.id])) for p in propositions if by_id.get(p.id)]
    return sorted(found, key=lambda t: (t.newest, t.disputed), reverse=True)


def match(propositions: tuple[Proposition, ...] | list[Proposition],
          arg: str) -> list[Proposition]:
    """`/debate <id or keyword>`: the proposition with that id, else those whose text or terms
    hold the keyword."""
    arg = " ".join(arg.split()).strip()
    if not arg:
        return []
    exact = [p for p in propositions if p.id == arg.lower()]
    if exact:
        return exact
    low = arg.lower()
    return [p for p in propositions
            if low in p.text.lower() or low in p.id or any(low in t.lower() for t in p.terms)]


def source_of(pos: Position) -> str:
    """"actor · outlet, date" (the title in quotes where the outlet is unknown)."""
    where = ", ".join(x for x in (pos.outlet or f"‘{pos.title}’", pos.date) if x)
    return f"{pos.actor} · {where}"


def topic_lines(topic: Topic, per_side: int | None = None) -> list[tuple[str, str]]:
    """(text, style) lines of one proposition: style is "b" (heading), "" or "quote"."""
    head = topic.proposition.text + (f"  [{texts.DEBATE_DISPUTED}]" if topic.disputed else "")
    lines = [(f"■ {head}", "b")]
    for side in SIDES:
        shown = topic.side(side)
        more = len(shown) - per_side if per_side is not None else 0
        for pos in shown[:per_side]:
            lines.append((f"{side} — {source_of(pos)}", ""))
            lines.append((f"“{pos.quote}”", "quote"))
        if more > 0:
            lines.append((texts.DEBATE_MORE.format(count=more, side=side,
                                                   id=topic.proposition.id), ""))
    return lines


def overview_lines(all_topics: list[Topic]) -> list[tuple[str, str]]:
    if not all_topics:
        return [(texts.DEBATE_EMPTY, "")]
    disputed = sum(t.disputed for t in all_topics)
    lines = [(texts.DEBATE_HEADER.format(count=len(all_topics), disputed=disputed), "b")]
    for topic in all_topics:
        lines += [("", ""), *topic_lines(topic, OVERVIEW_PER_SIDE)]
    lines += [("", ""), (texts.DEBATE_FOOTER, "")]
    return lines


def plain(lines: list[tuple[str, str]]) -> str:
    return "\n".join(("   " + text) if style == "quote" else text for text, style in lines)


def as_json(propositions: Sequence[Proposition],
            positions: list[Position]) -> dict[str, Any]:
    """`briefbot debate --json`: every proposition in force, with its positions."""
    by_id: dict[str, list[Position]] = {}
    for pos in positions:
        by_id.setdefault(pos.proposition, []).append(pos)
    return {"propositions": [
        {"id": p.id, "text": p.text, "positions": [
            {"doc": x.doc_id, "title": x.title, "outlet": x.outlet, "date": x.date,
             "actor": x.actor, "side": x.side, "quote": x.quote}
            for x in by_id.get(p.id, [])]}
        for p in propositions]}
