"""Shared sandbox fixtures: one warm sandbox per test module (workers start once), short limits.

Every isolation layer is required on the machines this suite runs on. A test may be skipped only for
a detected impossibility of the machine (:func:`impossible`): the kernel refuses user namespaces, has
no Landlock, or the architecture has no seccomp syscall table. A missing *package* is never a reason.
"""

import ctypes
import os
import platform

import pytest

from sstar_dspy.sandbox import Limits, Sandbox

FAST = Limits(timeout_s=2.0, memory_mb=512, output_bytes=1 << 16)
CLONE_NEWUSER = 0x10000000


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(limits=FAST, workers=2, cache=False) as box:
        yield box


def _userns_refused() -> str | None:
    """Why this kernel refuses an unprivileged user namespace (tried in a child as uid 65534), or None."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        code = 0
        try:
            if os.geteuid() == 0:
                os.setgroups([])
                os.setresgid(65534, 65534, 65534)
                os.setresuid(65534, 65534, 65534)
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.unshare(CLONE_NEWUSER) != 0:
                code = ctypes.get_errno()
        except OSError as exc:
            code = exc.errno or 1
        os.write(write_end, str(code).encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    code = int(os.read(read_end, 16) or b"1")
    os.close(read_end)
    return None if code == 0 else f"the kernel refuses unprivileged user namespaces ({os.strerror(code)})"


def _landlock_absent() -> str | None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(444, None, ctypes.c_size_t(0), 1)
    return None if abi >= 1 else "the kernel has no Landlock (landlock_create_ruleset failed)"


_IMPOSSIBLE: dict[str, str | None] = {}


def impossible(layer: str | None) -> str | None:
    """A precise reason this machine cannot provide ``layer`` at all, or None (then the layer is required)."""
    if layer is None:
        return None
    if not _IMPOSSIBLE:
        userns, landlock = _userns_refused(), _landlock_absent()
        arch = None if platform.machine() == "x86_64" else f"no seccomp syscall table for {platform.machine()}"
        _IMPOSSIBLE.update(
            no_network=userns, pid_namespace=userns, landlock=landlock, readonly_root=landlock,
            hidden_files=landlock, seccomp=arch,
        )  # fmt: skip
    return _IMPOSSIBLE.get(layer)


def _process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command name) for every process visible in /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        table[int(entry)] = (ppid, comm)
    return table


def _is_namespace_init(pid: int) -> bool:
    """Whether ``pid`` is pid 1 of a pid namespace below ours (a confined fork server)."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            fields = next((line.split()[1:] for line in handle if line.startswith("NSpid:")), [])
    except OSError:
        return False
    return len(fields) > 1 and fields[-1] == "1"


def stray_processes(worker_pids: list[int]) -> list[tuple[int, str]]:
    """Processes under the sandbox's fork servers other than the servers themselves.

    A worker is the process the host started; confined, it has one child, the fork server (pid 1 of
    its namespace); unconfined, it is the fork server. Anything under a fork server after a run has
    returned is a process the engine left behind.
    """
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    servers = []
    for worker in worker_pids:
        inits = [child for child in children.get(worker, []) if _is_namespace_init(child)]
        servers += inits or [worker]
        strays = [child for child in children.get(worker, []) if child not in inits] if inits else []
        if strays:
            return [(pid, table[pid][1]) for pid in strays]
    found, stack = [], list(servers)
    while stack:
        for child in children.get(stack.pop(), []):
            found.append((child, table[child][1]))
            stack.append(child)
    return found
