"""What a briefing and a push say, as items laid out for one screen (bot/delivery/screen.py).

A briefing leads with what changed in the debate since the chat's last briefing — each
proposition with new positions: who, which side, a short quote, outlet and date — then the
news. A push is the news that just arrived. Both keep to the chat's topics (/follow) and say
how many documents they left out. Blocking (SQLite, Kiwi): call from a worker thread."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot import texts
from bot.briefing import gist, new_positions, shown_summary
from bot.debate.propositions import shared as shared_propositions
from bot.debate.view import BRIEFING_DISPUTED, source_of
from bot.debate.view import topics as debate_topics
from bot.delivery.screen import DEBATE, NEWS, STORY, Item, Pages, lay_out, merge
from bot.delivery.topics import EVERYTHING, Topics, on_topics, positions_on
from bot.korean import Korean
from bot.news.facts import FactReader
from bot.news.points import PointReader
from bot.news.stories import StoryFinder
from bot.store import Store
from bot.types import AGAINST, FOR, Document, Position, Proposition, clip

LATEST = 5  # documents a briefing shows when nothing is new
TOP_POSITIONS = 2  # new positions a debate item shows on the top page
QUOTE_MAX = 90  # characters of a quote on the top page; its own page quotes it whole
SUMMARY_MAX = 400  # characters of a summary in a push
DISPUTED_WEIGHT = 100  # a proposition where 찬성 and 반대 meet comes before the others


@dataclass(frozen=True)
class Digest:
    pages: Pages  # (button label, text), the top page first
    doc_ids: tuple[str, ...] = ()  # the documents it shows
    positions: int = 0  # new positions it shows
    left_out: int = 0  # new documents off the chat's topics
    changed: tuple[str, ...] = ()  # the propositions with new positions it shows

    @property
    def text(self) -> str:
        return self.pages[0][1] if self.pages else ""


def all_pages(digest: Digest) -> str:
    """A briefing where there are no buttons (a terminal): every page, one after another."""
    return "\n\n".join(text for _, text in digest.pages)


def position_line(pos: Position, quote_max: int | None = QUOTE_MAX) -> str:
    quote = clip(pos.quote, quote_max) if quote_max else pos.quote
    return texts.SCREEN_POSITION.format(side=pos.side, source=source_of(pos), quote=quote)


def debate_items(store: Store, propositions: Sequence[Proposition],
                 new: Sequence[Position]) -> list[Item]:
    """One item per proposition with new positions (newest first): its first TOP_POSITIONS,
    and a page of its own with all of them when there are more."""
    by_id: dict[str, list[Position]] = {}
    for pos in new:
        by_id.setdefault(pos.proposition, []).append(pos)
    items = []
    for prop in propositions:
        fresh = by_id.get(prop.id)
        if not fresh:
            continue
        sides = {p.side for p in store.positions(proposition=prop.id)}
        disputed = FOR in sides and AGAINST in sides
        head = texts.SCREEN_DEBATE_ITEM.format(proposition=prop.text) + (
            f"  [{texts.DEBATE_DISPUTED}]" if disputed else "")
        lines = [head, *(position_line(p) for p in fresh[:TOP_POSITIONS])]
        more = len(fresh) - TOP_POSITIONS
        if more > 0:
            lines.append(texts.SCREEN_POSITIONS_MORE.format(count=more))
        detail = (head, *(position_line(p, None) for p in fresh)) if more > 0 else ()
        items.append(Item(DEBATE, tuple(lines), tuple(dict.fromkeys(p.doc_id for p in fresh)),
                          weight=len(fresh) + (DISPUTED_WEIGHT if disputed else 0),
                          detail=detail, label=f"🧭 {prop.text}"))
    return items


def standing_items(store: Store, propositions: Sequence[Proposition],
                   topics: Topics) -> list[Item]:
    """When nothing changed: the propositions where sources still disagree (on the chat's
    topics), each with the strongest quote of either side."""
    items = []
    for topic in debate_topics(propositions, store.positions()):
        if not topic.disputed or not (topics.everything
                                      or topic.proposition.id in topics.propositions):
            continue
        sides = [topic.strongest(FOR), topic.strongest(AGAINST)]
        lines = (texts.SCREEN_DISPUTED_ITEM.format(proposition=topic.proposition.text),
                 *(position_line(p) for p in sides if p is not None))
        items.append(Item(DEBATE, lines, tuple(p.doc_id for p in sides if p is not None)))
    return items[:BRIEFING_DISPUTED]


def news_items(docs: Sequence[Document], points: PointReader | None = None,
               quoted: str = "") -> list[Item]:
    """One item per document, in the order given (newest first): title, where from, and the
    line that says its point (bot/news/points.py), or its gist where no line says one or
    where the debate's items above (`quoted`, their text) quote it already."""
    return [Item(NEWS, (texts.BRIEF_ITEM.format(title=d.title, meta=d.meta,
                                                gist=_point(d, points, quoted)),), (d.id,))
            for d in docs]


def _point(doc: Document, points: PointReader | None, quoted: str) -> str:
    point = points.point(doc) if points else None
    if point is None or (point.argues and clip(point.sentence, QUOTE_MAX) in quoted):
        return gist(doc)
    return point.line


def story_items(store: Store, facts: FactReader, points: PointReader,
                docs: Sequence[Document]) -> list[Item]:
    """Stories among `docs`: reports of one event by several outlets, one item each that
    names the outlets and says the point once; it replaces its reports' single news items
    (screen.merge). Differing figures (bot/news/figures.py) do not join yet: on a blind batch
    they were wrong more often than right (docs/DESIGN.md)."""
    items = []
    for story in StoryFinder(store, facts).stories(list(docs)):
        if len(story.outlets) < 2:
            continue
        # The earliest report that says its point stands for the story.
        lines = [texts.SCREEN_STORY_ITEM.format(label=story.label, outlets=story.outlets_line)]
        point = next((p for d in story.docs if (p := points.point(d))), None)
        if point:
            lines.append(texts.SCREEN_STORY_POINT.format(point=point.line))
        items.append(Item(STORY, tuple(lines), tuple(d.id for d in story.docs),
                          weight=len(story.outlets)))
    return items


def compose_briefing(store: Store, korean: Korean | None, *, since: str | None, today: date,
                     topics: Topics = EVERYTHING) -> Digest:
    """The briefing of the documents and positions since `since` (the chat's last briefing;
    None: the latest documents), kept to `topics`, laid out for one screen."""
    new = store.documents(since=since) if since else store.documents(limit=LATEST)
    head = [texts.BRIEF_HEADER.format(date=today.isoformat())]
    docs = new
    if since and not new:
        docs = store.documents(limit=LATEST)
        head.append(texts.BRIEF_NOTHING_NEW)
    elif since:
        head.append(texts.BRIEF_NEW.format(count=len(new)))
    shown = on_topics(store, korean, topics, docs)
    left_out = len(docs) - len(shown) if since and new else 0
    if left_out:
        head.append(texts.BRIEF_LEFT_OUT.format(count=left_out))
    propositions = shared_propositions().current()
    positions = positions_on(topics, new_positions(store, since), {d.id for d in shown})
    debate = debate_items(store, propositions, positions)
    if since and not new and not debate:
        debate = standing_items(store, propositions, topics)
    if korean is not None:
        facts = FactReader(store, korean)
        points = PointReader(store, facts)
        quoted = "\n".join(line for item in debate for line in item.lines)
        items = merge([*debate, *news_items(shown, points, quoted)],
                      story_items(store, facts, points, shown))
    else:
        items = merge([*debate, *news_items(shown)], [])
    if not items and not docs:
        return Digest([(texts.SCREEN_TOP_BUTTON, texts.BRIEF_EMPTY)])
    pages = lay_out(head, items, [texts.BRIEF_FOOTER])
    changed = tuple(dict.fromkeys(p.proposition for p in positions))
    return Digest(pages, tuple(d.id for d in shown), len(positions), left_out, changed)


def compose_push(docs: Sequence[Document], left_out: int = 0) -> Digest:
    """A push for documents that just arrived, one screen however many they are: the first
    with their summaries, the rest behind "더 보기"."""
    head = [texts.PUSH_ONE if len(docs) == 1 else texts.PUSH_MANY.format(count=len(docs))]
    if left_out:
        head.append(texts.BRIEF_LEFT_OUT.format(count=left_out))
    items = [Item(NEWS, (*texts.PUSH_ITEM.format(
        title=d.title, meta=d.meta, summary=clip(shown_summary(d), SUMMARY_MAX)).split("\n"),),
        (d.id,)) for d in docs]
    return Digest(lay_out(head, items, [texts.PUSH_HINT]), tuple(d.id for d in docs),
                  left_out=left_out)
