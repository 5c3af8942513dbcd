"""Throughput of execution mechanisms on the same programs and tests (tests per second).

Mechanisms (all sequential, one worker, unless the row says otherwise):

* ``sstar-sandbox``: this package's :class:`~sstar_dspy.sandbox.Sandbox` in strict mode, so with every
  isolation layer on (warm fork servers as uid 65534 in their own user/pid/net/mount namespaces, Landlock,
  seccomp, rlimits, cleared env; the benchmark refuses to run if one is missing); cache off.
* ``subprocess/test``: ``python sol.py`` per test (``sys.executable``, with ``site``), as a naive
  harness or SandboxFusion's ``isolation: none`` would do.
* ``lcb``: a re-implementation of LiveCodeBench's mechanism (``lcb_runner/evaluation/testing_util.py``):
  per candidate a ``multiprocessing.Manager`` and one ``Process`` that runs *all* its tests in-process,
  the program wrapped into a function, ``signal.alarm`` per test, stdin patched with ``StringIO``
  (``mock.patch``), stdout captured, LCB's line rule (exact, then ``Decimal``), stop at the first
  failure, and one ``append`` of the results to the Manager list (as ``_temp_run``).
* ``sstar-ref``: the S* reference mechanism (SkyThought ``live_code_bench_execute.py``): a
  ``Manager`` plus a ``Process`` for every single test.

Rows marked "2 workers"/"2 parallel" run two candidates (or calls) at a time: compare like with like
(1 with 1, 2 with 2); the ratio columns are relative to the sequential ``lcb`` and ``sstar-ref`` rows.
With fewer workers than CPUs a sandbox worker prepares the next test's process while the current
test runs (it can then keep a second core busy): the CPU columns do not depend on that.

Every mechanism gets the same candidates and tests; the table also shows how many tests each one
passed (the in-process mechanisms cannot serve ``sys.stdin.buffer``). Rounds rotate the order of the
mechanisms; the table reports the median over rounds.

Usage:
    python eval/bench_sandbox.py --rounds 3 --out eval/results/sandbox_bench.md
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import multiprocessing
import os
import platform
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from sstar_dspy.problem import TestCase  # noqa: E402
from sstar_dspy.sandbox import Job, Limits, Sandbox, Status  # noqa: E402
from sstar_dspy.sandbox._harness import PRELUDE  # noqa: E402
from sstar_dspy.sandbox.compare import get_comparator  # noqa: E402

TIMEOUT_S = 6
COMPARE = get_comparator("lcb")

CANDIDATES = {
    "sum_input": ("n = int(input())\na = list(map(int, input().split()))\nprint(sum(a))", lambda a: sum(a)),
    "sum_buffer": (
        "import sys\ndata = sys.stdin.buffer.read().split()\nprint(sum(map(int, data[1:])))",
        lambda a: sum(a),
    ),
    "max_main_guard": (
        "def main():\n    input()\n    print(max(map(int, input().split())))\n\nif __name__ == '__main__':\n    main()",
        lambda a: max(a),
    ),
    "sorted": ("input()\nprint(*sorted(map(int, input().split())))", lambda a: " ".join(map(str, sorted(a)))),
    "distinct": ("input()\nprint(len(set(input().split())))", lambda a: len(set(a))),
    "kadane": (
        "input()\nbest = cur = -10**18\nfor x in map(int, input().split()):\n"
        "    cur = max(x, cur + x)\n    best = max(best, cur)\nprint(best)",
        None,
    ),
    "gcd_all": ("import math\ninput()\nprint(math.gcd(*map(int, input().split())))", None),
    "readline": (
        "import sys\nsys.stdin.readline()\nprint(sum(int(x) % 7 for x in sys.stdin.readline().split()))",
        lambda a: sum(x % 7 for x in a),
    ),
}


def make_tests(rng: random.Random, count: int, size: int) -> list[list[int]]:
    return [[rng.randint(-1000, 1000) for _ in range(size)] for _ in range(count)]


def reference_output(name: str, values: list[int]) -> str:
    import math

    if name == "kadane":
        best = cur = -(10**18)
        for x in values:
            cur = max(x, cur + x)
            best = max(best, cur)
        return str(best)
    if name == "gcd_all":
        return str(math.gcd(*values))
    return str(CANDIDATES[name][1](values))


# -- mechanism 1: this engine ---------------------------------------------------------------------
def run_sstar(jobs: list[Job], sandbox: Sandbox) -> list[list[bool]]:
    return [[r.status is Status.PASSED for r in results] for results in sandbox.run_many(jobs)]


# -- mechanism 2: a new interpreter per test -----------------------------------------------------
def run_subprocess(jobs: list[Job]) -> list[list[bool]]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, job in enumerate(jobs):
            path = os.path.join(tmp, f"sol{index}.py")
            with open(path, "w") as handle:
                handle.write(job.program)
            row = []
            for test in job.tests:
                try:
                    proc = subprocess.run(
                        [sys.executable, path], input=test.input, capture_output=True, text=True, timeout=TIMEOUT_S
                    )
                    row.append(proc.returncode == 0 and COMPARE.equal(proc.stdout, test.output, "stdin"))
                except subprocess.TimeoutExpired:
                    row.append(False)
            out.append(row)
    return out


# -- mechanisms 3 and 4: LiveCodeBench / S* reference style --------------------------------------
def _clean_if_name(code: str) -> str:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.If) and "__name__" in ast.unparse(last.test) and "__main__" in ast.unparse(last.test):
        tree.body = tree.body[:-1] + last.body
    return ast.unparse(tree)


def _make_function(code: str) -> str:
    tree = ast.parse(code)
    imports = [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
    others = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom))]
    function = ast.FunctionDef(
        name="wrapped_function",
        args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=others or [ast.Pass()],
        decorator_list=[],
        lineno=-1,
    )
    body = ast.unparse(ast.Module(body=[*imports, function], type_ignores=[]))
    return PRELUDE + "\nsys.setrecursionlimit(50000)\n" + body


def _alarm(signum, frame):
    raise TimeoutError


def _call_with_patched_stdin(method, inputs: str) -> str:
    lines = iter(inputs.split("\n"))
    captured = io.StringIO()
    with (
        mock.patch("builtins.open", mock.mock_open(read_data=inputs)),
        mock.patch("sys.stdin", io.StringIO(inputs)),
        mock.patch("sys.stdin.readline", lambda *a: next(lines)),
        mock.patch("sys.stdin.readlines", lambda *a: inputs.split("\n")),
        mock.patch("sys.stdin.read", lambda *a: inputs),
        contextlib.redirect_stdout(captured),
    ):
        try:
            method()
        except SystemExit:
            pass
    return captured.getvalue()


def _lcb_child(program: str, inputs: list[str], expected: list[str], results) -> None:
    """LCB's ``_temp_run``: all tests in this process, then one ``append`` to the Manager list (one IPC call)."""
    signal.signal(signal.SIGALRM, _alarm)
    try:
        namespace: dict = {"__name__": "tmp_sol"}
        exec(_make_function(_clean_if_name(program)), namespace)  # noqa: S102 - benchmark of the mechanism
        method = namespace["wrapped_function"]
    except Exception:  # noqa: BLE001 - compile error: every test fails
        results.extend([False] * len(inputs))
        return
    local: list[bool] = []
    for text, want in zip(inputs, expected, strict=True):
        signal.alarm(TIMEOUT_S)
        try:
            output = _call_with_patched_stdin(method, text)
            local.append(COMPARE.equal(output, want, "stdin"))  # LCB's grade_stdio rule (exact lines, then Decimal)
        except BaseException:  # noqa: BLE001 - LCB stops at the first failure
            local.append(False)
            break
        finally:
            signal.alarm(0)
        if not local[-1]:
            break  # LCB returns at the first wrong answer too
    results.extend(local)


def _run_managed(program: str, tests: list[TestCase]) -> list[bool]:
    manager = multiprocessing.Manager()
    try:
        results = manager.list()
        proc = multiprocessing.Process(
            target=_lcb_child, args=(program, [t.input for t in tests], [t.output for t in tests], results)
        )
        proc.start()
        proc.join(timeout=(TIMEOUT_S + 1) * len(tests) + 5)
        if proc.is_alive():
            proc.kill()
            proc.join()
        got = list(results)
    finally:
        manager.shutdown()
    return got + [False] * (len(tests) - len(got))


def run_lcb(jobs: list[Job], parallel: int = 1) -> list[list[bool]]:
    """LCB: candidates in parallel (its harness uses a process pool), one managed process per candidate."""
    with ThreadPoolExecutor(parallel) as pool:
        return list(pool.map(lambda job: _run_managed(job.program, list(job.tests)), jobs))


def run_sstar_reference(jobs: list[Job], parallel: int = 1) -> list[list[bool]]:
    """S* reference: one managed process per test; ``parallel`` calls at a time."""
    calls = [(job.program, test) for job in jobs for test in job.tests]
    with ThreadPoolExecutor(parallel) as pool:
        flat = list(pool.map(lambda call: _run_managed(call[0], [call[1]])[0], calls))
    out, index = [], 0
    for job in jobs:
        out.append(flat[index : index + len(job.tests)])
        index += len(job.tests)
    return out


# -- CPU accounting (robust to a loaded machine, unlike wall time) ---------------------------------
def _proc_cpu(pid: int) -> tuple[float, int]:
    """(utime + stime + cutime + cstime in seconds, parent pid) of one process."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / ticks, int(fields[1])


def tree_cpu(roots: list[int]) -> float:
    """CPU seconds used so far by the process trees under ``roots`` (live processes plus reaped children)."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                table[int(entry)] = _proc_cpu(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    children: dict[int, list[int]] = {}
    for pid, (_, ppid) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, stack = 0.0, [r for r in roots if r in table]
    while stack:
        pid = stack.pop()
        total += table[pid][0]
        stack.extend(children.get(pid, []))
    return total


def own_cpu() -> float:
    """CPU seconds of this process and of its reaped children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


# -- driver ---------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tests", type=int, default=10, help="tests per candidate")
    parser.add_argument("--size", type=int, default=100, help="integers per test input")
    parser.add_argument("--out", default=None, help="also write the markdown table here")
    args = parser.parse_args()

    rng = random.Random(0)
    jobs = []
    for name, (program, _) in CANDIDATES.items():
        tests = [
            TestCase(input=f"{len(v)}\n{' '.join(map(str, v))}\n", output=reference_output(name, v))
            for v in make_tests(rng, args.tests, args.size)
        ]
        jobs.append(Job(program, tests, "stdin"))
    total = sum(len(job.tests) for job in jobs)

    limits = Limits(timeout_s=TIMEOUT_S)
    sandbox1 = Sandbox(limits=limits, workers=1, cache=False, strict=True)  # every layer on, or it refuses
    sandbox2 = Sandbox(limits=limits, workers=2, cache=False, strict=True)
    layers = sandbox1.layers()
    warm_up = [Job(f"print({i})", [TestCase(input="")], "stdin") for i in range(4)]
    sandbox1.run_many(warm_up)
    sandbox2.run_many(warm_up)  # start both workers outside the timed rounds (a one-off ~50 ms each)
    methods = {
        "sstar-sandbox (1 worker)": lambda: run_sstar(jobs, sandbox1),
        "sstar-sandbox (2 workers)": lambda: run_sstar(jobs, sandbox2),
        "subprocess/test": lambda: run_subprocess(jobs),
        "lcb": lambda: run_lcb(jobs),
        "lcb (2 parallel)": lambda: run_lcb(jobs, parallel=2),
        "sstar-ref": lambda: run_sstar_reference(jobs),
        "sstar-ref (2 parallel)": lambda: run_sstar_reference(jobs, parallel=2),
    }
    workers = {
        "sstar-sandbox (1 worker)": sandbox1.backend.worker_pids,
        "sstar-sandbox (2 workers)": sandbox2.backend.worker_pids,
    }
    timings: dict[str, list[float]] = {name: [] for name in methods}
    cpu: dict[str, list[float]] = {name: [] for name in methods}
    passed: dict[str, int] = {}
    names = list(methods)
    for round_index in range(args.rounds):
        order = names[round_index % len(names) :] + names[: round_index % len(names)]
        for name in order:
            roots = workers.get(name, list)()
            cpu_start = own_cpu() + tree_cpu(roots)
            start = time.perf_counter()
            outcome = methods[name]()
            timings[name].append(time.perf_counter() - start)
            cpu[name].append(own_cpu() + tree_cpu(workers.get(name, list)()) - cpu_start)
            passed[name] = sum(sum(row) for row in outcome)
            print(f"round {round_index + 1} {name}: {timings[name][-1]:.2f} s", file=sys.stderr)
    sandbox1.close()
    sandbox2.close()

    rate = {name: total / statistics.median(times) for name, times in timings.items()}
    lines = [
        f"Command: `python eval/bench_sandbox.py --rounds {args.rounds} --tests {args.tests} --size {args.size}`",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average at end {os.getloadavg()[0]:.1f}",
        f"Workload: {len(jobs)} candidates x {args.tests} tests = {total} tests per round, {args.rounds} rounds "
        f"(median), timeout {TIMEOUT_S} s",
        "Active sandbox layers (strict mode: all required): " + ", ".join(k for k, v in layers.items() if v),
        "Missing sandbox layers: " + (", ".join(k for k, v in layers.items() if not v) or "none"),
        "",
        "| mechanism | tests/s | ms/test (wall) | x sstar-ref | x lcb | CPU ms/test | CPU x sstar-ref | CPU x lcb "
        "| passed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    cpu_ms = {name: 1000 * statistics.median(values) / total for name, values in cpu.items()}
    for name in names:
        lines.append(
            f"| {name} | {rate[name]:.1f} | {1000 / rate[name]:.1f} | {rate[name] / rate['sstar-ref']:.1f} | "
            f"{rate[name] / rate['lcb']:.1f} | {cpu_ms[name]:.1f} | {cpu_ms['sstar-ref'] / cpu_ms[name]:.1f} | "
            f"{cpu_ms['lcb'] / cpu_ms[name]:.1f} | {passed[name]}/{total} |"
        )
    lines += [
        "",
        "tests/s = tests / median wall time of a round. CPU ms/test = CPU time of every process involved (this one, "
        "its reaped children, and the sandbox workers with their test processes) / tests: it does not depend on how "
        "busy the machine is. `x` columns = throughput (or CPU efficiency) relative to that mechanism.",
    ]
    table = "\n".join(lines)
    print(table)
    if args.out:
        with open(args.out, "w") as handle:
            handle.write("# Sandbox throughput benchmark\n\n" + table + "\n")


if __name__ == "__main__":
    main()
