"""A tiny OpenAI-compatible server on 127.0.0.1 for offline tests (stdlib ``http.server``).

It answers ``POST /v1/chat/completions`` with a fixed reply in DSPy's chat format, records each request's
``Authorization`` header and model, and shuts itself down after ``lifetime_s`` even if a test forgets to.
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CODE = "a, b = map(int, input().split())\nprint(a + b)"
REPLY = f"[[ ## code ## ]]\n{CODE}\n\n[[ ## completed ## ]]"


@contextmanager
def openai_stub(reply: str = REPLY, lifetime_s: float = 120.0, finish_reason: str = "stop"):
    """Start the stub; yields an object with ``api_base`` and ``requests`` (dicts: auth, model, path)."""
    requests: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def do_POST(self):  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "model": body.get("model")})
            if not self.path.endswith("/chat/completions"):
                self.send_response(404)
                self.end_headers()
                return
            payload = {
                "id": "stub-1",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "stub"),
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": finish_reason}
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    stopper = threading.Timer(lifetime_s, server.shutdown)
    stopper.daemon = True
    stopper.start()

    class Stub:
        api_base = f"http://127.0.0.1:{server.server_address[1]}/v1"

    stub = Stub()
    stub.requests = requests
    try:
        yield stub
    finally:
        stopper.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
