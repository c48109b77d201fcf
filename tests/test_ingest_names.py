"""Two files whose names differ only in Unicode normalisation (NFC, and the NFD macOS writes)
are one name: the NFC file holds the document, the other is quarantined with the reason, and a
scan after that changes nothing. Real SQLite, real Kiwi, real files."""
from __future__ import annotations

import unicodedata

from bot.ingest.pipeline import ingest_folder
from bot.ingest.watch import FolderWatch
from tests.test_ingest_hostile import article

NAME = "인공지능 정책.txt"
NFD = unicodedata.normalize("NFD", NAME)


def test_a_name_in_nfc_and_in_nfd_is_read_once_and_its_summary_kept(tmp_path, store, korean):
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / NFD).write_text(article("데이터센터"), encoding="utf-8")
    (folder / NAME).write_text(article("반도체"), encoding="utf-8")
    assert len({p.name for p in folder.iterdir()}) == 2

    first = ingest_folder(store, korean, folder, max_bytes=1_000_000)
    assert (first.ingested, first.quarantined) == (1, 1)
    assert [name for name, _ in first.quarantined_files] == [NFD]
    assert "another Unicode normalisation" in first.quarantined_files[0][1]
    assert store.document(NAME).text.startswith("반도체에 관한 기사다.")
    store.set_summary(NAME, "요약", "key")

    for _ in range(2):
        again = ingest_folder(store, korean, folder, max_bytes=1_000_000)
        assert (again.ingested, again.quarantined, again.unchanged) == (0, 0, 2)
    assert store.document(NAME).summary == "요약"
    assert [q.name for q in store.quarantined()] == [NFD]


def test_the_folder_watch_sees_both_spellings_once(tmp_path, store, korean):
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / NAME).write_text(article("반도체"), encoding="utf-8")
    (folder / NFD).write_text(article("데이터센터"), encoding="utf-8")
    watch = FolderWatch(store, korean, folder, max_bytes=1_000_000, settle_seconds=0)
    assert watch.scan().result.ingested == 1
    assert watch.scan().result is None  # nothing changed: the pipeline does not run again
    assert store.document(NAME).text.startswith("반도체에 관한 기사다.")
