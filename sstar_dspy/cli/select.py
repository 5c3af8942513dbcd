"""``sstar select CANDIDATES --problems SOURCE``: stage 2 only, over any candidate JSONL or a generate run."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from sstar_dspy.cli.common import DataDirOpt, FormatOpt, UsageError, console
from sstar_dspy.cli.options import (
    MODEL,
    PROBLEM_BUDGET,
    PROGRAM,
    ConcurrencyOpt,
    Options,
    RetryErrorsOpt,
    RunDirOpt,
    with_options,
)
from sstar_dspy.cli.progress import command_line, run_with_progress
from sstar_dspy.cli.stages import (
    ProblemsOpt,
    load_candidates,
    record_from_trace,
    stage1_costs,
    stage_problems,
    trace_json,
    with_stage1,
)
from sstar_dspy.runs.manifest import canonical_hash, file_sha256
from sstar_dspy.runs.session import precheck

NOT_FOR_SELECT = ("method", "n", "rounds", "max_problem_cost", "prompt_form")


@with_options(PROGRAM, MODEL, PROBLEM_BUDGET, exclude=NOT_FOR_SELECT, defaults={"selector": "adaptive"})
def select(
    candidates: Annotated[
        Path, typer.Argument(help="Candidate JSONL (ours or another system's) or a generate run dir.")
    ],
    problems_source: ProblemsOpt,
    opts: Options,
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = None,
    run_dir: RunDirOpt = None,
    concurrency: ConcurrencyOpt = 2,
    retry_errors: RetryErrorsOpt = True,
) -> None:
    """Pick one program per problem from existing candidates; grade the result with `sstar score`."""
    groups = load_candidates(candidates)
    if not groups:
        raise UsageError(f"{candidates}: no complete candidate groups found")
    models = opts.models()
    model_ids = models.model_ids()
    spec = opts.spec(method="sstar", n=max(len(c) for c in groups.values()), rounds=0)
    source_hash = file_sha256(candidates) if candidates.is_file() else canonical_hash(sorted(groups))
    settings = {
        **spec.settings(),
        **models.settings(),
        "models": model_ids,
        "stage": "select",
        "candidates": str(candidates.resolve()),
        "candidates_sha256": source_hash,
    }
    problems, data, default = stage_problems(
        "select", candidates, set(groups), problems_source, data_dir, settings, fmt
    )
    target = run_dir or default
    precheck(target, settings=settings, data=data, kind="select")
    program = spec.build(lms=models.build())

    stage1, generate_run = stage1_costs(candidates)
    if generate_run is None:
        console.print(f"note: {candidates} is not from an `sstar generate` run; reports show the stage-2 cost only")

    def solve(problem, index):
        started = time.perf_counter()
        pred = program.select(problem, groups[problem.id])
        record = record_from_trace(problem, index, trace_json(pred.trace), model_ids, started, program=pred.program)
        return with_stage1(record, stage1.get(problem.id), generate_run)

    run_with_progress(
        problems,
        run_dir=target,
        label=f"select {spec.selector}",
        solve=solve,
        settings=settings,
        data=data,
        models=model_ids,
        command=command_line(),
        concurrency=concurrency,
        kind="select",
        runtime={"concurrency": concurrency, "retry_errors": retry_errors},
        retry_errors=retry_errors,
    )
    console.print(f"next: sstar score {target} --problems {problems_source}")


def register(app: typer.Typer) -> None:
    """Add ``sstar select`` to the app."""
    app.command("select")(select)
