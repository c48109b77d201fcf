"""An edit of prompts/debate.toml that loses propositions for a while (a half-saved file that
still parses) does not make their positions news when the propositions come back."""
from __future__ import annotations

import io

from bot.debate.propositions import Propositions
from bot.debate.service import DebateMap
from bot.store import Store
from bot.types import AGAINST, FOR, Position
from tests.fakes import FakeLLM
from tests.test_debate import DC, FOR_SENTENCE, doc

OTHER = "[[proposition]]\nid = 'space_budget'\ntext = '우주 개발 예산을 늘려야 한다.'\nterms = ['우주', '발사체']\n"
REGIONAL = (f"[[proposition]]\nid = '{DC.id}'\ntext = '{DC.text}'\n"
            f"terms = {list(DC.terms)!r}\npro = {list(DC.pro)!r}\ncon = {list(DC.con)!r}\n")


def test_positions_of_a_proposition_lost_and_restored_are_not_new(tmp_path, korean, monkeypatch):
    store = Store(tmp_path / "t.db")
    d = doc()
    store.save_document(d, [])
    llm = FakeLLM()
    llm.stances = {FOR_SENTENCE[:30]: FOR}
    path = tmp_path / "debate.toml"
    debate = DebateMap(store, llm, korean, Propositions(path))
    clock = iter(["2026-03-01T08:00:00+00:00", "2026-03-01T08:05:00+00:00",
                  "2026-03-01T08:10:00+00:00"])
    monkeypatch.setattr("bot.store.positions.utcnow", lambda: next(clock))

    path.write_text(REGIONAL + OTHER, encoding="utf-8")
    debate.find(store.document(d.id))
    first = {(p.side, p.quote): p.found_at for p in store.positions()}
    assert sorted(side for side, _ in first) == sorted([FOR, AGAINST])

    path.write_text(OTHER, encoding="utf-8")  # saved half-way: the first proposition is gone
    assert debate.pending() == [d.id]
    debate.find(store.document(d.id))
    assert debate.topics() == [] and debate.new_since("2026-03-01T07:00:00+00:00") == []

    path.write_text(REGIONAL + OTHER, encoding="utf-8")  # saved whole again
    assert debate.pending() == [d.id]
    debate.find(store.document(d.id))
    assert {(p.side, p.quote): p.found_at for p in store.positions()} == first
    assert debate.new_since("2026-03-01T08:00:00+00:00") == []
    assert [t.proposition.id for t in debate.topics()] == [DC.id]
    store.close()


def test_positions_kept_for_a_lost_proposition_go_when_the_document_changes(tmp_path, korean):
    store = Store(tmp_path / "t.db")
    d = doc()
    store.save_document(d, [])
    path = tmp_path / "debate.toml"
    path.write_text(REGIONAL, encoding="utf-8")
    debate = DebateMap(store, FakeLLM(), korean, Propositions(path))
    debate.find(store.document(d.id))
    path.write_text(OTHER, encoding="utf-8")
    debate.find(store.document(d.id))
    assert store.positions(proposition=DC.id)  # kept, unshown
    store.save_document(doc(d.text + "\n추가 문단입니다."), [])
    assert store.positions() == []
    store.close()


def test_a_briefings_picture_shows_only_the_propositions_named(tmp_path, korean):
    """The picture after a briefing draws the propositions with new positions, not the map."""
    from PIL import Image
    store = Store(tmp_path / "t.db")
    path = tmp_path / "debate.toml"
    path.write_text(REGIONAL + OTHER, encoding="utf-8")
    debate = DebateMap(store, FakeLLM(), korean, Propositions(path))
    for i, prop in enumerate((DC.id, "space_budget")):
        d = doc(doc_id=f"d{i}.txt")
        store.save_document(d, [])
        store.save_positions(d.id, [Position(d.id, prop, FOR if i else AGAINST, "필자",
                                             "인용문입니다.", 1.0)], "k", d.content_hash)
    both = Image.open(io.BytesIO(debate.picture()))
    one = Image.open(io.BytesIO(debate.changes_picture([DC.id])))
    assert one.width == both.width and one.height < both.height
