"""The seccomp filters of the fork server and its test processes, assembled here as classic BPF.

Standard library only (no libseccomp): the fork server imports this module by path and the filters are
built from the syscall table below with a ~20-line assembler, so they are the same in every install.
Only x86-64 has a table; elsewhere :class:`SeccompFilter` raises :class:`SeccompUnavailableError` with
the reason, and the host reports seccomp as missing. Every filter first checks the architecture (any
other ABI, including x32 syscall numbers, is killed or refused). The filters are a denylist on top of a
default ALLOW (threads, files and memory behave normally). Every test process ends up under both:

* the *shared* filter, loaded once by the fork server itself (after start-up) and inherited by every
  test process: syscalls the server never needs either. No sockets (``socket``, ``socketpair``) -> EPERM:
  no network, no local IPC; no ``execve``/``execveat``; no tracing or reading other processes
  (``ptrace``, ``process_vm_*``, ``kcmp``); no namespace or kernel-facing escapes: ``mount`` and the new
  mount API, ``unshare``, ``setns``, ``pivot_root``, ``chroot``, ``bpf``, ``keyctl``, ``add_key``,
  ``request_key``, ``perf_event_open``, ``userfaultfd``, ``io_uring_*``, module loading, ``reboot``,
  ``kexec_*``, ``swapon``/``swapoff``, ``acct``, ``iopl``/``ioperm``, setting the clock or host name,
  ``syslog``, ``quotactl``, ``vhangup``, ``mknod``;
* the *per-test* filter, loaded by each test process before the program runs: what the server needs
  but a test must not do. No new processes: ``fork``, ``vfork`` and ``clone`` without ``CLONE_THREAD``
  -> EPERM; ``clone3`` -> ENOSYS because seccomp cannot inspect its flags (glibc then falls back to
  ``clone``, so threads work); no signals to other processes: ``kill``/``tgkill``/``rt_sigqueueinfo``
  only to its own pid, no ``tkill``, ``pidfd_*``; no leaving its process group (``setsid``,
  ``setpgid``); ``prlimit64`` only on itself.

Each test process patches its pid into its copy of the per-test BPF (~40 instructions) and loads it
with one ``prctl``.
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct
import sys

CLONE_THREAD = 0x00010000

SHARED_DENY_EPERM = (
    "socket", "socketpair", "execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
    "mount", "umount2", "unshare", "setns", "pivot_root", "chroot", "bpf", "keyctl", "add_key", "request_key",
    "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "init_module",
    "finit_module", "delete_module", "reboot", "kexec_load", "kexec_file_load", "swapon", "swapoff", "acct",
    "open_by_handle_at", "name_to_handle_at", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree",
    "mount_setattr", "iopl", "ioperm", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname",
    "setdomainname", "syslog", "quotactl", "vhangup", "mknod", "mknodat",
)  # fmt: skip
TEST_DENY_EPERM = ("fork", "vfork", "tkill", "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "setsid", "setpgid")
DENY_UNLESS_SELF = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")

# x86-64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl)
SYSCALLS_X86_64 = {
    "socket": 41, "socketpair": 53, "clone": 56, "fork": 57, "vfork": 58, "execve": 59, "kill": 62, "ptrace": 101,
    "syslog": 103, "setpgid": 109, "setsid": 112, "rt_sigqueueinfo": 129, "mknod": 133, "vhangup": 153,
    "pivot_root": 155, "adjtimex": 159, "chroot": 161, "acct": 163, "settimeofday": 164, "mount": 165,
    "umount2": 166, "swapon": 167, "swapoff": 168, "reboot": 169, "sethostname": 170, "setdomainname": 171,
    "iopl": 172, "ioperm": 173, "init_module": 175, "delete_module": 176, "quotactl": 179, "tkill": 200,
    "tgkill": 234, "kexec_load": 246, "add_key": 248, "request_key": 249, "keyctl": 250, "clock_settime": 227,
    "mknodat": 259, "unshare": 272, "rt_tgsigqueueinfo": 297, "perf_event_open": 298, "prlimit64": 302,
    "name_to_handle_at": 303, "open_by_handle_at": 304, "clock_adjtime": 305, "setns": 308,
    "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312, "finit_module": 313, "kexec_file_load": 320,
    "bpf": 321, "execveat": 322, "userfaultfd": 323, "pidfd_send_signal": 424, "io_uring_setup": 425,
    "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428, "move_mount": 429, "fsopen": 430,
    "fsconfig": 431, "fsmount": 432, "fspick": 433, "pidfd_open": 434, "clone3": 435, "pidfd_getfd": 438,
    "mount_setattr": 442,
}  # fmt: skip
ARCHES = {"x86_64": (0xC000003E, SYSCALLS_X86_64)}  # AUDIT_ARCH_X86_64
X32_SYSCALL_BIT = 0x40000000

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
RET_ALLOW, RET_KILL_PROCESS, RET_ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
LD_ABS_W, JEQ_K, JGE_K, JSET_K, RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
OFF_NR, OFF_ARCH, OFF_ARG0_LO, OFF_ARG0_HI = 0, 4, 16, 20  # struct seccomp_data (little-endian args)
TEMPLATE_PID = 0x7ABCDEF1  # placeholder compiled into the BPF, patched with the child's pid
INSN_SIZE = 8  # struct sock_filter: u16 code, u8 jt, u8 jf, u32 k (native byte order)


class SeccompUnavailableError(RuntimeError):
    """No filter can be built for this machine (the message names why)."""


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


def _assemble(lines: list[tuple]) -> bytes:
    """Classic BPF from ``(label,)`` markers and ``(code, k, true_label, false_label)`` instructions.

    A jump target of None means "the next instruction"; labels must lie ahead (BPF only jumps forward).
    """
    positions, index = {}, 0
    for line in lines:
        if len(line) == 1:
            positions[line[0]] = index
        else:
            index += 1
    out, index = [], 0
    for line in lines:
        if len(line) == 1:
            continue
        code, k, true_label, false_label = line
        jumps = [0 if label is None else positions[label] - index - 1 for label in (true_label, false_label)]
        if any(not 0 <= jump <= 255 for jump in jumps):
            raise SeccompUnavailableError(f"BPF jump out of range at instruction {index}")
        out.append(struct.pack("=HBBI", code, jumps[0], jumps[1], k & 0xFFFFFFFF))
        index += 1
    return b"".join(out)


def _table() -> tuple[int, dict[str, int]]:
    machine = os.uname().machine
    if machine not in ARCHES or sys.byteorder != "little":
        raise SeccompUnavailableError(f"no seccomp syscall table for the {machine} architecture (only x86_64)")
    return ARCHES[machine]


def _prologue(arch: int) -> list[tuple]:
    return [
        (LD_ABS_W, OFF_ARCH, None, None),
        (JEQ_K, arch, None, "kill"),
        (LD_ABS_W, OFF_NR, None, None),
        (JGE_K, X32_SYSCALL_BIT, "eperm", None),
    ]


def _returns() -> list[tuple]:
    return [
        ("allow",),
        (RET_K, RET_ALLOW, None, None),
        ("eperm",),
        (RET_K, RET_ERRNO | errno.EPERM, None, None),
        ("enosys",),
        (RET_K, RET_ERRNO | errno.ENOSYS, None, None),
        ("kill",),
        (RET_K, RET_KILL_PROCESS, None, None),
    ]


def compile_programs() -> tuple[bytes, bytes]:
    """(shared filter, per-test filter with the placeholder pid) as BPF for this machine's architecture."""
    arch, numbers = _table()
    shared = _prologue(arch) + [(JEQ_K, numbers[name], "eperm", None) for name in SHARED_DENY_EPERM]
    shared += [(RET_K, RET_ALLOW, None, None), *_returns()]
    test = _prologue(arch) + [(JEQ_K, numbers[name], "eperm", None) for name in TEST_DENY_EPERM]
    test += [(JEQ_K, numbers["clone3"], "enosys", None), (JEQ_K, numbers["clone"], "clone", None)]
    test += [(JEQ_K, numbers[name], "self", None) for name in DENY_UNLESS_SELF]
    test += [(JEQ_K, numbers["prlimit64"], "zero", None), (RET_K, RET_ALLOW, None, None)]
    test += [
        ("clone",),  # allowed only with CLONE_THREAD in the flags (the low word of argument 0)
        (LD_ABS_W, OFF_ARG0_LO, None, None),
        (JSET_K, CLONE_THREAD, "allow", "eperm"),
        ("self",),  # argument 0 must be exactly this process's pid
        (LD_ABS_W, OFF_ARG0_HI, None, None),
        (JEQ_K, 0, None, "eperm"),
        (LD_ABS_W, OFF_ARG0_LO, None, None),
        (JEQ_K, TEMPLATE_PID, "allow", "eperm"),
        ("zero",),  # argument 0 must be 0 (this process)
        (LD_ABS_W, OFF_ARG0_HI, None, None),
        (JEQ_K, 0, None, "eperm"),
        (LD_ABS_W, OFF_ARG0_LO, None, None),
        (JEQ_K, 0, "allow", "eperm"),
        *_returns(),
    ]
    return _assemble(shared), _assemble(test)


def _word(program: bytes, index: int) -> tuple[int, int]:
    """(code, k) of BPF instruction ``index``."""
    offset = index * INSN_SIZE
    code = int.from_bytes(program[offset : offset + 2], sys.byteorder)
    return code, int.from_bytes(program[offset + 4 : offset + 8], sys.byteorder)


class SeccompFilter:
    """The two filters as BPF, ready to install (see the module docstring).

    :meth:`install_shared` loads the shared filter into the calling process (the fork server, once).
    The per-test rules carry a placeholder pid; :meth:`load_for` (in each test process) replaces it with
    the process's own pid and installs the filter (~50 us).

    Args:
        programs: (shared, per-test) BPF from :func:`compile_programs`; compiled here when omitted.

    Raises:
        SeccompUnavailableError: no syscall table for this architecture.

    Example:
        >>> f = SeccompFilter()
        >>> f.instructions > 20
        True
    """

    def __init__(self, programs: tuple[bytes, bytes] | None = None) -> None:
        shared, program = programs or compile_programs()
        self.instructions = len(program) // INSN_SIZE
        words = [_word(program, i) for i in range(self.instructions)]
        self._slots = [i * INSN_SIZE + 4 for i, (code, k) in enumerate(words) if k == TEMPLATE_PID and code == JEQ_K]
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
