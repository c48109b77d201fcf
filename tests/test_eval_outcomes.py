"""`make eval` sorts replies into outcomes; a wrong sort would hide the failures it reports."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from bot.types import Answer, Source

spec = importlib.util.spec_from_file_location(
    "bench_eval", Path(__file__).resolve().parent.parent / "bench" / "eval.py")
bench_eval = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench_eval)

ANSWERABLE = {"id": "a", "q": "…", "must_any": [["마누스"]], "source": "000"}
UNANSWERABLE = {"id": "u", "q": "…", "must_any": [["없습니다", "찾을 수 없"]]}
CITED = [Source(doc_id="000.txt", title="제목", quote="마누스가 공개됐다.")]


def outcome(case: dict, answer: Answer) -> str:
    return bench_eval.outcome(case, answer, bench_eval.judge(case, answer))


def test_answers_to_answerable_questions():
    assert outcome(ANSWERABLE, Answer("마누스입니다.", CITED)) == "correct"
    assert outcome(ANSWERABLE, Answer("딥시크입니다.", CITED)) == "wrong"
    refusal = Answer("보유한 자료에서 이 질문에 대한 내용을 찾을 수 없습니다.", covered=False)
    assert outcome(ANSWERABLE, refusal) == "false refusal"


def test_broken_replies_are_broken_whatever_else_they_say():
    assert outcome(ANSWERABLE, Answer("마누스에 대한 내용은 다음과 같습니다.", CITED)) == "broken"
    assert outcome(ANSWERABLE, Answer("firenzedt.com는 마누스를 소개했다.", CITED)) == "broken"
    assert outcome(ANSWERABLE, Answer("", CITED)) == "broken"
    quoted = Answer("자료에서 가장 관련 있는 대목은 다음과 같습니다: “마누스가 공개됐다.”", CITED)
    assert outcome(ANSWERABLE, quoted) == "correct"


def test_unanswerable_questions():
    assert outcome(UNANSWERABLE, Answer("자료에서 찾을 수 없습니다.", covered=False)) == "correct"
    assert outcome(UNANSWERABLE, Answer("수상자는 홍길동입니다.", CITED)) == "false answer"


def test_the_table_counts_each_class_and_the_total():
    text = bench_eval.table([("fact", "correct"), ("fact", "broken"), ("follow-up", "correct")])
    fact, follow, total = text.splitlines()[1:]
    assert fact.split()[:3] == ["fact", "2", "1"] and fact.split()[-1] == "1"
    assert follow.split()[:3] == ["follow-up", "1", "1"]
    assert total.split()[:3] == ["all", "3", "2"]
