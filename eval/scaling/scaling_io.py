"""Grading on ALL tests, the crash-safe JSONL files of ``analyze.py`` (results/grades) and its analysis.json.

Example:
    >>> program_key("print(1)") == program_key("print(1)") != program_key("print(2)")
    True
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from sstar_dspy.metric import grading_tests
from sstar_dspy.problem import Problem


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
        tests = grading_tests(problem, "all")  # public + hidden, identical tests once: as LiveCodeBench
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


def run_settings(path: Path, block: str | None, keys: tuple[str, ...]) -> dict[str, Any]:
    """A few settings from a run's manifest / settings file ({} when it is missing), for the report header."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    data = data.get(block, {}) if block else data
    return {k: data.get(k) for k in keys}


def describe(args: argparse.Namespace, total: int, sizes: list[int], methods: list[str], problems: list) -> dict:
    """analysis.json: the config a resume must keep (``config``) and what the report header shows."""
    config = {"run_dir": str(args.run_dir.resolve()), "plain": str(args.plain.resolve()) if args.plain else None}
    config.update(model=args.model, judge_model=args.judge_model, variant=args.variant, max_duels=args.max_duels)
    config["max_tokens"] = args.max_tokens
    meta = {"config": config, "run_dir": str(args.run_dir), "plain": str(args.plain) if args.plain else None}
    meta.update(samples=total, sizes=sizes, methods=methods, problems=[p.id for p in problems], model=args.model)
    meta.update(judge_model=args.judge_model, variant=args.variant, max_duels=args.max_duels)
    meta["stage1"] = run_settings(args.run_dir / "manifest.json", "settings", ("n", "rounds", "temperature", "models"))
    if args.plain:
        plain_dir = args.plain if args.plain.is_dir() else args.plain.parent
        meta["plain_settings"] = run_settings(plain_dir / "settings.json", None, ("model", "form", "n", "temperature"))
    return meta


def changed_config(path: Path, config: dict[str, Any]) -> list[str]:
    """Config keys that differ from the results directory's earlier session (rows must not mix settings)."""
    if not path.exists():
        return []
    old = json.loads(path.read_text()).get("config", {})
    return [f"{k}: {old[k]!r} -> {v!r}" for k, v in config.items() if k in old and old[k] != v]
