"""How a finished test process ended, as the fork server reports it (run by the server, stdlib only).

The server waits for each test process and keeps what the kernel told it (wait status, CPU time,
whether the deadline passed) with the test's still-open output files; :func:`reply` turns that into
the reply line the host reads. The server calls it for a batch of finished tests at once, never
between the fork of one test process and the next: every page of the server that Python writes after
a fork is copied (a fault) while a test process shares it, so per-test work there is kept minimal.
"""

from __future__ import annotations

import os
import signal

from _harness import EXIT_MEMORY, EXIT_NO_TARGET, EXIT_OUTPUT, EXIT_UNSERIALISABLE

ERROR_TAIL = 800
MEMORY_HINTS = ("MemoryError", "Cannot allocate memory", "out of memory", "std::bad_alloc")


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


def classify(*, timed_out, wait_status, cpu, limits, mode, out_size, result, stderr) -> tuple[str, str]:
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


def remove_tree(path: str) -> None:
    """Remove a directory and what a program left in it (``shutil.rmtree`` without importing shutil)."""
    clear_dir(path)
    try:
        os.rmdir(path)
    except OSError:
        pass


def _entries(path: str) -> list:
    """The entries of directory ``path``; a program may have removed its permissions (same uid): restored."""
    for attempt in range(2):
        try:
            return list(os.scandir(path))
        except PermissionError:
            if attempt == 0:
                try:
                    os.chmod(path, 0o700)
                except OSError:
                    return []
        except OSError:
            return []
    return []


def clear_dir(path: str) -> None:
    """Remove everything inside ``path`` (the tests' shared work root, between two programs)."""
    entries = _entries(path)
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                remove_tree(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


def reap(test: dict) -> None:
    """Collect a test process that has ended (or was killed): its wait status and CPU time, once."""
    if "wait_status" not in test:
        _, test["wait_status"], usage = os.wait4(test["pid"], 0)
        test["cpu"] = usage.ru_utime + usage.ru_stime


def release(test: dict) -> None:
    """Reap a test process that has ended, close its files and remove its working directory."""
    reap(test)
    for fd in test["fds"]:
        os.close(fd)
    try:
        os.rmdir(test["workdir"])
    except OSError:  # the program left files behind
        remove_tree(test["workdir"])


def reply(test: dict, limits: dict, mode: str) -> dict:
    """The reply for a finished test (see ``ForkServer._wait``); closes its files and removes its directory."""
    if "done" in test:
        return test["done"]
    stdout, stderr, result_fd = test["fds"][1:4]
    reap(test)
    try:
        out, out_size = _read_all(stdout, limits["output_bytes"])
        err, _ = _read_all(stderr, 1 << 16)
        result, result_size = _read_all(result_fd, limits["output_bytes"])
    finally:
        release(test)
    status, error = classify(
        timed_out=test["timed_out"], wait_status=test["wait_status"], cpu=test["cpu"], limits=limits, mode=mode,
        out_size=max(out_size, result_size), result=result if result_size else None, stderr=_tail(err),
    )  # fmt: skip
    payload = result if mode == "functional" else out
    if status != "executed":
        payload = out if mode == "stdin" and out else None  # partial output helps debugging feedback
    encoded = None if payload is None else payload.decode("utf-8", "surrogateescape")  # bytes survive the JSON
    wall, cpu = round(test["wall"], 6), round(test["cpu"], 6)
    return {"status": status, "out": encoded, "err": error, "wall": wall, "cpu": cpu}
