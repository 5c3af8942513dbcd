"""Grading on ALL tests and the crash-safe JSONL files of ``analyze.py`` (results.jsonl, grades.jsonl).

Example:
    >>> from sstar_dspy.problem import Problem, TestCase
    >>> t = TestCase(input="1\\n", output="1\\n")
    >>> len(all_tests(Problem(id="p", statement="s", public_tests=[t], hidden_tests=[t])))
    1
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from sstar_dspy.problem import Problem, TestCase


def all_tests(problem: Problem) -> list[TestCase]:
    """Public + hidden tests, de-duplicated by (input, output): what LiveCodeBench grades on."""
    seen: set[tuple[str, str | None]] = set()
    tests = []
    for test in [*problem.public_tests, *problem.hidden_tests]:
        if (test.input, test.output) not in seen:
            seen.add((test.input, test.output))
            tests.append(test)
    return tests


def program_key(program: str) -> str:
    return hashlib.sha256(program.encode("utf-8")).hexdigest()[:24]


class Grader:
    """Verdicts {passed (all tests), public_passed} per (problem, program), cached in a JSONL file."""

    def __init__(self, path: Path, sandbox: Any):
        self.path, self.sandbox, self.lock = path, sandbox, threading.Lock()
        self.cache: dict[tuple[str, str], dict[str, bool]] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    self.cache[(row["problem_id"], row["program"])] = {
                        "passed": row["passed"],
                        "public_passed": row["public_passed"],
                    }

    def grade_many(self, problem: Problem, programs: list[str]) -> dict[str, dict[str, bool]]:
        """Verdicts for ``programs`` (keyed by program text); new ones are run in one sandbox batch."""
        from sstar_dspy.sandbox import Job

        todo = sorted({p for p in programs if (problem.id, program_key(p)) not in self.cache})
        runnable = [p for p in todo if p.strip()]
        tests = all_tests(problem)
        public = {(t.input, t.output) for t in problem.public_tests}
        jobs = [Job(program=p, tests=tests, mode=problem.mode, function_name=problem.function_name) for p in runnable]
        results = dict(zip(runnable, self.sandbox.run_many(jobs), strict=True)) if jobs else {}
        rows = []
        for program in todo:
            res = results.get(program)
            ok = [r.passed for r in res] if res else []
            verdict = {
                "passed": bool(res) and all(ok),
                "public_passed": bool(res)
                and all(good for good, t in zip(ok, tests, strict=True) if (t.input, t.output) in public),
            }
            rows.append({"problem_id": problem.id, "program": program_key(program), **verdict})
            self.cache[(problem.id, program_key(program))] = verdict
        if rows:
            append_rows(self.path, rows, self.lock)
        return {p: self.cache[(problem.id, program_key(p))] for p in programs}


def append_rows(path: Path, rows: list[dict[str, Any]], lock: threading.Lock) -> None:
    """Append JSON lines with one write + fsync (a crash leaves at most a torn last line)."""
    payload = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    with lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)


def cut_torn_tail(path: Path) -> None:
    """Drop a torn last line (a crash mid-write), so appended rows start on a line of their own."""
    if path.exists():
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            with path.open("r+b") as handle:
                handle.truncate(data.rfind(b"\n") + 1)


def read_rows(path: Path) -> list[dict[str, Any]]:
    """JSON lines of a results file; a torn last line (crash) is ignored."""
    if not path.exists():
        return []
    rows = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        try:
            rows.append(json.loads(line)) if line.strip() else None
        except json.JSONDecodeError:
            if number != len(lines):
                raise
    return rows
