"""``sstar eval SOURCE``: run a method or saved variant over a suite or file, resumably, into a run directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    env,
    err_console,
    full_problem_set,
)
from sstar_dspy.cli.progress import command_line, run_with_progress, slug
from sstar_dspy.runs.budget import RunBudget
from sstar_dspy.runs.manifest import canonical_hash
from sstar_dspy.runs.session import data_block, precheck

SourceArg = Annotated[
    str, typer.Argument(help="Suite name (e.g. dev-leetcode), problems file (.jsonl/.json) or example:NAME.")
]
RunDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--run-dir",
        "-o",
        envvar=env("run_dir"),
        help="Run directory (default: runs/<source>_<method>_"
        "<model>_<config hash>; the same command resumes the same directory).",
    ),
]
ConcurrencyOpt = Annotated[
    int, typer.Option("--concurrency", "-j", envvar=env("concurrency"), min=1, help="Problems solved at once.")
]
MaxRunCallsOpt = Annotated[
    int | None, typer.Option("--max-run-calls", envvar=env("max_run_calls"), min=1, help="LM calls for the whole run.")
]
MaxRunTokensOpt = Annotated[
    int | None, typer.Option("--max-run-tokens", envvar=env("max_run_tokens"), min=1, help="Tokens for the whole run.")
]
MaxRunCostOpt = Annotated[
    float | None, typer.Option("--max-run-cost", envvar=env("max_run_cost"), help="Dollars for the whole run.")
]
ProblemTimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--problem-timeout",
        envvar=env("problem_timeout"),
        min=1.0,
        help="Seconds per problem before it is recorded as an error and the run moves on (stragglers).",
    ),
]
DryRunOpt = Annotated[
    bool,
    typer.Option("--dry-run", envvar=env("dry_run"), help="Estimate LM calls/tokens/cost and exit; spends nothing."),
]


def default_run_dir(source: str, spec: P.ProgramSpec, model: str, settings: dict, kind: str = "") -> Path:
    """Deterministic run directory for a config: re-running the same command resumes it."""
    name = "_".join(x for x in (kind, slug(source), slug(spec.method), slug(model, 24)) if x)
    return Path("runs") / f"{name}_{canonical_hash(settings)[:8]}"


def eval_command(
    source: SourceArg,
    method: P.MethodOpt = "sstar",
    variant: P.VariantOpt = None,
    n: P.NOpt = None,
    rounds: P.RoundsOpt = None,
    selector: P.SelectorOpt = None,
    max_duels: P.MaxDuelsOpt = None,
    seed: P.SeedOpt = 0,
    threads: P.ThreadsOpt = 4,
    model: ModelOpt = None,
    judge_model: JudgeModelOpt = None,
    api_base: ApiBaseOpt = None,
    api_key: ApiKeyOpt = None,
    temperature: TemperatureOpt = None,
    max_tokens: MaxTokensOpt = None,
    data_dir: DataDirOpt = None,
    limit: LimitOpt = None,
    run_dir: RunDirOpt = None,
    concurrency: ConcurrencyOpt = 2,
    max_problem_calls: P.MaxProblemCallsOpt = None,
    max_problem_tokens: P.MaxProblemTokensOpt = None,
    max_problem_cost: P.MaxProblemCostOpt = None,
    max_run_calls: MaxRunCallsOpt = None,
    max_run_tokens: MaxRunTokensOpt = None,
    max_run_cost: MaxRunCostOpt = None,
    problem_timeout: ProblemTimeoutOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Evaluate a method over problems: one JSONL record per problem, a manifest, resume on re-run."""
    models = ModelSettings(model, api_base, api_key, temperature, max_tokens, judge_model)
    model_ids = models.model_ids()
    spec = P.ProgramSpec(
        method=method,
        variant=variant,
        n=n,
        rounds=rounds,
        selector=selector,
        max_duels=max_duels,
        seed=seed,
        threads=threads,
        temperature=temperature,
        max_problem_calls=max_problem_calls,
        max_problem_tokens=max_problem_tokens,
        max_problem_cost=max_problem_cost,
        price_model=model_ids["generator"],
    )
    P.positive_dollars(max_run_cost, "--max-run-cost")
    budget = RunBudget(max_calls=max_run_calls, max_tokens=max_run_tokens, max_cost_usd=max_run_cost)
    settings = {**spec.settings(), **models.settings(), "models": model_ids}
    everything = full_problem_set(source, data_dir=data_dir)
    problems = list(everything)[:limit] if limit else list(everything)
    if not problems:
        raise P.UsageError(f"{source}: no problems to run")
    data = data_block(list(everything), source=source, files=getattr(everything, "files", ()))
    target = run_dir or default_run_dir(source, spec, model_ids["generator"], {"s": settings, "d": data})
    if dry_run:
        from sstar_dspy.cli.estimate import print_estimate

        if hasattr(everything, "summary"):
            err_console.print(everything.summary())
        print_estimate(spec, problems, target, model_ids, max_tokens)
        return
    precheck(target, settings=settings, data=data, kind="eval")
    program = spec.build(lms=models.build())
    if hasattr(everything, "summary"):
        err_console.print(everything.summary())
    run_with_progress(
        problems,
        run_dir=target,
        label=f"eval {spec.method}",
        program=program,
        settings=settings,
        data=data,
        models=model_ids,
        command=command_line(),
        concurrency=concurrency,
        budget=budget,
        problem_timeout=problem_timeout,
        runtime={
            "concurrency": concurrency,
            "limit": limit,
            "run_budget": budget.model_dump(),
            "threads": threads,
            "problem_timeout": problem_timeout,
        },
    )
    for note in getattr(everything, "notes", []) or []:
        console.print(f"note: {note}")


def register(app: typer.Typer) -> None:
    """Add ``sstar eval`` to the app."""
    app.command("eval")(eval_command)
