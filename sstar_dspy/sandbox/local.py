"""The default backend: a pool of warm fork servers on this machine, each confined by the kernel.

Each worker is a fresh ``python -I -S _forkserver.py --config ...`` started with a cleared environment
(never a fork of the caller, which may hold API keys, threads or an LM), in its own session. It confines
itself with the kernel's own APIs (``_confine.py``: uid 65534 when started as root, user/pid/net/mount
namespaces, Landlock; ``_seccomp.py``), using only the standard library, so every install gets every layer
without system packages. A worker runs one request at a time; the pool runs up to ``workers`` requests in
parallel. The worker enforces per-test deadlines itself; this side adds a backstop deadline per reply
and replaces a worker that dies or stalls.

Example:
    >>> from sstar_dspy.sandbox.backend import ExecRequest
    >>> backend = LocalForkServerBackend(workers=1)
    >>> backend.execute(ExecRequest("print(input())", ("hi",), Mode.STDIN, None, Limits()))[0].actual
    'hi\\n'
    >>> backend.close()
"""

from __future__ import annotations

import json
import logging
import os
import queue
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sstar_dspy.problem import Mode
from sstar_dspy.sandbox.allowlist import sandbox_config
from sstar_dspy.sandbox.backend import ExecRequest, RawRun
from sstar_dspy.sandbox.results import Limits, Status

logger = logging.getLogger(__name__)

SOURCE_DIR = os.path.dirname(os.path.abspath(__file__))
SERVER_SCRIPT = os.path.join(SOURCE_DIR, "_forkserver.py")
CHILD_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "LD_BIND_NOW": "1",  # symbols bound once in the server, not in each test process; the server unsets it
}
START_TIMEOUT_S = 20.0
# the worker's PR_SET_PDEATHSIG fires when the *thread* that spawned it exits, so
# workers are spawned from one thread that lives as long as the process (never from a pool thread).
_SPAWNER: tuple[int, ThreadPoolExecutor] | None = None
_SPAWNER_LOCK = threading.Lock()


def _spawner() -> ThreadPoolExecutor:
    """The process's long-lived spawning thread (a new one after ``fork()``: threads do not survive it)."""
    global _SPAWNER
    with _SPAWNER_LOCK:
        if _SPAWNER is None or _SPAWNER[0] != os.getpid():
            _SPAWNER = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-spawner"))
        return _SPAWNER[1]


# layer -> what the fork server reports it under ("" for layers this side provides by construction)
LAYER_SOURCES = {
    "fork_server": "", "process_group_kill": "", "rlimits": "", "clean_env": "", "seccomp": "seccomp",
    "landlock": "landlock", "unprivileged_uid": "unprivileged_uid", "no_network": "user_namespace",
    "pid_namespace": "user_namespace", "readonly_root": "landlock", "hidden_files": "landlock",
}  # fmt: skip
DECLARED_LAYERS = tuple(LAYER_SOURCES)
REPLY_SLACK_S = 5.0  # backstop on top of the per-test deadline the worker enforces itself (at least 2x the limit)


class WorkerError(RuntimeError):
    """A worker died or stopped answering."""


class ForkServerProcess:
    """One fork-server process and its line-based JSON protocol."""

    def __init__(self, *, config: dict, seccomp: bool = True):
        flags = [] if seccomp else ["--no-seccomp"]
        # -S: no site-packages at all; the server puts the allowlisted packages on sys.path (see allowlist.py)
        argv = [sys.executable, "-I", "-S", SERVER_SCRIPT, "--config", json.dumps(config), *flags]
        self._proc = (
            _spawner()
            .submit(
                subprocess.Popen,
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=dict(CHILD_ENV),
                cwd="/",
                start_new_session=True,
                close_fds=True,
            )
            .result()
        )
        self._buffer = b""
        try:
            self.hello = self.call({"op": "hello"}, 1, START_TIMEOUT_S)[0]
        except WorkerError:
            self.kill()
            raise

    def call(self, request: dict, replies: int, timeout_per_reply: float, on_reply=None) -> list[dict]:
        """Send one request and read ``replies`` lines, each within ``timeout_per_reply`` seconds."""
        try:
            self._proc.stdin.write((json.dumps(request) + "\n").encode("utf-8"))
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise WorkerError(f"worker pipe closed: {exc}") from exc
        out = []
        for _ in range(replies):
            line = self._readline(timeout_per_reply)
            reply = json.loads(line)
            if not isinstance(reply, dict) or "fatal" in reply:
                raise WorkerError(str(reply.get("fatal") if isinstance(reply, dict) else reply))
            out.append(reply)
            if on_reply is not None:
                on_reply(reply)
        return out

    def _readline(self, timeout: float) -> bytes:
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerError(f"worker gave no reply within {timeout:.1f} s")
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise WorkerError(f"worker exited (code {self._proc.poll()})")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def alive(self) -> bool:
        """Whether the worker runs; never reaps it (its pid must stay reserved until :meth:`kill`)."""
        if self._proc.returncode is not None:
            return False
        try:
            return os.waitid(os.P_PID, self._proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
        except ChildProcessError:
            return False

    def kill(self) -> None:
        """SIGKILL the worker's whole process group (its pid 1 takes the namespace with it), then reap it.

        A worker without a private mount namespace (confinement refused or off) kept its tests' directory on
        the host's /tmp: removed here (its path came in the hello, before any program ran).
        """
        if self._proc.returncode is None:  # not reaped yet, so the pid (= session id) cannot be recycled
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except OSError:
                pass
        for stream in (self._proc.stdin, self._proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self._proc.wait()
        host_tmp = getattr(self, "hello", {}).get("host_tmp")
        if isinstance(host_tmp, str) and os.path.basename(host_tmp).startswith("sstar-sbx-"):
            shutil.rmtree(host_tmp, ignore_errors=True)


def _raw_run(reply: dict) -> RawRun:
    out = reply.get("out")
    actual, error = out, reply.get("err", "")
    if out is not None:
        try:
            out.encode("utf-8")
        except UnicodeEncodeError:  # the server decoded bytes that are not UTF-8 with surrogateescape
            actual = out.encode("utf-8", "surrogateescape").decode("utf-8", errors="replace")
            note = "output is not valid UTF-8 (undecodable bytes shown as U+FFFD)"
            error = f"{error}\n{note}".strip()
    return RawRun(Status(reply["status"]), actual, error, float(reply.get("wall", 0.0)), float(reply.get("cpu", 0.0)))


class LocalForkServerBackend:
    """A pool of fork servers (see the module docstring).

    Args:
        workers: Parallel workers (default: the number of CPUs).
        seccomp: Load the seccomp filters (turn off only for trusted code that must fork).
        confine: Namespaces, uid drop and Landlock (turn off only to test the engine itself).
    """

    def __init__(self, *, workers: int | None = None, seccomp: bool = True, confine: bool = True):
        self.workers = max(1, workers or os.cpu_count() or 1)
        # a worker prepares the next test process while the current one runs: worth it while a core is left over
        self.pipeline = self.workers < (os.cpu_count() or 1)
        self._seccomp = seccomp
        self._config = {**sandbox_config(SOURCE_DIR), "confine": confine}
        self.hello: dict = {}
        self._reset_pool()

    def _reset_pool(self) -> None:
        """Fresh pool state; also used in a forked copy of the caller, whose inherited workers are not its own."""
        self._owner_pid = os.getpid()
        self._idle: queue.LifoQueue[ForkServerProcess] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(self.workers)
        self._lock = threading.Lock()
        self._all: set[ForkServerProcess] = set()

    def _start_worker(self) -> ForkServerProcess:
        with self._lock:
            worker = ForkServerProcess(config=self._config, seccomp=self._seccomp)
            self._all.add(worker)
            self.hello = worker.hello
            return worker

    def _acquire(self) -> ForkServerProcess:
        if os.getpid() != self._owner_pid:  # we are a fork of the process that started the workers
            self._reset_pool()
        self._slots.acquire()
        try:
            while True:
                try:
                    worker = self._idle.get_nowait()
                except queue.Empty:
                    return self._start_worker()
                if worker.alive:
                    return worker
                self._discard(worker)
        except BaseException:
            self._slots.release()
            raise

    def _release(self, worker: ForkServerProcess) -> None:
        self._idle.put(worker)
        self._slots.release()

    def _discard(self, worker: ForkServerProcess) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def execute(self, request: ExecRequest) -> list[RawRun]:
        """Run the program on every input (one fork per input) and return the raw runs in order."""
        results: list[RawRun] = []
        inputs = list(request.inputs)
        limits: Limits = request.limits
        mode = request.mode.value if isinstance(request.mode, Mode) else str(request.mode)
        retried: set[int] = set()
        while len(results) < len(inputs):
            pending = inputs[len(results) :]
            message = {
                "op": "run",
                "code": request.program,
                "mode": mode,
                "fn": request.function_name,
                "inputs": pending,
                "limits": limits.model_dump(),
                "pipeline": self.pipeline,
            }
            worker = self._acquire()
            try:
                worker.call(
                    message,
                    len(pending),
                    max(2 * limits.timeout_s, limits.timeout_s + REPLY_SLACK_S),
                    lambda r: results.append(_raw_run(r)),
                )
            except (WorkerError, ValueError, KeyError) as exc:
                self._discard(worker)
                self._slots.release()
                failed = len(results)
                if failed in retried:  # twice in a row on the same test: give up on it
                    logger.warning("sandbox worker failed twice on the same test (%s); reporting a sandbox error", exc)
                    results.append(RawRun(Status.SANDBOX_ERROR, error=f"sandbox worker failed during this test: {exc}"))
                else:  # e.g. killed from outside: retry the test once on a fresh worker
                    logger.warning("sandbox worker failed (%s); retrying the test on a fresh worker", exc)
                    retried.add(failed)
                continue
            self._release(worker)
        return results

    def layers(self) -> dict[str, bool]:
        """Layers the workers report having set up (probing adds the measured ones); see :meth:`layer_reasons`."""
        reasons = self.layer_reasons()
        return {name: name not in reasons for name in DECLARED_LAYERS}

    def layer_reasons(self) -> dict[str, str]:
        """Why each layer a worker could not set up is missing, in one line (only the missing ones)."""
        worker = self._acquire()
        self._release(worker)
        reported = self.hello.get("layers", {})
        unknown = "the fork server did not report this layer"
        missing = {}
        for name, source in LAYER_SOURCES.items():
            reason = reported.get(source, unknown) if source else ""
            if source == "seccomp" and not self.hello.get("seccomp"):
                reason = self.hello.get("seccomp_error") or unknown
            if reason:
                missing[name] = reported.get("confinement") or reason
        return missing

    def worker_pids(self) -> list[int]:
        """Host pids of the running workers (the ``python`` process each was started as; confined, its one child
        is the fork server, pid 1 of its namespace)."""
        with self._lock:
            return [worker.pid for worker in self._all if worker.alive]

    def close(self) -> None:
        """Kill all workers (idle or not); the backend restarts them on next use."""
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
        while True:
            try:
                self._idle.get_nowait()
            except queue.Empty:
                break
