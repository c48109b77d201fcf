"""What an OpenAI-compatible server can send besides a reply — an error object, no choices, a
line that is not JSON — ends as the model's clear error, not a KeyError that ends the console
chat. A tiny server on 127.0.0.1 answers each body."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.llm import LLMError
from bot.llm.openai_http import OpenAICompatLLM

ERROR = json.dumps({"error": {"message": "model 'small' is loading", "type": "unavailable"}})
STREAMS = {
    "error object": f"data: {ERROR}\n\ndata: [DONE]\n\n",
    "empty choices": 'data: {"choices": []}\n\ndata: [DONE]\n\n',
    "not json": "data: <html>bad gateway</html>\n\n",
    "choice not an object": 'data: {"choices": [42]}\n\n',
}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server naming
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = self.server.body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - no per-request logging
        pass


@contextmanager
def answering(body: str) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.body = body
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("case", sorted(STREAMS))
def test_a_stream_without_a_reply_is_a_clear_model_error(case):
    with answering(STREAMS[case]) as url:
        llm = OpenAICompatLLM(url, "small", timeout=10)
        with pytest.raises(LLMError, match=r"LLM server http://127\.0\.0\.1:\d+/v1 "):
            list(llm.stream([{"role": "user", "content": "안녕"}], max_tokens=4))


def test_the_servers_own_error_message_is_passed_on():
    with answering(STREAMS["error object"]) as url:
        llm = OpenAICompatLLM(url, "small", timeout=10)
        with pytest.raises(LLMError, match="reported an error: model 'small' is loading"):
            list(llm.stream([{"role": "user", "content": "안녕"}], max_tokens=4))
    with answering(ERROR) as url:  # the same error as a whole JSON answer (no stream)
        llm = OpenAICompatLLM(url, "small", timeout=10)
        with pytest.raises(LLMError, match="reported an error: model 'small' is loading"):
            llm.choose([{"role": "user", "content": "안녕"}], ("찬성", "반대"))


def test_a_usage_event_without_choices_after_the_reply_is_not_an_error():
    reply = json.dumps({"choices": [{"delta": {"content": "안녕하세요"}}]}, ensure_ascii=False)
    with answering(f'data: {reply}\n\ndata: {{"choices": [], "usage": {{}}}}\n\n'
                   "data: [DONE]\n\n") as url:
        llm = OpenAICompatLLM(url, "small", timeout=10)
        assert "".join(llm.stream([{"role": "user", "content": "안녕"}], max_tokens=4)) == "안녕하세요"
