"""The real `briefbot` entry point, through click's runner, on real files."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.conftest import SEEDS, SMALL_MODEL, copy_db


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    values = {"BRIEFBOT_DB": str(tmp_path / "data" / "b.db"), "SEEDS_DIR": str(tmp_path / "seeds"),
              "MODEL_PATH": str(SMALL_MODEL), "LLM_THREADS": "2"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def test_every_command_has_help_text():
    for name, command in main.commands.items():
        assert command.help, f"{name} has no help text"
        assert run(name, "--help").exit_code == 0


def test_ingest_prints_one_line_and_search_json_has_the_documented_shape(env):
    shutil.copytree(SEEDS, env["SEEDS_DIR"])
    result = run("ingest", "--no-model")
    assert result.exit_code == 0
    assert "ingested 5, unchanged 0, quarantined 0, duplicates 0" in result.output
    out = json.loads(run("search", "딥시크 마누스", "--json").output)
    assert out["hits"] and set(out["hits"][0]) == {"doc", "title", "text", "score"}
    assert out["hits"][0]["doc"].startswith("000")
    scores = [h["score"] for h in out["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert json.loads(run("search", "노벨 물리학상", "--json").output) == {"hits": []}


@pytest.mark.model  # stats shows the model file and its size
def test_ingest_seeds_flag_overrides_the_setting_and_stats_lists_quarantine(env, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "empty.txt").write_bytes(b"")
    result = run("ingest", "--seeds", str(other), "--no-model")
    assert "quarantined 1" in result.output and "empty.txt: empty file" in result.output
    stats = run("stats").output
    assert "quarantined: 1" in stats and "empty.txt" in stats and "MB" in stats


def test_summary_brief_and_chat_read_stored_summaries(env, seeded_db_template):
    copy_db(seeded_db_template, Path(env["BRIEFBOT_DB"]))
    out = json.loads(run("summary", "--latest", "2", "--json").output)
    assert len(out["summaries"]) == 2 and all(s["summary"] for s in out["summaries"])
    one = run("summary", "004_5e7a854b7ac0a282.txt").output
    assert "이해민" in one
    brief = json.loads(run("brief", "--json").output)
    assert "AI 정책 브리핑" in brief["text"] and len(brief["doc_ids"]) == 5
    chat = run("chat", stdin="/sources\n/summary 딥시크\n/search 젠슨 황\n").output
    assert "기술의 미래, 컴퓨팅 인프라만으로는 부족하다" in chat
    assert "젠슨" in chat and "마누스" in chat


def test_ask_json_through_the_entry_point_with_the_real_model(env, seeded_db_template):
    copy_db(seeded_db_template, Path(env["BRIEFBOT_DB"]))
    result = run("ask", "2024년 네이처 인덱스 기준 AI 논문 기여도 세계 1위 국가는?", "--json")
    out = json.loads(result.output)
    assert set(out) == {"answer", "sources", "timings"}
    assert {"retrieve_ms", "first_token_ms", "total_ms"} <= set(out["timings"])
    # A fresh process per question: the model loads before the question starts (while Kiwi
    # starts in a thread), so the question's timings hold none of it.
    assert out["timings"]["load_ms"] == 0 and out["timings"]["prompt_tokens"] > 0
    assert out["sources"][0]["doc"].startswith("000")
    assert "중국" in out["answer"] + out["sources"][0]["quote"]


def test_a_bad_setting_is_rejected_with_its_name(env, monkeypatch):
    monkeypatch.setenv("BRIEFING_TIME", "25:00")
    result = CliRunner().invoke(main, ["stats"])
    assert result.exit_code != 0 and "BRIEFING_TIME" in result.output and "HH:MM" in result.output
    monkeypatch.setenv("BRIEFING_TIME", "08:00")
    monkeypatch.setenv("ALLOWED_CHAT_IDS", "12,abc")
    result = CliRunner().invoke(main, ["stats"])
    assert result.exit_code != 0 and "ALLOWED_CHAT_IDS" in result.output


def test_piped_chat_answers_a_question_with_the_real_model(env, seeded_db_template):
    copy_db(seeded_db_template, Path(env["BRIEFBOT_DB"]))
    out = run("chat", stdin="마이크로소프트가 이그나이트 2024에서 출시한 AI 에이전트 생성 프로그램은?\n").output
    assert "출처" in out and "이그나이트" in out
