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
  ``io_uring_*``, module loading, ``reboot``, ``kexec_*``, ``swapon``/``swapoff``, ``acct``.

Building the filter costs ~2 ms and is done once per server; each child adds its pid-specific rules to
its forked copy and loads it (~1 ms).
"""

from __future__ import annotations

import errno

CLONE_THREAD = 0x00010000

DENY_EPERM = (
    "socket", "socketpair", "fork", "vfork", "execve", "execveat", "ptrace", "process_vm_readv",
    "process_vm_writev", "tkill", "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "kcmp", "setsid", "setpgid",
    "mount", "umount2", "unshare", "setns", "pivot_root", "chroot", "bpf", "keyctl", "add_key", "request_key",
    "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "init_module",
    "finit_module", "delete_module", "reboot", "kexec_load", "kexec_file_load", "swapon", "swapoff", "acct",
    "open_by_handle_at", "name_to_handle_at", "fsopen", "fsmount", "move_mount", "open_tree",
)  # fmt: skip
DENY_UNLESS_SELF = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")


class SeccompFilter:
    """A prebuilt filter; :meth:`load_for` finishes and installs it in a freshly forked child.

    Example:
        >>> f = SeccompFilter()            # raises ImportError/OSError where libseccomp is missing
        >>> callable(f.load_for)
        True
    """

    def __init__(self) -> None:
        import pyseccomp as seccomp

        self._seccomp = seccomp
        eperm = seccomp.ERRNO(errno.EPERM)
        flt = seccomp.SyscallFilter(seccomp.ALLOW)
        for name in DENY_EPERM:
            try:
                flt.add_rule(eperm, name)
            except (OSError, ValueError, RuntimeError):  # syscall absent on this architecture
                continue
        flt.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
        flt.add_rule(eperm, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
        self._filter = flt

    def load_for(self, pid: int) -> None:
        """Add the rules that depend on the child's pid and load the filter (irreversible)."""
        seccomp = self._seccomp
        eperm = seccomp.ERRNO(errno.EPERM)
        for name in DENY_UNLESS_SELF:
            self._filter.add_rule(eperm, name, seccomp.Arg(0, seccomp.NE, pid))
        self._filter.add_rule(eperm, "prlimit64", seccomp.Arg(0, seccomp.NE, 0))
        self._filter.load()
