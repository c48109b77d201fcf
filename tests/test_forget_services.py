"""Forgetting a document is one service call, whichever face asks: its evaluated prompt
prefixes go with it however the forgetting scan was started. Real SQLite, real Kiwi, the fake
Bot API."""
from __future__ import annotations

import time
from pathlib import Path

import grimp

from bot.ingest.pipeline import ingest_folder
from bot.llm.kvcache import PrefixCache, cache_folder
from tests.delivery_support import article, make_services, running_bot, write_file

FACES = ("bot.cli", "bot.console", "bot.tg")


def _kept_prefix(services, doc_id: str) -> Path:
    folder = cache_folder(services.settings.BRIEFBOT_DB)
    folder.mkdir(parents=True, exist_ok=True)
    PrefixCache(folder, 1 << 20).put(f"key-{doc_id}", b"state", label=doc_id)
    return folder


def _stored_then_gone(services) -> Path:
    """gone.txt indexed, then noticed missing long enough ago to be forgotten at the next scan."""
    seeds = Path(services.settings.SEEDS_DIR)
    write_file(seeds / "gone.txt", article("사라질 기사", topic="반도체"))
    write_file(seeds / "stays.txt", article("남을 기사"))
    ingest_folder(services.store, services.korean, seeds, max_bytes=5_000_000)
    (seeds / "gone.txt").unlink()
    ingest_folder(services.store, services.korean, seeds, max_bytes=5_000_000,
                  forget_after=3600, now=time.time() - 7200)  # noted missing two hours ago
    assert services.store.document("gone.txt") is not None
    return _kept_prefix(services, "gone.txt")


async def test_the_first_start_forgets_a_vanished_documents_prefix(tmp_path, korean, botapi):
    services = make_services(tmp_path, korean, botapi, FORGET_AFTER_HOURS=1)
    kept = _stored_then_gone(services)
    async with running_bot(services, botapi):  # the baseline scan at first start forgets it
        assert services.store.document("gone.txt") is None
        assert sorted(p.name for p in kept.iterdir()) == []


def test_forget_document_removes_the_text_and_the_prefix(tmp_path, korean, botapi):
    services = make_services(tmp_path, korean, botapi)
    seeds = Path(services.settings.SEEDS_DIR)
    write_file(seeds / "a.txt", article("지울 기사"))
    assert services.index_folder().ingested == 1
    kept = _kept_prefix(services, "a.txt")
    assert services.forget_document("a.txt") == "a.txt"
    assert services.store.document("a.txt") is None and list(kept.iterdir()) == []
    assert services.forget_document("nothing.txt") is None


def test_faces_leave_the_prefix_cache_to_the_services():
    graph = grimp.build_graph("bot", exclude_type_checking_imports=True)
    importers = graph.find_modules_that_directly_import("bot.llm.kvcache")
    faces = sorted(m for m in importers if m.startswith(FACES))
    assert faces == [], "forget documents through Services.forget_document / index_folder"
