"""Where a question's first-token time goes (`timings`: model load, prefix loaded or
evaluated, the turn's prompt tokens, the first decode): in `ask`'s answer and in /stats."""
from __future__ import annotations

from bot import texts
from bot.llm.lazy import LazyLLM
from tests.conftest import make_settings
from tests.fakes import FakeLLM
from tests.test_tg_bot import (  # noqa: F401
    CHAT,
    GROUNDED,
    QUESTION,
    lead_db_template,
    settle,
    start_bot,
    texts_of,
)

SPLIT = {"load_ms": 0, "prefix_load_ms": 41, "prefix_eval_ms": 0, "prefix_tokens": 1200,
         "prompt_tokens": 38, "prompt_ms": 420, "first_decode_ms": 60}


async def test_an_answer_reports_its_stages_and_stats_shows_their_medians(start_bot, botapi):
    llm = FakeLLM(GROUNDED)
    llm.stages = SPLIT
    app, services = await start_bot(llm=llm, ADMIN_IDS=[CHAT])
    answer = services.answers.ask(QUESTION)
    assert SPLIT.items() <= answer.timings.items() and "first_token_ms" in answer.timings
    llm.stages = {**SPLIT, "prompt_ms": 440}
    botapi.add_update_message(CHAT, QUESTION)
    await settle(botapi, app)
    botapi.add_update_message(CHAT, "/stats")
    await settle(botapi, app)
    stats = texts_of(botapi, CHAT)[-1]
    assert stats.startswith(texts.TG_STATS_HEADER)
    line = next(s for s in stats.splitlines() if s.startswith("최근 답변"))
    assert line.startswith("최근 답변 2건") and "질문 토큰 38개 430" in line  # median of two
    assert "불러오기 41" in line and "첫 디코드 60" in line


def test_the_load_is_reported_by_the_first_call_that_runs_the_model(tmp_path, monkeypatch):
    """`briefbot ask` loads the model while planning (has_prefix); the answer that follows
    reports the load, a later one does not."""
    built = FakeLLM()
    monkeypatch.setattr("bot.llm.lazy.build_llm", lambda settings: built)
    lazy = LazyLLM(make_settings(tmp_path))
    assert lazy.has_prefix([{"role": "system", "content": "x"}])  # loads it
    list(lazy.stream([{"role": "user", "content": "질문"}], max_tokens=4))
    assert lazy.stages["load_ms"] >= 1
    list(lazy.stream([{"role": "user", "content": "질문"}], max_tokens=4))
    assert lazy.stages["load_ms"] == 0


def test_llamacpp_splits_the_first_token_time(small_llm):
    doc = [{"role": "system", "content": "다음 문서만 근거로 답하세요.\n\n" + "인공지능 기본법은 "
            "2026년 1월 시행된다. 정부는 고영향 AI에 대한 의무를 정했다. " * 8}]
    ask = doc + [{"role": "user", "content": "기본법은 언제 시행되나요?"}]
    small_llm.warm(doc)  # on disk (or in memory): the question loads or reuses it
    list(small_llm.stream(ask, max_tokens=4, cache_prefix=1))
    stages = small_llm.stages
    assert set(SPLIT) - {"load_ms"} <= set(stages)
    assert stages["prefix_tokens"] == len(small_llm.prompt_tokens(doc, generation=False))
    assert stages["prompt_tokens"] == small_llm.last_tokens[1] > 5
    assert stages["prompt_ms"] > 0 and stages["first_decode_ms"] > 0
    assert stages["prefix_eval_ms"] == 0  # it was evaluated before the question
