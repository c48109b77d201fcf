"""Reading a question before answering it (what it asks for, which documents it names), and
checking the model's answer sentence by sentence: the classes of failure users met (issue 12)
each get an honest outcome. The model's text is given (FakeLLM), so each check is tested on the
exact text that once got through; the store, Kiwi and retrieval are real."""
from __future__ import annotations

import pytest

from bot.answer.checks import REFUSAL
from bot.answer.question import read
from tests.answer_fixture import fake_answers, lead_db_template, lead_services  # noqa: F401


@pytest.mark.parametrize(("question", "slot", "counter"), [
    ("마누스 이용료는 한 달에 얼마예요?", "figure", "money"),
    ("ETRI 컨퍼런스 2024에는 몇 명이 참석했어요?", "figure", "명"),
    ("씽크포비엘 칼럼이 GPU 인프라를 얼마나 중요하게 봐요?", None, None),
    ("줄 선 사람이 얼마나 된다고 했어요?", "figure", None),
    ("Kimi K2 씽킹 모델은 언제 공개됐어요?", "date", None),
    ("경량 모델 이름이 뭐예요?", "name", None),
    ("'호모파베르의 역설'은 누가 제시한 개념이에요?", None, None),
])
def test_a_question_says_what_kind_of_answer_it_wants(question, slot, counter):
    read_as = read(question)
    assert (read_as.slot, read_as.counter) == (slot, counter)


def test_a_question_names_documents_the_way_people_call_them():
    read_as = read("딥시크를 씽크포비엘 칼럼과 이해민 의원 칼럼은 각각 어떻게 평가해요?")
    assert read_as.mentions == ("씽크포비엘", "이해민 의원") and read_as.compare
    assert read("'AI, 시작부터 글로벌이어야 한다' 칼럼 요지가 뭐예요?").quoted == (
        "AI, 시작부터 글로벌이어야 한다",)
    assert read("이해민 의원 칼럼 요지가 뭐예요?").gist
    assert read("그 사람이 예로 든 교수는 누구예요?").leans_back
    # Spoken pronouns lean back as much as written ones.
    assert read("그거 누구 잘못이었대?").leans_back and read("그때 몇 명이었어?").leans_back
    assert read("걔는 왜 반대했대?").leans_back
    assert not read("그거리 상권은 어때?").leans_back
    assert not read("중국 AI 기업은 몇 개예요?").leans_back


def test_a_figure_slot_is_filled_only_by_a_figure_with_the_asked_unit():
    assert read("몇 명이 참석했어요?").filled("약 3천 명이 참석했다.")
    assert not read("몇 명이 참석했어요?").filled("26일 서울에서 열렸다.")
    assert read("언제 공개됐어요?").filled("지난 13일 공개됐다.")
    assert not read("언제 공개됐어요?").filled("최근 공개돼 주목받고 있다.")
    assert read("언제쯤 한계에 부딪혀요?").filled("약 10년 후에는 어려울 것이다.")
    assert not read("언제쯤 한계에 부딪혀요?").filled("10년간 연구한 내용이 바뀌었다.")
    # Korean's own numbers count too ("일곱 곳", "세 차례"), with the asked counter
    assert read("캠프 몇 곳 맡았어?").filled("후보 캠프 일곱 곳의 홍보를 맡았다.")
    assert read("회의는 몇 번 열렸어?").filled("회의는 세 번 열렸다.")
    assert not read("캠프 몇 곳 맡았어?").filled("세계 곳곳에서 캠프를 열었다.")
    assert not read("회의는 몇 번 열렸어?").filled("세 곳에서 회의를 열었다.")
    # what a thing costs asks for money: a capacity does not answer it
    assert not read("단지 총 투자비 얼마래?").filled("단지는 1단계 300MW, 최종 3GW 규모다.")
    assert read("단지 총 투자비 얼마래?").filled("총 투자비는 2조 원으로 잡혔다.")
    assert read("모델 이름이 뭐예요?").filled("젬마를 내놨다.", {"젬마"})
    assert not read("구글 모델 이름이 뭐예요?").filled("구글이 내놨다.", {"구글"})


def test_a_document_named_by_its_author_is_the_one_answered_from(fake_answers):
    answers, _ = fake_answers
    plan = answers.plan("이해민 의원 칼럼에서 AI반도체 전략은 어떤 방향으로 가자고 해요?")
    assert [d.id[:3] for d in plan.docs] == ["004"]


def test_a_comparison_quotes_each_named_document(fake_answers, lead_services):
    answers, fake = fake_answers
    answer = answers.ask("네이트 뉴스 기사랑 이해민 의원 칼럼은 중국 AI의 '가성비'를 같은 시각으로 "
                         "보나요?")
    assert fake.prompts == []  # quotes, not the model's opinion of them
    assert {s.doc_id[:3] for s in answer.sources} == {"003", "004"}
    for source in answer.sources:
        assert f"“{source.quote}”" in answer.text
        assert source.quote in lead_services.store.document(source.doc_id).text
    assert "네, 같은" not in answer.text


def test_a_gist_question_gets_the_checked_summary(fake_answers, lead_services):
    answers, fake = fake_answers
    doc = lead_services.store.document(next(d.id for d in lead_services.store.documents()
                                       if d.id.startswith("004")))
    lead_services.store.set_summary(doc.id, "이해민 의원은 한국 AI가 처음부터 글로벌을 겨냥해야 한다고 "
                                       "주장한다.", "test")
    answer = answers.ask("이해민 의원 칼럼 요지가 뭐예요?")
    assert answer.text.startswith("이해민 의원은 한국 AI가") and fake.prompts == []
    assert answer.sources and answer.sources[0].doc_id == doc.id


def test_a_detail_the_documents_lack_is_said_to_be_absent_then_quoted(fake_answers, lead_services):
    answers, fake = fake_answers
    fake.enqueue("GPU는 현재 160만 장이에요.")  # a figure from a sentence about something else
    answer = answers.ask("정부가 국가 AI 컴퓨팅 센터용으로 확보하려는 GPU는 몇 장이에요?")
    assert "160만" not in answer.text.split("“")[0]
    assert answer.text.startswith("자료에는 질문하신 수치가 나와 있지 않습니다.")
    assert REFUSAL.search(answer.text)
    quote = answer.text.split("“", 1)[1].rstrip("”")
    assert "컴퓨팅 센터" in quote
    assert any(quote in d.text for d in lead_services.store.documents())


def test_a_copied_heading_and_a_repeated_sentence_are_dropped(fake_answers):
    answers, fake = fake_answers
    fake.enqueue("[문서 1] 마이크로소프트는 시카고에서 코파일럿 스튜디오를 정식 출시했습니다. "
                 "마이크로소프트는 시카고에서 코파일럿 스튜디오를 정식 출시했습니다.")
    answer = answers.ask("MS가 코파일럿 스튜디오 정식 출시한 행사는 어느 도시에서 열렸어요?")
    assert answer.text == "마이크로소프트는 시카고에서 코파일럿 스튜디오를 정식 출시했습니다."


def test_when_the_model_refuses_an_answerable_question_the_evidence_is_quoted(fake_answers):
    answers, fake = fake_answers
    fake.enqueue("자료에서 찾을 수 없습니다.")
    answer = answers.ask("MS가 코파일럿 스튜디오 정식 출시한 행사는 어느 도시에서 열렸어요?")
    assert "시카고" in answer.text and not REFUSAL.search(answer.text)
    assert not answer.text.startswith(("[", "‘")) and "“" in answer.text


# What the model wrote, to what question: what the reply must then say, start with, and never
# say. Each once got through to a user.
CHECKED = [
    pytest.param("'호모파베르의 역설'은 호모파베르가 제시한 개념입니다.",
                 "'호모파베르의 역설'은 원래 누가 제시한 개념이라고 나와요?",
                 ["손철"], "", ["호모파베르가 제시"], id="a concept given as its own author"),
    pytest.param("엔비디아 CEO가 생성AI 돌리는 연산 능력이 해마다 몇 배씩 커진다고 했다던데 맞아요.",
                 "엔비디아 CEO가 생성AI 돌리는 연산 능력이 해마다 몇 배씩 커진다고 했다던데 맞아요?",
                 [], "", ["맞아요."], id="only the question repeated"),
    pytest.param("구글이 딥시크를 겨냥해 내놓은 경량 모델 이름은 \"Google Brain\"입니다.",
                 "구글이 딥시크 겨냥해서 바로 내놨다는 경량 모델 이름이 뭐예요?",
                 [], "자료에는 질문하신 이름이 나와 있지 않습니다.", ["Google Brain"],
                 id="a name the documents never give"),
    pytest.param("오픈소스 카드를 꺼낸 사람은 스타게이트 프로젝트를 발표한 스타게이트 회장입니다.",
                 "이해민 칼럼에서 딥시크 이후 곧바로 오픈소스 카드를 꺼냈다고 한 사람은 누구예요?",
                 ["알트만"], "", ["스타게이트 회장"], id="not the one the claim's sentence names"),
    pytest.param("그 화가는 르누아르입니다.",
                 "자기 그림이 카메라 렌즈에서 빛이 퍼지는 걸 보고 착안한 거라고 고백한 화가는 누구예요?",
                 ["모네", "카메라 렌즈"], "", ["르누아르"], id="'그는 …라고 말했다' and who he is"),
    pytest.param("가격이나 성능 보면 중국 AI 모델 안 쓸 이유가 없다고 한 건 미국 빅테크 기업인 엔비디아입니다.",
                 "가격이나 성능 보면 중국 AI 모델 안 쓸 이유가 없다고 한 건 누구예요?",
                 ["서버 업체 관계자"], "", ["엔비디아입니다"],
                 id="the sentence beside one that names its own speaker"),
    pytest.param("마이크로소프트는 AGI가 아직 멀었다고 본 이유로 빠르게 투자를 진행했으나, 현재는 "
                 "천문학적인 지출에 대한 부담으로 수익화에 속도를 내는 것으로 보입니다.",
                 "마이크로소프트는 AGI가 아직 멀었다고 본 이유로 뭘 들었어요?",
                 ["균일하게 나타나지 않는다는 점"], "", ["천문학적"],
                 id="another company's deed said of the one asked about; asked why, a reason"),
    pytest.param("엔비디아 칩 제일 많이 산 빅테크 두 곳이 1년에 GPU를 몇 개나 샀다고 했어요.",
                 "엔비디아 칩 제일 많이 산 빅테크 두 곳이 1년에 GPU를 몇 개나 샀다고 했어요?",
                 ["마이크로소프트와 메타였다. 이들이 1년간 구매한 GPU만 20만개"],
                 "디지털데일리에 이렇게 나옵니다", ["나와 있지 않"],
                 id="the figure of the thing counted, with the sentence saying who 'they' are"),
]


@pytest.mark.parametrize(("model_text", "question", "present", "start", "absent"), CHECKED)
def test_a_sentence_that_does_not_stand_is_dropped_or_replaced_by_the_evidence(
        fake_answers, model_text, question, present, start, absent):
    answers, fake = fake_answers
    fake.enqueue(model_text)
    answer = answers.ask(question)
    assert all(p in answer.text for p in present), answer.text
    assert answer.text.startswith(start)
    assert not any(a in answer.text for a in absent)


def test_who_asks_for_someone_the_conversation_has_not_named_yet():
    asked = read("그 사람이 예로 든 교수는 누구예요?")
    before = "이경일 솔트룩스 대표가 ETRI 컨퍼런스 2024 기조연설에서 무슨 얘기를 했어요?"
    assert not asked.names_someone({"이경일", "솔트룩스"}, before)
    assert asked.names_someone({"손철", "이경일"}, before)
    assert read("딥시크는 어디서 만들었어요?").names_someone(set(), before)  # not a "who"


def test_a_follow_up_answered_with_the_person_asked_about_before_falls_back_to_the_evidence(
        fake_answers):
    from bot.store import Turn
    answers, fake = fake_answers
    before = "이경일 솔트룩스 대표가 ETRI 컨퍼런스 2024 기조연설에서 무슨 얘기를 했어요?"
    history = [Turn("user", before), Turn("assistant", "이 대표는 위대한 질문을 강조했습니다.")]
    fake.enqueue("이경일 솔트룩스 대표가 예로 든 교수는 이경일 대표입니다.")
    answer = answers.ask("그 사람이 예로 든 교수는 누구예요?", history)
    assert "손철" in answer.text and "“" in answer.text


def test_the_sentence_that_says_the_role_answers_however_much_the_question_before_said(
        fake_answers):
    """The previous question's words (place, date, event) fill the sentence that introduces
    the speech; only the one that says 교수 and names him answers "교수는 누구"."""
    from bot.store import Turn
    answers, fake = fake_answers
    before = ("이경일 솔트룩스 대표가 26일 서울 역삼동 과학기술컨벤션센터에서 개최된 ETRI 컨퍼런스 "
              "2024 기조연설에서 무슨 얘기를 했어요?")
    history = [Turn("user", before), Turn("assistant", "이 대표는 위대한 질문을 강조했습니다.")]
    fake.enqueue("그는 교수를 예로 들었습니다.")
    answer = answers.ask("그 사람이 예로 든 교수는 누구예요?", history)
    assert answer.text.startswith("디지털데일리에 이렇게 나옵니다") and "손철" in answer.text, \
        answer.text


def test_a_figure_in_the_sentence_that_goes_on_about_the_matched_one_is_quoted(fake_answers):
    """The question matches the sentence naming the model; its cost is in the next one,
    which begins "이 모델은"."""
    answers, fake = fake_answers
    fake.enqueue("자료에는 학습 비용이 나와 있지 않습니다.")
    answer = answers.ask("2위 했다는 중국 Kimi 씽킹 모델, 훈련시키는 데 든 돈이 얼마예요?")
    assert "460만 달러" in answer.text and not answer.text.startswith("자료에는"), answer.text
    assert "2위를 차지하며" in answer.text  # the sentence it goes on from, quoted with it


def test_a_follow_up_answered_with_the_question_before_falls_back_to_its_own_subject(
        fake_answers):
    """"그걸로 팀즈에선 뭘 해준대요?" after a question about Ignite: the model restated the
    Ignite sentence (grounded, but not about 팀즈); the sentence about 팀즈 answers."""
    from bot.store import Turn
    answers, fake = fake_answers
    before = "와룡도사 글에서 마이크로소프트 이그나이트 2024 얘기는 뭐였어요?"
    history = [Turn("user", before), Turn("assistant", "코파일럿 스튜디오를 출시했습니다.")]
    fake.enqueue("마이크로소프트 이그나이트 2024에서 AI 에이전트 생성 프로그램 '코파일럿 스튜디오'를 "
                 "정식 출시했습니다.")
    answer = answers.ask("그걸로 팀즈에선 뭘 해준대요?", history)
    assert "통역" in answer.text and "“" in answer.text, answer.text
    assert not answer.text.startswith("자료에는"), answer.text  # it is there, and answers
    # An answer that holds the follow-up's own word stands.
    fake.enqueue("팀즈는 비대면 회의에서 실시간으로 음성 대 음성 통역을 제공합니다.")
    answer = answers.ask("그걸로 팀즈에선 뭘 해준대요?", history)
    assert answer.text == "팀즈는 비대면 회의에서 실시간으로 음성 대 음성 통역을 제공합니다.", answer.text


def test_there_in_a_follow_up_is_the_document_the_last_answer_rested_on(lead_services):
    """'거기서 …' after a question that named no document: the one the answer cited."""
    from bot.store import Turn
    asked = "거기서 말하는 중국 기업들의 강점은 뭐예요?"
    for cited in ("003_dc66678f256082dd.txt", "000_0fde8c8004443c85.txt"):
        history = [Turn("user", "요즘 중국 AI는 어때요?"),
                   Turn("assistant", "중국 AI가 빠르게 성장하고 있습니다.", sources=(cited,))]
        assert [d.id for d in lead_services.answers.plan(asked, history).docs] == [cited]


def test_an_answers_sources_are_kept_with_its_turn(lead_services):
    from bot.types import Answer, Source
    answer = Answer("마누스는 중국의 AI 에이전트입니다.", sources=[
        Source(doc_id="000_0fde8c8004443c85.txt", title="t", quote="q")])
    lead_services.answers.remember(7, "마누스가 뭐예요?", answer)
    turns = lead_services.store.recent_turns(7)
    assert [(t.role, t.sources) for t in turns] == [
        ("user", ()), ("assistant", ("000_0fde8c8004443c85.txt",))]


def test_what_a_column_argues_lists_its_positions_on_the_debate_map(fake_answers, lead_services):
    from bot.types import AGAINST, Position
    answers, fake = fake_answers
    doc = lead_services.store.document("004_5e7a854b7ac0a282.txt")
    quote = "‘쩐의 전쟁’이었던 HW, GPU쪽의 관심에서 드디어 SW가 중심을 찾아가는 기회라고 생각합니다."
    assert quote in doc.text
    lead_services.store.save_positions(doc.id, [Position(doc.id, "infra_first", AGAINST, "필자", quote,
                                                    2.0, doc.title, doc.outlet, doc.date)],
                                  "k", doc.content_hash)
    answer = answers.ask("이해민 의원 칼럼 요지가 뭐예요?")
    assert fake.prompts == []  # a gist: the stored summary and positions, no model call
    assert "쟁점별 입장:" in answer.text
    assert f"— 반대(필자): “{quote}”" in answer.text


def test_a_comparison_says_whether_sources_agree_only_when_each_side_rests_on_a_quote(
        fake_answers, lead_services):
    from bot.types import AGAINST, FOR, Position
    answers, fake = fake_answers
    question = "씽크포비엘 칼럼과 이해민 칼럼은 GPU 인프라 확충을 두고 같은 입장인가요?"
    thinkforbl = lead_services.store.document("000_0fde8c8004443c85.txt")
    column = lead_services.store.document("004_5e7a854b7ac0a282.txt")
    quotes = {thinkforbl.id: "GPU와 같은 하드웨어 지원은 있으면 좋지만 없어도 다른 대안으로 충분히 "
                             "극복할 수 있다.",
              column.id: "‘쩐의 전쟁’이었던 HW, GPU쪽의 관심에서 드디어 SW가 중심을 찾아가는 "
                         "기회라고 생각합니다."}

    def hold(doc, side):
        assert quotes[doc.id] in doc.text
        lead_services.store.save_positions(doc.id, [Position(
            doc.id, "infra_first", side, "필자", quotes[doc.id], 2.0, doc.title, doc.outlet,
            doc.date)], f"k-{side}", doc.content_hash)

    hold(thinkforbl, AGAINST)
    before = answers.ask(question).text  # one side known: quotes only, no verdict
    assert "모두" not in before and "갈립니다" not in before
    hold(column, AGAINST)
    same = answers.ask(question)
    assert "모두 반대 쪽입니다." in same.text
    assert all(f"“{q}”" in same.text for q in quotes.values())
    assert {s.doc_id for s in same.sources} == set(quotes)
    hold(column, FOR)
    assert "입장이 갈립니다." in answers.ask(question).text
    assert fake.prompts == []


def test_a_document_whose_people_disagree_has_no_one_side_to_compare(fake_answers, lead_services):
    from bot.types import AGAINST, FOR, Position
    answers, _ = fake_answers
    docs = [lead_services.store.document(d) for d in ("000_0fde8c8004443c85.txt",
                                                 "004_5e7a854b7ac0a282.txt")]
    quote = {docs[0].id: "GPU와 같은 하드웨어 지원은 있으면 좋지만 없어도 다른 대안으로 충분히 극복할 수 있다.",
             docs[1].id: "‘쩐의 전쟁’이었던 HW, GPU쪽의 관심에서 드디어 SW가 중심을 찾아가는 기회라고 생각합니다."}
    for doc, sides in ((docs[0], (AGAINST,)), (docs[1], (AGAINST, FOR))):
        lead_services.store.save_positions(doc.id, [
            Position(doc.id, "infra_first", side, f"사람{n}", quote[doc.id], 2.0, doc.title,
                     doc.outlet, doc.date) for n, side in enumerate(sides)], "k", doc.content_hash)
    text = answers.ask("씽크포비엘 칼럼과 이해민 칼럼은 GPU 인프라 확충을 두고 같은 입장인가요?").text
    assert "모두" not in text and "갈립니다" not in text


def test_a_question_about_views_quotes_the_sentences_that_argue():
    """"어떻게 평가해요?" asks for a judgement: among sentences equally about the topic, one that
    argues ranks above one that reports; a question for facts keeps the document's order."""
    from bot.answer import verify
    from bot.debate.extract import takes_side
    sentences = ["딥시크 모델은 지난달 공개됐고 여러 나라에서 화제가 됐다.",
                 "딥시크 개발사는 중국 항저우에 본사를 두고 있다.",
                 "딥시크를 가성비로만 보는 것은 잘못된 판단이다."]
    evidence = verify.Evidence(text=" ".join(sentences),
                               sentences=[(s, frozenset({"딥시크"})) for s in sentences],
                               topic={"딥시크": 1.0})
    assert read("두 칼럼은 딥시크를 각각 어떻게 평가해요?").views
    assert read("두 칼럼은 GPU 인프라를 얼마나 중요하게 보는지 어떻게 달라요?").views
    assert not read("두 기사는 딥시크 공개 시점을 각각 언제로 적었어요?").views
    assert verify.top_statements(evidence, set(), 1, takes_side) == [sentences[2]]
    assert verify.top_statements(evidence, set(), 1) == [sentences[0]]
    assert verify.top_statements(evidence, set(), 2, takes_side) == [sentences[0], sentences[2]]


def test_a_model_answer_to_a_detail_the_documents_lack_gives_way_to_saying_so(fake_answers):
    """No document names the committee's chair: the model's copy of the nearest sentence (it
    names a country, so it passes as naming someone) is not an answer to "누구"."""
    answers, fake = fake_answers
    fake.enqueue("이에 싸워스코리아도 대통령 직속 국가AI위원회를 설치한 바 있지요.")
    answer = answers.ask("대통령 직속 국가AI위원회 위원장은 누구예요?")
    assert answer.text.startswith("자료에는"), answer.text
    assert REFUSAL.search(answer.text) and "위원장" in answer.text.split("“")[0]
    # Asking for a person is not asking for a role.
    assert read("그렇게 말한 사람은 누구예요?").role is None
    assert read("그 말을 한 인물은 누구로 나와요?").role is None


def test_a_quoted_title_that_quotes_something_itself_is_read_whole():
    quoted = read("‘딥시크를 ‘가성비’라고 보는 건 잘못 (제6호)’ 기사는 무엇을 말하나요?").quoted
    assert quoted[0] == "딥시크를 ‘가성비’라고 보는 건 잘못 (제6호)"
    assert read("'AGI서 한발 물러난 빅테크' 기사 요지는?").quoted == ("AGI서 한발 물러난 빅테크",)


def test_the_source_an_answer_cites_is_not_the_name_it_was_asked_for(fake_answers):
    """Asked for a company's name the documents do not give, the model names its source and
    restates the sentence: the outlet is a name, but not the one asked for."""
    answers, fake = fake_answers
    fake.enqueue("[문서 1]에 따르면 마누스는 중국의 한 스타트업이 만들어낸 AI 에이전트 플랫폼이다.")
    answer = answers.ask("마누스를 개발한 중국 스타트업의 회사 이름이 뭐예요?")
    assert answer.text.startswith("자료에는 질문하신 이름이 나와 있지 않습니다"), answer.text


def test_an_answer_naming_someone_without_the_asked_role_falls_back_to_the_evidence(
        fake_answers):
    """"…교수는 누구예요?" answered with a painter the sentence also names: the answer never
    says 교수, so it is not the one asked about."""
    from bot.store import Turn
    answers, fake = fake_answers
    before = "솔트룩스 대표가 ETRI 컨퍼런스 기조연설에서 뭘 예로 들었어요?"
    history = [Turn("user", before), Turn("assistant", "모네의 성공을 예로 들었습니다.")]
    fake.enqueue("이경일 대표는 르네상스 시대 화가 모네의 성공을 예로 들었습니다.")
    answer = answers.ask("그 대표가 예로 든 역설을 제시한 교수는 누구예요?", history)
    assert "손철" in answer.text and "“" in answer.text, answer.text


def test_an_amount_of_money_is_filled_only_by_money():
    budget = read("시가 AI 쪽에 배정한 예산은 얼마나 돼요?")
    assert budget.counter == "money"
    assert budget.filled("AI 예산은 300억 원이다.") and budget.filled("1조를 투입한다.")
    assert not budget.filled("지난 21대 국회에서 폐기됐다.")
    assert not budget.filled("GPU 5만 장을 들인다.")



def test_an_amount_from_a_sentence_without_the_money_word_asked_about_is_another_sum(
        fake_answers):
    """The column uses 예산 ("예산확보 : 추경의 시급함"), so the R&D budget asked about is not
    "정부 1조+민간 5곳 5천억원", a proposal in a line that never says 예산."""
    answers, fake = fake_answers
    fake.enqueue("올해 우리 정부 AI 연구개발 예산은 총 1조+민간 5곳 5천억원입니다.")
    answer = answers.ask("이해민 의원 칼럼 기준으로 올해 우리 정부 AI 연구개발 예산은 총 얼마예요?")
    assert answer.text.startswith("자료에는"), answer.text


def test_the_time_asked_for_stands_in_the_sentence_the_quote_leans_on(fake_answers):
    """"따라서 … 한계에 이를 시점 이후다" holds no time; the sentence it follows from says "약
    10년 후에는": quoted together, they answer "언제쯤"."""
    from bot.store import Turn
    answers, fake = fake_answers
    before = "솔트룩스 이경일 대표는 지금의 AI 경쟁을 어떻게 표현했어요?"
    history = [Turn("user", before),
               Turn("assistant", "이 대표는 \"자본 혹은 장치의 싸움\"이라고 표현했습니다.")]
    fake.enqueue("그 경쟁은 곧 한계에 부딪힌다고 봤습니다.")
    answer = answers.ask("그런 경쟁이 언제쯤 한계에 부딪힌다고 봤어요?", history)
    assert "약 10년 후에는" in answer.text and "한계에 이를 시점 이후다" in answer.text, answer.text
    assert not answer.text.startswith("자료에는")


def test_a_comparison_quotes_a_sentence_with_the_one_that_goes_on_about_it(fake_answers):
    answers, fake = fake_answers
    answer = answers.ask("한국 정부의 AI 대응을 씽크포비엘 칼럼이랑 와룡도사 글은 각각 어떻게 설명해요?")
    assert fake.prompts == []  # quoted, not generated
    assert ("동시다발적으로 풀어가야할 '그 어떤 것'입니다. 이에 싸워스코리아도 대통령 직속 "
            "국가AI위원회를 설치한 바 있지요.") in answer.text, answer.text


def test_a_quantity_asked_without_how_many_is_still_a_quantity():
    for asked in ["시범 법원 수 기사마다 다르던데 둘 다 알려줘", "생성형 AI 정식 도입률 각각?",
                  "문서 초안 비율 부처랑 공공기관 각각?", "피해액 두 기사 숫자 비교", "예산은 얼마?"]:
        assert read(asked).amount, asked
    for asked in ["AI를 쓸 수 있는 기관은?", "수도권 집중을 어떻게 볼 수 있어?",
                  "공공부문 AI 얼마나 빨리 써야 하는지 어떻게 달라?", "두 사설 입장 차이는?"]:
        assert not read(asked).amount, asked


def test_a_comparison_of_a_quantity_quotes_each_sources_figure(tmp_path, korean):
    """What counts as a sentence giving a figure: the page's figures with their units (the
    fact reader's), a date's being none."""
    from bot.ingest.pipeline import ingest_folder
    from bot.news.facts import DATE_UNITS, FactReader
    from bot.store import Store
    folder = tmp_path / "docs"
    folder.mkdir()
    figure = "법원행정처는 내년 3월부터 전국 14개 법원에서 시범 운영한다."
    dated = ["법원행정처는 지난 11일 계획을 각급 법원에 통보했다.", "조사는 2026년 9~10월 진행됐다."]
    (folder / "a.txt").write_text("재판지원 AI 시범 운영\n\n" + " ".join([figure, *dated]) + "\n",
                                  encoding="utf-8")
    store = Store(tmp_path / "t.db")
    ingest_folder(store, korean, folder, max_bytes=1_000_000)
    [doc] = store.documents()
    counted = {g.sentence for g in FactReader(store, korean).facts(doc).figures
               if g.unit not in DATE_UNITS}
    assert figure in counted
    assert not any(d in c or c in d for d in dated for c in counted)
    store.close()


def test_words_that_name_the_page_are_not_content_it_lacks():
    """"한빛일보 마은정 칼럼에서 …": the outlet and the writer say which page is meant; only
    what the page's text lacks of the rest is missing."""
    from bot.answer import verify
    sentences = ["허락 없이 가져가는 것을 혁신이라 부를 수는 없다."]
    evidence = verify.Evidence(text=sentences[0],
                               sentences=[(sentences[0], frozenset({"허락", "혁신"}))],
                               topic={"한빛일보": 2.0, "마은정": 2.0, "허락": 1.0, "보상": 1.0})
    lacking, share = verify.missing(evidence, None)
    assert set(lacking) == {"한빛일보", "마은정", "보상"} and share == 5.0 / 6.0
    lacking, share = verify.missing(evidence, None, "허락 없는 학습 한빛일보 마은정 문화전문기자")
    assert lacking == ["보상"] and share == 1.0 / 6.0
