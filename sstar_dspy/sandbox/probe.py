"""Start-up probe: run a small program *through the backend* and observe which layers really hold.

Declared layers can lie (a kernel without Landlock, user namespaces forbidden, a seccomp filter that does
not load); the probe measures them the way a hostile program would meet them:

* ``seccomp``: ``os.fork()`` and ``socket.socket()`` both fail with EPERM;
* ``no_network``: no socket can be created, or the only network interface is loopback;
* ``clean_env``: the environment holds nothing beyond the sandbox's fixed variables;
* ``readonly_root``: no file can be created in ``/``, next to the Python installation, in ``/var/tmp``
  or in the caller's home directory;
* ``hidden_files``: ``/etc/shadow``, ``/etc/passwd`` (world-readable on the host, not on the allowlist)
  and the caller's home directory cannot be read;
* ``pid_namespace``: process 1 is not the host's init (the host's processes are not visible);
* ``unprivileged_uid``: the process has no capabilities and no uid it holds is the host's root.

Example:
    >>> from sstar_dspy.sandbox.local import LocalForkServerBackend
    >>> backend = LocalForkServerBackend(workers=1)
    >>> layers, reasons = probe_layers(backend)
    >>> sorted(layers)[:3], reasons.get("clean_env")
    (['clean_env', 'fork_server', 'hidden_files'], None)
    >>> backend.close()
"""

from __future__ import annotations

import logging
import os

from sstar_dspy.problem import Mode
from sstar_dspy.sandbox.backend import ExecRequest, SandboxBackend
from sstar_dspy.sandbox.results import Limits, Status

logger = logging.getLogger(__name__)

ALLOWED_ENV = {
    "PATH",
    "PWD",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
}

PROBE_PROGRAM = r"""
import os, sys
HOME = %(home)r
facts = []
try:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    facts.append("fork")
except OSError:
    pass
try:
    import socket
    socket.socket().close()
    facts.append("socket")
except OSError:
    pass
try:
    with open("/proc/net/dev") as f:
        names = [line.split(":")[0].strip() for line in f.readlines()[2:]]
    if any(name != "lo" for name in names):
        facts.append("interfaces")
except OSError:
    facts.append("interfaces")
facts.append("env=" + ",".join(sorted(os.environ)))
for target in ("/sstar_probe_write", os.path.join(sys.prefix, "sstar_probe_write"), "/var/tmp/sstar_probe_write",
               os.path.join(HOME, ".sstar_probe_write")):
    try:
        with open(target, "w") as f:
            f.write("x")
        os.remove(target)
        facts.append("writable_root")
        break
    except OSError:
        pass
for target in ("/etc/shadow", "/etc/passwd", HOME):
    try:
        os.listdir(target) if os.path.isdir(target) else open(target, "rb").close()
        facts.append("readable:" + target)
    except OSError:
        pass
try:
    with open("/proc/1/cmdline", "rb") as f:
        facts.append("pid1=" + f.read().split(b"\0")[0].decode(errors="replace").rsplit("/", 1)[-1])
except OSError:
    facts.append("pid1=?")
try:
    with open("/proc/self/status") as f:
        caps = [line.split()[1] for line in f if line.startswith("CapEff:")]
    uid, host_uid = os.geteuid(), None
    with open("/proc/self/uid_map") as f:
        for inside, outside, count in (map(int, line.split()) for line in f if line.strip()):
            if inside <= uid < inside + count:
                host_uid = outside + uid - inside
    if any(c.strip("0") for c in caps) or host_uid in (0, None):
        facts.append("privileged")
except (OSError, ValueError, IndexError):
    facts.append("privileged")
print(" ".join(facts), "probe-complete")
"""


def _host_pid1() -> str:
    try:
        with open("/proc/1/cmdline", "rb") as f:
            return f.read().split(b"\0")[0].decode(errors="replace").rsplit("/", 1)[-1]
    except OSError:
        return "?"


MEASURED = ("seccomp", "no_network", "clean_env", "readonly_root", "hidden_files", "pid_namespace", "unprivileged_uid")


def probe_layers(backend: SandboxBackend) -> tuple[dict[str, bool], dict[str, str]]:
    """Declared layers of ``backend`` refined by what the probe program observed; (layers, missing -> reason)."""
    declared = dict(backend.layers())
    reasons = dict(backend.layer_reasons()) if hasattr(backend, "layer_reasons") else {}
    program = PROBE_PROGRAM % {"home": os.path.expanduser("~")}
    run = backend.execute(ExecRequest(program, ("",), Mode.STDIN, None, Limits(timeout_s=10)))[0]
    if run.status is not Status.EXECUTED or run.actual is None or "probe-complete" not in run.actual:
        logger.warning("sandbox probe did not run cleanly (%s: %s)", run.status.value, run.error or run.actual)
        why = f"the layer probe did not run cleanly ({run.status.value})"
        return {**declared, **dict.fromkeys(MEASURED, False)}, {**{n: why for n in MEASURED}, **reasons}
    facts = run.actual.split()
    env = next((f[4:] for f in facts if f.startswith("env=")), "")
    pid1 = next((f[5:] for f in facts if f.startswith("pid1=")), "?")
    readable = [f[9:] for f in facts if f.startswith("readable:")]
    observed = {
        "seccomp": "a test process could fork or open a socket" if "fork" in facts or "socket" in facts else "",
        "no_network": "a test process opened a socket and sees a network interface"
        if "socket" in facts and "interfaces" in facts
        else "",
        "clean_env": "" if all(name in ALLOWED_ENV for name in env.split(",") if name) else f"environment: {env}",
        "readonly_root": "a test process created a file outside its directory" if "writable_root" in facts else "",
        "hidden_files": f"a test process could read {', '.join(readable)}" if readable else "",
        "pid_namespace": "" if pid1 not in ("?", _host_pid1()) else "a test process sees the host's processes",
        "unprivileged_uid": "a test process holds capabilities or the host's root uid" if "privileged" in facts else "",
    }
    layers = dict(declared)
    for name, why in observed.items():
        layers[name] = declared.get(name, True) and not why
        if why and name not in reasons:
            reasons[name] = f"probe: {why}"
    logger.info("sandbox layers: %s", ", ".join(f"{k}={'on' if v else 'OFF'}" for k, v in layers.items()))
    return layers, {name: why for name, why in reasons.items() if not layers.get(name, True)}
