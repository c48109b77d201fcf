"""The format table is what the folder reads: each suffix in it is ingested as its format says,
any other is left alone, and the documentation names exactly these. Real SQLite, real Kiwi."""
from __future__ import annotations

import re

from bot.ingest.formats import FORMATS
from bot.ingest.pipeline import ingest_folder
from tests.conftest import ROOT

ARTICLE = ("인공지능 기본법 개정을 둘러싼 논쟁이 이어지고 있다. 정부는 GPU 확보 계획을 발표했지만 "
           "전문가들은 인재 양성이 먼저라고 지적했다. 국회는 다음 달 공청회를 열기로 했다.")


def test_every_format_in_the_table_is_ingested_and_no_other(store, korean, tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    for n, suffix in enumerate(FORMATS):
        body = f"<p>{n}번째 {ARTICLE}</p><script>var x = 1;</script>"
        (folder / f"a{n}{suffix.upper() if n % 2 else suffix}").write_text(body, "utf-8")
    (folder / "notes.pdf").write_text(ARTICLE, "utf-8")
    result = ingest_folder(store, korean, folder, max_bytes=1_000_000)
    assert result.ingested == len(FORMATS) and result.quarantined == 0
    for doc in store.documents():
        suffix = doc.id[doc.id.rindex("."):].lower()
        markup_gone = "<p>" not in doc.text and "var x" not in doc.text
        assert markup_gone == (FORMATS[suffix]("<p>x</p>") == "x"), doc.id


def test_the_docs_name_exactly_the_formats_in_the_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [row] = [line for line in readme.splitlines() if line.startswith("| `SEEDS_DIR`")]
    assert set(re.findall(r"`(\.[a-z0-9]+)`", row)) == set(FORMATS)
    design = (ROOT / "docs" / "DESIGN.md").read_text(encoding="utf-8")
    [line] = [line for line in design.splitlines() if "Every supported file" in line]
    assert set(re.findall(r"`(\.[a-z0-9]+)`", line)) == set(FORMATS)
