"""Ingestion of the messy seeds and of every hazardous file kind, each with its defined outcome."""
from __future__ import annotations

import os
import time
import unicodedata

import pytest
from sqlite_utils import Database

from bot.answer.retrieval import Retriever
from bot.ingest.clean import clean_page
from bot.ingest.meta import extract_meta
from bot.ingest.pipeline import add_sentences, ingest_folder
from bot.store import Store
from bot.store.documents import stored_sentences
from bot.store.migrations import migrations
from tests.conftest import SEEDS

ARTICLE = ("인공지능 기본법 개정을 둘러싼 논쟁이 이어지고 있다. 정부는 GPU 3만 장 확보 계획을 "
           "발표했지만 전문가들은 인재 양성이 먼저라고 지적했다. 국회 과학기술정보방송통신위원회는 "
           "다음 달 공청회를 열기로 했다.")


def ingest(store, korean, folder, **kw):
    return ingest_folder(store, korean, folder, max_bytes=kw.pop("max_bytes", 5_000_000), **kw)


def test_seeds_ingest_once_and_then_unchanged(store, korean):
    first = ingest(store, korean, SEEDS)
    assert (first.ingested, first.quarantined, first.duplicates) == (5, 0, 0)
    again = ingest(store, korean, SEEDS)
    assert (again.ingested, again.unchanged) == (0, 5)
    assert store.counts()["documents"] == 5


@pytest.mark.parametrize("chrome", [
    "전업 임대수입",             # an unrelated forum post title in a listing
    "친정엄마의 독함",
    "김혜수의 팩트 폭행",        # a related-news headline
    "스노우메이지 던파 팝업",
    "즐겨찾기",                  # site navigation
    "로그인 후 의견",            # login form text
    "118.235",                   # IP line
])
def test_page_chrome_never_reaches_the_index(store, korean, chrome):
    ingest(store, korean, SEEDS)
    assert Retriever(store, korean).search(chrome) == []
    for doc in store.documents():
        assert chrome not in doc.text


def test_duplicated_header_and_footer_blocks_appear_once(store, korean):
    ingest(store, korean, SEEDS)
    doc = store.document("000_0fde8c8004443c85.txt")
    assert doc.text.count("컴퓨팅 인프라만으로는 부족하다") == 1
    assert "THINKFORBL" not in doc.text and "관련 기사" not in doc.text
    assert "Copyright" not in store.document("001_d5fffd1eb59f2a77.txt").text


def test_metadata_is_taken_from_what_the_page_states(store, korean):
    ingest(store, korean, SEEDS)
    column = store.document("000_0fde8c8004443c85.txt")
    assert column.title == "기술의 미래, 컴퓨팅 인프라만으로는 부족하다"
    assert column.date == "2025-03-25"
    assert column.url == "https://www.newstheai.com/news/articleView.html?idxno=7494"
    news = store.document("001_d5fffd1eb59f2a77.txt")
    assert (news.outlet, news.author, news.date) == ("디지털데일리", "이건한 기자", None)
    forum = store.document("004_5e7a854b7ac0a282.txt")
    assert forum.title == "[이해민의 생각] AI, 시작부터 글로벌이어야 한다"
    assert forum.date == "2025-02-15"
    # A forum post quoting an article: the link in its body does not name its source.
    assert forum.url.startswith("https://www.firenzedt.com/") and forum.outlet is None
    assert forum.display_name == "‘[이해민의 생각] AI, 시작부터 글로벌이어야 한다’"


@pytest.mark.parametrize(("masthead", "date"), [
    ("가람일보 | 2026-02-10 14:35", "2026-02-10"),
    ("누리경제 | 입력 2026.03.27 11:05 | 수정 2026.03.27 15:40", "2026-03-27"),
    ("서지안 논설위원 | 온빛일보 2026년 8월 20일 | 칼럼", "2026-08-20"),
    ("주간 디지털마당 2026년 11월 24일 | 대담·정리 방새롬 기자", "2026-11-24"),
    ("월간 미래교육 | 2026년 7월호 | 대담·정리 서문해 편집장", None),  # no day: no date
    ("홈 | 경제 | 산업 | IT·과학 | 오피니언", None),
])
def test_the_date_in_a_masthead_line_is_the_documents_date(masthead, date):
    text = (f"국가AI컴퓨팅센터 해남 낙점\n{masthead}\n[가람일보 탁세윤 기자]\n\n"
            "정부가 두 번째 국가AI컴퓨팅센터를 지을 곳으로 해남을 골랐다. 최종 발표는 다음 달에 한다.\n"
            "센터에는 GPU 1만 5천 장 규모의 연산 자원이 들어선다고 정부는 설명했다.\n")
    assert extract_meta(text, clean_page(text)).date == date


@pytest.mark.parametrize(("line", "date"), [
    ("승인 2026.05.12 08:30", "2026-05-12"),
    ("2026-06-03 16:20 게재", "2026-06-03"),
    ("2026-04-09 10:05", "2026-04-09"),
    ("주간 새길 제233호 | 2026.03.18 발행", "2026-03-18"),
    ("2026년 7월 14일 (화)", "2026-07-14"),
    ("2026년 2월 05일(목) 19:10", "2026-02-05"),
    ("다온뉴스 ─ 2026.08.21(금) ─ 오피니언", "2026-08-21"),
    ("기사입력 2026-09-30 오전 9:12 | 최종수정 2026-09-30 오전 11:40", "2026-09-30"),
    ("2026. 1. 27. 화요일 | 2면", "2026-01-27"),
    # a sentence that names a date says more than when the page was published
    ("고영향 AI 의무는 2027년 1월 22일부터 적용된다.", None),
])
def test_a_short_line_near_the_top_that_holds_a_date_is_the_publication_line(line, date):
    text = (f"다온뉴스 | 산업 > IT\n\n국가AI컴퓨팅센터 해남 낙점\n\n{line}\n\n"
            "정부가 두 번째 국가AI컴퓨팅센터를 지을 곳으로 해남을 골랐다. 최종 발표는 다음 달에 한다.\n"
            "센터에는 GPU 1만 5천 장 규모의 연산 자원이 들어선다고 정부는 설명했다.\n")
    assert extract_meta(text, clean_page(text)).date == date


@pytest.mark.parametrize(("tail", "date"), [
    ("송고시간 2026-03-02 14:10", "2026-03-02"),
    ("2026/05/19 09:40 송고", "2026-05-19"),
    # other articles' titles and dates under the story are not its date
    ("2026-01-11 08:00:12[관련기사] 데이터센터 전력 요금 개편 논의 본격화", None),
    ("2026-01-11 08:00:12", None),  # a related article's date, wrapped onto its own line
])
def test_at_the_end_only_a_line_that_is_a_date_and_its_labels_dates_the_page(tail, date):
    text = ("국가AI컴퓨팅센터 해남 낙점\n\n"
            "정부가 두 번째 국가AI컴퓨팅센터를 지을 곳으로 해남을 골랐다. 최종 발표는 다음 달에 한다.\n"
            "센터에는 GPU 1만 5천 장 규모의 연산 자원이 들어선다고 정부는 설명했다.\n\n"
            f"김하람 기자 haram@daon.example\n{tail}\n")
    assert extract_meta(text, clean_page(text)).date == date


def test_an_outlet_taken_from_a_body_link_before_is_cleared_by_the_migration(tmp_path):
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m009_no_outlet_from_a_body_url")
    for doc_id, outlet, url in [("a.txt", "firenzedt.com", "https://www.firenzedt.com/n/1"),
                                ("b.txt", "디지털데일리", "https://www.ddaily.co.kr/n/2")]:
        db["documents"].insert({"id": doc_id, "title": "t", "text": "본문", "content_hash": doc_id,
                                "outlet": outlet, "url": url, "ingested_at": "2025-01-01"})
    db.conn.close()
    store = Store(path)
    assert store.document("a.txt").outlet is None
    assert store.document("b.txt").outlet == "디지털데일리"


def test_names_a_page_shows_outside_its_body_are_kept_as_credits(store, korean):
    ingest(store, korean, SEEDS)
    column = store.document("000_0fde8c8004443c85.txt")
    # The series label above the headline and the photo credit: what readers call it by.
    assert "THINKFORBL COLUMN SERIES" in column.credits and "씽크포비엘" in column.credits
    assert "씽크포비엘" not in column.text  # still not article text
    assert "https://" not in (column.credits or "")
    assert store.documents_naming("씽크포비엘") == [column.id]
    assert store.documents_naming("100%_") == []  # LIKE wildcards in user text match literally
    forum = store.document("004_5e7a854b7ac0a282.txt")
    assert "82cook.com" in forum.credits  # the site it was posted on, from its header
    assert "firenzedt" not in forum.credits  # a link in the body is not the page's own name


def test_documents_stored_before_credits_get_them_on_the_next_scan(tmp_path, korean):
    path = tmp_path / "old.db"
    old = Store(path)
    ingest(old, korean, SEEDS)
    old.db.execute("update documents set credits = null")
    old.db.execute("delete from _sqlite_migrations where name = 'm010_document_credits'")
    old.db.execute("alter table documents drop column credits")
    old.close()
    store = Store(path)  # m010 again: the column, and every file to be read again
    result = ingest(store, korean, SEEDS)
    assert (result.ingested, result.unchanged) == (0, 5)  # nothing re-chunked or re-announced
    assert "씽크포비엘" in store.document("000_0fde8c8004443c85.txt").credits


def test_better_page_rules_reach_documents_stored_before_them(store, korean, monkeypatch):
    from bot.ingest import pipeline
    ingest(store, korean, SEEDS)
    store.db.execute("update documents set credits = 'old rules'")
    assert (ingest(store, korean, SEEDS).unchanged, store.document(
        "000_0fde8c8004443c85.txt").credits) == (5, "old rules")  # same rules: not read again
    monkeypatch.setattr(pipeline, "PAGE_RULES", pipeline.PAGE_RULES + 1)
    result = ingest(store, korean, SEEDS)
    assert (result.ingested, result.unchanged) == (0, 5)  # nothing re-chunked or re-announced
    assert "씽크포비엘" in store.document("000_0fde8c8004443c85.txt").credits


def test_a_page_cleaned_differently_by_better_rules_is_no_news(tmp_path, store, korean,
                                                                monkeypatch):
    """Better page rules can change a stored page's text (a ticker above its headline taken for
    the title stayed in the text): it is chunked again, but it is the same document, found
    when it was found and not announced again. An edit of the file still is news."""
    from bot.ingest import pipeline
    folder = tmp_path / "in"
    folder.mkdir()
    page = folder / "page.txt"
    page.write_text(f"[속보] 기준금리 석 달 만에 동결 결정\n경제 > 산업\n반도체 보조금, 첫해부터 직접 "
                    f"지급한다\n누리일보 | 2026-03-04 10:20\n{ARTICLE}\n", encoding="utf-8")
    real_prepare = pipeline.prepare

    def old_rules(raw, name, *, max_bytes):  # as a rule that took the ticker for the headline
        text, meta = real_prepare(raw, name, max_bytes=max_bytes)
        return "[속보] 기준금리 석 달 만에 동결 결정\n" + text, meta

    monkeypatch.setattr(pipeline, "prepare", old_rules)
    ingest(store, korean, folder)
    store.mark_all_announced()
    before = store.document("page.txt")
    monkeypatch.setattr(pipeline, "prepare", real_prepare)
    monkeypatch.setattr(pipeline, "PAGE_RULES", pipeline.PAGE_RULES + 1)
    assert ingest(store, korean, folder).ingested == 1
    after = store.document("page.txt")
    assert "[속보]" not in after.text and after.content_hash != before.content_hash
    assert after.ingested_at == before.ingested_at
    assert store.unannounced_documents() == []
    assert Retriever(store, korean).search("보조금")[0].doc_id == "page.txt"
    page.write_text(page.read_text(encoding="utf-8") + "정부는 다음 달 세부 기준을 발표한다.\n",
                    encoding="utf-8")
    ingest(store, korean, folder)
    assert [d.id for d in store.unannounced_documents()] == ["page.txt"]


def test_cp949_bom_nfd_and_zero_width_files_are_read_cleanly(store, korean, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cp949.txt").write_bytes(ARTICLE.encode("cp949"))
    (folder / "bom.txt").write_bytes(b"\xef\xbb\xbf" + ("BOM " + ARTICLE).encode("utf-8"))
    nfd_name = unicodedata.normalize("NFD", "맥북문서.txt")
    (folder / nfd_name).write_text(unicodedata.normalize("NFD", "맥에서 " + ARTICLE), "utf-8")
    (folder / "zw.txt").write_text("제로\u200b폭 " + ARTICLE.replace("공청회", "공\u200d청\u00ad회"),
                                   "utf-8")
    result = ingest(store, korean, folder)
    assert result.quarantined == 0
    # cp949.txt and zw.txt differ only in invisible characters and a word: both stored.
    texts = {d.id: d.text for d in store.documents()}
    assert "맥북문서.txt" in texts  # NFC file name
    assert "인공지능 기본법" in texts["cp949.txt"]
    assert not texts["bom.txt"].startswith("\ufeff")
    assert texts["맥북문서.txt"] == unicodedata.normalize("NFC", texts["맥북문서.txt"])
    assert "\u200b" not in texts["zw.txt"] and "공청회" in texts["zw.txt"]
    hits = Retriever(store, korean).search("맥에서")
    assert [h.doc_id for h in hits] == ["맥북문서.txt"]


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b" \n\n \t", "empty"),
    ("binary.txt", bytes(range(256)) * 20, "binary"),
    ("chrome-only.txt", "로그인\n회원가입\n즐겨찾기".encode(), "no article text"),
])
def test_bad_files_are_quarantined_with_a_reason(store, korean, tmp_path, name, content, reason):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(content)
    (folder / "good.txt").write_text(ARTICLE, "utf-8")
    result = ingest(store, korean, folder)
    assert (result.ingested, result.quarantined) == (1, 1)
    [row] = store.quarantined()
    assert row.name == name and reason in row.reason


def test_oversized_file_is_quarantined_and_retried_when_it_changes(store, korean, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    big = folder / "big.txt"
    big.write_text(ARTICLE * 50, "utf-8")
    assert ingest(store, korean, folder, max_bytes=4000).quarantined == 1
    assert "oversized" in store.quarantined()[0].reason
    assert ingest(store, korean, folder, max_bytes=4000).quarantined == 0  # unchanged: not retried
    big.write_text(ARTICLE, "utf-8")
    result = ingest(store, korean, folder, max_bytes=4000)
    assert result.ingested == 1 and store.quarantined() == []


def test_half_written_file_waits_until_it_settles(store, korean, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "copying.txt"
    path.write_text(ARTICLE[:40], "utf-8")
    assert ingest(store, korean, folder, settle_seconds=30).ingested == 0
    assert store.file_state("copying.txt") is None  # not read half-way
    path.write_text(ARTICLE, "utf-8")
    settled = time.time() - 60
    os.utime(path, (settled, settled))
    assert ingest(store, korean, folder, settle_seconds=30).ingested == 1
    assert store.document("copying.txt").text == ARTICLE


def test_file_cut_inside_a_character_keeps_the_text_before_it(store, korean, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    raw = ARTICLE.encode("utf-8")
    (folder / "cut.txt").write_bytes(raw[:-2])  # drop "." and cut "다" after 2 of its 3 bytes
    assert ingest(store, korean, folder).ingested == 1
    assert store.document("cut.txt").text == ARTICLE[:-2]  # "…했다." minus the cut "다" and "."


def test_changed_file_replaces_its_old_version_without_stale_chunks(store, korean, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "doc.txt"
    path.write_text(ARTICLE + " 반도체특별법 논의도 있었다.", "utf-8")
    ingest(store, korean, folder)
    assert Retriever(store, korean).search("반도체특별법")
    path.write_text(ARTICLE + " 데이터센터 전력 문제도 제기됐다.", "utf-8")
    assert ingest(store, korean, folder).ingested == 1
    assert Retriever(store, korean).search("반도체특별법") == []
    assert Retriever(store, korean).search("데이터센터")
    assert store.counts()["documents"] == 1


def test_same_text_under_two_names_is_stored_once(store, korean, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, "utf-8")
    (folder / "b.md").write_text(ARTICLE, "utf-8")
    result = ingest(store, korean, folder)
    assert (result.ingested, result.duplicates) == (1, 1)
    assert store.counts()["documents"] == 1


def test_html_files_lose_their_markup_scripts_and_navigation(store, korean, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "page.html").write_text(
        "<html><head><script>var tracking=1;</script></head><body><nav>홈 | 뉴스 | 로그인</nav>"
        f"<h1>AI 기본법 논쟁</h1><p>{ARTICLE}</p><footer>Copyright 2025</footer></body></html>",
        "utf-8")
    assert ingest(store, korean, folder).ingested == 1
    text = store.document("page.html").text
    assert "tracking" not in text and "<p>" not in text and "Copyright" not in text
    assert "GPU 3만 장" in text


def test_chunks_are_whole_sentences_with_offsets_into_the_text(store, korean):
    ingest(store, korean, SEEDS)
    doc = store.document("002_1148ec4abbdb786c.txt")
    chunks = store.chunks_of(doc.id)
    assert len(chunks) > 3
    for chunk in chunks:
        assert doc.text[chunk["start"]: chunk["start"] + len(chunk["text"])] == chunk["text"]
        assert chunk["text"].rstrip()[-1] in ".?!…\"'”’)]다요" or len(chunk["text"]) < 120


def test_batched_analysis_splits_sentences_as_korean_sentences_does(korean):
    lines = [line for path in sorted(SEEDS.glob("*.txt"))
             for line in path.read_text("utf-8").split("\n")][:300]
    analysed = korean.analyse(lines)
    assert len(analysed) == len(lines)
    for line, sentences in zip(lines, analysed):
        assert [(s.start, s.end) for s in sentences] == korean.sentences(line)
    # The inner-period split holds in the one-pass analysis too.
    [found] = korean.analyse(["정부는 계획을 발표했다. ‘인재 양성’이 먼저라는 지적이 나왔다."])
    assert len(found) == 2 and found[1].morphemes[:2] == ("인재", "양성")


@pytest.mark.parametrize(("line", "count"), [
    # A quotation of two sentences is one reported sentence: who said it stays with it.
    ('김 의원은 "예산을 늘려야 한다. 효과는 그다음에 따지자"고 말했다. 다음 문장이다.', 2),
    ("그는 “예산을 늘려야 한다. 그래야 산다”고 강조했다. 또 “두 번째다.” 세 번째다.", 3),
    # A quotation mark that never closes holds nothing together.
    ('이것은 "닫히지 않은 인용이다. 다음 문장이다. 또 다음이다.', 3),
])
def test_a_period_inside_quotation_marks_ends_no_sentence(korean, line, count):
    spans = korean.sentences(line)
    assert len(spans) == count
    assert [(s.start, s.end) for s in korean.analyse([line])[0]] == spans
    if count == 2:
        assert line[spans[0][0]:spans[0][1]].endswith("고 말했다.")


def test_chunks_stored_by_older_sentence_rules_are_cut_again(store, korean, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    text = ('김 의원은 "예산을 늘려야 한다. 효과는 그다음에 따지자"고 말했다. 반대도 있었다. '
            "기획재정부는 효과를 먼저 검증해야 한다는 입장을 국회에 전달했다. " * 3)
    (folder / "a.txt").write_text("제목\n\n" + text, "utf-8")
    ingest(store, korean, folder)
    store.set_meta("sentence_rules", "1")
    assert add_sentences(store, korean) == 1
    assert add_sentences(store, korean) == 0  # once
    [chunk] = store.chunks_of("a.txt")
    first = stored_sentences(chunk["sentences"])[0]
    assert chunk["text"][first.start:first.end].endswith('따지자"고 말했다.')


def test_a_line_that_is_only_a_date_is_never_the_title():
    """A page that opens with its date, then a headline that reads like a sentence, then a
    date field: the line before the field is the date, not a headline."""
    from bot.ingest.head import headline
    lines = ["2025-07-07", "작성일 : 2025-02-15 22:49:11", "본문 첫 문장은 이렇게 시작합니다."]
    found = headline(lines)
    assert found is None or found.at != 0


@pytest.mark.parametrize("bar", [
    "홈 | 정치 | 경제 | 사회 | IT·과학 | 오피니언",
    "경제 > 반도체",
    "오피니언 > 데스크에서",
    "한누리일보 ─ 2026.04.02(목) ─ 오피니언",
    "주간 미래정책 제88호 | 2026년 4월 2일",
    "테크누리 | TECHNURI",
])
def test_a_menu_bar_breadcrumb_or_masthead_is_never_the_headline(bar):
    from bot.ingest.clean import clean_page
    from bot.ingest.meta import extract_meta
    text = f"{bar}\n\n반도체 보조금, 첫해부터 직접 지급한다\n\n정부가 내년부터 반도체 기업에 보조금을 직접 준다.\n"
    assert extract_meta(text, clean_page(text)).title == "반도체 보조금, 첫해부터 직접 지급한다"


@pytest.mark.parametrize(("line", "author"), [
    ("(세종=한밭통신) 마서준 기자 = 정부가 내년부터 반도체 기업에 보조금을 직접 준다.", "마서준 기자"),
    ("[누리일보=차예린 기자] 정부가 내년부터 반도체 기업에 보조금을 직접 준다.", "차예린 기자"),
    ("채도윤 기자 doyun@nuri.example", "채도윤 기자"),
    ("글: 남궁하람 미래재정연구원 선임연구위원", "남궁하람 미래재정연구원 선임연구위원"),
    ("/ 국태현 논설위원", "국태현 논설위원"),
    ("함소리 한빛대 경제학과 교수", "함소리 한빛대 경제학과 교수"),
])
def test_the_byline_is_read_in_the_shapes_korean_pages_print_it(line, author):
    from bot.ingest.clean import clean_page
    from bot.ingest.meta import extract_meta
    body = ("정부가 내년부터 반도체 기업에 보조금을 직접 준다. 첫해 예산은 4천억 원이다.\n"
            "업계는 환영했지만 재정 당국은 신중하다.\n")
    head = line if not line.startswith(("(", "[")) else ""
    lead = line if not head else body.split("\n")[0]
    for text in (f"[기고] 반도체 보조금, 이번엔 다르다\n{head}\n{lead}\n{body}",
                 f"[기고] 반도체 보조금, 이번엔 다르다\n{lead}\n{body}{head}\n"):
        assert extract_meta(text, clean_page(text)).author == author, text


def test_a_column_signed_with_a_name_and_who_the_writer_is_names_its_author():
    from bot.ingest.clean import clean_page
    from bot.ingest.meta import extract_meta
    text = ("[시론] 반도체 보조금, 이번엔 다르다\n정부가 내년부터 반도체 기업에 보조금을 직접 준다.\n"
            "업계는 환영했지만 재정 당국은 신중하다.\n마채운\n필자는 한빛반도체협회 회장이다.\n")
    assert extract_meta(text, clean_page(text)).author == "마채운 한빛반도체협회 회장"


@pytest.mark.parametrize("rule", ["──", "―", "—", "-"])
def test_a_column_signed_under_a_rule_names_its_author(rule):
    from bot.ingest.clean import clean_page
    from bot.ingest.meta import extract_meta
    text = ("[시론] 반도체 보조금, 이번엔 다르다\n2026.11.20\n\n정부가 내년부터 반도체 기업에 보조금을 "
            "직접 준다.\n업계는 환영했지만 재정 당국은 신중하다.\n\n"
            f"{rule} 마채운 경제평론가·전 국책연구기관 연구위원\n\nⓒ 주간 논점\n")
    assert extract_meta(text, clean_page(text)).author == \
        "마채운 경제평론가·전 국책연구기관 연구위원"


@pytest.mark.parametrize("line", [
    "목록 | 이전글: [논평] 개인정보 유출 과징금 1,347억, 숫자보다 중요한 것 | 다음글: [행사] 12월 정기 포럼",
    "▲ 이전 기사: 로봇세 논의 내년으로…기재부 \"산업계 부담 고려\"",
    "다음글 : 2026년 하반기 정책 토론회 개최 안내 (참가 신청 11월 30일까지)",
])
def test_a_posts_neighbours_on_a_board_are_page_furniture(line):
    from bot.ingest.chrome import is_chrome
    assert is_chrome(line)
    assert not is_chrome("이전 글에서 다룬 로봇세 논의는 다음 글에서 이어가겠다고 필자는 밝혔다.")


@pytest.mark.parametrize("line", [
    "담당부서: 금융데이터정책과 책임자: 과장 이정민 (02-2100-0000) 담당자: 사무관 김서윤",
    "▶ 동영상 재생 (01:58)",
    "코스피 3,287.14 ▲21.06 코스닥 871.50 ▲4.33 원/달러 1,391.80",
    "글자크기 [+] [-] 인쇄 공유",
])
def test_a_press_releases_contacts_a_player_a_ticker_and_buttons_are_furniture(line):
    from bot.ingest.chrome import is_chrome
    assert is_chrome(line)
    assert not is_chrome("코스피는 이날 3,287.14로 마감해 전날보다 21.06포인트 올랐다.")
