"""The fork server: a warm, clean interpreter that forks once per test (run as a script, stdlib only).

Started by :mod:`sstar_dspy.sandbox.local` as ``python -I _forkserver.py`` with an empty environment,
optionally inside bubblewrap. Protocol: one JSON object per line on stdin; replies on stdout.

* ``{"op": "hello"}`` -> ``{"pid", "seccomp", "seccomp_error"}``.
* ``{"op": "run", "code", "mode", "fn", "inputs": [str], "limits": {...}}`` -> one line per input:
  ``{"status", "out" (base64 or null), "err", "wall", "cpu"}`` where ``status`` is a
  :class:`~sstar_dspy.sandbox.results.Status` value (``executed`` for a clean run; grading is the
  caller's job, so expected outputs never come here).

The program is compiled once per request (a syntax error is a compile error without forking). Each
test runs in a fresh child (see ``_harness.py``); the server enforces the wall-clock deadline with a
pidfd and kills the child's whole process group with SIGKILL, then reaps any strays (it is a child
subreaper). With seccomp on, the next test's child is forked and confined while the current one runs
(it waits on a pipe until released). Replies of quick tests are written together (within 50 ms).
"""

from __future__ import annotations

import base64
import ctypes
import gc
import json
import os
import select
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness  # noqa: E402
import _seccomp  # noqa: E402
from _harness import EXIT_MEMORY, EXIT_NO_TARGET, EXIT_OUTPUT, EXIT_UNSERIALISABLE  # noqa: E402

del sys.path[0]  # user programs must not import the sandbox's own modules

_PR_SET_CHILD_SUBREAPER = 36
_LIBC = ctypes.CDLL(None, use_errno=True)
_LIBC.fork.restype = ctypes.c_int


def _fork() -> int:
    """fork(2) without CPython's at-fork handlers.

    ``os.fork()`` runs ``threading._after_fork`` and friends in every child, which touches (and so copies)
    ~130 pages: a third of a test's cost on a VM where page faults are expensive. The server is
    single-threaded, so a plain ``fork()`` leaves the interpreter consistent; the child reseeds
    ``random`` itself (see ``_harness.run_child``).
    """
    pid = _LIBC.fork()
    if pid < 0:
        raise OSError(ctypes.get_errno(), "fork() failed")
    return pid


ERROR_TAIL = 800
REPLY_BATCH_S = 0.05  # a reply waits at most this long for the next one (the host allows seconds per reply)
MEMORY_HINTS = ("MemoryError", "Cannot allocate memory", "out of memory", "std::bad_alloc")


def _load_seccomp():
    """Compile the filters (in a helper process) and install the shared one in this process (see ``_seccomp``)."""
    try:
        filters = _seccomp.SeccompFilter(_seccomp.compile_in_helper())
        filters.install_shared()
        return filters, ""
    except Exception as exc:  # noqa: BLE001 - reported to the host, which warns
        return None, f"{type(exc).__name__}: {exc}"


def _memfd(name: str, data: bytes = b"") -> int:
    fd = os.memfd_create(name, 0)
    if data:
        os.write(fd, data)
        os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _read_all(fd: int, limit: int) -> tuple[bytes, int]:
    size = os.lseek(fd, 0, os.SEEK_END)
    return os.pread(fd, min(size, limit), 0), size


def _tail(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace").strip()
    return text[-ERROR_TAIL:]


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _classify(*, timed_out, wait_status, cpu, limits, mode, out_size, result, stderr) -> tuple[str, str]:
    """Map how the child ended to (status, error)."""
    timeout = limits["timeout_s"]
    if timed_out:
        return "time_limit", f"time limit exceeded: killed after {timeout:g} s wall"
    if out_size >= limits["output_bytes"]:
        return "output_limit", f"output limit exceeded ({limits['output_bytes']} bytes)"
    if os.WIFSIGNALED(wait_status):
        signum = os.WTERMSIG(wait_status)
        if signum == signal.SIGXCPU or (signum == signal.SIGKILL and cpu >= int(timeout) + 1):
            return "time_limit", f"CPU time limit exceeded ({cpu:.2f} s)"
        if any(h in stderr for h in MEMORY_HINTS):
            return "memory_limit", f"memory limit exceeded ({limits['memory_mb']} MB): {_signal_name(signum)}"
        return "runtime_error", f"killed by {_signal_name(signum)}" + (f"\n{stderr}" if stderr else "")
    code = os.WEXITSTATUS(wait_status)
    if code == EXIT_MEMORY:
        return "memory_limit", f"memory limit exceeded ({limits['memory_mb']} MB)\n{stderr}".strip()
    if code == EXIT_OUTPUT:
        return "output_limit", f"output limit exceeded ({limits['output_bytes']} bytes)"
    if code == 254:
        return "sandbox_error", "the sandbox could not confine the test process"
    if code in (EXIT_NO_TARGET, EXIT_UNSERIALISABLE):
        return "runtime_error", stderr
    if code != 0:
        if any(h in stderr for h in MEMORY_HINTS[1:]):
            return "memory_limit", f"memory limit exceeded ({limits['memory_mb']} MB)\n{stderr}".strip()
        return "runtime_error", stderr or f"exit code {code}"
    if mode == "functional" and result is None:
        return "runtime_error", "the program exited before the function returned a value"
    return "executed", ""


class ForkServer:
    """Serve run requests: fork one confined child per test and report how each ended."""

    def __init__(self, *, in_pid_namespace: bool = False, seccomp: bool = True) -> None:
        os.environ.pop("LD_BIND_NOW", None)  # the loader has read it (see local.CHILD_ENV); tests never see it
        self.pid = os.getpid()
        self.in_pid_namespace = in_pid_namespace
        self.pdeathsig = not in_pid_namespace
        self.prelude = _harness.build_prelude()
        _harness.prepare_server(self.prelude)
        self.tmp_root = tempfile.mkdtemp(prefix="sstar-sbx-")
        self.runs = 0
        try:
            ctypes.CDLL(None).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        except (OSError, AttributeError):
            pass
        # last: from here on the server itself runs under the shared filter
        self.seccomp, self.seccomp_error = _load_seccomp() if seccomp else (None, "disabled by configuration")
        self.pipeline = self.seccomp is not None  # see run()

    def hello(self) -> dict:
        return {"pid": self.pid, "seccomp": self.seccomp is not None, "seccomp_error": self.seccomp_error}

    def run(self, request: dict, send) -> None:
        limits, mode, inputs = request["limits"], request["mode"], request["inputs"]
        try:
            code = compile(request["code"], "<solution>", "exec")
        except (SyntaxError, ValueError) as exc:
            detail = "".join(__import__("traceback").format_exception_only(type(exc), exc)).strip()
            for _ in inputs:
                send({"status": "compile_error", "out": None, "err": detail[-ERROR_TAIL:], "wall": 0.0, "cpu": 0.0})
            return
        self.prelude["__name__"] = "__main__" if mode == "stdin" else "solution"
        reseed = _harness.uses_random(request["code"])
        setup = (code, mode, request.get("fn"), limits, _harness.rlimits_for(limits), reseed)
        # Pipelined when seccomp confines the tests (they cannot fork, signal or trace a sibling): the next test's
        # process is forked and confined while the current one runs, and waits on its "go" pipe. Without seccomp a
        # test may leave processes behind, so each test then has the server (and its namespace) to itself.
        pipeline = self.pipeline and request.get("pipeline", True)  # the host turns it off when cores are all busy
        ahead = None
        try:
            for index, text in enumerate(inputs):
                current = ahead if ahead is not None else self._spawn(setup, text)
                ahead = None
                started = self._go(current)
                if pipeline and index + 1 < len(inputs):
                    ahead = self._spawn(setup, inputs[index + 1])
                send(self._collect(current, started, limits, mode))
        finally:
            if ahead is not None:  # a failed send (host gone): drop the waiting test process
                self._discard(ahead)

    def _spawn(self, setup: tuple, text: str) -> dict:
        """Fork and confine a test process for ``text``; it waits for :meth:`_go` before running the program."""
        code, mode, function_name, limits, rlimits, reseed = setup
        args = None
        if mode == "functional":
            try:
                args = [json.loads(line) for line in text.split("\n") if line.strip()]
            except ValueError as exc:
                err = f"test input is not one JSON value per line: {exc}"
                return {"done": {"status": "invalid_test", "out": None, "err": err, "wall": 0.0, "cpu": 0.0}}
        stdin_data = text.encode("utf-8") if mode == "stdin" else b""
        fds = {
            "stdin": _memfd("stdin", stdin_data),
            "stdout": _memfd("stdout"),
            "stderr": _memfd("stderr"),
            "result": _memfd("result"),
        }
        go_read, go_write = os.pipe2(os.O_CLOEXEC)
        self.runs += 1
        workdir = f"{self.tmp_root}/{self.runs}"
        os.mkdir(workdir, 0o700)
        os.chdir(workdir)  # inherited (the server itself only uses absolute paths)
        loader = self.seccomp.load_for if self.seccomp is not None else None
        pid = _fork()
        if pid == 0:
            _harness.run_child(
                code=code, mode=mode, function_name=function_name, args=args, namespace=self.prelude,
                server_pid=self.pid, workdir="", rlimits=rlimits, fds=fds, seccomp_loader=loader,
                pdeathsig=self.pdeathsig, reseed=reseed, go_fd=go_read,
            )  # fmt: skip
            os._exit(255)  # unreachable
        os.close(go_read)
        try:
            os.setpgid(pid, pid)  # before it is released: it runs (and is killed) as its own process group
        except OSError:  # it already died confining itself: collected (and reported) as such
            pass
        return {"pid": pid, "fds": fds, "go": go_write, "workdir": workdir}

    @staticmethod
    def _go(test: dict) -> float:
        """Let a spawned test process run its program; returns the start time of its wall-clock limit."""
        if "done" not in test:
            try:
                os.write(test["go"], b"g")
            except OSError:  # it died while confining itself: collected (and reported) as such
                pass
            os.close(test["go"])
        return time.monotonic()

    def _discard(self, test: dict) -> None:
        if "done" in test:
            return
        os.close(test["go"])  # reads EOF: it exits without running the program
        try:
            os.killpg(test["pid"], signal.SIGKILL)
        except OSError:
            pass
        os.wait4(test["pid"], 0)
        for fd in test["fds"].values():
            os.close(fd)
        shutil.rmtree(test["workdir"], ignore_errors=True)

    def _collect(self, test: dict, start: float, limits: dict, mode: str) -> dict:
        """Wait for a released test process (killing it at the deadline) and report how it ended."""
        if "done" in test:
            return test["done"]
        pid, fds, workdir = test["pid"], test["fds"], test["workdir"]
        timed_out = self._wait_deadline(pid, limits["timeout_s"] - (time.monotonic() - start))
        try:
            os.killpg(pid, signal.SIGKILL)  # the child and anything it started; the group outlives a zombie
        except OSError:
            pass
        _, wait_status, usage = os.wait4(pid, 0)
        wall = time.monotonic() - start
        if self.seccomp is None:  # without seccomp the program may have forked (and left its process group)
            if self.in_pid_namespace:
                try:
                    os.kill(-1, signal.SIGKILL)  # everything in this namespace except us (its init)
                except OSError:
                    pass
            self._reap_strays(pid)  # orphans come to us (subreaper)
        cpu = usage.ru_utime + usage.ru_stime
        out, out_size = _read_all(fds["stdout"], limits["output_bytes"])
        err, _ = _read_all(fds["stderr"], 1 << 16)
        result, result_size = _read_all(fds["result"], limits["output_bytes"])
        for fd in fds.values():
            os.close(fd)
        try:
            os.rmdir(workdir)
        except OSError:  # the program left files behind
            shutil.rmtree(workdir, ignore_errors=True)
        status, error = _classify(
            timed_out=timed_out, wait_status=wait_status, cpu=cpu, limits=limits, mode=mode,
            out_size=max(out_size, result_size), result=result if result_size else None, stderr=_tail(err),
        )  # fmt: skip
        payload = result if mode == "functional" else out
        encoded = base64.b64encode(payload).decode("ascii") if status == "executed" else None
        if status != "executed" and mode == "stdin" and out:
            encoded = base64.b64encode(out).decode("ascii")  # partial output helps debugging feedback
        return {"status": status, "out": encoded, "err": error, "wall": round(wall, 6), "cpu": round(cpu, 6)}

    @staticmethod
    def _wait_deadline(pid: int, timeout_s: float) -> bool:
        """Block until the child exits or the deadline passes; True when it timed out."""
        pidfd = os.pidfd_open(pid)
        try:
            poller = select.poll()
            poller.register(pidfd, select.POLLIN)
            deadline = time.monotonic() + timeout_s
            while True:
                remaining = deadline - time.monotonic()
                if poller.poll(max(remaining, 0.0) * 1000):
                    return False
                if remaining <= 0:
                    return True
        finally:
            os.close(pidfd)

    def _reap_strays(self, pgid: int) -> None:
        """Reap what the test's processes left (only possible without seccomp); never blocks on a survivor.

        Everything in the test's process group was SIGKILLed (and, in a pid namespace, everything else
        too), so waiting for those ends promptly; anything else is only collected if already dead.
        """
        for target, flags in ((-pgid, 0), (-1, 0 if self.in_pid_namespace else os.WNOHANG)):
            while True:
                try:
                    pid, _ = os.waitpid(target, flags)
                except ChildProcessError:
                    break
                if pid == 0:
                    break


def main() -> None:
    """Serve requests from stdin until EOF; stdio fds are moved away so children cannot reach them."""
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(null, fd)
    server = ForkServer(in_pid_namespace="--pid-namespace" in sys.argv[1:], seccomp="--no-seccomp" not in sys.argv[1:])
    gc.freeze()  # the collector in a child never walks (and so never copies) the server's objects

    last_flush = [time.monotonic()]

    def send(obj: dict) -> None:  # replies of quick tests go out together (fewer writes and wake-ups of the host)
        replies.write(json.dumps(obj) + "\n")
        if time.monotonic() - last_flush[0] >= REPLY_BATCH_S:
            flush()

    def flush() -> None:
        replies.flush()
        last_flush[0] = time.monotonic()

    try:
        for line in requests:
            request = json.loads(line)
            op = request.get("op")
            if op == "hello":
                send(server.hello())
            elif op == "run":
                server.run(request, send)
            else:
                send({"fatal": f"unknown op {op!r}"})
            flush()
    finally:
        shutil.rmtree(server.tmp_root, ignore_errors=True)


if __name__ == "__main__":
    main()
