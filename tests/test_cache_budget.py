"""The prefix cache's budget grows with the disk unless LLM_CACHE_MB sets it, and the worker
precomputes as many of the newest documents as the budget holds."""
from __future__ import annotations

import shutil

from bot.config import CACHE_CEILING_MB, CACHE_FLOOR_MB
from bot.worker import warm_documents
from bot.worker.modelwork import PREFIX_MB, WARM_DOCUMENTS
from tests.conftest import make_settings


def test_unset_the_budget_is_a_quarter_of_the_free_disk_within_bounds(tmp_path):
    settings = make_settings(tmp_path, LLM_CACHE_MB=None)
    free_mb = shutil.disk_usage(tmp_path).free >> 20
    expected = max(CACHE_FLOOR_MB, min(CACHE_CEILING_MB, free_mb // 4))
    assert abs(settings.cache_mb() - expected) <= 64  # the disk is shared: a little slack
    # What the cache holds already counts as the cache's own, not as used disk.
    (tmp_path / "kvcache").mkdir()
    (tmp_path / "kvcache" / "a.kv").write_bytes(b"\0" * (8 << 20))
    assert settings.cache_mb() >= expected - 64


def test_a_set_budget_wins_and_zero_turns_the_cache_off(tmp_path):
    assert make_settings(tmp_path, LLM_CACHE_MB=300).cache_mb() == 300
    assert make_settings(tmp_path, LLM_CACHE_MB=0).cache_mb() == 0


def test_the_worker_warms_as_many_documents_as_the_budget_holds():
    assert warm_documents(CACHE_CEILING_MB) == CACHE_CEILING_MB // PREFIX_MB > 300
    assert warm_documents(2048) == 39
    assert warm_documents(10) == 1
    assert warm_documents(0) == WARM_DOCUMENTS
