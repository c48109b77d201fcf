"""Files an attacker or a careless operator leaves in the watched folder: links, FIFOs, cut
UTF-16, names that are not UTF-8, quadratic HTML, files that vanish. Real SQLite, real Kiwi."""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.answer.retrieval import Retriever
from bot.cli import main
from bot.doctor import WARN, check_database
from bot.ingest.decode import html_to_text
from bot.ingest.pipeline import ingest_folder
from bot.ingest.watch import FolderWatch
from bot.llm.kvcache import PrefixCache, cache_folder
from bot.store import Store
from tests.conftest import SMALL_MODEL, TOKEN, make_settings

ARTICLE = ("인공지능 기본법 개정을 둘러싼 논쟁이 이어지고 있다. 정부는 GPU 3만 장 확보 계획을 "
           "발표했지만 전문가들은 인재 양성이 먼저라고 지적했다. 국회 과학기술정보방송통신위원회는 "
           "다음 달 공청회를 열기로 했다.")
HOUR = 3600.0


def article(topic: str) -> str:
    """A distinct article (the same text twice would be a duplicate)."""
    return f"{topic}에 관한 기사다. " + ARTICLE


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "seeds"
    path.mkdir()
    return path


def ingest(store, korean, folder, **kw):
    return ingest_folder(store, korean, folder, max_bytes=kw.pop("max_bytes", 5_000_000), **kw)


def run_cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def env(tmp_path, monkeypatch, folder):
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    for key, value in {"BRIEFBOT_DB": str(tmp_path / "data" / "b.db"), "SEEDS_DIR": str(folder),
                       "MODEL_PATH": str(SMALL_MODEL), "LLM_THREADS": "2"}.items():
        monkeypatch.setenv(key, value)


def within(seconds: float, work) -> object:
    """Run `work` in a thread; fail (instead of hanging) when it is not done in time."""
    out: list = []
    thread = threading.Thread(target=lambda: out.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"not done within {seconds} s"
    return out[0]


# --- links and other non-regular files --------------------------------------------------------
def test_a_link_to_a_copy_of_env_is_quarantined_and_its_token_is_not_searchable(env, tmp_path,
                                                                               folder):
    secret = tmp_path / "env-copy"
    secret.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\n{ARTICLE}\n", "utf-8")
    (folder / "env.txt").symlink_to(secret)
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "news.txt").write_text(article("반도체"), "utf-8")
    result = run_cli("ingest", "--no-model")
    assert result.exit_code == 0
    assert "ingested 1" in result.output and "quarantined 2" in result.output
    assert "env.txt: a symbolic link" in result.output
    for query in ("TELEGRAM_BOT_TOKEN", "root:x:0:0"):
        found = json.loads(run_cli("search", query, "--json").output)
        assert found == {"hits": []}
    stats = run_cli("stats").output
    assert "env.txt: a symbolic link" in stats and "passwd.txt: a symbolic link" in stats
    assert TOKEN not in stats


def test_links_fifos_and_folders_are_never_read(store, korean, folder, tmp_path):
    (folder / "pipe.txt").unlink(missing_ok=True)
    os.mkfifo(folder / "pipe.txt")  # opening it for reading would block the scan forever
    (folder / "dir.txt").mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text(article("바깥"), "utf-8")
    (folder / "outside-link.txt").symlink_to(outside)
    (folder / "news.txt").write_text(article("반도체"), "utf-8")
    result = within(30, lambda: ingest(store, korean, folder))
    assert result.ingested == 1
    reasons = {row.name: row.reason for row in store.quarantined()}
    assert set(reasons) == {"pipe.txt", "outside-link.txt"}
    assert "not a regular file" in reasons["pipe.txt"]
    assert "symbolic link" in reasons["outside-link.txt"]
    assert Retriever(store, korean).search("바깥") == []
    # Quarantined once: the next scans leave them alone until they change.
    assert ingest(store, korean, folder).quarantined == 0


# --- one bad file never stops the scan --------------------------------------------------------
def test_cut_utf16_and_names_that_are_not_utf8_do_not_stop_the_scan(env, folder):
    utf16 = b"\xff\xfe" + article("유니코드").encode("utf-16-le")
    (folder / "a-utf16.txt").write_bytes(utf16 + b"\x00"[:1])  # one byte too many: odd length
    (folder / "b-surrogate.txt").write_bytes(b"\xff\xfe" + b"\x00\xd8A\x00" * 60)  # lone surrogate
    base = os.fsencode(folder)
    with open(os.path.join(base, "보고서.txt".encode("cp949")), "wb") as file:  # Korean Windows zip
        file.write(article("윈도우").encode("utf-8"))
    with open(os.path.join(base, b"\xff\xfe-broken.txt"), "wb") as file:  # neither UTF-8 nor CP949
        file.write(article("깨진 이름").encode("utf-8"))
    (folder / "z-last.txt").write_text(article("마지막"), "utf-8")
    result = run_cli("ingest", "--no-model")
    assert result.exit_code == 0, result.output
    assert "ingested 4, unchanged 0, quarantined 1" in result.output
    assert "b-surrogate.txt: undecodable" in result.output
    store = Store(Path(os.environ["BRIEFBOT_DB"]))
    try:
        ids = {doc.id for doc in store.documents()}
        assert ids == {"a-utf16.txt", "보고서.txt", "\\xff\\xfe-broken.txt", "z-last.txt"}
        assert store.document("a-utf16.txt").text.startswith("유니코드에 관한 기사다.")
    finally:
        store.close()
    hits = json.loads(run_cli("search", "윈도우", "--json").output)["hits"]
    assert [h["doc"] for h in hits] == ["보고서.txt"]
    again = run_cli("ingest", "--no-model").output
    assert "ingested 0, unchanged 5, quarantined 0" in again  # the bad one too: not retried


def test_a_file_that_fails_is_quarantined_once_and_not_retried_until_it_changes(
        store, korean, folder, monkeypatch, caplog):
    import bot.ingest.pipeline as pipeline
    real = pipeline.chunk_text

    def chunk_text(korean, doc_id, text):
        if doc_id == "odd.txt":
            raise RuntimeError("an analyser bug")
        return real(korean, doc_id, text)

    monkeypatch.setattr(pipeline, "chunk_text", chunk_text)
    (folder / "odd.txt").write_text(article("이상한"), "utf-8")
    (folder / "ok.txt").write_text(article("정상"), "utf-8")
    watch = FolderWatch(store, korean, folder, max_bytes=5_000_000, settle_seconds=0)
    first = watch.scan().result
    assert (first.ingested, first.quarantined) == (1, 1)
    [row] = store.quarantined()
    assert row.name == "odd.txt" and "RuntimeError: an analyser bug" in row.reason
    caplog.clear()
    assert watch.scan().result is None  # nothing changed: the pipeline does not even run
    (folder / "new.txt").write_text(article("새"), "utf-8")
    again = watch.scan().result
    assert (again.ingested, again.quarantined) == (1, 0)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    (folder / "odd.txt").write_text(article("고쳐진 이상한"), "utf-8")
    monkeypatch.setattr(pipeline, "chunk_text", real)
    fixed = watch.scan().result
    assert fixed.ingested == 1 and store.quarantined() == []


# --- HTML in linear time ------------------------------------------------------------------------
@pytest.mark.parametrize("page", [
    "<a " * 1_700_000,  # 5 MB of tags that never close: quadratic in html.parser
    "<!--x" * 1_000_000,  # comments that never close
    "<p>" + " " * 5_000_000 + "</p>",  # one run of spaces
    "<script>" * 600_000 + ">",  # scripts that never end
], ids=["unclosed-a", "unclosed-comment", "spaces", "unclosed-script"])
def test_hostile_html_is_parsed_in_linear_time(page):
    started = time.perf_counter()
    within(10, lambda: html_to_text(page))
    assert time.perf_counter() - started < 2.0


def test_a_5mb_html_file_of_unclosed_tags_is_quarantined_quickly(store, korean, folder):
    (folder / "evil.html").write_text("<html><body><p>짧다</p>" + "<a " * 1_666_000, "utf-8")
    (folder / "news.txt").write_text(article("반도체"), "utf-8")
    assert (folder / "evil.html").stat().st_size > 4_900_000
    started = time.perf_counter()
    result = within(30, lambda: ingest(store, korean, folder))
    assert time.perf_counter() - started < 3.0
    assert (result.ingested, result.quarantined) == (1, 1)
    assert "no article text" in store.quarantined()[0].reason


def test_html_text_keeps_the_article_and_drops_markup_scripts_and_furniture():
    page = ("<html><head><title>AI 기본법</title><style>p{color:red}</style>"
            "<script>var s = '<p>가짜</p>'; if (a<b) {}</script></head><body>"
            "<nav>홈 | 로그인</nav><!-- 주석 --><article><h1>AI 기본법 &amp; 논쟁</h1>"
            "<p>본문 첫 문단, 1 &lt; 2.</p><p>둘째 문단<br/>셋째 줄</p><svg/><img src=x>"
            "</article><footer>Copyright</footer></body></html>")
    assert html_to_text(page) == "AI 기본법\nAI 기본법 & 논쟁\n본문 첫 문단, 1 < 2.\n둘째 문단\n셋째 줄"


# --- files that disappear ---------------------------------------------------------------------
def test_a_vanished_file_is_forgotten_after_the_grace_period(store, korean, folder):
    (folder / "gone.txt").write_text(article("사라질"), "utf-8")
    (folder / "stays.txt").write_text(article("남을"), "utf-8")
    t0 = time.time()
    assert ingest(store, korean, folder, forget_after=24 * HOUR, now=t0).ingested == 2
    store.set_summary("gone.txt", "요약", "key")
    (folder / "gone.txt").unlink()
    kept = ingest(store, korean, folder, forget_after=24 * HOUR, now=t0 + 23 * HOUR)
    assert kept.forgotten == () and store.document("gone.txt") is not None
    result = ingest(store, korean, folder, forget_after=24 * HOUR, now=t0 + 47.5 * HOUR)
    assert result.forgotten == ("gone.txt",) and "forgotten 1" in result.line()
    assert store.document("gone.txt") is None and store.file_state("gone.txt") is None
    assert store.chunks_of("gone.txt") == []
    assert Retriever(store, korean).search("사라질") == []
    assert [h.doc_id for h in Retriever(store, korean).search("남을")] == ["stays.txt"]
    assert store.counts()["documents"] == 1


def test_a_file_back_within_the_grace_period_is_kept(store, korean, folder):
    path = folder / "away.txt"
    path.write_text(article("잠시"), "utf-8")
    t0 = time.time()
    ingest(store, korean, folder, forget_after=HOUR, now=t0)
    moved = path.rename(folder.parent / "away.txt")
    ingest(store, korean, folder, forget_after=HOUR, now=t0 + 60)
    moved.rename(path)
    ingest(store, korean, folder, forget_after=HOUR, now=t0 + 120)
    assert ingest(store, korean, folder, forget_after=HOUR, now=t0 + 3 * HOUR).forgotten == ()
    assert store.document("away.txt") is not None


def test_when_the_owner_of_a_text_vanishes_its_duplicate_takes_it_over(store, korean, folder):
    (folder / "a.txt").write_text(ARTICLE, "utf-8")
    (folder / "b.md").write_text(ARTICLE, "utf-8")
    t0 = time.time()
    assert ingest(store, korean, folder, forget_after=HOUR, now=t0).duplicates == 1
    (folder / "a.txt").unlink()
    assert ingest(store, korean, folder, forget_after=HOUR, now=t0 + 60).forgotten == ()
    result = ingest(store, korean, folder, forget_after=HOUR, now=t0 + 2 * HOUR)
    assert result.forgotten == ("a.txt",) and result.new_doc_ids == ("b.md",)
    assert [d.id for d in store.documents()] == ["b.md"]


def test_a_missing_folder_forgets_nothing(store, korean, folder):
    (folder / "news.txt").write_text(article("반도체"), "utf-8")
    t0 = time.time()
    ingest(store, korean, folder, forget_after=0, now=t0)
    folder.rename(folder.parent / "unmounted")
    ingest(store, korean, folder, forget_after=0, now=t0 + HOUR)
    assert store.document("news.txt") is not None


def test_the_watcher_notices_a_vanished_file_and_forgets_it(store, korean, folder):
    (folder / "gone.txt").write_text(article("사라질"), "utf-8")
    (folder / "stays.txt").write_text(article("남을"), "utf-8")
    watch = FolderWatch(store, korean, folder, max_bytes=5_000_000, settle_seconds=0,
                        forget_after=0)
    assert watch.scan().result.ingested == 2
    assert watch.scan().result is None
    (folder / "gone.txt").unlink()
    assert watch.scan().result.forgotten == ("gone.txt",)
    assert [d.id for d in store.documents()] == ["stays.txt"]


def test_an_empty_folder_forgets_nothing_until_a_file_is_back(store, korean, folder, caplog):
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(article(name), "utf-8")
    t0 = time.time()
    ingest(store, korean, folder, forget_after=24 * HOUR, now=t0)
    store.set_summary("a.txt", "요약", "key")
    for path in folder.iterdir():  # an unmounted share: the mount point is left, empty
        path.unlink()
    (folder / "notes.pdf").write_bytes(b"%PDF")  # not a supported file: still "empty"
    with caplog.at_level(logging.WARNING, logger="bot.ingest.pipeline"):
        for hours in (1, 30, 100):
            assert ingest(store, korean, folder, forget_after=24 * HOUR,
                          now=t0 + hours * HOUR).forgotten == ()
    assert [d.id for d in store.documents()] == ["a.txt", "b.txt"]
    assert store.document("a.txt").summary == "요약"
    [warning] = [r.getMessage() for r in caplog.records if "unmounted" in r.getMessage()]
    assert str(folder) in warning and "2 stored documents" in warning
    settings = make_settings(folder.parent, BRIEFBOT_DB=folder.parent / "t.db")  # the store's
    assert [c for c in check_database(settings) if c.name == "folder" and c.status == WARN]
    # A supported file is back: the others' absence counts from now on.
    (folder / "new.txt").write_text(article("새"), "utf-8")
    assert ingest(store, korean, folder, forget_after=24 * HOUR,
                  now=t0 + 101 * HOUR).forgotten == ()
    result = ingest(store, korean, folder, forget_after=24 * HOUR, now=t0 + 126 * HOUR)
    assert result.forgotten == ("a.txt", "b.txt")
    assert not [c for c in check_database(settings) if c.name == "folder"]
    assert [d.id for d in store.documents()] == ["new.txt"]


def test_forget_after_hours_zero_is_rejected_with_its_name(env, monkeypatch):
    for value in ("0", "-1", "nan"):
        monkeypatch.setenv("FORGET_AFTER_HOURS", value)
        result = CliRunner().invoke(main, ["stats"])
        assert result.exit_code != 0 and "FORGET_AFTER_HOURS" in result.output, value
        assert "greater than 0" in result.output


def test_forget_by_hand_through_the_cli(env, folder, tmp_path):
    (folder / "keep.txt").write_text(article("유지"), "utf-8")
    (folder / "drop.txt").write_text(article("삭제"), "utf-8")
    (folder / "copy.md").write_text(article("삭제"), "utf-8")
    assert "ingested 2" in run_cli("ingest", "--no-model").output
    kept = cache_folder(tmp_path / "data" / "b.db")  # an evaluated prefix kept for the doc
    kept.mkdir(parents=True, exist_ok=True)
    PrefixCache(kept, 1 << 20).put("k1", b"state", label="copy.md")
    # copy.md was read first and holds the text; drop.txt names it as a duplicate.
    result = run_cli("forget", "drop.txt")  # a file name: the text it holds goes
    assert result.exit_code == 0 and "forgot copy.md" in result.output
    assert list(kept.iterdir()) == []
    assert json.loads(run_cli("search", "삭제", "--json").output) == {"hits": []}
    # The files stay in the folder, unchanged: they are not read again.
    assert "ingested 0, unchanged 3" in run_cli("ingest", "--no-model").output
    assert json.loads(run_cli("search", "삭제", "--json").output) == {"hits": []}
    assert run_cli("forget", "keep.txt").exit_code == 0  # a document id
    assert json.loads(run_cli("search", "유지", "--json").output) == {"hits": []}
    missing = CliRunner().invoke(main, ["forget", "nothing.txt"])
    assert missing.exit_code == 1 and "no document or file named nothing.txt" in missing.output
