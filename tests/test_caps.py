"""Titles, outlets, authors and debate-map actors have a length cap: a scraped page can put a
whole article on its headline line or into a byline, and every list, push, briefing and
picture that names the document must stay short. Real SQLite files, real Kiwi."""
from __future__ import annotations

from datetime import date

import pytest

from bot import render
from bot.answer.retrieval import Retriever
from bot.debate import view
from bot.debate.actors import Actors, Line
from bot.delivery.digest import compose_briefing, compose_push
from bot.ingest.pipeline import ingest_folder
from bot.types import ACTOR_MAX, NAME_MAX, TITLE_MAX, Document, Position, Proposition, clip

ARTICLE = ("인공지능 기본법 개정을 둘러싼 논쟁이 이어지고 있다. 정부는 GPU 3만 장 확보 계획을 "
           "발표했지만 전문가들은 인재 양성이 먼저라고 지적했다. 국회 과학기술정보방송통신위원회는 "
           "다음 달 공청회를 열기로 했다.")
PROPOSITION = Proposition("regional_dc", "공공 AI 데이터센터는 지역에 분산해야 한다.")
LONG_HEADLINE = ("인공지능 규제 유예 논쟁 " * 20_000)[:225_000].strip()


def test_clip_cuts_at_a_space_and_marks_the_cut():
    assert clip("짧은 제목", TITLE_MAX) == "짧은 제목"
    cut = clip(LONG_HEADLINE, TITLE_MAX)
    assert len(cut) <= TITLE_MAX and cut.endswith("…")
    assert LONG_HEADLINE.startswith(cut[:-1]) and LONG_HEADLINE[len(cut) - 1] == " "
    # One word longer than the cap is cut inside it rather than dropped.
    assert clip("가" * 500, NAME_MAX) == "가" * (NAME_MAX - 1) + "…"


@pytest.fixture
def long_named_files(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    # The headline is the line before the byline field, however long it is.
    (folder / "headline.txt").write_text(
        f"{LONG_HEADLINE}\n작성일: 2026-03-02 10:00\n\n{ARTICLE}\n", encoding="utf-8")
    (folder / "byline.txt").write_text(
        f"[{'가람일보' * 25_000} 홍길동 기자] 공공 부문의 {ARTICLE}\n", encoding="utf-8")
    return folder


def test_a_huge_headline_and_a_huge_byline_outlet_are_stored_capped(store, korean,
                                                                      long_named_files):
    result = ingest_folder(store, korean, long_named_files, max_bytes=5_000_000)
    assert result.ingested == 2
    headline, byline = store.document("headline.txt"), store.document("byline.txt")
    assert len(headline.title) <= TITLE_MAX and headline.title.endswith("…")
    assert headline.title.startswith("인공지능 규제 유예 논쟁")
    assert len(byline.outlet) <= NAME_MAX and byline.outlet.startswith("가람일보")
    assert byline.author == "홍길동 기자"
    # Capped in the database itself, not only when read.
    longest = store.db.execute("select max(length(title)), max(length(outlet)) from documents")
    title_chars, outlet_chars = longest.fetchone()
    assert title_chars <= TITLE_MAX and outlet_chars <= NAME_MAX
    # A row stored before the caps is read capped, by /search too.
    store.db.execute("update documents set title = ?", [LONG_HEADLINE])
    hits = Retriever(store, korean).search("공청회")
    assert hits and all(len(hit.title) <= TITLE_MAX for hit in hits)


def long_named_document(store) -> Document:
    """A document as stored before the caps: its row holds the names uncut."""
    doc = Document(id="old.txt", title=LONG_HEADLINE, text=ARTICLE, content_hash="h-old",
                   date="2026-03-02", outlet="가람일보" * 25_000, author="홍" * 100_000)
    store.save_document(doc, [])
    return doc


def test_names_stored_before_the_caps_are_read_capped_by_every_rendering(store, korean):
    doc = long_named_document(store)
    store.save_positions(doc.id, [Position(doc.id, "regional_dc", "찬성", "새봄" * 50_000,
                                           "지역에 분산해야 한다.", 1.0)], "key", doc.content_hash)
    read = store.document(doc.id)
    assert len(read.title) <= TITLE_MAX
    assert len(read.outlet) <= NAME_MAX and len(read.author) <= NAME_MAX
    assert len(store.documents()[0].title) <= TITLE_MAX
    (position,) = store.positions()
    assert len(position.actor) <= ACTOR_MAX and len(position.title) <= TITLE_MAX
    assert len(position.outlet) <= NAME_MAX

    bound = TITLE_MAX + 2 * NAME_MAX + ACTOR_MAX + 600  # the names and their own text
    topic = view.Topic(PROPOSITION, (position,))
    renderings = {
        "/sources": render.sources_plain(store.documents()),
        "/summary": render.summary_plain(read),
        "push": compose_push([read]).text,
        "briefing": compose_briefing(store, korean, since=None, today=date(2026, 3, 3)).text,
        "/debate": view.plain(view.topic_lines(topic)),
    }
    for name, text in renderings.items():
        assert len(text) < bound, name


def test_an_actor_named_with_a_huge_organisation_is_capped(korean):
    organisation = "새봄" * 5_000
    lines = [Line(0, f"나도겸 {organisation} 정책이사는 \"지역에 분산해야 한다\"고 말했다.")]
    actor = Actors(lines, korean).of(0)
    assert actor.startswith("나도겸") and len(actor) <= ACTOR_MAX
