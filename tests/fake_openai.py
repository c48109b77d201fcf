"""A tiny OpenAI-compatible server: /v1/chat/completions streams one fixed Korean summary and
records each request's path and Authorization header. For tests that need the `openai` backend
without loading a model."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SUMMARY = ("정부가 GPU 확보 계획을 발표했고 업계와 전문가들은 투자 규모와 인재 양성을 두고 의견이 "
           "엇갈렸다.")


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server naming
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append({"path": self.path, "auth": self.headers.get("Authorization")})
        chunk = json.dumps({"choices": [{"delta": {"content": SUMMARY}}]}, ensure_ascii=False)
        body = f"data: {chunk}\n\ndata: [DONE]\n\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - no per-request logging
        pass


@contextmanager
def fake_openai() -> Iterator[ThreadingHTTPServer]:
    """A started server; `.server_address[1]` is its port, `.seen` the requests so far."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
