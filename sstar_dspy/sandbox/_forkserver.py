"""The fork server: a warm, clean interpreter that forks once per test (run as a script, stdlib only).

Started by :mod:`sstar_dspy.sandbox.local` as ``python -I -S _forkserver.py --config <json>`` with an empty
environment. It first confines itself (``_confine.py``: uid, namespaces, Landlock; then ``_seccomp.py``) and
puts only the allowlisted packages on ``sys.path`` (no site-packages: ``-S``). Protocol: one JSON object per
line on stdin; replies on stdout.

* ``{"op": "hello"}`` -> ``{"pid", "seccomp", "seccomp_error", "layers": {layer: reason, "" when on}}``.
* ``{"op": "run", "code", "mode", "fn", "inputs": [str], "limits": {...}}`` -> one line per input:
  ``{"status", "out" (the output bytes decoded as UTF-8 with ``surrogateescape``, or null), "err", "wall",
  "cpu"}`` where ``status`` is a :class:`~sstar_dspy.sandbox.results.Status` value (``executed`` for a
  clean run; grading is the caller's job, so expected outputs never come here).

The program is compiled once per request (a syntax error is a compile error without forking; a large
program compiles in a child under the time limit, see ``_compile.py``). Each
test runs in a fresh child (see ``_harness.py``); the server enforces the wall-clock deadline with a
pidfd and kills the child's whole process group with SIGKILL, then reaps any strays (it is a child
subreaper). With seccomp on, the next test's child may be forked and confined while the current one
runs (it waits on a pipe until released). Between one fork and the next the server does as little as
it can (each page it writes then costs a copy-on-write fault, and each mapping and page it holds is
copied by every fork): it waits for each test, keeps its files open (and, with seccomp, reaps it
later), and turns finished tests into replies in batches (``_outcome.py``), written within 50 ms.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import resource
import select
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _compile  # noqa: E402
import _confine  # noqa: E402
import _harness  # noqa: E402
import _outcome  # noqa: E402
import _seccomp  # noqa: E402
from _harness import GO_FD  # noqa: E402

del sys.path[0]  # user programs must not import the sandbox's own modules

_PR_SET_CHILD_SUBREAPER = 36
_LIBC = ctypes.PyDLL(None, use_errno=True)  # holds the GIL through the call: no release and re-take around fork
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


REPLY_BATCH_S = 0.05  # a reply waits at most this long for the next one (the host allows seconds per reply)
REPLY_BATCH_MAX = 16  # finished tests whose files stay open until their replies are written


def _load_seccomp():
    """Build the filters (``_seccomp``) and install the shared one in this process; (filters, reason if not)."""
    try:
        filters = _seccomp.SeccompFilter()
        filters.install_shared()
        return filters, ""
    except _seccomp.SeccompUnavailableError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - reported to the host, which warns
        return None, f"{type(exc).__name__}: {exc}"


def _setup(argv: list[str]) -> dict:
    """Confine this process as ``--config`` says (see ``_confine``); returns the layer reasons and directories.

    The config (JSON) names what test processes may read (``read``) and the allowlisted package
    directories (``packages``); the latter are linked into one directory that goes on ``sys.path``, so a
    program imports the standard library and the allowlist, the same in every install.
    """
    config = json.loads(argv[argv.index("--config") + 1]) if "--config" in argv else {}
    if config.get("confine", True) and config:
        reasons, work, pkgs = _confine.confine(config["read"], config["packages"], config["reveal"])
    else:
        reasons, work, pkgs = {"confinement": "disabled by configuration"}, _make_tmp_root(), None
    if pkgs is not None:
        sys.path.append(pkgs)
    in_namespace = reasons.get("user_namespace", "x") == ""
    if config.get("nproc") and in_namespace:  # counted per user namespace: caps threads and processes
        resource.setrlimit(resource.RLIMIT_NPROC, (config["nproc"], config["nproc"]))
    # outside a private mount namespace the directory is on the host's /tmp: the host removes it after the server
    host_tmp = None if in_namespace else (work if pkgs is None else os.path.dirname(work))
    return {"reasons": reasons, "work": work, "pid_namespace": in_namespace, "host_tmp": host_tmp}


def _make_tmp_root() -> str:
    """A fresh private directory for the tests' working directories (``tempfile.mkdtemp`` without tempfile)."""
    base = os.environ.get("TMPDIR") or "/tmp"  # noqa: S108 - only without confinement (tests of the engine)
    while True:
        path = f"{base}/sstar-sbx-{os.urandom(6).hex()}"
        try:
            os.mkdir(path, 0o700)
            return path
        except FileExistsError:
            continue


def _memfd(name: str, data: bytes = b"") -> int:
    fd = os.memfd_create(name, 0)
    if data:
        os.write(fd, data)
        os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _prepare(mode: str, text: str):
    """A test input as its process needs it: stdin bytes, functional arguments, or the reply of a bad input."""
    if mode != "functional":
        try:
            return text.encode("utf-8", "surrogateescape")  # undecodable input bytes travel as U+DC80..U+DCFF
        except UnicodeEncodeError as exc:  # e.g. a lone "\ud800": no byte sequence stands for it
            err = f"test input is not valid Unicode text ({exc.reason} at position {exc.start}): nothing ran"
            return {"status": "invalid_test", "out": None, "err": err, "wall": 0.0, "cpu": 0.0}
    try:
        return [json.loads(line) for line in text.split("\n") if line.strip()]
    except ValueError as exc:
        err = f"test input is not one JSON value per line: {exc}"
        return {"status": "invalid_test", "out": None, "err": err, "wall": 0.0, "cpu": 0.0}


class ForkServer:
    """Serve run requests: fork one confined child per test and report how each ended."""

    def __init__(self, *, work: str, in_pid_namespace: bool = False, seccomp: bool = True) -> None:
        os.environ.pop("LD_BIND_NOW", None)  # the loader has read it (see local.CHILD_ENV); tests never see it
        self.pid = os.getpid()
        self.in_pid_namespace = in_pid_namespace
        self.pdeathsig = not in_pid_namespace
        self.prelude = _harness.build_prelude()
        _harness.prepare_server(self.prelude)
        self.tmp_root = work
        self.runs = 0
        self.null = os.open(os.devnull, os.O_RDWR)
        try:
            ctypes.CDLL(None).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        except (OSError, AttributeError):
            pass
        self.seccomp, self.seccomp_error = _load_seccomp() if seccomp else (None, "disabled by configuration")
        self.pipeline = self.seccomp is not None  # see run()
        self.layers: dict = {}
        self.host_tmp: str | None = None

    def hello(self) -> dict:
        """Pid, seccomp state and the confinement's layer reasons (empty = on), for the host's report."""
        reasons = {**self.layers, "seccomp": self.seccomp_error}
        return {"pid": self.pid, "seccomp": self.seccomp is not None, "seccomp_error": self.seccomp_error,
                "layers": reasons, "host_tmp": self.host_tmp}  # fmt: skip

    def run(self, request: dict, replies) -> None:
        """Run the program on every input and write one reply line per input to ``replies``, in order."""
        limits, mode, inputs = request["limits"], request["mode"], request["inputs"]
        code, failed = _compile.compile_program(request["code"], limits, self.seccomp, _fork, self._wait_deadline)
        if failed is not None:
            replies.write((json.dumps({**failed, "cpu": 0.0}) + "\n") * len(inputs))
            return
        self.prelude["__name__"] = "__main__" if mode == "stdin" else "solution"
        prepared = [_prepare(mode, text) for text in inputs]  # all per-test parsing before the first fork
        # Pipelined when seccomp confines the tests (they cannot fork, signal or trace a sibling): the next test's
        # process is forked and confined while the current one runs, and waits on its "go" pipe. Without seccomp a
        # test may leave processes behind, so each test then has the server (and its namespace) to itself.
        pipeline = self.pipeline and request.get("pipeline", True)  # the host turns it off when cores are all busy
        rlimits, reseed = _harness.rlimits_for(limits), _harness.uses_random(request["code"])
        setup = (code, mode, request.get("fn"), rlimits, reseed, pipeline)
        ahead, finished, reported = None, [], time.monotonic()
        try:
            for index, data in enumerate(prepared):
                current = ahead if ahead is not None else self._spawn(setup, data)
                ahead = None
                started = self._go(current)
                if pipeline and index + 1 < len(prepared):
                    ahead = self._spawn(setup, prepared[index + 1])
                finished.append(self._wait(current, started, limits["timeout_s"]))
                if len(finished) >= REPLY_BATCH_MAX or time.monotonic() - reported >= REPLY_BATCH_S:
                    self._report(finished, limits, mode, replies)
                    reported = time.monotonic()
            self._report(finished, limits, mode, replies)
        finally:
            if ahead is not None:  # a failed write (host gone): drop the waiting test process
                self._discard(ahead)
            for test in finished:  # not reported (host gone)
                if "fds" in test:
                    _outcome.release(test)
            _outcome.clear_dir(self.tmp_root)  # what a program left beside its own directory: gone before the next
            for fd in range(GO_FD + 1):  # let go of the last test's files (see _spawn)
                os.dup2(self.null, fd)

    @staticmethod
    def _report(finished: list, limits: dict, mode: str, replies) -> None:
        """Write (and flush) the replies of the finished tests, in order; closes their files."""
        if not finished:
            return
        lines = []
        while finished:
            lines.append(json.dumps(_outcome.reply(finished.pop(0), limits, mode)))
        replies.write("\n".join(lines) + "\n")
        replies.flush()

    def _spawn(self, setup: tuple, data) -> dict:
        """Fork a test process for ``data``; pipelined, it confines itself and waits for :meth:`_go` to run."""
        code, mode, function_name, rlimits, reseed, pipeline = setup
        if isinstance(data, dict):  # an input that cannot run (see _prepare)
            return {"done": data}
        args, stdin_data = (data, b"") if mode == "functional" else (None, data)
        fds = (_memfd("stdin", stdin_data), _memfd("stdout"), _memfd("stderr"), _memfd("result"))
        go_read, go_write = os.pipe2(os.O_CLOEXEC) if pipeline else (self.null, None)  # not prepared ahead: runs now
        self.runs += 1
        workdir = f"{self.tmp_root}/{self.runs}"
        try:
            os.mkdir(workdir, 0o700)
        except OSError:  # a program (same uid) planted that name or changed the directory's mode: repair, retry
            os.chmod(self.tmp_root, 0o700)
            workdir = f"{workdir}-{os.urandom(6).hex()}"
            os.mkdir(workdir, 0o700)
        os.chdir(workdir)  # inherited (the server itself only uses absolute paths)
        # the child's fds 0-4 as it needs them, inherited: it only closes the rest (the server's own fds are >= 5)
        for target, fd in enumerate((*fds, go_read)):
            os.dup2(fd, target)
        if pipeline:
            os.close(go_read)
        loader = self.seccomp.load_for if self.seccomp is not None else None
        pid = _fork()
        if pid == 0:
            _harness.run_child(
                code=code, mode=mode, function_name=function_name, args=args, namespace=self.prelude,
                server_pid=self.pid, rlimits=rlimits, seccomp_loader=loader, pdeathsig=self.pdeathsig, reseed=reseed,
                wait_for_go=pipeline,
            )  # fmt: skip
            os._exit(255)  # unreachable
        os.dup2(self.null, 2)  # whatever the server itself might print (a warning) goes nowhere, as before
        return {"pid": pid, "fds": fds, "go": go_write, "workdir": workdir}

    @staticmethod
    def _go(test: dict) -> float:
        """Let a spawned test process run its program; returns the start time of its wall-clock limit."""
        if "done" not in test and test["go"] is not None:
            try:
                os.write(test["go"], b"g")
            except OSError:  # it died while confining itself: collected (and reported) as such
                pass
            os.close(test["go"])
        return time.monotonic()

    def _discard(self, test: dict) -> None:
        if "done" in test:
            return
        if test["go"] is not None:
            os.close(test["go"])  # reads EOF: it exits without running the program
        try:
            os.killpg(test["pid"], signal.SIGKILL)
        except OSError:
            pass
        _outcome.release(test)

    def _wait(self, test: dict, start: float, timeout_s: float) -> dict:
        """Wait for a released test process to end (killing it at the deadline); adds how it ended to ``test``.

        With seccomp the process could not start others, so it is only reaped (wait status and CPU time) when
        its reply is written (``_outcome.reap``); without, it and whatever it left are reaped here.
        """
        if "done" in test:
            return test
        pid = test["pid"]
        test["timed_out"] = self._wait_deadline(pid, timeout_s - (time.monotonic() - start))
        try:
            os.killpg(pid, signal.SIGKILL)  # the child and anything it started; the group outlives a zombie
        except OSError:
            pass
        test["wall"] = time.monotonic() - start
        if self.seccomp is None:  # without seccomp the program may have forked (and left its process group)
            _outcome.reap(test)
            if self.in_pid_namespace:
                try:
                    os.kill(-1, signal.SIGKILL)  # everything in this namespace except us (its init)
                except OSError:
                    pass
            self._reap_strays(pid)  # orphans come to us (subreaper)
        return test

    @staticmethod
    def _wait_deadline(pid: int, timeout_s: float, poller=select.poll()) -> bool:  # noqa: B008 - one, reused
        """Block until the child exits or the deadline passes; True when it timed out."""
        pidfd = os.pidfd_open(pid)
        poller.register(pidfd, select.POLLIN)
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                remaining = deadline - time.monotonic()
                if poller.poll(max(remaining, 0.0) * 1000):
                    return False
                if remaining <= 0:
                    return True
        finally:
            poller.unregister(pidfd)
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


def _claim_child_fds() -> None:
    """Occupy fds 0-4 (a test process's stdio, result file and go pipe) so the server's own fds are all >= 5."""
    while True:
        fd = os.open(os.devnull, os.O_RDWR)
        if fd > GO_FD:
            os.close(fd)
            return


def main() -> None:
    """Confine this process, then serve requests from stdin until EOF (stdio fds moved away from children)."""
    setup = _setup(sys.argv[1:])
    _claim_child_fds()
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(null, fd)
    server = ForkServer(
        work=setup["work"], in_pid_namespace=setup["pid_namespace"], seccomp="--no-seccomp" not in sys.argv[1:]
    )
    server.layers, server.host_tmp = setup["reasons"], setup["host_tmp"]
    gc.freeze()  # the collector in a child never walks (and so never copies) the server's objects

    try:
        for line in requests:
            request = json.loads(line)
            op = request.get("op")
            if op == "hello":
                replies.write(json.dumps(server.hello()) + "\n")
            elif op == "run":
                server.run(request, replies)
            else:
                replies.write(json.dumps({"fatal": f"unknown op {op!r}"}) + "\n")
            replies.flush()
    finally:
        _outcome.remove_tree(server.tmp_root)


if __name__ == "__main__":
    main()
