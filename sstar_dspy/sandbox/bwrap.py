"""Bubblewrap around the fork servers: a minimal read-only root, no network, its own pid namespace.

Each fork server runs as ``bwrap <options> -- python -I _forkserver.py``. The view it gets:

* read-only: ``/usr`` (and the ``/bin``, ``/lib``... links or directories), the Python installation,
  the site-packages directories and the sandbox's own source directory; nothing else of the host
  (no home directory, no repository, no datasets, no ``/proc`` of the host);
* a private ``/tmp`` (tmpfs), fresh ``/proc`` and minimal ``/dev``;
* all namespaces unshared (network: only a down loopback; pid: the host's processes are invisible and
  the fork server is pid 1, so no bwrap reaper sits there whose ``/proc/1/mem`` a test could write),
  uid/gid 65534, all capabilities dropped, a new session, cleared environment, and it dies with the
  host process.

The wrapper costs ~25 ms once per server (not per test). :func:`bwrap_command` returns None when
``bwrap`` is not installed; whether it actually works (user namespaces may be disabled) is found out
by starting a server (see :mod:`sstar_dspy.sandbox.local`).
"""

from __future__ import annotations

import os
import shutil
import site
import sys

ROOT_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf")


def _python_dirs() -> list[str]:
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    for path in [*site.getsitepackages(), site.getusersitepackages(), *sys.path]:
        if path and os.path.isdir(path) and ("site-packages" in path or "dist-packages" in path):
            dirs.add(path)
    real = sorted({os.path.realpath(d) for d in dirs if d and os.path.isdir(d)})
    kept: list[str] = []
    for path in real:  # drop directories already covered by a parent bind
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def bwrap_command(env: dict[str, str], source_dir: str) -> list[str] | None:
    """The ``bwrap`` prefix for a fork server, or None when bubblewrap is not installed."""
    binary = shutil.which("bwrap")
    if binary is None:
        return None
    args = [binary, "--unshare-all", "--die-with-parent", "--new-session", "--clearenv", "--cap-drop", "ALL"]
    args += ["--as-pid-1"]  # the server is the namespace's init: no (dumpable) bwrap reaper a test could open
    args += ["--unshare-user", "--uid", "65534", "--gid", "65534"]
    args += ["--ro-bind", "/usr", "/usr"]
    for name in ROOT_LINKS:
        path = "/" + name
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in ETC_FILES:
        args += ["--ro-bind-try", path, path]
    # bwrap applies operations in order: the private /tmp must exist before the binds, or a Python or source
    # directory under /tmp (a venv or checkout there, as in many CI setups) would be hidden by the tmpfs.
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for path in [*_python_dirs(), os.path.realpath(source_dir)]:
        if not path.startswith("/usr/"):
            args += ["--ro-bind", path, path]
    args += ["--remount-ro", "/", "--chdir", "/tmp"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return [*args, "--"]
