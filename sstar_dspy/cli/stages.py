"""Shared helpers of the stage-split commands (``generate``, ``select``, ``score``)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from sstar_dspy.candidate import Candidate
from sstar_dspy.cli.common import UsageError
from sstar_dspy.errors import ProblemFormatError
from sstar_dspy.runs.candidates import read_candidates
from sstar_dspy.runs.grading import grade
from sstar_dspy.runs.record import ProblemRecord, RoleUsage
from sstar_dspy.runs.redact import redact
from sstar_dspy.runs.rundir import RECORDS, read_records
from sstar_dspy.runs.solve import budget_stop_from_trace, usage_from_trace

CANDIDATES_FILE = "candidates.jsonl"


def trace_json(trace: Any) -> dict[str, Any]:
    return trace.model_dump(mode="json")


def grade_all(problem: Any, programs: list[str], sandbox: Any = None) -> list[bool]:
    """Hidden verdict per program (identical programs graded once); [] for ungradable problems."""
    if not problem.gradable:
        return []
    cache: dict[str, bool] = {}
    for code in programs:
        if code not in cache:
            cache[code] = bool(grade(problem, code, sandbox).passed)
    return [cache[code] for code in programs]


def record_from_trace(problem: Any, index: int, trace: dict, models: dict[str, str], started: float, **fields: Any):
    """A ProblemRecord carrying a stage's trace and its LM usage."""
    usage = usage_from_trace(trace, models)
    return ProblemRecord(
        problem_id=problem.id,
        index=index,
        usage=usage,
        total=sum(usage.values(), RoleUsage()),
        wall_s=round(time.perf_counter() - started, 3),
        budget_stop=budget_stop_from_trace(trace),
        trace=trace,
        **fields,
    )


def export_candidates(run_dir: Path) -> Path:
    """Write ``candidates.jsonl`` (one Candidate per line + problem_id) from a generate run's records, atomically."""
    rows = []
    for record in read_records(run_dir / RECORDS):
        candidates = (record.trace or {}).get("candidates") or []
        for cand in candidates:
            rows.append(json.dumps(redact({"problem_id": record.problem_id, "batch_size": len(candidates), **cand})))
    target = run_dir / CANDIDATES_FILE
    tmp = run_dir / f".{CANDIDATES_FILE}.tmp"
    tmp.write_text("".join(r + "\n" for r in rows), encoding="utf-8")
    os.replace(tmp, target)
    return target


def load_candidates(source: Path) -> dict[str, list[Candidate]]:
    """Candidates from a candidate JSONL file or a ``sstar generate`` run directory."""
    if source.is_dir():
        if not (source / RECORDS).exists():
            raise UsageError(
                f"{source}: not a run directory (no {RECORDS}); pass a candidates .jsonl or a generate run"
            )
        groups: dict[str, list[Candidate]] = {}
        for record in read_records(source / RECORDS):
            cands = (record.trace or {}).get("candidates") or []
            groups[record.problem_id] = [Candidate.model_validate(c) for c in cands]
        return groups
    return read_candidates(source)


def looks_like_candidates(path: Path) -> bool:
    """True for candidate files: lines with index/rounds/batch_size, or several programs for one problem id."""
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except FileNotFoundError:
        raise ProblemFormatError("no such file", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProblemFormatError(f"cannot read ({exc})", path=str(path)) from None
    ids: list[str] = []
    for number, line in enumerate(lines, start=1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines):
                break  # a torn last line is handled by the readers
            raise ProblemFormatError(f"not JSON ({exc.msg})", path=str(path), line=number) from None
        if not isinstance(row, dict):
            raise ProblemFormatError("expected a JSON object per line", path=str(path), line=number)
        if number == 1 and "status" not in row and any(k in row for k in ("batch_size", "rounds", "index")):
            return True
        ids.append(str(row.get("problem_id")))
    return len(ids) != len(set(ids))
