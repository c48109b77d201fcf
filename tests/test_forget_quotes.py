"""A forgotten document takes what still quotes it along: a push not yet sent that announces
it is dropped, and the answers citing it (with their questions) leave the chat's history, so
neither reaches a chat after it is gone. Real SQLite."""
from __future__ import annotations

import pytest

from bot.delivery.notify import announce
from bot.store import Store
from bot.types import PUSH, Document

CHAT = 42


def document(doc_id: str) -> Document:
    return Document(id=doc_id, title=f"{doc_id} 제목", text=f"{doc_id} 본문입니다.",
                    content_hash=f"hash-{doc_id}", date="2026-03-02", outlet="가람일보")


def forget_by_hand(store: Store, doc_id: str) -> None:
    assert store.forget(doc_id) == doc_id


def forget_gone_file(store: Store, doc_id: str) -> None:
    assert store.forget_file(doc_id) == doc_id


@pytest.mark.parametrize("forget", [forget_by_hand, forget_gone_file])
def test_a_forgotten_documents_pending_push_and_cited_answers_go(tmp_path, forget):
    store = Store(tmp_path / "t.db")
    store.subscribe(CHAT)
    store.save_document(document("old.txt"), [])
    store.record_file("old.txt", raw_hash="r-old", size=1, mtime=0, status="ingested",
                      doc_id="old.txt")
    announce(store, admin_ids=[])
    store.mark_sent(store.outbox_rows(CHAT)[0].id)  # the earlier push went out
    store.save_document(document("gone.txt"), [])
    store.record_file("gone.txt", raw_hash="r-gone", size=1, mtime=0, status="ingested",
                      doc_id="gone.txt")
    assert announce(store, admin_ids=[]).queued == 1
    store.add_turn(CHAT, "user", "예전 문서는?")
    store.add_turn(CHAT, "assistant", "예전 문서의 인용", sources=["old.txt"])
    store.add_turn(CHAT, "user", "새 문서는?")
    store.add_turn(CHAT, "assistant", "새 문서의 인용", sources=["gone.txt", "old.txt"])
    store.add_turn(CHAT + 1, "user", "다른 방의 질문")
    store.add_turn(CHAT + 1, "assistant", "다른 방의 인용", sources=["gone.txt"])

    forget(store, "gone.txt")

    pushes = [row for row in store.outbox_rows(CHAT) if row.kind == PUSH]
    assert [row.status for row in pushes] == ["sent", "dropped"]
    assert store.due_outbox() == []
    assert [t.text for t in store.recent_turns(CHAT)] == ["예전 문서는?", "예전 문서의 인용"]
    assert store.recent_turns(CHAT + 1) == []
    store.close()
