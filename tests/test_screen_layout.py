"""The one-screen layout as pure functions: where story and figure items join a briefing, what
fits the top page, and which buttons each page carries."""
from __future__ import annotations

from bot import texts
from bot.delivery.screen import DEBATE, FIGURES, NEWS, STORY, Item, lay_out, merge, page_buttons


def news(doc_id: str, size: int = 100) -> Item:
    return Item(NEWS, (f"• {doc_id} " + "가" * size,), (doc_id,))


def test_stories_and_figures_replace_the_news_items_of_their_documents_and_rank_above_them():
    debate = Item(DEBATE, ("🧭 쟁점",), ("a",), weight=2)
    story = Item(STORY, ("■ 같은 사건, 3개 매체",), ("a", "b", "c"), weight=3)
    figures = Item(FIGURES, ("같은 항목, 다른 수치",), ("d", "e"))
    merged = merge([debate, news("a"), news("b"), news("c"), news("d"), news("f")],
                   [story, figures])
    assert merged == [debate, figures, story, news("f")]  # d alone is not the pair d, e


def test_the_top_page_holds_what_fits_and_every_item_is_on_exactly_one_page():
    items = [news(f"n{i:02d}") for i in range(40)]
    pages = lay_out(["머리"], items, ["꼬리"], budget=1500)
    top = pages[0][1]
    assert len(top) < 1700 and top.startswith("머리") and top.endswith("꼬리")
    shown = sum(f"• n{i:02d} " in top for i in range(40))
    assert texts.SCREEN_MORE.format(count=40 - shown) in top
    text = "\n".join(page for _, page in pages)
    assert all(text.count(f"• n{i:02d} ") == 1 for i in range(40))
    assert all(len(page) <= 4000 for _, page in pages)


def test_each_page_offers_the_top_the_next_page_and_the_items_with_their_own_page():
    detailed = Item(DEBATE, ("🧭 쟁점",), ("a",), detail=("🧭 쟁점", "입장 1", "입장 2"),
                    label="🧭 쟁점")
    pages = lay_out([], [detailed, *(news(f"n{i:02d}", 400) for i in range(30))])
    labels = [label for label, _ in pages]
    more = [i for i, label in enumerate(labels) if label == texts.SCREEN_MORE_BUTTON]
    own = labels.index("🧭 쟁점")
    assert len(more) >= 2 and own > max(more)
    first = f"{texts.SCREEN_MORE_BUTTON} 1/{len(more)}"
    assert page_buttons(labels, 0) == [(first, more[0]), ("🧭 쟁점", own)]
    assert page_buttons(labels, more[0]) == [
        (texts.SCREEN_TOP_BUTTON, 0), (f"{texts.SCREEN_MORE_BUTTON} 2/{len(more)}", more[1]),
        ("🧭 쟁점", own)]
    assert page_buttons(labels, more[-1])[1:] == [("🧭 쟁점", own)]  # no next page: the last
    assert page_buttons(labels, own) == [(texts.SCREEN_TOP_BUTTON, 0), (first, more[0])]
    assert lay_out(["머리"], [news("a")]) == [(texts.SCREEN_TOP_BUTTON, "머리\n\n" + news("a")
                                                .lines[0])]  # nothing more: no buttons
