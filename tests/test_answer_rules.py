"""The answer path as stages, and every answer rule on its own. A question visits each stage
once, in order; each rule in `bot.answer.rules.RULES` fails the case it guards against and
passes an ordinary one. Fast: real Kiwi, no model (the model's text is given)."""
from __future__ import annotations

import pytest

from bot.answer import verify
from bot.answer.pipeline import ORDER
from bot.answer.question import read
from bot.answer.rules import RULES, Case, Part
from bot.answer.understand import Asked
from bot.korean import Korean
from bot.types import Document
from tests.answer_fixture import fake_answers, lead_db_template, lead_services  # noqa: F401

FACT = "MS가 코파일럿 스튜디오 정식 출시한 행사는 어느 도시에서 열렸어요?"


def recorded(answers, monkeypatch) -> list[str]:
    """Each stage's `run` wrapped to record its name when called."""
    calls: list[str] = []
    for stage in (answers.stages.understand, answers.stages.retrieve, answers.stages.evidence,
                  answers.stages.generate, answers.stages.check, answers.stages.fallback):
        def run(*args, _run=stage.run, _name=stage.name, **kwargs):
            calls.append(_name)
            return _run(*args, **kwargs)
        monkeypatch.setattr(stage, "run", run)
    return calls


@pytest.mark.parametrize("question", [
    pytest.param(FACT, id="the model answers"),
    pytest.param("점심 메뉴로 뭘 먹을까요?", id="refused"),
    pytest.param("네이트 뉴스 기사랑 이해민 의원 칼럼은 중국 AI의 '가성비'를 같은 시각으로 보나요?",
                 id="composed"),
])
def test_a_question_visits_each_stage_once_in_order(fake_answers, monkeypatch, question):
    answers, fake = fake_answers
    calls = recorded(answers, monkeypatch)
    fake.enqueue("마이크로소프트는 시카고에서 코파일럿 스튜디오를 정식 출시했습니다.")
    answer = answers.ask(question)
    assert calls == list(ORDER) == answer.stages
    assert list(ORDER) == ["understand", "retrieve", "evidence", "generate", "check", "fallback"]


async def test_a_streamed_question_visits_each_stage_once_in_order(fake_answers, monkeypatch):
    answers, fake = fake_answers
    fake.enqueue("마이크로소프트는 시카고에서 코파일럿 스튜디오를 정식 출시했습니다.")
    items = [item async for item in answers.ask_stream(FACT)]
    assert items[-1].stages == list(ORDER) and "시카고" in items[-1].text
    assert all(isinstance(item, str) for item in items[:-1]) and len(items) > 2


def test_the_question_is_read_once(fake_answers, monkeypatch):
    """Later stages read `Asked`; none analyses the question again."""
    import bot.answer.understand
    answers, fake = fake_answers
    reads: list[str] = []
    original = bot.answer.understand.read
    monkeypatch.setattr(bot.answer.understand, "read",
                        lambda text: reads.append(text) or original(text))
    fake.enqueue("마이크로소프트는 시카고에서 코파일럿 스튜디오를 정식 출시했습니다.")
    answers.ask(FACT)
    assert reads == [FACT]


def test_the_fake_model_is_typed_against_the_llm_protocol():
    from bot.llm import LLM
    from tests.fakes import FakeLLM
    assert LLM in FakeLLM.__mro__


# --- each rule: (the question, evidence sentences, the case's other parts), a part the rule
# fails, and an ordinary part it passes.
def case(korean: Korean, question: str = FACT, sentences=(), topic=None, *,
         before: str | None = None, headings: tuple[str, ...] = (),
         subjects: frozenset[str] = frozenset(), follow_up: frozenset[str] = frozenset(),
         docs: tuple = ()) -> Case:
    pairs = [s if isinstance(s, tuple) else (s, frozenset(korean.morphemes(s)))
             for s in sentences]
    asked = Asked(text=question, read=read(question), topic=dict(topic or {}),
                  asked_before=before,
                  forms=frozenset(f.lower() for f, _ in korean.tokens(question)))
    evidence = verify.Evidence(text=" ".join(s for s, _ in pairs), sentences=pairs,
                               topic=dict(topic or {}), headings=headings)
    return Case(asked, evidence, tuple(docs), subjects, follow_up, korean, set)


CHICAGO = "마이크로소프트는 시카고에서 열린 이그나이트 행사에서 코파일럿 스튜디오를 정식 출시했다."
PAST_DUE = "자료에서 찾을 수 없습니다."
PROFESSOR = "손철 교수는 호모파베르의 역설이라는 개념을 처음 제시했다고 밝혔다."
COUNTS = ["국내에는 AI를 쓰는 기업 160만 개가 있다고 한다.",
          "정부는 국가 AI 컴퓨팅 센터용 GPU 1만 장을 확보하기로 했다."]
META = [("메타는 광고 수익화에 속도를 낸다.", frozenset({"메타", "광고", "수익화", "속도"})),
        ("날씨가 맑다.", frozenset({"날씨"})), ("점심을 먹었다.", frozenset({"점심"})),
        ("마이크로소프트는 클라우드에 투자한다.", frozenset({"마이크로소프트", "클라우드", "투자"}))]

LAWMAKER = "윤미란 의원은 “도구를 만드는 사람은 놔두고 이용자만 쫓아서는 끝이 없다”고 말했다."
REPORTED = Document(id="d04.txt", title="합성앱 처벌 법사위 통과", text=LAWMAKER,
                    content_hash="h", author="정유진 기자")

EXAMPLES = {
    "not_a_refusal": (dict(sentences=[CHICAGO]), Part(PAST_DUE), Part(CHICAGO)),
    "not_repeated": (dict(sentences=[CHICAGO]), Part(CHICAGO, kept=(CHICAGO,)), Part(CHICAGO)),
    "not_a_heading": (dict(sentences=[CHICAGO], headings=("코파일럿 스튜디오 출시 (테크뉴스)",)),
                      Part("코파일럿 스튜디오 출시"), Part(CHICAGO)),
    "names_stand": (dict(sentences=[CHICAGO]), Part("뉴욕에서 열렸다.", names=frozenset({"뉴욕"})),
                    Part("시카고에서 열렸다.", names=frozenset({"시카고"}))),
    "adds_something": (dict(sentences=[CHICAGO]), Part("행사가 열렸다.", new=frozenset({"도시"})),
                       Part("시카고에서 열렸다.", new=frozenset({"시카고"}))),
    "mostly_from_evidence": (dict(sentences=[CHICAGO]),
                             Part("이는 기업들이 경제적 혜택을 얻는 경쟁을 의미합니다.",
                                  new=frozenset({"기업", "경제", "혜택", "경쟁", "의미", "행사"})),
                             Part("이그나이트 행사에서 스튜디오를 정식 출시했다.",
                                  new=frozenset({"이그나이트", "행사", "스튜디오", "출시",
                                                 "정식", "무대"}))),
    "figures_stand_in_evidence": (dict(sentences=[CHICAGO]), Part("행사에 3천 명이 왔다."),
                                  Part(CHICAGO)),
    "figures_in_context": (dict(question="정부가 확보하려는 GPU는 몇 장이에요?", sentences=COUNTS,
                                topic={"gpu": 1.0, "확보": 1.0}),
                           Part("GPU는 160만 장입니다."), Part("GPU는 1만 장입니다.")),
    "said_of_the_subject": (dict(question="마이크로소프트는 무엇에 속도를 내요?", sentences=META,
                                 subjects=frozenset({"마이크로소프트"})),
                            Part("광고 수익화에 속도를 낸다.",
                                 new=frozenset({"광고", "수익화", "속도"})),
                            Part("클라우드에 투자한다.", new=frozenset({"클라우드", "투자"}))),
    "opens_on_the_topic": (dict(sentences=[CHICAGO], topic={"시카고": 1.0}),
                           Part("날씨가 아주 좋았습니다."), Part("행사는 시카고에서 열렸습니다.")),
    "who_is_attributed": (dict(question="'호모파베르의 역설'은 원래 누가 제시한 개념이라고 나와요?",
                               sentences=[PROFESSOR],
                               topic={"호모파베르": 1.0, "역설": 1.0, "개념": 1.0}),
                          Part("", kept=("'호모파베르의 역설'은 호모파베르가 제시한 개념입니다.",)),
                          Part("", kept=("손철 교수가 제시한 개념입니다.",))),
    "something_stands": (dict(sentences=[CHICAGO]), Part(""), Part(CHICAGO, kept=(CHICAGO,))),
    "grounded_in_evidence": (dict(sentences=[CHICAGO]), Part("정리하면 다음과 같습니다."),
                             Part(CHICAGO)),
    "fills_what_was_asked": (dict(question="행사에는 몇 명이 참석했어요?", sentences=[CHICAGO]),
                             Part("행사가 성대하게 열렸다."), Part("약 3천 명이 참석했다.")),
    "names_someone_new": (dict(question="그 사람이 예로 든 교수는 누구예요?",
                               before="젠슨 황은 강연에서 뭐라고 했어요?", sentences=[CHICAGO]),
                          Part("젠슨 황입니다.", names=frozenset({"젠슨"})),
                          Part("모네입니다.", names=frozenset({"모네"}))),
    "not_the_reporter": (dict(question="도구 만드는 사람은 놔두고 이용자만 쫓는다고 말한 의원은 누구야?",
                              sentences=[LAWMAKER], docs=(REPORTED,)),
                         Part("말한 의원은 정유진 기자입니다.", names=frozenset({"정유진"})),
                         Part("윤미란 의원입니다.", names=frozenset({"윤미란"}))),
    "holds_the_role": (dict(question="국가AI위원회 위원장은 누구예요?", sentences=[CHICAGO]),
                       Part("위원장은 홍길동입니다."), None),
    "answers_the_follow_up": (dict(sentences=[CHICAGO], follow_up=frozenset({"팀즈"})),
                              Part("이그나이트 행사에서 발표했습니다."),
                              Part("팀즈에서 회의를 요약해 줍니다.")),
}


def test_every_rule_has_an_example_and_says_what_it_guards_against():
    assert [r.name for r in RULES if r.name not in EXAMPLES] == []
    assert len({r.name for r in RULES}) == len(RULES)
    assert all(len(r.guards) > 40 for r in RULES)


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_each_rule_fails_what_it_guards_against(korean, rule):
    kwargs, failing, passing = EXAMPLES[rule.name]
    judged = case(korean, **kwargs)
    assert not rule.passes(judged, failing)
    if passing is not None:
        assert rule.passes(judged, passing)


def test_a_role_the_documents_say_passes_when_the_answer_says_it(korean):
    [rule] = [r for r in RULES if r.name == "holds_the_role"]
    judged = case(korean, "국가AI위원회 위원장은 누구예요?", ["국가AI위원회 위원장은 홍길동 교수다."])
    assert rule.passes(judged, Part("위원장은 홍길동 교수입니다."))
    assert not rule.passes(judged, Part("홍길동 교수입니다."))


def test_an_answer_repeating_a_sentence_that_names_its_own_speaker_is_attributed(korean):
    # The sentence most about the question is another page's and names nobody; the answer
    # repeats, word for word, the one that says who said it.
    [rule] = [r for r in RULES if r.name == "who_is_attributed"]
    about = "중국 모델은 싸고 가중치를 내려받아 사내 서버에서 돌릴 수 있어 안전하다는 말이 나온다."
    said = ('민서후 가람대 교수는 "가중치만 받아 내부에서 돌리면 안전하다는 말은 절반만 맞다"며 '
            '"별도로 검증해야 한다"고 지적했다.')
    judged = case(korean, "가중치만 받아 사내에서 돌리면 안전하다는 건 반만 맞다고 한 사람은?",
                  [about, said], topic={"가중치": 1.0, "사내": 1.0, "안전": 1.0})
    assert rule.passes(judged, Part("", kept=(said,)))
    assert not rule.passes(judged, Part("", kept=("절반만 맞다고 곽민호 교수가 말했다.",)))


def test_a_figure_stands_in_the_evidence_only_as_a_whole_number():
    from bot.answer.checks import figures_stand
    evidence = "한국어는 성우가 녹음하고 나머지 11개 언어는 AI로 만들었다. 2010년 출시작의 후속이다."
    assert figures_stand("나머지 11개 언어를 AI로 만들었다.", evidence)
    assert not figures_stand("10개 언어를 AI로 만들었다.", evidence)  # only inside "2010"
    assert not figures_stand("1개 언어만 성우가 녹음했다.", evidence)  # only inside "11"
    assert figures_stand("1,874건을 운송했다.", "모두 1874건의 운송을 마쳤다.")
    assert not figures_stand("11%다.", "11.5%로 올랐다.")
