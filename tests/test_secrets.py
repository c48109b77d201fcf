"""Secrets never reach output or the database: the real `briefbot` process at DEBUG, against the
fake Bot API and a small fake OpenAI-compatible server."""
from __future__ import annotations

import base64
import logging
import shutil
from pathlib import Path

import pytest

from bot import redact
from bot.store import Store
from tests.botapi import BotAPIServer
from tests.cli_process import briefbot, cli_env
from tests.conftest import SEEDS, TOKEN
from tests.fake_openai import fake_openai

WRONG_TOKEN = "654321:WRONG-token_zyxwvutsrqponmlkjihgfedcba"


@pytest.fixture
def telegram():
    """The fake Bot API, accepting only TOKEN (any other token is answered 401)."""
    with BotAPIServer(token=TOKEN) as server:
        yield server


def subscribed_db(tmp_path: Path, chat_id: int) -> Path:
    path = tmp_path / "data" / "b.db"
    store = Store(path)
    store.subscribe(chat_id, "private", "")
    store.close()
    return path


@pytest.mark.processes
def test_brief_send_at_debug_never_prints_the_token(tmp_path, telegram):
    subscribed_db(tmp_path, 501)
    env = cli_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=telegram.base_url)
    (tmp_path / "seeds").mkdir()
    result = briefbot(tmp_path, env, "-v", "brief", "--send")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "sent 1" in result.stdout and len(telegram.sent(501)) == 1
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    # DEBUG was on, and the line that used to carry the token is there, redacted.
    assert f"{telegram.base_url}{redact.REDACTED}" in result.stderr


@pytest.mark.parametrize("command", [["brief", "--send"], ["run", "--no-summaries"]])
@pytest.mark.processes
def test_a_rejected_token_is_one_clear_error_with_status_2(tmp_path, telegram, command):
    subscribed_db(tmp_path, 501)
    (tmp_path / "seeds").mkdir()
    env = cli_env(tmp_path, TELEGRAM_BOT_TOKEN=WRONG_TOKEN,
                  TELEGRAM_API_BASE_URL=telegram.base_url)
    result = briefbot(tmp_path, env, "-v", *command)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "401" in result.stderr
    assert "Traceback" not in output
    assert WRONG_TOKEN not in output and WRONG_TOKEN.split(":")[1] not in output
    assert not telegram.sent()


@pytest.fixture
def llm_server():
    with fake_openai() as server:
        yield server


@pytest.mark.processes
def test_llm_base_url_credentials_reach_neither_output_nor_the_database(tmp_path, llm_server):
    user, password, query_token = "briefuser", "s3cret-pass", "qtoken-12345"
    port = llm_server.server_address[1]
    url = f"http://{user}:{password}@127.0.0.1:{port}/v1?token={query_token}"
    shutil.copytree(SEEDS, tmp_path / "seeds")
    env = cli_env(tmp_path, LLM_BACKEND="openai", LLM_BASE_URL=url, LLM_MODEL="small")
    result = briefbot(tmp_path, env, "-v", "ingest")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "summarised 5 document(s)" in result.stdout
    # The credentials were used: basic auth and the query token reached the server.
    expected_auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    assert llm_server.seen and all(s["auth"] == expected_auth for s in llm_server.seen)
    assert all(s["path"] == f"/v1/chat/completions?token={query_token}"
               for s in llm_server.seen)
    # ... and are nowhere else: not in the output, not in any byte of the database files.
    stored = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("b.db*"))
    for secret in (password, query_token, f"{user}:{password}"):
        assert secret not in output
        assert secret.encode() not in stored

    # The server gone, a question fails with a clear error that still names no credential.
    llm_server.shutdown()
    llm_server.server_close()  # (closing it again at the fixture's end is harmless)
    result = briefbot(tmp_path, env, "-v", "ask",
                      "2024년 네이처 인덱스 기준 AI 논문 기여도 세계 1위 국가는?")
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "LLM_BASE_URL" in output
    assert password not in output and query_token not in output


def test_redaction_covers_every_logger_level_argument_and_traceback(caplog):
    logger = logging.getLogger("tests.redaction")
    with caplog.at_level(logging.DEBUG):
        redact.install([TOKEN])
        redact.install([TOKEN, None, ""])  # idempotent; empty values ignored
        logger.debug("HTTP Request: POST http://x/bot%s/getUpdates", TOKEN)
        logger.info(f"literal http://x/bot{TOKEN}/sendMessage")
        logger.warning("server http://someone:pw@host/v1 failed")
        try:
            raise RuntimeError(f"failed for url http://x/bot{TOKEN}/getMe")
        except RuntimeError:
            logger.exception("request failed")
    assert len(caplog.records) == 4
    assert TOKEN not in caplog.text and "someone:pw" not in caplog.text
    assert caplog.text.count(redact.REDACTED) == 4
    assert all(TOKEN not in r.getMessage() for r in caplog.records)
