"""Kernel confinement of a fork server, through ctypes only: namespaces, an unprivileged uid, Landlock.

Standard library only: the fork server (``python -I -S``) imports this module by path. :func:`confine`
turns the freshly started server into (see DESIGN.md "Sandbox" for the reasons):

1. *as root*: a process of uid/gid 65534 without supplementary groups. Directories the Python
   installation lives under that 65534 cannot enter (``/root`` is 0700 when Python is in
   ``/root/.pyenv``) are replaced, in a private mount namespace, by a tmpfs in which only the needed
   subtrees are bind-mounted back (:func:`_reveal`);
2. a new user, mount, pid, network, IPC and UTS namespace (``unshare``; user namespaces are what lets an
   ordinary user do this). The server forks once: the child is pid 1 of the new pid namespace and
   mounts its own ``/proc`` (only the sandbox's processes are visible), a private ``/tmp`` (tmpfs) and
   the allowlisted packages; the network namespace has only a loopback device, down. The original
   process waits for it and exits with its status;
3. Landlock: everything is read-only and only the allowlisted paths (system libraries, the Python
   installation, the packages of the allowlist, the sandbox's own source, ``/proc``, a few devices) can
   be read at all; the private work directory is the only writable place. Landlock also forbids
   ptrace-mode access (``/proc/<pid>/environ``, ``mem``) and signals to processes outside the domain;
4. all capabilities (those the new user namespace granted) dropped, ``no_new_privs`` set.

Each step that fails leaves the server running with a one-line reason per missing layer
(``{layer: reason}``; an empty reason means the layer is on), which the host reports and which
``strict`` refuses.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import struct
import sys

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 32, 4096, 8192, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 1, 4, 38
SANDBOX_UID = SANDBOX_GID = 65534  # "nobody": what a root caller's untrusted side runs as
TMP_ROOT = "/tmp/sstar-sbx"  # noqa: S108 - on the private tmpfs of the mount namespace
TMPFS_OPTIONS = "mode=0755,size=256m"
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
SYS_CAPSET = {"x86_64": 126, "aarch64": 91}
SYS_MOUNT_SETATTR, MOUNT_ATTR_RDONLY, AT_RECURSIVE = 442, 1, 0x8000
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
# access rights by ABI version (linux/landlock.h)
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1, 2, 4, 8
FS_ABI1 = (1 << 13) - 1  # execute ... make_sym (13 rights)
FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1, 2
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1, 2
FS_READ = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
DEVICES = {"/dev/null": FS_READ_FILE | FS_WRITE_FILE, "/dev/zero": FS_READ_FILE, "/dev/urandom": FS_READ_FILE}
DEVICES["/dev/random"] = FS_READ_FILE

LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
LIBC.syscall.restype = ctypes.c_long


def _check(result: int, what: str) -> int:
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {errno.errorcode.get(code, code)} ({os.strerror(code)})")
    return result


def _mount(source, target, fstype, flags: int, data=None) -> None:
    enc = [x.encode() if isinstance(x, str) else x for x in (source, target, fstype, data)]
    _check(LIBC.mount(enc[0], enc[1], enc[2], flags, enc[3]), f"mount {target}")


def _prctl(option: int, value: int) -> None:
    _check(LIBC.prctl(option, ctypes.c_ulong(value), 0, 0, 0), f"prctl({option})")


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _others_can_enter(path: str, uid: int) -> bool:
    st = os.stat(path)
    if st.st_uid == uid:
        return bool(st.st_mode & 0o100)
    return bool(st.st_mode & 0o001)


def _hide_points(paths: list[str], uid: int) -> dict[str, list[str]]:
    """For each needed path under a directory ``uid`` cannot enter: the topmost such directory."""
    points: dict[str, list[str]] = {}
    for path in paths:
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts)):
            ancestor = "/" + "/".join(parts[:depth])
            if not _others_can_enter(ancestor, uid):
                points.setdefault(ancestor, []).append(path)
                break
    return points


def _scratch(needed: list[str]) -> str:
    """An empty private directory for moving mounts: a tmpfs over an existing host directory none of ``needed``
    is under (nothing is ever created on the host's file systems)."""
    for base in ("/mnt", "/media", "/srv", "/boot", "/opt", "/home", "/var/tmp"):
        if os.path.isdir(base) and not os.path.islink(base) and not any(p.startswith(base + "/") for p in needed):
            _mount("tmpfs", base, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700,size=1m")
            return base
    raise OSError(errno.ENOENT, "no directory to stage mounts in")


def _reveal(points: dict[str, list[str]], needed: list[str]) -> None:
    """Cover each directory in ``points`` with an empty tmpfs and bind the listed subtrees back into it.

    The subtrees are first bound aside (into a scratch tmpfs), because the new tmpfs hides their path.
    """
    stage = _scratch(needed)
    for top in sorted(points, key=len):
        if any(top.startswith(other + "/") for other in points if other != top):
            continue  # already covered by a higher one (its subtrees are listed there too)
        keep = sorted({p for other, ps in points.items() if other == top or other.startswith(top + "/") for p in ps})
        keep = [p for p in keep if not any(p.startswith(q + "/") for q in keep if q != p)]
        staged = []
        for path in keep:
            slot = f"{stage}/{len(os.listdir(stage))}"
            if os.path.isdir(path):
                os.mkdir(slot)
            else:
                os.close(os.open(slot, os.O_CREAT | os.O_WRONLY, 0o644))
            _mount(path, slot, None, MS_BIND | MS_REC)
            staged.append((slot, path))
        _mount("tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV, TMPFS_OPTIONS)
        for slot, path in staged:
            if os.path.isdir(slot):
                os.makedirs(path, exist_ok=True)
            else:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))
            _mount(slot, path, None, MS_MOVE)


def _drop_root(needed: list[str]) -> None:
    """As real root: a private mount namespace where ``needed`` is reachable by uid 65534, then become 65534."""
    points = _hide_points(needed, SANDBOX_UID)
    if points:  # only then a mount namespace is needed
        _check(LIBC.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        _reveal(points, needed)
    for path in needed:
        if not os.access(path, os.R_OK):
            continue
        st = os.stat(path)
        if not st.st_mode & 0o004:
            raise PermissionError(f"{path} is not readable by uid {SANDBOX_UID} (mode {st.st_mode & 0o777:o})")
    os.setgroups([])
    os.setresgid(SANDBOX_GID, SANDBOX_GID, SANDBOX_GID)
    os.setresuid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID)
    _prctl(PR_SET_DUMPABLE, 1)  # setuid cleared it; /proc/self/uid_map must stay ours to write


def _enter_namespaces() -> None:
    """New user/mount/pid/net/ipc/uts namespaces; fork so that the child is pid 1; the parent mirrors it."""
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    _check(LIBC.unshare(flags), "unshare(CLONE_NEWUSER|NEWNS|NEWPID|NEWNET)")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")
    sys.stdout.flush()
    pid = os.fork()
    if pid:  # outside the pid namespace: nothing to do but wait (the host kills our process group)
        for fd in range(3, 1 << 10):
            if fd not in (0, 1, 2):
                try:
                    os.close(fd)
                except OSError:
                    pass
        while True:
            try:
                _, status = os.waitpid(pid, 0)
                break
            except InterruptedError:
                continue
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # (its parent is outside the namespace: getppid() is 0 here)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)


def _private_tmp(needed: list[str]) -> None:
    """A fresh tmpfs on ``/tmp`` (the host's is hidden); needed paths under /tmp are bound back into it."""
    under = [p for p in needed if p.startswith("/tmp/")]
    if under:
        _reveal({"/tmp": under}, needed)
    else:
        _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, TMPFS_OPTIONS)


def _readonly_view(work: str) -> None:
    """Every mount read-only (recursively: ``mount_setattr``), then a fresh writable tmpfs on ``work`` only.

    Landlock does not cover metadata (``chmod``, ``chown``, ``utime``) of files the uid owns; a read-only
    mount does.
    """
    attr = struct.pack("QQQQ", MOUNT_ATTR_RDONLY, 0, 0, 0)
    at_fdcwd = -100
    result = LIBC.syscall(SYS_MOUNT_SETATTR, at_fdcwd, b"/", AT_RECURSIVE, attr, ctypes.c_size_t(len(attr)))
    _check(result, "mount_setattr(/, MOUNT_ATTR_RDONLY, AT_RECURSIVE)")
    _mount("tmpfs", work, "tmpfs", MS_NOSUID | MS_NODEV, TMPFS_OPTIONS.replace("0755", "0700"))


# -- Landlock ---------------------------------------------------------------------------------------------------


def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0 when Landlock is absent or disabled)."""
    result = LIBC.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), LANDLOCK_CREATE_RULESET_VERSION)
    return max(int(result), 0)


def _landlock(read: list[str], write: list[str]) -> int:
    """Restrict this process (and its future children) to reading ``read`` and writing ``write``."""
    abi = landlock_abi()
    if abi < 1:
        raise OSError(errno.EOPNOTSUPP, "the kernel has no Landlock (CONFIG_SECURITY_LANDLOCK, lsm=landlock)")
    fs = FS_ABI1 | (FS_REFER if abi >= 2 else 0) | (FS_TRUNCATE if abi >= 3 else 0) | (FS_IOCTL_DEV if abi >= 5 else 0)
    net = NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0
    attr = struct.pack("QQQ", fs, net, scoped)
    size = 8 if abi < 4 else (16 if abi < 6 else 24)
    ruleset = _check(LIBC.syscall(SYS_LANDLOCK_CREATE_RULESET, attr, ctypes.c_size_t(size), 0), "landlock ruleset")
    try:
        rules = [(p, FS_READ) for p in read] + [(p, fs) for p in write] + list(DEVICES.items())
        for path, rights in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue  # absent here (e.g. /lib32)
            try:
                if not os.path.isdir(path):
                    rights &= FILE_RIGHTS
                rights &= fs
                beneath = struct.pack("=Qi", rights, fd)  # struct landlock_path_beneath_attr is packed
                _check(LIBC.syscall(SYS_LANDLOCK_ADD_RULE, ruleset, LANDLOCK_RULE_PATH_BENEATH, beneath, 0), path)
            finally:
                os.close(fd)
        _prctl(PR_SET_NO_NEW_PRIVS, 1)
        _check(LIBC.syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return abi


def _drop_capabilities() -> None:
    """Empty effective, permitted and inheritable capability sets (what the user namespace granted)."""
    number = SYS_CAPSET.get(os.uname().machine)
    if number is None:
        raise OSError(errno.ENOSYS, f"no capset syscall number for {os.uname().machine}")
    header = struct.pack("Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = bytes(24)  # two (effective, permitted, inheritable) u32 triples
    _check(LIBC.syscall(number, header, data), "capset")


def _status_field(name: str) -> str:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(name + ":"):
                return line.split(":", 1)[1].strip()
    return ""


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename is None and exc.strerror:
        return exc.strerror  # our own message (see _check), or the bare error of a call named by the caller
    return str(exc) if isinstance(exc, OSError) else f"{type(exc).__name__}: {exc}"


def confine(read: list[str], packages: list[str], reveal: list[str]) -> tuple[dict[str, str], str, str]:
    """Confine this process as the module docstring says; returns (layer -> reason, work dir, packages dir).

    ``read`` are the paths test processes may read (Landlock rules: system libraries, the Python installation
    without its site-packages, the sandbox's source), ``packages`` the allowlisted package directories
    (``site-packages/numpy``...) exposed under the packages directory, ``reveal`` the directories (coarser than
    ``read``) that must stay reachable in the mount namespace. An empty reason means the layer is on.
    """
    reasons = {"unprivileged_uid": "", "user_namespace": "", "landlock": ""}
    needed = sorted({os.path.realpath(p) for p in [*reveal, *packages] if os.path.exists(p)})
    readable = sorted({os.path.realpath(p) for p in [*read, *packages] if os.path.exists(p)})
    if os.geteuid() == 0:
        try:
            _drop_root(needed)
        except OSError as exc:
            reasons["unprivileged_uid"] = f"could not become uid {SANDBOX_UID}: {_reason(exc)}"
    try:  # dies with the host (after any uid change, which clears it); see local._spawner for the thread caveat
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass
    try:
        _enter_namespaces()
        _private_tmp(needed)
    except OSError as exc:
        reasons["user_namespace"] = f"the kernel refused new namespaces: {_reason(exc)}" + _userns_hint()
    private = not reasons["user_namespace"]
    root = TMP_ROOT if private else f"{os.environ.get('TMPDIR') or '/tmp'}/sstar-sbx-{os.urandom(6).hex()}"  # noqa: S108
    work, pkgs = f"{root}/work", f"{root}/pkgs"
    for path in (root, work, pkgs):
        os.makedirs(path, mode=0o700, exist_ok=True)
    for path in packages:
        link = f"{pkgs}/{os.path.basename(path)}"
        if not os.path.lexists(link):
            os.symlink(os.path.realpath(path), link)
    if private:
        try:
            _readonly_view(work)
        except OSError as exc:
            reasons["user_namespace"] = f"could not make the file system read-only: {_reason(exc)}"
    try:
        _landlock([*readable, pkgs, "/proc"], [work])
    except OSError as exc:
        reasons["landlock"] = _reason(exc)
    if private:
        try:
            _drop_capabilities()
        except OSError as exc:
            reasons["user_namespace"] = f"could not drop the namespace's capabilities: {_reason(exc)}"
    if not reasons["unprivileged_uid"]:
        if os.geteuid() == 0 or _status_field("CapEff").strip("0"):
            reasons["unprivileged_uid"] = "the sandbox still runs as root or with capabilities"
    return reasons, work, pkgs


def _userns_hint() -> str:
    for path, bad in (
        ("/proc/sys/kernel/unprivileged_userns_clone", "0"),
        ("/proc/sys/user/max_user_namespaces", "0"),
        ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1"),
    ):
        try:
            with open(path, encoding="ascii") as handle:
                if handle.read().strip() == bad:
                    return f" ({path} is {bad})"
        except OSError:
            continue
    return ""
