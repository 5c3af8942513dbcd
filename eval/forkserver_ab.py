"""Interleaved A/B of fork-server versions: CPU and page faults per test, as the profile in sandbox_bench.md.

Each argument is a directory holding a copy of the ``sstar_dspy`` package (for a commit:
``mkdir /tmp/base && git archive <commit> sstar_dspy | tar -x -C /tmp/base``). For each one a fork server
is started as that version's backend starts it (its environment and bubblewrap options, ``-S`` when its
``local.py`` uses it), warmed up, and fed the benchmark's 8 candidates x 10 tests in rounds that alternate
between the versions (so a busy machine slows them alike). Reported per test: CPU of the server and its
test processes (``/proc``, clock ticks), minor page faults (server plus reaped test processes), and wall
time of the round; medians over all rounds of ``--servers`` servers per version (where objects land in
memory, and so how many pages a test copies, varies a little from one server start to the next).

Usage:
    python eval/forkserver_ab.py --rounds 16 /tmp/base .
    python eval/forkserver_ab.py --rounds 16 --pipeline /tmp/base .   # as the 1-worker row
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_sandbox  # noqa: E402

LIMITS = {"timeout_s": bench_sandbox.TIMEOUT_S, "memory_mb": 1024, "output_bytes": 1 << 20}


def requests(pipeline: bool, tests: int, size: int) -> list[dict]:
    rng = random.Random(0)
    out = []
    for program, _ in bench_sandbox.CANDIDATES.values():
        inputs = [f"{len(v)}\n{' '.join(map(str, v))}\n" for v in bench_sandbox.make_tests(rng, tests, size)]
        out.append({"op": "run", "code": program, "mode": "stdin", "fn": None, "inputs": inputs, "limits": LIMITS})
        out[-1]["pipeline"] = pipeline
    return out


class Version:
    """One fork server started from the package copy under ``root``."""

    def __init__(self, root: str, work: list[dict]):
        self.root, self.work = os.path.abspath(root), work
        sandbox_dir = os.path.join(self.root, "sstar_dspy", "sandbox")
        sys.path.insert(0, self.root)
        for name in [m for m in sys.modules if m.startswith("sstar_dspy")]:
            del sys.modules[name]  # import this version's package, not one imported before
        try:  # the version's own environment and confinement (bubblewrap before the kernel-API confinement)
            from sstar_dspy.sandbox.local import CHILD_ENV

            env = dict(CHILD_ENV)
            try:
                from sstar_dspy.sandbox.bwrap import bwrap_command

                prefix, extra = bwrap_command(env, sandbox_dir) or [], []
            except ImportError:
                from sstar_dspy.sandbox.allowlist import sandbox_config

                prefix, extra = [], ["--config", json.dumps(sandbox_config(sandbox_dir))]
        finally:
            sys.path.remove(self.root)
            for name in [m for m in sys.modules if m.startswith("sstar_dspy")]:
                del sys.modules[name]
        with open(os.path.join(sandbox_dir, "local.py")) as handle:
            flags = ["-I", "-S"] if '"-S"' in handle.read() else ["-I"]
        server = os.path.join(sandbox_dir, "_forkserver.py")
        argv = [*prefix, sys.executable, *flags, server, *(["--pid-namespace"] if prefix else []), *extra]
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, start_new_session=True
        )
        self.call({"op": "hello"}, 1)
        for request in work:
            self.call(request, len(request["inputs"]))
        self.server_pid = self._find_server()
        self.cpu_ms: list[float] = []
        self.faults: list[float] = []
        self.wall_ms: list[float] = []

    def _find_server(self) -> int:
        pid = self.proc.pid
        while True:
            with open(f"/proc/{pid}/comm") as handle:
                is_python = handle.read().startswith("python")
            with open(f"/proc/{pid}/status") as handle:
                nspid = next(line.split()[1:] for line in handle if line.startswith("NSpid:"))
            if is_python and (len(nspid) > 1 or "--config" not in open(f"/proc/{pid}/cmdline").read()):
                return pid  # the fork server (pid 1 of its namespace when it confines itself)
            with open(f"/proc/{pid}/task/{pid}/children") as handle:
                pid = int(handle.read().split()[0])

    def call(self, request: dict, replies: int) -> None:
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        self.proc.stdin.flush()
        for _ in range(replies):
            reply = json.loads(self.proc.stdout.readline())
            if request["op"] == "run" and reply["status"] != "executed":
                raise RuntimeError(f"{self.root}: unexpected reply {reply}")

    def _counters(self) -> tuple[int, float]:
        with open(f"/proc/{self.server_pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        cpu = sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
        return int(fields[7]) + int(fields[8]), cpu

    def measure_round(self) -> None:
        tests = sum(len(r["inputs"]) for r in self.work)
        faults, cpu = self._counters()
        start = time.perf_counter()
        for request in self.work:
            self.call(request, len(request["inputs"]))
        wall = time.perf_counter() - start
        faults_after, cpu_after = self._counters()
        self.cpu_ms.append(1000 * (cpu_after - cpu) / tests)
        self.faults.append((faults_after - faults) / tests)
        self.wall_ms.append(1000 * wall / tests)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("roots", nargs="+", help="directories holding a copy of the sstar_dspy package")
    parser.add_argument("--rounds", type=int, default=16)
    parser.add_argument("--tests", type=int, default=10, help="tests per candidate")
    parser.add_argument("--size", type=int, default=100, help="integers per test input")
    parser.add_argument("--pipeline", action="store_true", help="prepare the next test ahead (the 1-worker row)")
    parser.add_argument(
        "--servers", type=int, default=2, help="servers per version (page faults vary by ~5 between server starts)"
    )
    args = parser.parse_args()
    for root in args.roots:
        if not os.path.isfile(os.path.join(root, "sstar_dspy", "sandbox", "_forkserver.py")):
            parser.error(f"{root} holds no sstar_dspy/sandbox/_forkserver.py: pass a checkout or package copy")
    work = requests(args.pipeline, args.tests, args.size)
    versions = [Version(root, work) for _ in range(args.servers) for root in args.roots]
    try:
        for index in range(args.rounds):
            for version in versions if index % 2 == 0 else versions[::-1]:
                version.measure_round()
    finally:
        for version in versions:
            version.close()
    print(f"{args.rounds} rounds, pipeline={args.pipeline}, load average {os.getloadavg()[0]:.2f}")
    print("| version | CPU ms/test (median) | CPU ms/test (lower quartile) | page faults/test | wall ms/test |")
    print("|---|---|---|---|---|")
    for root in dict.fromkeys(version.root for version in versions):
        mine = [version for version in versions if version.root == root]
        cpu = [x for version in mine for x in version.cpu_ms]
        faults = [x for version in mine for x in version.faults]
        wall = [x for version in mine for x in version.wall_ms]
        quartile = statistics.quantiles(cpu, n=4)[0]
        print(
            f"| {root} | {statistics.median(cpu):.2f} | {quartile:.2f} | {statistics.median(faults):.0f} | "
            f"{statistics.median(wall):.2f} |"
        )


if __name__ == "__main__":
    main()
