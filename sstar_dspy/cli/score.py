"""``sstar score INPUT --problems SOURCE``: grade programs on all tests, public + hidden (ours or another system's).

``SSTAR_GRADE_ON=hidden`` grades on hidden tests only. Scoring an older run re-grades it under the current rule.

INPUT is a run directory (eval/select/generate), a records JSONL, a JSONL of ``{"problem_id", "program"}``
selections, or a candidate JSONL (then every candidate is graded: oracle pass@N and coverage@k).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from sstar_dspy.candidate import Candidate
from sstar_dspy.cli.common import DataDirOpt, FormatOpt, UsageError, console
from sstar_dspy.cli.options import ConcurrencyOpt, RetryErrorsOpt, RunDirOpt
from sstar_dspy.cli.progress import command_line, run_with_progress
from sstar_dspy.cli.stages import ProblemsOpt, grade_all, looks_like_candidates, stage_problems
from sstar_dspy.metric import resolve_graded_on
from sstar_dspy.runs.candidates import read_candidates
from sstar_dspy.runs.grading import grade
from sstar_dspy.runs.manifest import canonical_hash, file_sha256
from sstar_dspy.runs.record import ProblemRecord
from sstar_dspy.runs.rundir import RECORDS, read_records
from sstar_dspy.runs.summary import load_run


def _inputs(path: Path) -> tuple[dict[str, ProblemRecord], dict[str, list[Candidate]], str]:
    if path.is_dir():
        if not (path / RECORDS).exists():
            raise UsageError(f"{path}: not a run directory (no {RECORDS})")
        records = read_records(path / RECORDS)
        return {r.problem_id: r for r in records}, {}, canonical_hash([r.comparable() for r in records])
    if looks_like_candidates(path):
        return {}, read_candidates(path), file_sha256(path)
    return {r.problem_id: r for r in read_records(path)}, {}, file_sha256(path)


def score(
    source: Annotated[Path, typer.Argument(help="Run dir, records/selections JSONL, or candidate JSONL.")],
    problems_source: ProblemsOpt,
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = None,
    run_dir: RunDirOpt = None,
    concurrency: ConcurrencyOpt = 2,
    retry_errors: RetryErrorsOpt = True,
) -> None:
    """Grade chosen programs (and candidates) on the hidden tests into a new run directory."""
    records, groups, input_hash = _inputs(source)
    ids = set(records) | set(groups)
    if not ids:
        raise UsageError(f"{source}: nothing to score")
    method, models = f"external:{source.stem}", {}
    upstream = load_run(source).manifest if source.is_dir() else None
    if upstream is not None:
        method, models = str(upstream.settings.get("method", upstream.kind)), upstream.models
        if upstream.kind == "select":
            method = f"select:{upstream.settings.get('selector', {}).get('name', '?')}"
    choices = upstream is None or upstream.kind != "generate"
    settings = {"stage": "score", "method": method, "input": str(source.resolve()), "input_sha256": input_hash}
    problems, data, default = stage_problems("score", source, ids, problems_source, data_dir, settings, fmt)
    target = run_dir or default

    rule = resolve_graded_on()

    def solve(problem, index):
        started = time.perf_counter()
        old = records.get(problem.id)
        if old is not None:
            cands = [c.get("program", "") for c in ((old.trace or {}).get("candidates") or [])]
            if not choices:  # a generate run chose nothing: grade its candidates only
                update = {"index": index, "candidates_passed": grade_all(problem, cands), "graded_on": rule}
                return old.model_copy(update=update)
            verdict = grade(problem, old.program, graded_on=rule)
            return old.model_copy(
                update={
                    "index": index,
                    **verdict.record_fields(),
                    "candidates_passed": grade_all(problem, cands) or old.candidates_passed,
                }
            )
        programs = [c.program for c in groups[problem.id]]
        return ProblemRecord(
            problem_id=problem.id,
            index=index,
            candidates_passed=grade_all(problem, programs),
            hidden_total=len(problem.hidden_tests),
            graded_on=rule if problem.gradable else None,
            wall_s=round(time.perf_counter() - started, 3),
        )

    run_with_progress(
        problems,
        run_dir=target,
        label="score",
        solve=solve,
        settings=settings,
        data=data,
        models=models,
        command=command_line(),
        concurrency=concurrency,
        kind="score",
        runtime={"concurrency": concurrency, "retry_errors": retry_errors},
        retry_errors=retry_errors,
    )
    console.print(f"next: sstar report {target}")


def register(app: typer.Typer) -> None:
    """Add ``sstar score`` to the app."""
    app.command("score")(score)
