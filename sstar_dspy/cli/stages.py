"""Shared helpers of the stage-split commands (``generate``, ``select``, ``score``)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from sstar_dspy.candidate import Candidate
from sstar_dspy.cli.common import UsageError, console, env, full_problem_set
from sstar_dspy.cli.progress import slug
from sstar_dspy.errors import ProblemFormatError
from sstar_dspy.runs.candidates import read_candidates
from sstar_dspy.runs.grading import grade
from sstar_dspy.runs.manifest import canonical_hash
from sstar_dspy.runs.record import ProblemRecord, RoleUsage, StageCost, StageSplit
from sstar_dspy.runs.redact import redact
from sstar_dspy.runs.rundir import MANIFEST, RECORDS, read_records
from sstar_dspy.runs.session import data_block
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


def record_from_trace(
    problem: Any,
    index: int,
    trace: dict,
    models: dict[str, str],
    started: float,
    *,
    wall_s: float | None = None,
    **fields: Any,
):
    """A ProblemRecord carrying a stage's trace and its LM usage (``wall_s`` defaults to the time since ``started``)."""
    usage = usage_from_trace(trace, models)
    return ProblemRecord(
        problem_id=problem.id,
        index=index,
        usage=usage,
        total=sum(usage.values(), RoleUsage()),
        wall_s=round(time.perf_counter() - started if wall_s is None else wall_s, 3),
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


def generate_run_of(source: Path) -> Path | None:
    """The ``sstar generate`` run candidates come from: that run's directory or its ``candidates.jsonl``; else None."""
    run = source if source.is_dir() else source.parent if source.name == CANDIDATES_FILE else None
    if run is None or not (run / RECORDS).exists() or not (run / MANIFEST).exists():
        return None
    try:
        kind = json.loads((run / MANIFEST).read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        return None
    return run if kind == "generate" else None


def stage1_costs(source: Path) -> tuple[dict[str, StageCost], Path | None]:
    """Stage-1 cost per problem id from the generate run behind ``source`` ({} and None for external candidates).

    Failed attempts a resume retried (``retried.jsonl``) are not part of the method's cost and are left out.
    """
    run = generate_run_of(source)
    if run is None:
        return {}, None
    costs = {
        r.problem_id: StageCost(usage=r.usage, total=r.total, wall_s=r.wall_s)
        for r in read_records(run / RECORDS)
        if r.status == "ok"
    }
    return costs, run


def with_stage1(record: ProblemRecord, stage1: StageCost | None, source: Path | None) -> ProblemRecord:
    """A stage-2 record with the stage split filled in (unchanged when the stage-1 cost is unknown)."""
    if stage1 is None:
        return record
    stage2 = StageCost(usage=record.usage, total=record.total, wall_s=record.wall_s)
    split = StageSplit.of(stage1, stage2, source=str(source) if source is not None else None)
    return record.model_copy(update={"stages": split})


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


ProblemsOpt = Annotated[
    str,
    typer.Option(
        "--problems",
        "-p",
        envvar=env("problems"),
        help="Suite, file or example:NAME the programs belong to (hidden tests are used only by `score`).",
    ),
]


def stage_problems(
    kind: str,
    source: Path,
    ids: set[str],
    problems_source: str,
    data_dir: Path | None,
    settings: dict[str, Any],
    fmt: str | None = None,
) -> tuple[list[Any], dict[str, Any], Path]:
    """The problems an input file/run covers, the manifest data block, and the default run directory."""
    everything = full_problem_set(problems_source, data_dir=data_dir, fmt=fmt)
    problems = [p for p in everything if p.id in ids]
    unknown = sorted(ids - {p.id for p in problems})
    if not problems:
        raise UsageError(f"{source}: none of its problem ids are in {problems_source} (e.g. {unknown[0]!r})")
    if unknown:
        console.print(f"note: {len(unknown)} problem ids of {source} are not in {problems_source}; skipped")
    data = data_block(problems, source=problems_source, files=getattr(everything, "files", ()))
    target = (
        Path("runs") / f"{kind}_{slug(source.stem or source.name)}_{canonical_hash({'s': settings, 'd': data})[:8]}"
    )
    return problems, data, target
