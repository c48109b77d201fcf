"""The OpenAI-compatible backend, end to end against llama-cpp-python's own server on 127.0.0.1
with the small model."""
from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from bot.answer import AnswerService
from bot.llm import LLMError, build_llm
from tests.conftest import SMALL_MODEL, make_settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    port = free_port()
    log = (tmp_path_factory.mktemp("server") / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(SMALL_MODEL),
         "--model_alias", "small", "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "4096", "--n_threads", "2"], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while True:
        assert proc.poll() is None, "llama_cpp.server exited; see its log"
        try:
            if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "llama_cpp.server did not come up in 120 s"
        time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def test_streams_a_grounded_korean_answer_through_the_server(llama_server, services, tmp_path):
    settings = make_settings(tmp_path, LLM_BACKEND="openai", LLM_BASE_URL=llama_server,
                             LLM_MODEL="small")
    llm = build_llm(settings)
    pieces = list(llm.stream([{"role": "user", "content": "안녕하세요라고만 답하세요."}],
                             max_tokens=16))
    assert len(pieces) > 1 and "".join(pieces).strip()
    answers = AnswerService(services.store, services.retriever, llm)
    answer = answers.ask("딥시크 다음으로 등장해 주목받은 중국의 AI 에이전트 플랫폼은 무엇인가요?")
    assert answer.covered and answer.sources[0].doc_id.startswith("000")
    assert "마누스" in answer.text + answer.sources[0].quote


def test_unreachable_server_is_a_clear_error(tmp_path):
    settings = make_settings(tmp_path, LLM_BACKEND="openai",
                             LLM_BASE_URL=f"http://127.0.0.1:{free_port()}/v1")
    llm = build_llm(settings)
    with pytest.raises(LLMError, match="LLM_BASE_URL"):
        list(llm.stream([{"role": "user", "content": "x"}], max_tokens=4))
