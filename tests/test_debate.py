"""The debate map: propositions from the operator's file, positions stored with their document,
who holds them, the constrained choice through the real model, and the views of them."""
from __future__ import annotations

import math
import time

import pytest

from bot.debate import view
from bot.debate.actors import AUTHOR, Actors, Line
from bot.debate.extract import LABELS, NONE, Judge, TermIndex, candidates, find_positions, lines_of
from bot.debate.propositions import PROPOSITIONS_FILE, PropositionError, Propositions, parse
from bot.debate.service import DebateMap
from bot.store import Store
from bot.types import AGAINST, CONDITIONAL, FOR, Document, Position, Proposition
from tests.fakes import FakeLLM

FILED_IDS = ["infra_first", "regulate_now", "sovereign_model", "global_first", "public_budget",
             "chip_subsidy", "human_skills", "china_threat", "regional_dc", "public_sector_ai",
             "open_data", "copyright_tdm"]
DC = Proposition("regional_dc", "공공 AI 데이터센터는 수도권에 모으지 말고 지역에 분산해야 한다.",
                 ("데이터센터", "수도권", "지역", "분산", "전력"), pro=("지역", "분산", "나누"),
                 con=("수도권", "집중"))
FOR_SENTENCE = "그래서 공공 AI 데이터센터는 수도권에 모을 것이 아니라 전력이 나는 지역으로 나눠 보내야 한다."
AGAINST_SENTENCE = ("공공 AI 데이터센터를 지역마다 쪼개 놓으면 효율이 떨어지기 때문에 수도권 한두 곳에 "
                    "모으는 편이 낫다고 생각한다.")
FACT_SENTENCE = "정부는 올해 수도권과 지역의 데이터센터 전력 사용량을 조사해 발표했다."
AGAINST_LINE = "반면 나도겸 새봄협의회 정책이사는 \"" + AGAINST_SENTENCE[:-1] + "\"라고 말했다."
TEXT = "\n".join([
    "지역에 데이터센터를 나눠야 하는 이유",
    "글: 마준오 가람해양대 교수",
    FACT_SENTENCE + " " + FOR_SENTENCE,
    AGAINST_LINE,
])


def doc(text: str = TEXT, doc_id: str = "a.txt", date: str = "2026-03-02") -> Document:
    return Document(id=doc_id, title=text.split("\n")[0], text=text,
                    content_hash=f"h-{doc_id}-{hash(text)}", date=date, outlet="가람일보")


def position(d: Document, side: str, quote: str, prop: str = "regional_dc", actor: str = AUTHOR,
             score: float = 2.0) -> Position:
    return Position(d.id, prop, side, actor, quote, score, d.title, d.outlet, d.date)


# --- the propositions file -------------------------------------------------------------------
def test_the_shipped_file_holds_the_filed_propositions_with_their_ids():
    props = parse(PROPOSITIONS_FILE.read_text(encoding="utf-8"))
    assert [p.id for p in props] == FILED_IDS
    assert all(p.text.endswith("다.") and len(p.terms) >= 6 for p in props)


@pytest.mark.parametrize(("body", "problem"), [
    ("[[proposition]]\nid = 'Bad-Id'\ntext = '무엇을 해야 한다.'\n", "snake_case"),
    ("[[proposition]]\nid = 'a_b'\ntext = '무엇을 해야 한다.'\n"
     "[[proposition]]\nid = 'a_b'\ntext = '다른 것을 해야 한다.'\n", "used twice"),
    ("[[proposition]]\nid = 'a_b'\n", "text must be"),
    ("[[proposition]]\nid = 'a_b'\ntext = '무엇을 해야 한다.'\nterms = [1, 2]\n", "terms"),
    ("[[proposition]]\nid = 'a_b'\ntext = '무엇을 해야 한다.'\nfocus = 'AI'\n", "focus"),
    ("[[proposition]]\nid = 'a_b'\ntext = '무엇을 해야 한다.'\nagainst = ['']\n", "against"),
    ("id = 'a_b'\n", "no .*proposition.* tables"),
    ("[[proposition]\n", "not valid TOML"),
])
def test_a_malformed_file_is_refused_with_the_reason(body, problem):
    with pytest.raises(PropositionError, match=problem):
        parse(body)


def test_the_file_is_read_again_when_it_changes_and_a_bad_edit_keeps_the_last_good(tmp_path, caplog):
    path = tmp_path / "debate.toml"
    path.write_text("[[proposition]]\nid = 'one'\ntext = '하나를 해야 한다.'\n", encoding="utf-8")
    props = Propositions(path)
    first_key = props.key
    assert [p.id for p in props.current()] == ["one"]
    path.write_text("[[proposition]]\nid = 'two'\ntext = '둘을 해야 한다.'\nterms = ['둘']\n",
                    encoding="utf-8")
    assert [p.id for p in props.current()] == ["two"] and props.key != first_key
    good_key = props.key
    path.write_text("[[proposition]\nbroken", encoding="utf-8")
    assert [p.id for p in props.current()] == ["two"] and props.key == good_key
    assert "not used" in caplog.text and "keeping the 1 in force" in caplog.text


# --- stored with the document ----------------------------------------------------------------
def test_positions_are_replaced_as_a_whole_keep_when_they_were_first_found_and_go_with_the_document(
        tmp_path):
    store = Store(tmp_path / "t.db")
    d = doc()
    store.save_document(d, [])
    assert store.docs_needing_positions("k1") == [d.id]
    assert store.save_positions(d.id, [position(d, FOR, FOR_SENTENCE)], "k1", d.content_hash)
    first = store.positions()[0].found_at
    assert store.docs_needing_positions("k1") == [] and store.docs_needing_positions("k2") == [d.id]
    time.sleep(1.1)  # found_at has whole seconds
    store.save_positions(d.id, [position(d, FOR, FOR_SENTENCE),
                                position(d, AGAINST, AGAINST_SENTENCE)], "k2", d.content_hash)
    again = {p.side: p for p in store.positions(proposition="regional_dc")}
    assert again[FOR].found_at == first and again[AGAINST].found_at > first
    assert [p.side for p in store.positions(since=first)] == [AGAINST]
    assert again[FOR].title == d.title and again[FOR].outlet == "가람일보"
    # A document changed since the positions were looked for: nothing is kept.
    assert not store.save_positions(d.id, [], "k3", "another-hash")
    assert len(store.positions()) == 2
    store.delete_document(d.id)
    assert store.positions() == []
    store.close()


def test_a_replaced_document_is_looked_at_again(tmp_path):
    store = Store(tmp_path / "t.db")
    d = doc()
    store.save_document(d, [])
    store.save_positions(d.id, [position(d, FOR, FOR_SENTENCE)], "k1", d.content_hash)
    changed = doc(TEXT + "\n추가 문단입니다.")
    store.save_document(changed, [])
    assert store.positions() == [] and store.docs_needing_positions("k1") == [d.id]
    store.close()


# --- who holds it ----------------------------------------------------------------------------
def test_actors_from_attribution_quotations_pronouns_and_groups(korean):
    lines = [Line(0, s) for s in [
        "“AI 시대에는 질문하는 힘이 중요합니다.",
        "답을 찾는 능력보다 질문하는 능력이 필요합니다.”",
        "이경일 솔트룩스 대표는 26일 기조연설에서 이렇게 말했다.",
        "이 대표는 \"데이터의 양보다 학습 방식이 문제다\"라고 강조했다.",
        "그는 정부의 역할도 중요하다고 덧붙였다.",
        "시민단체는 과태료를 바로 물려야 한다고 주장했다.",
        "필자는 지역 분산이 옳다고 본다.",
    ]]
    actors = Actors(lines, korean)
    who = [actors.of(i) for i in range(len(lines))]
    assert who[0] == who[1] == who[2] == "이경일 솔트룩스 대표"
    assert who[3] == "이경일 솔트룩스 대표"  # "이 대표" is the one named in full before
    assert who[4] == "이경일 솔트룩스 대표"  # "그는"
    assert who[5] == "시민단체"
    assert who[6] == AUTHOR


def test_a_verb_before_a_name_is_not_part_of_the_actor(korean):
    lines = [Line(0, "토론회를 주최한 하태린 의원은 \"예산을 두 배로 늘려야 한다\"고 말했다."),
             Line(1, "과방위 소속 도예슬 의원은 계획안을 비판했다."),
             Line(1, "도 의원은 센터에서 무엇을 돌릴지도 물었다."),
             # the group named inside the quotation is not who speaks
             Line(1, "그는 \"정부가 직접 투자해 모델을 키워야 한다\"고 강조했다.")]
    actors = Actors(lines, korean)
    assert actors.of(0) == "하태린 의원"
    assert actors.of(1) == "도예슬 의원"
    assert actors.of(3) == "도예슬 의원"


def test_in_an_interview_the_next_question_does_not_name_who_answered(korean):
    lines = [Line(0, "[인터뷰] 선우겸 늘품클라우드 대표"),
             Line(1, "— 과태료 계도기간이 끝납니다."),
             Line(2, "\"기준이 나온 게 석 달 전입니다. 곧바로 과태료부터 매기는 건 순서가 틀렸다고 "
                     "생각합니다.\""),
             Line(3, "— 정부는 바로 부과하겠다고 밝혔는데요.")]
    assert Actors(lines, korean).of(2) != "정부"


def test_a_column_without_quotations_is_the_authors(korean):
    lines = [Line(0, "정부는 데이터센터를 지역으로 보내야 한다."),
             Line(1, "수도권 집중은 전력망을 위태롭게 한다.")]
    assert [Actors(lines, korean).of(i) for i in range(2)] == [AUTHOR, AUTHOR]


# --- finding positions -------------------------------------------------------------------------
def test_only_sentences_that_argue_and_hold_the_terms_are_judged_and_quotes_are_verbatim(korean):
    d = doc()
    llm = FakeLLM()
    llm.stances = {FOR_SENTENCE[:30]: FOR, AGAINST_SENTENCE[:30]: AGAINST}
    judge = Judge(llm)
    lines, morphs = lines_of(d, korean)
    judged = [c.text for c in candidates(d, lines, morphs, (DC,), TermIndex((DC,), korean))]
    assert FOR_SENTENCE in judged and FACT_SENTENCE not in judged  # a fact takes no side
    expected = {(FOR, AUTHOR), (AGAINST, "나도겸 새봄협의회 정책이사")}
    for method in ("model", "cues", "cues+veto"):  # the model's choice, the wording, both
        found = find_positions(d, (DC,), judge, korean, method=method)
        assert {(p.side, p.actor) for p in found} == expected, method
        assert all(p.quote in d.text for p in found)
    assert judge.calls == 2 * len(judged) + 1  # one content-free call per proposition, once


def test_one_actor_takes_one_side_on_a_proposition_in_one_document(korean):
    """An opponent's case the writer restates, read as the writer's view, gives the author
    both sides: the sentence that holds the proposition more clearly stands, neither on a tie;
    a condition beside a side is that side with its condition."""
    conceded = "데이터센터를 지역마다 쪼개면 효율이 떨어지므로 수도권에 모아야 한다."
    text = "\n".join(["데이터센터 분산론", "글: 마준오 가람해양대 교수", FOR_SENTENCE, conceded])
    d = doc(text)
    found = find_positions(d, (DC,), None, korean, method="cues")
    assert [(p.side, p.actor, p.quote) for p in found] == [(FOR, AUTHOR, FOR_SENTENCE)]

    from bot.debate.extract import one_side_each
    clear, vague = position(d, FOR, FOR_SENTENCE, score=3.0), position(d, AGAINST, conceded)
    assert one_side_each([vague, clear]) == [clear]
    assert one_side_each([position(d, FOR, FOR_SENTENCE), vague]) == []  # a tie: neither
    condition = position(d, CONDITIONAL, "전력망이 갖춰진 지역이라면 보내야 한다.", score=1.0)
    assert one_side_each([clear, condition]) == [condition]
    other = position(d, AGAINST, conceded, actor="나도겸 새봄협의회 정책이사")
    assert one_side_each([clear, other]) == [clear, other]  # two people, two sides


PUBLIC_AI = Proposition("public_sector_ai", "공공부문은 보안 등급을 지키는 선에서 생성형 AI를 "
                        "적극적으로 써야 한다.", ("공공기관", "행정", "클라우드", "보안", "활용"),
                        ("생성형 AI", "AI 활용"))


@pytest.mark.parametrize(("sentence", "argues"), [
    # an argued sentence: the base case the others differ from
    ("공공 AI 데이터센터는 수도권이 아니라 전력이 남는 지역에 지어야 한다.", True),
    # reports: an assessment, an explanation, a remark, all without an ought
    ("수도권 데이터센터로 지역 전력 수요를 감당하기는 불가능한 수준이란 평가다.", False),
    ("그는 지역 데이터센터의 전력 사용이 늘어 송전 부담이 커진다고 설명했다.", False),
    ("그는 \"지역 거점 데이터센터 두 곳의 설계비가 처음 반영됐다\"고 말했다.", False),
    # ...unless the report carries a side
    ("그는 \"데이터센터는 지역으로 분산해야 한다\"고 말했다.", True),
    # the disagreement itself is not a side in it
    ("데이터센터를 수도권에 둘지 지역에 분산할지를 두고 찬성과 반대가 뒤섞였다.", False),
    ("\"데이터센터는 지역으로 분산해야\" vs \"수도권에 둬야 한다\"", False),
    # a question, by its mark or by its ending alone, asks before it argues
    ("그렇다면 공공 AI 데이터센터는 수도권이 아니라 어느 지역에 지어야 하나.", False),
    ("공공 AI 데이터센터를 지역에 분산하는 것이 과연 옳은가.", False),
    ("공공 AI 데이터센터를 지역에 분산해야 할까?", False),
])
def test_reports_of_facts_and_of_the_dispute_take_no_side(korean, sentence, argues):
    d = doc("제목\n" + sentence)
    lines, morphs = lines_of(d, korean)
    found = candidates(d, lines, morphs, (DC,), TermIndex((DC,), korean))
    assert bool(found) == argues


def test_a_term_inside_a_longer_term_counts_once_and_focus_terms_are_required(korean):
    dc = Proposition("regional_dc", DC.text, ("데이터센터", "AI 데이터센터", "학습데이터",
                                              "학습 데이터"))
    index = TermIndex((dc, PUBLIC_AI), korean)
    assert index.count("regional_dc", frozenset(korean.morphemes("AI 데이터센터를 늘린다"))) == 1
    assert index.count("regional_dc", frozenset(korean.morphemes("학습 데이터를 모은다"))) == 1
    context_only = frozenset(korean.morphemes("공공기관의 행정 문서를 클라우드로 옮긴다"))
    assert index.count("public_sector_ai", context_only) == 0  # no AI is being used in it
    using_ai = frozenset(korean.morphemes("공공기관 행정에 생성형 AI를 쓴다"))
    assert index.count("public_sector_ai", using_ai) == 2  # its terms; focus only admits


NOW = Proposition("regulate_now", "AI 기본법의 규제 의무는 계도 기간 없이 즉시 적용해야 한다.",
                  ("과태료", "계도", "시행"), pro=("즉시", "곧바로", "유예 없이"),
                  con=("유예", "계도", "연장", "늦추", "준비 기간"))
INFRA = Proposition("infra_first", "정부는 인재보다 GPU·데이터센터 확충을 최우선해야 한다.",
                    ("GPU", "인재", "투자"), pro=("GPU", "장비", "하드웨어", "데이터센터"),
                    con=("인재", "사람", "교육"))


@pytest.mark.parametrize(("prop", "sentence", "side"), [
    # the word nearest the predicate is what the clause argues for
    (INFRA, "연산 장비보다 사람에 먼저 투자해야 한다.", AGAINST),
    (INFRA, "사람을 기르는 일보다 GPU 확보가 먼저다.", FOR),
    (NOW, "시행 전에 최소 1년의 준비 기간을 줘야 한다.", AGAINST),
    (NOW, "과태료 부과를 1년 늦춰야 한다.", AGAINST),
    # refusing the other side supports this one; refusing this side opposes it
    (NOW, "계도기간을 또 연장해서는 안 된다.", FOR),
    (NOW, "유예 법안에는 반대한다.", FOR),
    (INFRA, "GPU만으로는 경쟁력을 만들 수 없고 그것만으로는 부족하다.", AGAINST),
    # the last clause after a concession speaks
    (INFRA, "GPU도 중요하지만 결국 사람을 길러야 한다.", AGAINST),
    (INFRA, "하드웨어 지원은 있으면 좋지만 없어도 충분히 극복할 수 있다.", AGAINST),
    # support with a condition
    (NOW, "즉시 적용하는 데는 찬성하지만, 중소기업에는 준비 기간을 줘야 한다.", CONDITIONAL),
    # a claim reported to be refuted, and one reported without a verdict
    (INFRA, "GPU부터 사야 한다는 주장은 순서가 틀렸다.", AGAINST),
    (INFRA, "GPU부터 사야 한다는 주장은 지난해에도 나왔다.", None),
    # describing, conceding, or arguing neither side: no position
    (NOW, "개정안은 표시 의무를 내년 말까지 늦추는 내용이다.", None),
    (NOW, "일각에서는 계도기간을 연장해야 한다고 주장한다.", None),
    (NOW, "물론 계도기간 연장에도 일리가 있다.", None),
    (INFRA, "정부는 예산 편성 방식을 바꿔야 한다.", None),
])
def test_a_side_is_what_the_sentence_argues_for_read_by_general_rules(korean, prop, sentence,
                                                                        side):
    from bot.debate.extract import tokens
    from bot.debate.sides import read
    index = TermIndex((prop,), korean)
    assert read(sentence, tokens(sentence, korean), index.sides[prop.id]) == side


def test_a_sentence_the_model_calls_unrelated_or_leaves_unclear_gives_no_position(korean):
    d = doc()
    llm = FakeLLM()
    llm.stances = {FOR_SENTENCE[:30]: NONE, AGAINST_SENTENCE[:30]: NONE}
    assert find_positions(d, (DC,), Judge(llm), korean, method="model") == []
    llm.stances = {FOR_SENTENCE[:30]: NONE, AGAINST_SENTENCE[:30]: FOR}  # the model vetoes one
    assert [p.side for p in find_positions(d, (DC,), Judge(llm), korean,
                                           method="cues+veto")] == [AGAINST]
    assert Judge.decide({FOR: -1.0, AGAINST: -1.4, "조건부": -3.0, NONE: -3.0})[0] == NONE
    assert Judge.decide({FOR: -1.0, AGAINST: -3.0, "조건부": -3.0, NONE: -3.0})[0] == FOR


def test_the_debate_map_finds_stores_and_then_waits_for_a_change(tmp_path, korean):
    store = Store(tmp_path / "t.db")
    d = doc()
    store.save_document(d, [])
    llm = FakeLLM()
    llm.stances = {FOR_SENTENCE[:30]: FOR}
    path = tmp_path / "debate.toml"
    path.write_text(f"[[proposition]]\nid = '{DC.id}'\ntext = '{DC.text}'\n"
                    f"terms = {list(DC.terms)!r}\npro = {list(DC.pro)!r}\n"
                    f"con = {list(DC.con)!r}\n", encoding="utf-8")
    debate = DebateMap(store, llm, korean, Propositions(path))
    assert debate.pending() == [d.id]
    debate.find(store.document(d.id))
    assert debate.pending() == [] and sorted(p.side for p in store.positions()) == sorted([FOR, AGAINST])
    path.write_text(path.read_text(encoding="utf-8").replace("분산해야", "나눠야"),
                    encoding="utf-8")
    assert debate.pending() == [d.id]  # the proposition changed: looked for again
    store.close()


# --- shown --------------------------------------------------------------------------------------
def test_views_mark_disagreement_match_by_id_or_keyword_and_export_json():
    d, e = doc(), doc(doc_id="b.txt", date="2026-01-05")
    other = Proposition("open_data", "공공데이터를 개방해야 한다.", ("공공데이터",))
    positions = [position(d, FOR, FOR_SENTENCE), position(d, AGAINST, AGAINST_SENTENCE, actor="나도겸 정책이사"),
                 position(e, FOR, "공공데이터를 열어야 한다.", prop="open_data")]
    topics = view.topics((DC, other), positions)
    assert [t.proposition.id for t in topics] == ["regional_dc", "open_data"]  # newest first
    assert topics[0].disputed and not topics[1].disputed
    text = view.plain(view.overview_lines(topics))
    assert "[엇갈림]" in text and f"“{FOR_SENTENCE}”" in text and "나도겸 정책이사 · 가람일보, 2026-03-02" in text
    assert [p.id for p in view.match((DC, other), "regional_dc")] == ["regional_dc"]
    assert [p.id for p in view.match((DC, other), "데이터센터")] == ["regional_dc"]
    assert view.match((DC, other), "없는말") == []
    exported = view.as_json((DC, other), positions)
    first = exported["propositions"][0]
    assert first["id"] == "regional_dc" and first["positions"][0] == {
        "doc": "a.txt", "title": d.title, "outlet": "가람일보", "date": "2026-03-02",
        "actor": AUTHOR, "side": FOR, "quote": FOR_SENTENCE}


# --- the real model ----------------------------------------------------------------------------
def test_constrained_choice_gives_log_probabilities_and_agrees_with_greedy_decoding(small_llm):
    messages = [{"role": "system", "content": "질문에 예 또는 아니오 한 단어로만 답하세요."},
                {"role": "user", "content": "서울은 대한민국의 수도입니까?"}]
    before = "".join(small_llm.stream(messages, max_tokens=4))
    scores = small_llm.choose(messages, ("예", "네", "아니오"))
    assert all(v <= 0 for v in scores.values())
    assert math.log(sum(math.exp(v) for v in scores.values())) <= 1e-6
    best = max(scores, key=scores.get)
    assert before.strip().startswith(best)
    # The model's state is left usable: the same prompt gives the same reply.
    assert "".join(small_llm.stream(messages, max_tokens=4)) == before
    labels = small_llm.choose(messages, LABELS)
    assert set(labels) == set(LABELS)


def test_positions_of_a_seed_with_the_real_model_quote_the_document(services):
    d = services.store.documents()[0]
    found = services.debate.find(d)
    assert all(p.quote in d.text and p.side in (FOR, AGAINST, "조건부") for p in found)
    assert services.debate.pending() == [x.id for x in services.store.documents()[1:]]
    assert len(services.store.positions(doc_id=d.id)) == len(found)


def test_who_is_for_and_who_against_is_answered_from_stored_positions_without_the_model(
        tmp_path, korean):
    from bot.services import Services
    from tests.conftest import make_settings
    settings = make_settings(tmp_path)
    llm = FakeLLM()
    services = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                        llm=llm)
    d = doc()
    services.store.save_document(d, [])
    services.store.save_positions(d.id, [
        position(d, FOR, FOR_SENTENCE),
        position(d, AGAINST, AGAINST_LINE, actor="나도겸 새봄협의회 정책이사")],
        "k", d.content_hash)
    answer = services.answers.ask("공공 데이터센터를 지역에 분산하는 데 누가 찬성하고 누가 반대하나요?")
    assert "찬성: 필자(가람일보)" in answer.text and "반대: 나도겸 새봄협의회 정책이사(가람일보)" in answer.text
    assert [s.quote for s in answer.sources] == [FOR_SENTENCE, AGAINST_LINE]
    assert all(s.quote in d.text for s in answer.sources) and llm.prompts == []
    # Not a question about sides, or about no proposition: the ordinary path answers.
    assert services.answers.stances.answer("데이터센터는 어디에 짓나요?") is None
    assert services.answers.stances.answer("점심 메뉴에 누가 찬성하나요?") is None
    services.close()


@pytest.mark.parametrize(("sentence", "side"), [
    ("정부는 공공 데이터센터를 지역으로 분산해야 한다.", FOR),
    ("데이터센터를 지역에 분산하는 데에는 동의하지 않습니다.", AGAINST),
    ("지역 분산은 듣기 좋지만 전력망이 없는 곳에 세운 데이터센터는 놀게 될 뿐이다.", AGAINST),
    ("다만 송전망이 먼저 갖춰진다는 조건에서만 지역 분산을 늘려야 한다.", "조건부"),
    ("지역 분산 자체에 반대하지는 않지만, 송전망 계획이 먼저라는 전제가 붙어야 한다.", "조건부"),
    ("전력이 남는 곳이라면 몰라도, 아무 데나 나눠 짓는 데이터센터는 세금만 쓴다.", "조건부"),
    ("데이터센터를 열 곳에 나눠 짓자는 건 순서가 틀렸다.", AGAINST),
    ("나는 지역마다 데이터센터를 짓자는 주장에 회의적이다.", AGAINST),
])
def test_the_side_a_sentence_states_in_its_wording(korean, sentence, side):
    from bot.debate.extract import tokens
    from bot.debate.sides import read
    index = TermIndex((DC,), korean)
    assert read(sentence, tokens(sentence, korean), index.sides[DC.id]) == side


@pytest.mark.parametrize(("sentence", "shown"), [
    ('"정부가 직접 만드는 데에는 동의하지 않습니다.', "정부가 직접 만드는 데에는 동의하지 않습니다."),
    ("“기술의 미래, 인프라만으로는 부족하다”", "기술의 미래, 인프라만으로는 부족하다"),
    ("'핵심은 사람'이라는 말은 듣기 좋지만 떠날 뿐이다.", "'핵심은 사람'이라는 말은 듣기 좋지만 떠날 뿐이다."),
    ("그는 “지금 열어야 합니다”라고 말했다.", "그는 “지금 열어야 합니다”라고 말했다."),
])
def test_a_quote_loses_only_the_quotation_marks_that_open_or_close_nothing_in_it(sentence, shown):
    from bot.debate.extract import bare
    assert bare(sentence) == shown and shown in sentence
