"""The SandboxFusion backend against a local stand-in for ``POST /run_code`` (same request/response shape).

The stand-in executes with this package's local backend, so the test checks the client side: request
fields, the functional driver, status mapping, and that expected outputs never leave the caller.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sstar_dspy.problem import Mode, TestCase
from sstar_dspy.sandbox import ExecRequest, Limits, LocalForkServerBackend, Sandbox, Status
from sstar_dspy.sandbox.sandboxfusion import SandboxFusionBackend


@pytest.fixture(scope="module")
def fusion_url():
    local = LocalForkServerBackend(workers=1)
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server API
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append(payload)
            limits = Limits(timeout_s=payload["run_timeout"], memory_mb=payload["memory_limit_MB"])
            run = local.execute(ExecRequest(payload["code"], (payload["stdin"],), Mode.STDIN, None, limits))[0]
            status = "TimeLimitExceeded" if run.status is Status.TIME_LIMIT else "Finished"
            code = 0 if run.status is Status.EXECUTED else 1
            result = {"status": status, "execution_time": run.wall_s, "return_code": code,
                      "stdout": run.actual or "", "stderr": run.error}  # fmt: skip
            body = json.dumps({"status": "Success", "message": "", "compile_result": None, "run_result": result})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    local.close()


def test_stdin_and_functional_through_sandboxfusion(fusion_url):
    url, seen = fusion_url
    box = Sandbox(backend=SandboxFusionBackend(url, workers=2), limits=Limits(timeout_s=2, memory_mb=256))
    stdin = box.run("print(int(input()) * 2)", [TestCase(input="4", output="8"), TestCase(input="5", output="1")],
                    mode="stdin")  # fmt: skip
    assert [r.status for r in stdin] == [Status.PASSED, Status.WRONG_ANSWER]
    program = "class Solution:\n    def pair(self, a: List[int]):\n        print('noise')\n        return (a[0], a[-1])"
    functional = box.run(program, [TestCase.from_args([[1, 2, 3]], [1, 3])], mode="functional", function_name="pair")
    assert functional[0].status is Status.PASSED and functional[0].actual == "[1, 3]"
    assert all("expected" not in p and "8" != p["stdin"] for p in seen[-3:])  # inputs only, never expected outputs


def test_failures_map_to_statuses(fusion_url):
    url, _ = fusion_url
    box = Sandbox(backend=SandboxFusionBackend(url), limits=Limits(timeout_s=1, memory_mb=256), cache=False)
    cases = {
        "1/0": Status.RUNTIME_ERROR,
        "while True:\n    pass": Status.TIME_LIMIT,
        "x = bytearray(10 ** 10)": Status.MEMORY_LIMIT,
        "def f(:": Status.COMPILE_ERROR,
    }
    for program, status in cases.items():
        result = box.run(program, [TestCase(input="")], mode="stdin")[0]
        assert result.status is status, (program, result.error)
    missing = box.run("x = 1", [TestCase.from_args([1], 1)], mode="functional", function_name="f")[0]
    assert missing.status is Status.RUNTIME_ERROR and "no 'class Solution'" in missing.error


def test_unreachable_server_is_a_sandbox_error():
    backend = SandboxFusionBackend("http://127.0.0.1:9", retries=0)
    run = backend.execute(ExecRequest("print(1)", ("",), Mode.STDIN, None, Limits(timeout_s=1)))[0]
    assert run.status is Status.SANDBOX_ERROR and "request failed" in run.error
