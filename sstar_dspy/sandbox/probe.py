"""Start-up probe: run a small program *through the backend* and observe which layers really hold.

Declared layers can lie (libseccomp missing, user namespaces disabled, a kernel without pidfd); the
probe measures them the way a hostile program would meet them:

* ``seccomp``: ``os.fork()`` and ``socket.socket()`` both fail with EPERM;
* ``no_network``: no socket can be created, or the only network interface is loopback;
* ``clean_env``: the environment holds nothing beyond the sandbox's fixed variables;
* ``readonly_root``: creating a file in ``/`` (or next to the Python installation) fails;
* ``pid_namespace``: process 1 is not the host's init (the host's processes are not visible).

Example:
    >>> from sstar_dspy.sandbox.local import LocalForkServerBackend
    >>> backend = LocalForkServerBackend(workers=1)
    >>> sorted(probe_layers(backend))[:3]
    ['bwrap', 'clean_env', 'fork_server']
    >>> backend.close()
"""

from __future__ import annotations

import logging

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
for target in ("/sstar_probe_write", os.path.join(sys.prefix, "sstar_probe_write")):
    try:
        with open(target, "w") as f:
            f.write("x")
        os.remove(target)
        facts.append("writable_root")
        break
    except OSError:
        pass
try:
    with open("/proc/1/cmdline", "rb") as f:
        facts.append("pid1=" + f.read().split(b"\0")[0].decode(errors="replace").rsplit("/", 1)[-1])
except OSError:
    facts.append("pid1=?")
print(" ".join(facts), "probe-complete")
"""


def _host_pid1() -> str:
    try:
        with open("/proc/1/cmdline", "rb") as f:
            return f.read().split(b"\0")[0].decode(errors="replace").rsplit("/", 1)[-1]
    except OSError:
        return "?"


def probe_layers(backend: SandboxBackend) -> dict[str, bool]:
    """Declared layers of ``backend`` refined by what the probe program observed."""
    declared = dict(backend.layers())
    run = backend.execute(ExecRequest(PROBE_PROGRAM, ("",), Mode.STDIN, None, Limits(timeout_s=10)))[0]
    if run.status is not Status.EXECUTED or run.actual is None or "probe-complete" not in run.actual:
        logger.warning("sandbox probe did not run cleanly (%s: %s)", run.status.value, run.error or run.actual)
        unmeasured = ("seccomp", "no_network", "clean_env", "readonly_root", "pid_namespace")
        return {**declared, **{name: False for name in unmeasured}}
    facts = run.actual.split()
    env = next((f[4:] for f in facts if f.startswith("env=")), "")
    pid1 = next((f[5:] for f in facts if f.startswith("pid1=")), "?")
    measured = {
        "seccomp": declared.get("seccomp", False) and "fork" not in facts and "socket" not in facts,
        "no_network": "socket" not in facts or "interfaces" not in facts,
        "clean_env": all(name in ALLOWED_ENV for name in env.split(",") if name),
        "readonly_root": "writable_root" not in facts,
        "pid_namespace": pid1 not in ("?", _host_pid1()),
    }
    layers = {**declared, **measured}
    logger.info("sandbox layers: %s", ", ".join(f"{k}={'on' if v else 'OFF'}" for k, v in layers.items()))
    return layers
