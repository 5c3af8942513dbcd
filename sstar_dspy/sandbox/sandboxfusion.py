"""A remote backend: SandboxFusion's HTTP API (``POST /run_code``), one request per test.

`SandboxFusion <https://github.com/bytedance/SandboxFusion>`_ runs code in its own isolation (pick
``lite`` isolation on the server for namespaces and cgroups). This client sends only the program and
the test *input*; grading, output keys and caching stay in :class:`~sstar_dspy.sandbox.Sandbox`
(SandboxFusion's own comparator lowercases outputs and is not used).

* stdin mode: the program is sent as is, the input as ``stdin``.
* functional mode: the program is wrapped in a small driver (LiveCodeBench's prelude, the program,
  then: read one JSON value per stdin line, call ``Solution().<fn>`` or ``<fn>``, print a per-request
  marker followed by the JSON result), so prints of the program do not mix with the return value.
* Syntax errors are detected locally with ``compile()`` (nothing is executed) and reported as
  ``COMPILE_ERROR`` without a request.

Example:
    >>> backend = SandboxFusionBackend("http://localhost:8080", workers=8)
    >>> backend.layers()["remote"]
    True
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import traceback
import urllib.error
import urllib.request

from sstar_dspy.problem import Mode
from sstar_dspy.sandbox._harness import PRELUDE, RECURSION_LIMIT
from sstar_dspy.sandbox.backend import ExecRequest, RawRun
from sstar_dspy.sandbox.results import Status

logger = logging.getLogger(__name__)

HTTP_SLACK_S = 30.0
MEMORY_HINTS = ("MemoryError", "Cannot allocate memory", "out of memory")

DRIVER = """{prelude}
sys.setrecursionlimit({recursion_limit})
{program}

def _sstar_call():
    import json as _json, sys as _sys
    _args = [_json.loads(_line) for _line in _sys.stdin.read().split("\\n") if _line.strip()]
    _ns = globals()
    if isinstance(_ns.get("Solution"), type) and hasattr(_ns["Solution"], {fn!r}):
        _target = getattr(_ns["Solution"](), {fn!r})
    elif callable(_ns.get({fn!r})):
        _target = _ns[{fn!r}]
    else:
        raise SystemExit("no 'class Solution' with method " + repr({fn!r}) + " and no function of that name")
    _value = _target(*_args)
    _sys.stdout.write("\\n" + {marker!r} + _json.dumps(_value, default=lambda o: {{"__unserialisable__": repr(o)}}))

_sstar_call()
"""


class SandboxFusionBackend:
    """Runs tests through a SandboxFusion server.

    Args:
        url: Base URL of the server, e.g. ``http://sandbox:8080``.
        workers: Concurrent HTTP requests.
        retries: Retries of a request that failed at the transport level or with ``SandboxError``.
    """

    def __init__(self, url: str, *, workers: int = 8, retries: int = 2):
        self.url = url.rstrip("/")
        self.workers = workers
        self.retries = retries
        self._slots = threading.BoundedSemaphore(workers)

    def execute(self, request: ExecRequest) -> list[RawRun]:
        """One ``/run_code`` call per input, in order (run several requests in parallel for throughput)."""
        try:
            compile(request.program, "<solution>", "exec")
        except (SyntaxError, ValueError) as exc:
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            return [RawRun(Status.COMPILE_ERROR, error=detail) for _ in request.inputs]
        functional = request.mode is Mode.FUNCTIONAL or request.mode == "functional"
        marker = f"@@sstar-result-{secrets.token_hex(8)}@@"
        code = request.program
        if functional:
            code = DRIVER.format(
                prelude=PRELUDE,
                recursion_limit=RECURSION_LIMIT,
                program=request.program,
                fn=request.function_name,
                marker=marker,
            )
        return [self._run_one(code, text, request, functional, marker) for text in request.inputs]

    def _run_one(self, code: str, stdin: str, request: ExecRequest, functional: bool, marker: str) -> RawRun:
        limits = request.limits
        payload = {
            "code": code,
            "language": "python",
            "stdin": stdin,
            "run_timeout": limits.timeout_s,
            "memory_limit_MB": limits.memory_mb,
        }
        start = time.monotonic()
        reply, error = None, ""
        for _ in range(self.retries + 1):
            try:
                reply = self._post("/run_code", payload, limits.timeout_s + HTTP_SLACK_S)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                reply, error = None, f"SandboxFusion request failed: {exc}"
                continue
            if reply.get("status") != "SandboxError":
                break
            error = f"SandboxFusion error: {reply.get('message', '')}"
        wall = time.monotonic() - start
        if reply is None or reply.get("status") == "SandboxError":
            return RawRun(Status.SANDBOX_ERROR, error=error, wall_s=wall)
        return self._classify(reply, request, functional, marker, wall)

    @staticmethod
    def _classify(reply: dict, request: ExecRequest, functional: bool, marker: str, wall: float) -> RawRun:
        run = reply.get("run_result") or {}
        stdout, stderr = run.get("stdout") or "", (run.get("stderr") or "").strip()[-800:]
        wall = float(run.get("execution_time") or wall)
        if run.get("status") == "TimeLimitExceeded":
            return RawRun(Status.TIME_LIMIT, error=f"time limit exceeded ({request.limits.timeout_s:g} s)", wall_s=wall)
        if len(stdout.encode("utf-8", errors="replace")) >= request.limits.output_bytes:
            return RawRun(Status.OUTPUT_LIMIT, error=f"output limit exceeded ({request.limits.output_bytes} bytes)")
        if run.get("return_code") not in (0, None) or run.get("status") == "Error":
            status = Status.MEMORY_LIMIT if any(h in stderr for h in MEMORY_HINTS) else Status.RUNTIME_ERROR
            return RawRun(
                status, actual=stdout or None, error=stderr or f"exit code {run.get('return_code')}", wall_s=wall
            )
        if not functional:
            return RawRun(Status.EXECUTED, actual=stdout, wall_s=wall)
        if marker not in stdout:
            return RawRun(Status.RUNTIME_ERROR, error="the program exited before the function returned a value")
        return RawRun(Status.EXECUTED, actual=stdout.rsplit(marker, 1)[1].strip(), wall_s=wall)

    def _post(self, path: str, payload: dict, timeout: float) -> dict:
        body = json.dumps(payload).encode("utf-8")
        http_request = urllib.request.Request(
            self.url + path, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        with self._slots, urllib.request.urlopen(http_request, timeout=timeout) as response:  # noqa: S310 - user URL
            return json.loads(response.read().decode("utf-8"))

    def layers(self) -> dict[str, bool]:
        """Remote isolation is the server's business; only ``remote`` is known here."""
        return {"remote": True, "fork_server": False}

    def close(self) -> None:
        """Nothing to release (one HTTP connection per request)."""
