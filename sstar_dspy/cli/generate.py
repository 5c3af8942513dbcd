"""``sstar generate SOURCE``: stage 1 only - sample and debug candidates into a run dir + ``candidates.jsonl``."""

from __future__ import annotations

import time

import typer

from sstar_dspy.cli.common import console
from sstar_dspy.cli.eval import SourceArg, default_run_dir, load_for_run, start
from sstar_dspy.cli.options import MODEL, PROBLEM_BUDGET, PROGRAM, RUN, Options, with_options
from sstar_dspy.cli.progress import command_line, run_with_progress
from sstar_dspy.cli.stages import export_candidates, grade_all, record_from_trace, trace_json
from sstar_dspy.metric import resolve_graded_on
from sstar_dspy.runs.session import worst_case_calls

NOT_FOR_GENERATE = ("method", "selector", "max_duels")


@with_options(PROGRAM, MODEL, PROBLEM_BUDGET, RUN, exclude=NOT_FOR_GENERATE)
def generate(source: SourceArg, opts: Options) -> None:
    """Generate and debug N candidates per problem (no selection); resumable like eval."""
    models, spec = opts.models(), opts.spec(method="sstar", selector="first")
    model_ids = models.model_ids()
    settings = {**spec.settings(), **models.settings(), "models": model_ids, "stage": "generate"}
    settings.pop("selector", None)
    everything, problems, data = load_for_run(source, opts)
    config = {"s": settings, "d": data}
    target = opts.run_dir or default_run_dir(source, "candidates", model_ids["generator"], config, "generate")
    program = start(everything, spec, problems, target, opts, settings, data, "generate")
    if program is None:
        return

    def solve(problem, index):
        started = time.perf_counter()
        candidates, trace = program.generate_candidates(problem)
        wall = time.perf_counter() - started  # grading is not part of the method's time
        passed = grade_all(problem, [c.program for c in candidates])
        return record_from_trace(
            problem,
            index,
            trace_json(trace),
            model_ids,
            started,
            wall_s=wall,
            candidates_passed=passed,
            graded_on=resolve_graded_on() if passed else None,
        )

    run_with_progress(
        problems,
        run_dir=target,
        label="generate",
        solve=solve,
        settings=settings,
        data=data,
        models=model_ids,
        command=command_line(),
        concurrency=opts.concurrency,
        budget=opts.run_budget(),
        kind="generate",
        problem_timeout=opts.problem_timeout,
        retry_errors=opts.retry_errors,
        problem_calls=worst_case_calls(program, roles=("generator", "debugger")),
        runtime=opts.runtime(),
    )
    console.print(f"candidates: {export_candidates(target)}")


def register(app: typer.Typer) -> None:
    """Add ``sstar generate`` to the app."""
    app.command("generate")(generate)
