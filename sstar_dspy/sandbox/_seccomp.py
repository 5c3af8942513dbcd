"""The seccomp filters of the fork server and its test processes (via pyseccomp/libseccomp).

Standard library plus ``pyseccomp`` only: the fork server imports this module by path. The filters are
a denylist on top of a default ALLOW (threads, files and memory behave normally). Every test process
ends up under both of them:

* the *shared* filter, loaded once by the fork server itself (after start-up) and inherited by every
  test process: syscalls the server never needs either. No sockets (``socket``, ``socketpair``) -> EPERM:
  no network, no local IPC; no ``execve``/``execveat``; no tracing or reading other processes
  (``ptrace``, ``process_vm_*``, ``kcmp``); no namespace or kernel-facing escapes: ``mount``,
  ``umount2``, ``unshare``, ``setns``, ``pivot_root``, ``chroot``, ``bpf``, ``keyctl``, ``add_key``,
  ``request_key``, ``perf_event_open``, ``userfaultfd``, ``io_uring_*``, module loading, ``reboot``,
  ``kexec_*``, ``swapon``/``swapoff``, ``acct``; nothing a root child could use against the host without
  bubblewrap: ``iopl``/``ioperm``, setting the clock or host name, ``syslog``, ``quotactl``, ``vhangup``,
  ``mknod``;
* the *per-test* filter, loaded by each test process before the program runs: what the server needs
  but a test must not do. No new processes: ``fork``, ``vfork`` and ``clone`` without ``CLONE_THREAD``
  -> EPERM; ``clone3`` -> ENOSYS because seccomp cannot inspect its flags (glibc then falls back to
  ``clone``, so threads work); no signals to other processes: ``kill``/``tgkill``/``rt_sigqueueinfo``
  only to its own pid, no ``tkill``, ``pidfd_*``; no leaving its process group (``setsid``,
  ``setpgid``); ``prlimit64`` only on itself.

The fork server compiles both filters once, in a short-lived child (:func:`compile_in_helper`), so
libseccomp and what pyseccomp imports are never mapped into the server: each of its mappings would be
copied by every fork. Each test process patches its pid into its copy of the compiled per-test BPF
(~40 instructions, so the kernel converts and JITs little per test) and loads it with one ``prctl``.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys

CLONE_THREAD = 0x00010000

SHARED_DENY_EPERM = (
    "socket", "socketpair", "execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
    "mount", "umount2", "unshare", "setns", "pivot_root", "chroot", "bpf", "keyctl", "add_key", "request_key",
    "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "init_module",
    "finit_module", "delete_module", "reboot", "kexec_load", "kexec_file_load", "swapon", "swapoff", "acct",
    "open_by_handle_at", "name_to_handle_at", "fsopen", "fsmount", "move_mount", "open_tree",
    "iopl", "ioperm", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname", "setdomainname",
    "syslog", "quotactl", "vhangup", "mknod", "mknodat",
)  # fmt: skip
TEST_DENY_EPERM = ("fork", "vfork", "tkill", "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "setsid", "setpgid")
DENY_UNLESS_SELF = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")
DENY_EPERM = SHARED_DENY_EPERM + TEST_DENY_EPERM  # everything a test process meets as EPERM

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
TEMPLATE_PID = 0x7ABCDEF1  # placeholder compiled into the BPF, patched with the child's pid
BPF_JEQ_K = 0x15
INSN_SIZE = 8  # struct sock_filter: u16 code, u8 jt, u8 jf, u32 k (native byte order)


class SeccompUnavailableError(RuntimeError):
    """The helper process could not compile the filters (its message names what it raised)."""


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


def compile_programs() -> tuple[bytes, bytes]:
    """Compile (shared filter, per-test filter with the placeholder pid) to BPF with pyseccomp."""
    import tempfile

    import pyseccomp as seccomp

    def deny(flt, action, names) -> None:
        for name in names:
            try:
                flt.add_rule(action, name)
            except (OSError, ValueError, RuntimeError):  # syscall absent on this architecture
                continue

    def bpf(flt) -> bytes:
        with tempfile.TemporaryFile() as handle:
            flt.export_bpf(handle)
            handle.seek(0)
            return handle.read()

    eperm = seccomp.ERRNO(errno.EPERM)
    shared = seccomp.SyscallFilter(seccomp.ALLOW)
    deny(shared, eperm, SHARED_DENY_EPERM)
    test = seccomp.SyscallFilter(seccomp.ALLOW)
    deny(test, eperm, TEST_DENY_EPERM)
    test.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    test.add_rule(eperm, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
    for name in DENY_UNLESS_SELF:
        test.add_rule(eperm, name, seccomp.Arg(0, seccomp.NE, TEMPLATE_PID))
    test.add_rule(eperm, "prlimit64", seccomp.Arg(0, seccomp.NE, 0))
    return bpf(shared), bpf(test)


def compile_in_helper() -> tuple[bytes, bytes]:
    """:func:`compile_programs` in a short-lived child process; raises :class:`SeccompUnavailableError` if it failed."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os.close(read_end)
        try:
            shared, test = compile_programs()
            message = b"ok %d\n" % len(shared) + shared + test
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            message = f"error {type(exc).__name__}: {exc}".encode()
        try:
            while message:
                message = message[os.write(write_end, message) :]
        finally:
            os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 1 << 16):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    data = b"".join(chunks)
    if not data.startswith(b"ok "):
        raise SeccompUnavailableError(data[6:].decode(errors="replace") or "the seccomp compiler process died")
    header, _, programs = data.partition(b"\n")
    split = int(header[3:])
    return programs[:split], programs[split:]


def _word(program: bytes, index: int) -> tuple[int, int]:
    """(code, k) of BPF instruction ``index``."""
    offset = index * INSN_SIZE
    code = int.from_bytes(program[offset : offset + 2], sys.byteorder)
    return code, int.from_bytes(program[offset + 4 : offset + 8], sys.byteorder)


class SeccompFilter:
    """The two filters as BPF, ready to install (see the module docstring).

    :meth:`install_shared` loads the shared filter into the calling process (the fork server, once).
    The per-test rules carry a placeholder pid; :meth:`load_for` (in each test process) replaces it with
    the process's own pid and installs the filter (~50 us instead of ~1 ms for libseccomp's compile).

    Args:
        programs: (shared, per-test) BPF from :func:`compile_programs` / :func:`compile_in_helper`;
            compiled here when omitted.

    Example:
        >>> f = SeccompFilter()            # raises ImportError/OSError where libseccomp is missing
        >>> f.instructions > 0
        True
    """

    def __init__(self, programs: tuple[bytes, bytes] | None = None) -> None:
        shared, program = programs or compile_programs()
        self.instructions = len(program) // INSN_SIZE
        words = [_word(program, i) for i in range(self.instructions)]
        self._slots = [i * INSN_SIZE + 4 for i, (_, k) in enumerate(words) if k == TEMPLATE_PID]
        # libseccomp may share one comparison between the rules; every use must be a plain `jeq #pid`
        if not self._slots or any(words[o // INSN_SIZE][0] != BPF_JEQ_K for o in self._slots):
            raise RuntimeError("unexpected BPF layout from libseccomp: cannot place the child's pid")
        self._buffer = ctypes.create_string_buffer(program, len(program))  # patched in place in each child
        self._fprog = _SockFprog(self.instructions, ctypes.cast(self._buffer, ctypes.c_char_p))
        self._fprog_address = ctypes.addressof(self._fprog)
        self._shared_buffer = ctypes.create_string_buffer(shared, len(shared))
        self._shared_fprog = _SockFprog(len(shared) // INSN_SIZE, ctypes.cast(self._shared_buffer, ctypes.c_char_p))
        self._prctl = ctypes.PyDLL(None, use_errno=True).prctl  # a test process never releases the GIL for it
        self._prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
        self._no_new_privs = False

    def _install(self, fprog_address: int) -> None:
        if not self._no_new_privs:
            if self._prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
            self._no_new_privs = True  # inherited by every process forked after this
        if self._prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, fprog_address, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")

    def install_shared(self) -> None:
        """Install the shared filter in this process (the fork server, after start-up; irreversible)."""
        self._install(ctypes.addressof(self._shared_fprog))

    def load_for(self, pid: int) -> None:
        """Install the per-test filter in this (forked) process with ``pid`` as the only signal target."""
        value = pid.to_bytes(4, sys.byteorder)
        for offset in self._slots:
            self._buffer[offset : offset + 4] = value  # the k field of `jeq #pid`
        self._install(self._fprog_address)
