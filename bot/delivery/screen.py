"""A briefing or a push laid out for one screen: its items ranked by importance, the top ones
on the first page (about TOP_BUDGET characters, one Telegram message), one line saying how much
more there is, and the rest on pages behind buttons ("더 보기", and one per proposition with
more) that the chat opens in place. Pure functions: what is laid out is stored with the outbox
row (store `screens`), so a button works the same after a restart."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from bot import texts
from bot.types import clip

# Kinds of item, in the order a reader wants them: what changed in the debate, two sources
# giving different figures for one thing, an event several outlets report, then single news.
DEBATE, FIGURES, STORY, NEWS = "debate", "figures", "story", "news"
RANK = {DEBATE: 0, FIGURES: 1, STORY: 2, NEWS: 3}
TOP_BUDGET = 1500  # characters of the top page: a phone screen or two, read to the end
PAGE_BUDGET = 3500  # a page behind "더 보기"
MESSAGE_MAX = 4000  # under Telegram's 4,096, which counts UTF-16 units (an emoji is two)
DETAIL_BUTTONS = 6  # buttons for items with their own page (propositions with more)

Pages = list[tuple[str, str]]  # (button label, text), the top page first


@dataclass(frozen=True)
class Item:
    """One entry of a briefing or push, as lines of plain text."""

    kind: str  # DEBATE, FIGURES, STORY or NEWS
    lines: tuple[str, ...]
    doc_ids: tuple[str, ...] = ()  # the documents it stands for
    weight: float = 0.0  # within its kind, more weight comes first (sources, positions)
    detail: tuple[str, ...] = ()  # its own page, opened by a button labelled `label`
    label: str = ""


def arrange(items: Sequence[Item]) -> list[Item]:
    """Most important first: by kind (RANK), then weight; otherwise in the order given."""
    return sorted(items, key=lambda item: (RANK.get(item.kind, len(RANK)), -item.weight))


def merge(items: Sequence[Item], extra: Sequence[Item]) -> list[Item]:
    """Where stories and figure conflicts join a briefing: each `extra` item (STORY, FIGURES)
    stands for the documents it names, so their single NEWS items leave; then all are ranked."""
    covered = {doc_id for item in extra for doc_id in item.doc_ids}
    kept = [item for item in items
            if not (item.kind == NEWS and item.doc_ids and set(item.doc_ids) <= covered)]
    return arrange([*kept, *extra])


def screen_id(key: str) -> str:
    """A screen's id from its outbox key: short enough for a button's 64-byte callback data."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _size(lines: Sequence[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _text(lines: Sequence[str]) -> str:
    return clip("\n".join(lines).strip(), MESSAGE_MAX)


def lay_out(head: Sequence[str], items: Sequence[Item], foot: Sequence[str] = (), *,
            budget: int = TOP_BUDGET) -> Pages:
    """The pages of one screen. The top page holds `head`, the items that fit `budget` (at
    least one), a line counting the rest, and `foot`; the rest go on "더 보기" pages; items
    with a `detail` left incomplete on the pages get a page and a button of their own."""
    top, used, placed = list(head), _size([*head, *foot]), 0
    for item in items:
        block = ["", *item.lines]
        if placed and used + _size(block) > budget:
            break
        top += block
        used += _size(block)
        placed += 1
    rest = list(items[placed:])
    more = _more_pages(rest)
    if rest:
        top += ["", texts.SCREEN_MORE.format(count=len(rest))]
    pages: Pages = [(texts.SCREEN_TOP_BUTTON, _text([*top, *(["", *foot] if foot else [])]))]
    pages += [(texts.SCREEN_MORE_BUTTON, _text(page)) for page in more]
    details = [item for item in items if item.detail][:DETAIL_BUTTONS]
    pages += [(clip(item.label, 30), _text(item.detail)) for item in details]
    return pages


def _more_pages(rest: list[Item]) -> list[list[str]]:
    pages: list[list[str]] = []
    for item in rest:
        block = ["", *item.lines]
        if not pages or _size(pages[-1]) + _size(block) > PAGE_BUDGET:
            pages.append([])
        pages[-1] += block
    for number, page in enumerate(pages, 1):
        page.insert(0, texts.SCREEN_MORE_HEAD.format(page=number, pages=len(pages)))
    return pages


def page_buttons(labels: Sequence[str], current: int) -> list[tuple[str, int]]:
    """The buttons under page `current`: back to the top, the next "더 보기" page, and one
    per item with a page of its own, as (label, page index)."""
    more = [i for i, label in enumerate(labels) if i and label == texts.SCREEN_MORE_BUTTON]
    buttons: list[tuple[str, int]] = []
    if current:
        buttons.append((texts.SCREEN_TOP_BUTTON, 0))
    following = [i for i in more if i > current] if current == 0 or current in more else more
    if following:
        number = more.index(following[0]) + 1
        label = texts.SCREEN_MORE_BUTTON + (f" {number}/{len(more)}" if len(more) > 1 else "")
        buttons.append((label, following[0]))
    buttons += [(label, i) for i, label in enumerate(labels)
                if i and i not in more and i != current]
    return buttons
