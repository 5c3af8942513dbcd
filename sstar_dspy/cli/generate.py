"""``sstar generate SOURCE``: stage 1 only - sample and debug candidates into a run dir + ``candidates.jsonl``."""

from __future__ import annotations

import time

import typer

from sstar_dspy.cli import programs as P  # noqa: N812
from sstar_dspy.cli.common import (
    ApiBaseOpt,
    ApiKeyOpt,
    DataDirOpt,
    JudgeModelOpt,
    LimitOpt,
    MaxTokensOpt,
    ModelOpt,
    ModelSettings,
    TemperatureOpt,
    console,
    full_problem_set,
)
from sstar_dspy.cli.eval import (
    ConcurrencyOpt,
    DryRunOpt,
    MaxRunCallsOpt,
    MaxRunTokensOpt,
    RunDirOpt,
    SourceArg,
    default_run_dir,
)
from sstar_dspy.cli.progress import command_line, run_with_progress
from sstar_dspy.cli.stages import export_candidates, grade_all, record_from_trace, trace_json
from sstar_dspy.runs.budget import RunBudget
from sstar_dspy.runs.session import data_block, precheck


def generate(
    source: SourceArg,
    n: P.NOpt = None,
    rounds: P.RoundsOpt = None,
    variant: P.VariantOpt = None,
    seed: P.SeedOpt = 0,
    threads: P.ThreadsOpt = 4,
    model: ModelOpt = None,
    api_base: ApiBaseOpt = None,
    api_key: ApiKeyOpt = None,
    temperature: TemperatureOpt = None,
    max_tokens: MaxTokensOpt = None,
    judge_model: JudgeModelOpt = None,
    data_dir: DataDirOpt = None,
    limit: LimitOpt = None,
    run_dir: RunDirOpt = None,
    concurrency: ConcurrencyOpt = 2,
    max_problem_calls: P.MaxProblemCallsOpt = None,
    max_problem_tokens: P.MaxProblemTokensOpt = None,
    max_run_calls: MaxRunCallsOpt = None,
    max_run_tokens: MaxRunTokensOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Generate and debug N candidates per problem (no selection); resumable like eval."""
    models = ModelSettings(model, api_base, api_key, temperature, max_tokens, judge_model)
    model_ids = models.model_ids()
    spec = P.ProgramSpec(
        method="sstar",
        variant=variant,
        n=n,
        rounds=rounds,
        selector="first",
        seed=seed,
        threads=threads,
        temperature=temperature,
        max_problem_calls=max_problem_calls,
        max_problem_tokens=max_problem_tokens,
        price_model=model_ids["generator"],
    )
    settings = {**spec.settings(), **models.settings(), "models": model_ids, "stage": "generate"}
    settings.pop("selector", None)
    everything = full_problem_set(source, data_dir=data_dir)
    problems = list(everything)[:limit] if limit else list(everything)
    data = data_block(list(everything), source=source, files=getattr(everything, "files", ()))
    target = run_dir or default_run_dir(source, spec, model_ids["generator"], {"s": settings, "d": data}, "generate")
    if dry_run:
        from sstar_dspy.cli.estimate import print_estimate

        spec.selector = "first"
        print_estimate(spec, problems, target, model_ids, max_tokens)
        return
    precheck(target, settings=settings, data=data, kind="generate")
    program = spec.build(lms=models.build())

    def solve(problem, index):
        started = time.perf_counter()
        candidates, trace = program.generate_candidates(problem)
        passed = grade_all(problem, [c.program for c in candidates])
        return record_from_trace(problem, index, trace_json(trace), model_ids, started, candidates_passed=passed)

    budget = RunBudget(max_calls=max_run_calls, max_tokens=max_run_tokens)
    run_with_progress(
        problems,
        run_dir=target,
        label="generate",
        solve=solve,
        settings=settings,
        data=data,
        models=model_ids,
        command=command_line(),
        concurrency=concurrency,
        budget=budget,
        kind="generate",
        runtime={"concurrency": concurrency, "limit": limit, "run_budget": budget.model_dump()},
    )
    console.print(f"candidates: {export_candidates(target)}")


def register(app: typer.Typer) -> None:
    """Add ``sstar generate`` to the app."""
    app.command("generate")(generate)
