"""The prefix cache never takes a small disk below its safety margin, and it shares its folder
safely: half-written entries count, stale ones go, and two writers of one key do not trip over
one temporary name. The disk's size is the only thing pretended here (shutil.disk_usage)."""
from __future__ import annotations

import os
import shutil
import time
from collections import namedtuple

import pytest

from bot.llm import kvcache
from bot.llm.kvcache import PrefixCache
from tests.conftest import make_settings

Usage = namedtuple("Usage", "total used free")
MB = 1 << 20


def folder_bytes(folder) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def small_disk(monkeypatch, tmp_path):
    """A 1,000-byte disk (its margin: 100 bytes) on which 400 bytes are taken by other files;
    what tmp_path holds takes the rest."""
    def usage(path):
        free = 600 - folder_bytes(tmp_path)
        return Usage(1000, 1000 - free, free)
    monkeypatch.setattr(shutil, "disk_usage", usage)
    return usage


def test_the_cache_stops_at_the_disks_margin_whatever_its_budget(tmp_path, small_disk):
    cache = PrefixCache(tmp_path / "kvcache", max_bytes=10_000)
    for key in ("a", "b", "c"):
        cache.put(key, bytes(200))
        assert small_disk(tmp_path).free >= 100, "the cache took the disk's margin"
    assert cache.contains("c") and cache.contains("b") and not cache.contains("a")
    cache.put("big", bytes(600))  # no room even with every entry evicted: not kept
    assert not cache.contains("big") and small_disk(tmp_path).free >= 100


def test_the_budget_leaves_the_margin_free_on_a_small_disk(tmp_path, monkeypatch):
    # A 5 GB disk with 712 MB free: the margin is 512 MB (a tenth), so 200 MB are left to use.
    monkeypatch.setattr(shutil, "disk_usage",
                        lambda path: Usage(5120 * MB, 4408 * MB, 712 * MB))
    assert make_settings(tmp_path, LLM_CACHE_MB=None).cache_mb() == 200
    assert make_settings(tmp_path, LLM_CACHE_MB=2048).cache_mb() == 200
    assert make_settings(tmp_path, LLM_CACHE_MB=0).cache_mb() == 0
    # What the cache holds, half-written entries too, is its own to reuse.
    (tmp_path / "kvcache").mkdir()
    (tmp_path / "kvcache" / "a.kv").write_bytes(bytes(8 * MB))
    (tmp_path / "kvcache" / "b.kv.123-abc.tmp").write_bytes(bytes(8 * MB))
    assert make_settings(tmp_path, LLM_CACHE_MB=None).cache_mb() == 216


def test_half_written_entries_count_and_stale_ones_are_removed(tmp_path):
    folder = tmp_path / "kvcache"
    folder.mkdir()
    stale, fresh = folder / "old.kv.1-dead.tmp", folder / "new.kv.2-live.tmp"
    stale.write_bytes(bytes(50))
    fresh.write_bytes(bytes(70))
    old = time.time() - PrefixCache.STALE_TMP_SECONDS - 60
    os.utime(stale, (old, old))
    cache = PrefixCache(folder, max_bytes=200)
    assert not stale.exists() and fresh.exists()  # another writer's entry in progress stays
    assert cache.size() == (0, 70)
    cache.put("a", bytes(100))
    cache.put("b", bytes(100))  # 70 + 100 + 100 > 200: "a" makes room
    assert not cache.contains("a") and cache.contains("b") and fresh.exists()


def test_two_writers_of_one_key_each_write_a_whole_entry(tmp_path, monkeypatch):
    """The bot and `briefbot ingest` are two processes with their own locks: a write by the
    other one may fall between this one's write and its rename."""
    mine, theirs = PrefixCache(tmp_path, 1 << 20), PrefixCache(tmp_path, 1 << 20)
    replace = os.replace
    calls = []

    def interleaved(src, dst, *args, **kwargs):
        calls.append(str(src))
        if len(calls) == 1:
            theirs.put("k", b"B" * 300)
        return replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", interleaved)
    mine.put("k", b"A" * 200)
    assert mine.get("k") == bytearray(b"A" * 200)
    assert not list(tmp_path.glob("*.tmp"))
    assert len(set(calls)) == len(calls) == 2  # each write had its own temporary name
    assert kvcache.disk_usage(tmp_path) == (1, 200)
