"""Child side of the fork server: turn a freshly forked process into a judge-like test run.

This module runs inside the sandbox worker (``_forkserver.py``), which imports it by path; it uses the
standard library only and never imports ``sstar_dspy``. After ``fork()`` the child calls
:func:`run_child`, which never returns: it confines itself (process group, parent-death signal,
only the fds the server put on 0-4 for it: stdio and result memfds and its go pipe, rlimits, seccomp;
the server forked it in an empty working directory), runs the program once and exits with one of the
codes below. The parent classifies the run from the exit status, the resource usage
and the sizes of the output files, never from anything the program could print to look like success.
"""

from __future__ import annotations

import atexit
import builtins
import ctypes
import errno
import io
import json
import os
import random
import resource
import signal
import sys
import threading
import traceback

EXIT_MEMORY = 250  # MemoryError escaped the program
EXIT_OUTPUT = 251  # a write hit RLIMIT_FSIZE (output cap)
EXIT_NO_TARGET = 252  # functional mode: no Solution.<fn> and no top-level <fn>
EXIT_UNSERIALISABLE = 253  # functional mode: return value is not JSON

RESULT_FD = 3  # functional mode: the JSON return value is written here
GO_FD = 4  # the "go" pipe: a confined test process waits here until the server releases it
TRACEBACK_FRAMES = 30  # last frames of a traceback worth printing (deep recursion has 50000)
_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
try:
    _PRCTL = ctypes.PyDLL(None, use_errno=True).prctl  # resolved once, in the server; keeps the GIL
except (OSError, AttributeError):
    _PRCTL = None

# LiveCodeBench's ``import_string`` (lcb_runner/evaluation/testing_util.py): every program sees these names.
PRELUDE = """
from string import *
from re import *
from datetime import *
from collections import *
from heapq import *
from bisect import *
from copy import *
from math import *
from random import *
from statistics import *
from itertools import *
from functools import *
from operator import *
from io import *
from sys import *
from json import *
from builtins import *
from typing import *
import string, re, datetime, collections, heapq, bisect, copy, math, random, statistics
import itertools, functools, operator, io, sys, json
"""
RECURSION_LIMIT = 50000  # LiveCodeBench's sys.setrecursionlimit
RANDOM_NAMES = ("random", "randint", "randrange", "shuffle", "choice", "sample", "uniform", "getrandbits", "gauss")


def uses_random(source: str) -> bool:
    """Whether a program may draw random numbers (then each child reseeds; otherwise the reseed is skipped)."""
    return any(name in source for name in RANDOM_NAMES)


def build_prelude() -> dict:
    """Execute the prelude once (in the server) and return the namespace children start from."""
    namespace: dict = {}
    exec(compile(PRELUDE, "<prelude>", "exec"), namespace)  # noqa: S102 - trusted constant
    return namespace


class _Quitter:
    """``exit()``/``quit()`` as the site module defines them (close stdin, raise SystemExit)."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"Use {self.name}() or Ctrl-D (i.e. EOF) to exit"

    def __call__(self, code=None):
        try:
            sys.stdin.close()
        except Exception:  # noqa: BLE001 - mirror site.Quitter
            pass
        raise SystemExit(code)


_STDIO: dict = {}


def prepare_server(prelude: dict) -> None:
    """Once, in the server: everything children would otherwise each redo (page faults are per child).

    Ignores SIGXFSZ/SIGPIPE (inherited: EFBIG/EPIPE become exceptions, as programs expect), drops the
    interpreter's own exit handlers, installs ``exit``/``quit``, LiveCodeBench's recursion limit and the
    prelude namespace's streams, and builds
    the text streams over fds 0/1/2 (where the server puts each child's memfds before forking it).
    """
    for sig in (signal.SIGXFSZ, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_IGN)
    if _PRCTL is not None:  # inherited: without CAP_SYS_PTRACE no test process can open another's /proc/<pid>/mem
        _PRCTL(_PR_SET_DUMPABLE, 0, 0, 0, 0)  # (nor the server's); also binds prctl once, not in every child
    atexit._clear()  # noqa: SLF001 - children must run only the program's exit handlers (the server needs none)
    # as CPython builds them on Linux when stdio are files: no newline translation, UTF-8, stderr line-buffered
    _STDIO["stdin"] = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), "utf-8", newline="\n")
    _STDIO["stdout"] = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)), "utf-8", newline="\n")
    _STDIO["stderr"] = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
        "utf-8",
        errors="backslashreplace",
        newline="\n",
        line_buffering=True,
    )
    # bound here, once, not in each child (rebinding them there copies the sys module's pages and deallocates the
    # old streams: ~70 page faults per test); the server itself never uses these streams (its fds 0/1 are /dev/null)
    sys.stdin = sys.__stdin__ = _STDIO["stdin"]
    sys.stdout = sys.__stdout__ = _STDIO["stdout"]
    sys.stderr = sys.__stderr__ = _STDIO["stderr"]
    prelude.update({name: _STDIO[name] for name in ("stdin", "stdout", "stderr")})  # `from sys import *` names
    prelude["__builtins__"] = builtins
    builtins.exit, builtins.quit = _Quitter("exit"), _Quitter("quit")
    sys.setrecursionlimit(RECURSION_LIMIT)
    _warm_streams()


def _warm_streams() -> None:
    """Use the children's streams once here, on /dev/null (so they stay empty and at offset 0).

    Their first read or write allocates buffers, fills the decoder and the method caches: done in each
    child that costs ~50 page faults; done once in the server the children inherit it.
    """
    null = os.stat(os.devnull).st_rdev
    if os.fstat(0).st_rdev == null:  # the server's fd 0 (never a terminal or a pipe we would drain)
        stdin = _STDIO["stdin"]
        stdin.readline(), stdin.read(), stdin.buffer.readline(), stdin.buffer.read()
    if os.fstat(1).st_rdev == null:
        print("", end="", file=_STDIO["stdout"], flush=True)  # nothing is written
        _STDIO["stdout"].buffer.write(b"")
        _STDIO["stdout"].flush()


def rlimits_for(limits: dict) -> list[tuple[int, int]]:
    """The (resource, value) pairs a test process sets on itself (soft = hard, so it cannot raise them)."""
    return [
        (resource.RLIMIT_AS, limits["memory_mb"] << 20),
        (resource.RLIMIT_CPU, int(limits["timeout_s"]) + 2),
        (resource.RLIMIT_FSIZE, limits["output_bytes"]),
        (resource.RLIMIT_NOFILE, 64),
        (resource.RLIMIT_CORE, 0),
    ]


def _confine(*, server_pid: int, rlimits: list, pdeathsig: bool) -> None:
    """Process group, parent-death signal, an fd table of just fds 0-4, and rlimits (before any user code).

    The server forked this process with its stdio, result file and go pipe already on fds 0-4 and in its
    working directory.
    """
    os.setpgid(0, 0)  # it runs, and is killed, as its own process group
    if pdeathsig and _PRCTL is not None:  # in its own pid namespace the namespace dies with the server anyway
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != server_pid:  # the server died between fork and prctl
            os._exit(1)
    os.closerange(GO_FD + 1, 1 << 16)  # protocol pipes, memfd originals, other tests' files...
    for which, value in rlimits:
        resource.setrlimit(which, (value, value))


def _report_exception(exc: BaseException) -> int:
    """Print the traceback without the harness frame; return the exit code for this exception."""
    tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None
    try:
        sys.stderr.write("".join(traceback.format_exception(type(exc), exc, tb, limit=-TRACEBACK_FRAMES)))
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 - stderr itself may be broken by the program
        pass
    if isinstance(exc, MemoryError):
        return EXIT_MEMORY
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        return EXIT_OUTPUT
    return 1


def _exit_code(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        sys.stderr.write(f"{code}\n")
    except Exception:  # noqa: BLE001
        pass
    return 1


def _finish(code: int) -> None:
    """Run what interpreter shutdown would (join threads, atexit), flush, and exit without cleanup."""
    try:
        # threading.active_count() > 1, without taking its lock (that alone copies ~14 pages per test process)
        if len(threading._active) > 1 or threading._limbo:  # noqa: SLF001
            threading._shutdown()  # noqa: SLF001 - what Py_FinalizeEx does: wait for non-daemon threads
        if atexit._ncallbacks():  # noqa: SLF001
            atexit._run_exitfuncs()  # noqa: SLF001
    except SystemExit as exc:
        code = code or _exit_code(exc)
    except BaseException as exc:  # noqa: BLE001
        code = code or _report_exception(exc)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError as exc:
            if exc.errno == errno.EFBIG and code == 0:
                code = EXIT_OUTPUT
        except Exception:  # noqa: BLE001, S110 - a closed or replaced stream
            pass
    os._exit(code)


def _functional_target(namespace: dict, function_name: str):
    solution = namespace.get("Solution")
    if isinstance(solution, type) and hasattr(solution, function_name):
        return getattr(solution(), function_name)
    function = namespace.get(function_name)
    if callable(function):
        return function
    return None


def _json_default(value):
    if isinstance(value, (set, frozenset)):
        return {"__unserialisable__": type(value).__name__, "repr": repr(value)}
    return {"__unserialisable__": type(value).__name__}


def run_child(
    *,
    code,
    mode: str,
    function_name: str | None,
    args: list | None,
    namespace: dict,
    server_pid: int,
    rlimits: list,
    seccomp_loader,
    pdeathsig: bool = True,
    reseed: bool = True,
    wait_for_go: bool = True,
) -> None:
    """Confine this (forked) process, wait to be released, run the compiled program once, ``os._exit``.

    Never returns. ``namespace`` is the server's prelude namespace (see :func:`prepare_server`), already
    named for the mode: this process's copy-on-write copy of it becomes the program's globals, without a
    per-name copy. With ``wait_for_go`` (the server prepares it while the previous test runs), the process
    waits until the server writes a byte to the go pipe (fd 4) and exits unrun when the pipe closes.
    """
    status = 1
    try:
        _confine(server_pid=server_pid, rlimits=rlimits, pdeathsig=pdeathsig)
        if reseed:
            random.seed()  # a fresh seed per run, as a new interpreter would have (costs ~40 page faults)
        if seccomp_loader is not None:
            seccomp_loader(os.getpid())
    except BaseException:  # noqa: BLE001 - the harness could not set up: never run unconfined
        os._exit(254)
    try:
        released = os.read(GO_FD, 1) == b"g" if wait_for_go else True
        os.close(GO_FD)
    except BaseException:  # noqa: BLE001
        os._exit(254)
    if not released:
        os._exit(0)
    try:
        exec(code, namespace)  # noqa: S102 - this process is the sandbox
        if mode == "functional":
            target = _functional_target(namespace, function_name or "")
            if target is None:
                sys.stderr.write(f"no 'class Solution' with method {function_name!r} and no function of that name\n")
                _finish(EXIT_NO_TARGET)
            value = target(*(args or []))
            try:
                text = json.dumps(value, default=_json_default)
            except (TypeError, ValueError) as exc:
                sys.stderr.write(f"return value is not JSON-serialisable: {exc}\n")
                _finish(EXIT_UNSERIALISABLE)
            os.write(RESULT_FD, text.encode("utf-8"))
        status = 0
    except SystemExit as exc:
        status = _exit_code(exc)
    except BaseException as exc:  # noqa: BLE001 - report everything the program raised
        status = _report_exception(exc)
    _finish(status)
