"""Compiling a program in the fork server: inline when small, in a child under the limits when large.

Standard library only (the fork server imports it by path). Compiling is not free: 10 MB of source takes
tens of seconds and much memory, and a pathological nesting can crash the parser, so a program larger
than :data:`INLINE_COMPILE_MAX` characters is compiled in a forked child (seccomp-confined, under the
test's memory limit) that the server waits for with the test's time limit, and whose code object comes
back marshalled through a memfd.
"""

from __future__ import annotations

import json
import marshal
import os
import resource
import signal
import time

INLINE_COMPILE_MAX = 64 << 10  # characters; a larger program compiles in a child under the time limit
EXIT_MEMORY = 250  # as _harness.EXIT_MEMORY
ERROR_TAIL = 800  # as _outcome.ERROR_TAIL


def compile_error(exc: BaseException) -> dict:
    """The reply of every test of a program that does not compile."""
    detail = "".join(__import__("traceback").format_exception_only(type(exc), exc)).strip()
    return {"status": "compile_error", "out": None, "err": detail[-ERROR_TAIL:], "wall": 0.0}


def _compile_child(source: str, limits: dict, out: int, seccomp) -> None:
    """In a forked child: compile ``source`` under the memory limit, write the marshalled code (or error) to ``out``."""
    status = 1
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limits["memory_mb"] << 20,) * 2)
        resource.setrlimit(resource.RLIMIT_CPU, (int(limits["timeout_s"]) + 2,) * 2)
        if seccomp is not None:
            seccomp.load_for(os.getpid())
        try:
            data = b"C" + marshal.dumps(compile(source, "<solution>", "exec"))
        except (SyntaxError, ValueError, RecursionError) as exc:
            data = b"E" + json.dumps(compile_error(exc)).encode()
        while data:
            data = data[os.write(out, data) :]
        status = 0
    except MemoryError:
        status = EXIT_MEMORY
    finally:
        os._exit(status)


def compile_program(source: str, limits: dict, seccomp, fork, wait_deadline):
    """The program's code object, or the reply every test gets when it does not compile (or in time).

    Small programs compile here; a large one (compiling 10 MB takes seconds) compiles in a child under
    the test's time and memory limits and comes back marshalled, so compiling counts against the limit.
    ``seccomp`` (or None) confines that child; ``fork`` and ``wait_deadline`` are the server's own.
    Returns (code, None) or (None, the reply of every test).
    """
    if len(source) <= INLINE_COMPILE_MAX:
        try:
            return compile(source, "<solution>", "exec"), None
        except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
            return None, compile_error(exc)
    out = os.memfd_create("code", 0)
    pid = fork()
    if pid == 0:  # pragma: no cover - child
        _compile_child(source, limits, out, seccomp)
    start = time.monotonic()
    timed_out = wait_deadline(pid, limits["timeout_s"])
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    _, wait_status = os.waitpid(pid, 0)
    wall = time.monotonic() - start
    try:
        os.lseek(out, 0, os.SEEK_SET)
        data = b"".join(iter(lambda: os.read(out, 1 << 20), b""))
    finally:
        os.close(out)
    if not timed_out and wait_status == 0 and data[:1] in (b"C", b"E"):
        return (marshal.loads(data[1:]), None) if data[:1] == b"C" else (None, json.loads(data[1:]))
    if timed_out:
        err = f"compiling the program ({len(source)} characters) took longer than the {limits['timeout_s']} s limit"
        return None, {"status": "time_limit", "out": None, "err": err, "wall": wall}
    if os.WIFEXITED(wait_status) and os.WEXITSTATUS(wait_status) == EXIT_MEMORY:
        err = f"compiling the program ran out of memory ({limits['memory_mb']} MB)"
        return None, {"status": "memory_limit", "out": None, "err": err, "wall": wall}
    err = f"compiling the program crashed the compiler (wait status {wait_status})"
    return None, {"status": "compile_error", "out": None, "err": err, "wall": wall}
