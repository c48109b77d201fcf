"""Stories, differing figures and point lines (bot/news/) over articles of eval/collection/
ingested into a real SQLite file with real Kiwi: several outlets reporting one event, a
follow-up with new figures, op-eds answering each other, a bill and the bill as passed."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.ingest.pipeline import ingest_folder
from bot.news.facts import FactReader, value_of
from bot.news.figures import FigureFinder
from bot.news.points import PointReader
from bot.news.stories import StoryFinder
from bot.store import Store
from bot.types import FOR, Position

COLLECTION = Path(__file__).resolve().parent.parent / "eval" / "collection"
ARTICLES = ["c002", "c003", "c004", "c012", "c013", "c017", "c021", "c024", "c025", "c026",
            "c028", "c029", "c032", "c033", "c041", "c042"]


def _copy(folder: Path, prefixes: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for prefix in prefixes:
        [path] = COLLECTION.glob(prefix + "_*.txt")
        shutil.copy(path, folder / path.name)


@pytest.fixture(scope="module")
def collection(tmp_path_factory, korean) -> Store:
    """The articles above, ingested once; the tests only read."""
    root = tmp_path_factory.mktemp("news")
    _copy(root / "docs", ARTICLES)
    store = Store(root / "news.db")
    ingest_folder(store, korean, root / "docs", max_bytes=5_000_000)
    yield store
    store.close()


def _ids(docs) -> list[str]:
    return sorted(d.id[:4] for d in docs)


def test_korean_numbers_are_read_as_values():
    assert value_of("1만 5천") == 15_000
    assert value_of("10조 1천억") == 10_100_000_000_000
    assert value_of("2,048") == 2048
    assert value_of("1억 4천만") == 140_000_000
    assert value_of("36.5") == 36.5


def test_one_event_told_by_two_outlets_is_one_story_with_its_outlets(collection, korean):
    stories = StoryFinder(collection, FactReader(collection, korean)).stories(
        collection.documents())
    grouped = {tuple(_ids(s.docs)): s for s in stories if len(s.docs) > 1}
    assert set(grouped) == {("c002", "c003"), ("c012", "c013"), ("c024", "c025"),
                            ("c041", "c042")}
    haenam = grouped[("c002", "c003")]
    assert haenam.outlets_line == "2개 매체: 누리경제, 한빛타임스"
    assert "해남" in haenam.label and haenam.label in haenam.docs[0].title + haenam.docs[1].title
    assert "계도기간" in grouped[("c012", "c013")].label
    # every document is in exactly one story; those with several outlets come first
    assert sorted(d.id for s in stories for d in s.docs) == sorted(
        d.id for d in collection.documents())
    assert all(len(s.outlets) == 2 for s in stories[:4])


def test_follow_ups_and_op_eds_on_the_same_matter_are_not_one_story(collection, korean):
    """c004 (the centre enlarged a week later), c029 (the bill passed a week after c028) and
    the op-eds c032/c033 share most of their words with their pair, but no event."""
    stories = StoryFinder(collection, FactReader(collection, korean)).stories(
        collection.documents())
    story_of = {d.id[:4]: i for i, s in enumerate(stories) for d in s.docs}
    assert story_of["c004"] not in (story_of["c002"], story_of["c003"])
    assert story_of["c028"] != story_of["c029"]
    assert story_of["c032"] != story_of["c033"]
    assert story_of["c024"] != story_of["c026"]  # a column on the same budget a week later


def test_the_same_report_two_weeks_later_is_another_story(tmp_path, korean):
    _copy(tmp_path / "docs", ["c002"])
    [c003] = COLLECTION.glob("c003_*.txt")
    moved = c003.read_text(encoding="utf-8").replace("2026-03-27", "2026-04-10")
    (tmp_path / "docs" / "c003_moved.txt").write_text(moved, encoding="utf-8")
    store = Store(tmp_path / "t.db")
    ingest_folder(store, korean, tmp_path / "docs", max_bytes=5_000_000)
    stories = StoryFinder(store, FactReader(store, korean)).stories(store.documents())
    assert [len(s.docs) for s in stories] == [1, 1]
    store.close()


def test_reports_that_share_a_subject_but_no_fact_are_two_stories(tmp_path, korean):
    """A day after 톈무-R2's release (c041), another report on 톈무AI — same names, same model,
    but none of its figures or dates: another event."""
    _copy(tmp_path / "docs", ["c041", "c042"])
    (tmp_path / "docs" / "tianmu_office.txt").write_text(
        "中 톈무AI, 추론 모델 '톈무-R2' 앞세워 서울 지사 개설\n파랑IT | 2026-01-29 15:00\n\n"
        "중국 AI 스타트업 톈무AI가 추론 모델 '톈무-R2'를 앞세워 한국 시장에 진출한다. "
        "톈무AI는 29일 서울 강남에 한국 지사를 열고 직원 30명을 뽑는다고 밝혔다.\n\n"
        "지사는 국내 기업에 오픈소스 모델 도입을 돕는 일을 맡는다.\n", encoding="utf-8")
    store = Store(tmp_path / "t.db")
    ingest_folder(store, korean, tmp_path / "docs", max_bytes=5_000_000)
    stories = StoryFinder(store, FactReader(store, korean)).stories(store.documents())
    assert sorted(_ids(s.docs) for s in stories) == [["c041", "c042"], ["tian"]]
    store.close()


def _conflicts(store: Store, korean, prefixes: list[str]):
    docs = [d for d in store.documents() if d.id[:4] in prefixes]
    return FigureFinder(store, FactReader(store, korean)).conflicts(docs)


def test_differing_figures_are_set_side_by_side_with_source_and_date(collection, korean):
    [conflict] = [c for c in _conflicts(collection, korean, ["c002", "c004"]) if c.unit == "장"]
    assert [(v.written, v.outlet, v.date[:10]) for v in conflict.values] == [
        ("1만 5천 장", "누리경제", "2026-03-27"), ("1만 8천 장", "새벽뉴스", "2026-04-03")]
    for value in conflict.values:
        assert value.sentence in value.doc.text or value.sentence == value.doc.title
        assert value.written in value.sentence
    assert "GPU" in conflict.label


def test_a_change_told_in_one_sentence_counts_its_new_value(collection, korean):
    """c029: "GPU 추가 구매 물량을 정부안의 8천 장에서 7천 장으로 줄이고" gives 7천 장, set beside
    the bill's 8천 장; the cut (1천억 원 줄어든) is nobody's value for the budget. (The AI
    budget's 1조 2천억 → 1조 1천억 is not shown: its sentences name nothing rarer than "AI
    분야 예산", which every budget story says — precision first.)"""
    conflicts = _conflicts(collection, korean, ["c028", "c029"])
    pairs = {tuple(v.written for v in c.values) for c in conflicts}
    assert pairs == {("8천 장", "7천 장")}


def test_the_same_figure_and_different_things_counted_are_no_conflict(collection, korean):
    assert _conflicts(collection, korean, ["c041", "c042"]) == []  # 410만 달러 in both
    assert _conflicts(collection, korean, ["c002", "c003"]) == []  # 1만 5천 장 in both
    # the 2027 budget's 10조 1천억 원 and the column's "10조 원 시대": a threshold, no value
    assert _conflicts(collection, korean, ["c024", "c026"]) == []
    # GPUs of the 2027 budget and of the supplementary budget; per team and a firm's own
    assert _conflicts(collection, korean, ["c024", "c028"]) == []
    assert _conflicts(collection, korean, ["c017", "c021"]) == []


def test_a_report_line_is_its_lede_not_a_caption_or_the_scene_setting_opening(tmp_path,
                                                                             korean):
    """A caption, a scene, and a feature's opening told through one citizen ("김영호(54)씨는")
    come before what the report reports."""
    point, doc = _point_of(
        tmp_path, korean,
        "정부, AI 반도체 펀드 조성\n새벽뉴스 | 2026-05-02 10:00\n\n"
        "[사진] 산업통상자원부 장관이 2일 정부세종청사에서 펀드 조성 계획을 발표하고 있다.\n\n"
        "AI 기술의 격변이 눈부시게 진행되고 있다. 누구도 그 끝을 알지 못한다.\n\n"
        "경기 성남에서 반도체 장비 부품을 만드는 김영호(54)씨는 지난달 직원 12명을 새로 "
        "뽑았다.\n\n"
        "산업통상자원부는 2일 AI 반도체 기업에 투자할 3조 원 규모의 펀드를 조성한다고 밝혔다. "
        "펀드는 내년부터 운용된다.\n")
    assert point.line == ("산업통상자원부는 2일 AI 반도체 기업에 투자할 3조 원 규모의 펀드를 "
                          "조성한다고 밝혔다.")
    assert not point.argues and point.sentence in doc.text


def test_a_lede_that_tells_the_headlines_event_is_the_line_below_a_long_head(tmp_path,
                                                                           korean):
    """No name Kiwi knows, no figure, no listed verb: the lede still tells what the headline
    names, below a subheadline, a date line and a byline that do not count as the lead; a
    transcript's speaker turn is someone's words, not the report's."""
    point, _ = _point_of(
        tmp_path, korean,
        "[저작권] 저작권위, AI 작곡 멜로디 등록 불허\n음악업계 \"기준 나왔다\"…AI 업계는 반발\n"
        "발행일 2026-11-17\n임소율 기자\n\n"
        "박서윤 의원: 바쁘신 가운데 와 주셔서 감사합니다.\n"
        "AI 작곡 서비스로 만든 곡이 저작권 등록 심사에서 처음으로 멜로디 등록 불허 판정을 받았다.\n"
        "음악업계가 1년 넘게 기다려 온 기준이 드디어 윤곽을 드러낸 셈이다.\n")
    assert point is not None and point.sentence == (
        "AI 작곡 서비스로 만든 곡이 저작권 등록 심사에서 처음으로 멜로디 등록 불허 판정을 받았다.")


def _point_of(tmp_path, korean, page: str):
    """The point of one page, ingested into a store of its own, and the stored document."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(page, encoding="utf-8")
    store = Store(tmp_path / "t.db")
    try:
        ingest_folder(store, korean, folder, max_bytes=5_000_000)
        [doc] = store.documents()
        return PointReader(store, FactReader(store, korean)).point(doc), doc
    finally:
        store.close()


def test_an_op_eds_line_is_its_writers_own_argument_not_a_position_it_quotes(tmp_path, korean):
    """A position of someone the op-ed quotes (the map surer of it) does not stand for the
    piece: its writer's own "…줘야 한다" does."""
    _copy(tmp_path / "docs", ["c032"])
    store = Store(tmp_path / "t.db")
    ingest_folder(store, korean, tmp_path / "docs", max_bytes=5_000_000)
    [doc] = store.documents()
    quote = "정부는 AI 반도체 생산과 설비 투자에 과감한 직접 보조금을 줘야 한다."
    assert quote in doc.text
    other = next(s for s in doc.text.split("\n") if "교수" in s and s != quote)[:40]
    store.save_positions(doc.id, [
        Position(doc.id, "chip_subsidy", FOR, "한 교수", other, score=3.0),
        Position(doc.id, "chip_subsidy", FOR, "필자", quote, score=1.0)], "k", doc.content_hash)
    point = PointReader(store, FactReader(store, korean)).point(doc)
    assert point.argues and point.sentence == quote
    assert point.line == f"{doc.author or '필자'}: “{quote}”"
    store.close()


def test_no_line_is_the_title_again(collection, korean):
    reader = PointReader(collection, FactReader(collection, korean))
    for doc in collection.documents():
        point = reader.point(doc)
        assert point is not None, doc.id
        assert point.sentence != doc.title.strip() and point.sentence in doc.text, doc.id


def test_a_column_without_positions_says_its_own_case_not_its_opening(tmp_path, korean):
    """c006 opens "AI 경쟁을 흔히 반도체와 인재의 싸움이라고 한다." and argues later; c030, a
    report, quotes what the industry says must be done ("…둬야 한다고 요구했지만") and stays a
    report."""
    _copy(tmp_path / "docs", ["c006", "c030"])
    store = Store(tmp_path / "t.db")
    ingest_folder(store, korean, tmp_path / "docs", max_bytes=5_000_000)
    reader = PointReader(store, FactReader(store, korean))
    lines = {d.id[:4]: reader.point(d).line for d in store.documents()}
    assert lines["c006"].endswith("“나는 AI 데이터센터를 지방으로 분산하는 것을 권고가 아니라 "
                                  "원칙으로 삼아야 한다고 본다.”")  # with its writer's name
    assert "국회 본회의를 통과했다" in lines["c030"]
    store.close()


def test_a_line_said_alone_does_not_lean_on_the_sentence_before_it():
    from bot.news.points import standalone, stands_alone
    rebuttal = "그러나 이 논리에는 결정적인 공백이 있다."
    assert standalone(rebuttal) and not stands_alone(rebuttal)  # beside its page: fine
    assert not stands_alone("이런 주장은 현장을 모르는 이야기다.")
    assert stands_alone("법원은 내년 3월부터 재판지원 AI를 시범 운영한다.")


def test_a_piece_that_argues_is_not_quoted_by_the_words_it_answers_nor_by_its_signature():
    from bot.news.points import standalone
    answered = ('한 일간지는 사설에서 "보안 기준만 지킨다면 공공부문은 생성형 AI를 더 적극적으로 '
                '써야 한다"며 "늦었으면 늦었지 이르지 않다"고 했다.')
    assert standalone(answered) and not standalone(answered, argues=True)
    own = "나는 공공부문의 생성형 AI 도입은 단계적으로 넓혀야 한다고 본다."
    assert standalone(own, argues=True)
    spoken = "저는 한국 AI 기업이 처음부터 글로벌 시장을 겨냥해야 한다고 봐요."
    assert standalone(spoken, argues=True)  # a round-table's speech ends so
    for line in ["── 류건우 픽셀나무 대표(웹툰 제작 보조 AI 스타트업)",
                 "강민호 / 공공 IT 조달 컨설턴트, 전 공공기관 정보화 담당관",
                 "[사진] 왼쪽부터 조현태 부회장, 임도윤 연구위원, 백승아 대표.",
                 "※ 본 브리프의 내용은 연구진의 견해이며 연구원의 공식 입장이 아닙니다.",
                 "— 그럼 TDM 면책에 찬성하십니까?"]:
        assert not standalone(line, argues=True), line
