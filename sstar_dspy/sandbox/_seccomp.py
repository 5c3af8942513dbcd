"""The seccomp filter every test process loads before the program runs (via pyseccomp/libseccomp).

Standard library plus ``pyseccomp`` only: the fork server imports this module by path. The filter is
a denylist on top of a default ALLOW (threads, files and memory behave normally):

* no sockets (``socket``, ``socketpair``) -> EPERM: no network, no local IPC;
* no new processes: ``fork``, ``vfork`` and ``clone`` without ``CLONE_THREAD`` -> EPERM; ``clone3`` ->
  ENOSYS because seccomp cannot inspect its flags (glibc then falls back to ``clone``, so threads work);
* no ``execve``/``execveat``;
* no signals or tracing of other processes: ``kill``/``tgkill``/``rt_sigqueueinfo`` only to its own
  pid, no ``tkill``, ``ptrace``, ``process_vm_*``, ``pidfd_*``, ``kcmp``; no leaving its process group
  (``setsid``, ``setpgid``); ``prlimit64`` only on itself;
* no namespace or kernel-facing escapes: ``mount``, ``umount2``, ``unshare``, ``setns``, ``pivot_root``,
  ``chroot``, ``bpf``, ``keyctl``, ``add_key``, ``request_key``, ``perf_event_open``, ``userfaultfd``,
  ``io_uring_*``, module loading, ``reboot``, ``kexec_*``, ``swapon``/``swapoff``, ``acct``;
* nothing a root child could use against the host without bubblewrap: ``iopl``/``ioperm``, setting the
  clock or host name, ``syslog``, ``quotactl``, ``vhangup``, ``mknod``.

Building the filter costs ~2 ms and is done once per server; each child patches its pid into a copy of
the compiled BPF and loads it.
"""

from __future__ import annotations

import ctypes
import errno
import struct
import tempfile

CLONE_THREAD = 0x00010000

DENY_EPERM = (
    "socket", "socketpair", "fork", "vfork", "execve", "execveat", "ptrace", "process_vm_readv",
    "process_vm_writev", "tkill", "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "kcmp", "setsid", "setpgid",
    "mount", "umount2", "unshare", "setns", "pivot_root", "chroot", "bpf", "keyctl", "add_key", "request_key",
    "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "init_module",
    "finit_module", "delete_module", "reboot", "kexec_load", "kexec_file_load", "swapon", "swapoff", "acct",
    "open_by_handle_at", "name_to_handle_at", "fsopen", "fsmount", "move_mount", "open_tree",
    "iopl", "ioperm", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname", "setdomainname",
    "syslog", "quotactl", "vhangup", "mknod", "mknodat",
)  # fmt: skip
DENY_UNLESS_SELF = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")


PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
TEMPLATE_PID = 0x7ABCDEF1  # placeholder compiled into the BPF, patched with the child's pid
BPF_JEQ_K = 0x15
_INSN = struct.Struct("HBBI")


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


class SeccompFilter:
    """The filter compiled once to BPF; :meth:`load_for` patches in the child's pid and installs it.

    The pid-dependent rules are compiled with a placeholder pid; each child copies the BPF program,
    replaces the placeholder with its own pid and loads it with two ``prctl`` calls (~50 us instead of
    ~1 ms for libseccomp's per-child compile).

    Example:
        >>> f = SeccompFilter()            # raises ImportError/OSError where libseccomp is missing
        >>> f.instructions > 0
        True
    """

    def __init__(self) -> None:
        import pyseccomp as seccomp

        eperm = seccomp.ERRNO(errno.EPERM)
        flt = seccomp.SyscallFilter(seccomp.ALLOW)
        for name in DENY_EPERM:
            try:
                flt.add_rule(eperm, name)
            except (OSError, ValueError, RuntimeError):  # syscall absent on this architecture
                continue
        flt.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
        flt.add_rule(eperm, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
        for name in DENY_UNLESS_SELF:
            flt.add_rule(eperm, name, seccomp.Arg(0, seccomp.NE, TEMPLATE_PID))
        flt.add_rule(eperm, "prlimit64", seccomp.Arg(0, seccomp.NE, 0))
        with tempfile.TemporaryFile() as handle:
            flt.export_bpf(handle)
            handle.seek(0)
            program = handle.read()
        self.instructions = len(program) // _INSN.size
        words = [_INSN.unpack_from(program, i * _INSN.size) for i in range(self.instructions)]
        self._slots = [i * _INSN.size for i, (_, _, _, k) in enumerate(words) if k == TEMPLATE_PID]
        # libseccomp may share one comparison between the rules; every use must be a plain `jeq #pid`
        if not self._slots or any(words[o // _INSN.size][0] != BPF_JEQ_K for o in self._slots):
            raise RuntimeError("unexpected BPF layout from libseccomp: cannot place the child's pid")
        self._buffer = ctypes.create_string_buffer(program, len(program))  # patched in place in each child
        self._fprog = _SockFprog(self.instructions, ctypes.cast(self._buffer, ctypes.c_char_p))
        self._fprog_address = ctypes.addressof(self._fprog)
        self._prctl = ctypes.CDLL(None, use_errno=True).prctl
        self._prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]

    def load_for(self, pid: int) -> None:
        """Install the filter in this (forked) process with ``pid`` as the only signal target (irreversible)."""
        for offset in self._slots:
            struct.pack_into("I", self._buffer, offset + 4, pid)  # the k field of `jeq #pid`
        if self._prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if self._prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, self._fprog_address, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")
