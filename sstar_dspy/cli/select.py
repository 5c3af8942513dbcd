"""``sstar select CANDIDATES --problems SOURCE``: stage 2 only, over any candidate JSONL or a generate run."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from sstar_dspy.cli import programs as P  # noqa: N812
from sstar_dspy.cli.common import (
    ApiBaseOpt,
    ApiKeyOpt,
    DataDirOpt,
    JudgeModelOpt,
    MaxTokensOpt,
    ModelOpt,
    ModelSettings,
    TemperatureOpt,
    UsageError,
    console,
    env,
    full_problem_set,
)
from sstar_dspy.cli.eval import ConcurrencyOpt, RunDirOpt
from sstar_dspy.cli.progress import command_line, run_with_progress, slug
from sstar_dspy.cli.stages import load_candidates, record_from_trace, trace_json
from sstar_dspy.runs.manifest import canonical_hash, file_sha256
from sstar_dspy.runs.session import data_block, precheck

ProblemsOpt = Annotated[
    str,
    typer.Option(
        "--problems",
        "-p",
        envvar=env("problems"),
        help="Suite, file or example:NAME the candidates "
        "belong to (public tests for filtering; hidden tests stay unseen).",
    ),
]


def select(
    candidates: Annotated[
        Path, typer.Argument(help="Candidate JSONL (ours or another system's) or a generate run dir.")
    ],
    problems_source: ProblemsOpt,
    selector: P.SelectorOpt = "adaptive",
    max_duels: P.MaxDuelsOpt = None,
    variant: P.VariantOpt = None,
    seed: P.SeedOpt = 0,
    threads: P.ThreadsOpt = 4,
    model: ModelOpt = None,
    judge_model: JudgeModelOpt = None,
    api_base: ApiBaseOpt = None,
    api_key: ApiKeyOpt = None,
    temperature: TemperatureOpt = None,
    max_tokens: MaxTokensOpt = None,
    data_dir: DataDirOpt = None,
    run_dir: RunDirOpt = None,
    concurrency: ConcurrencyOpt = 2,
    max_problem_calls: P.MaxProblemCallsOpt = None,
    max_problem_tokens: P.MaxProblemTokensOpt = None,
) -> None:
    """Pick one program per problem from existing candidates; grade the result with `sstar score`."""
    models = ModelSettings(model, api_base, api_key, temperature, max_tokens, judge_model)
    model_ids = models.model_ids()
    groups = load_candidates(candidates)
    if not groups:
        raise UsageError(f"{candidates}: no complete candidate groups found")
    spec = P.ProgramSpec(
        method="sstar",
        variant=variant,
        n=max(len(c) for c in groups.values()),
        rounds=0,
        selector=selector,
        max_duels=max_duels,
        seed=seed,
        threads=threads,
        temperature=temperature,
        max_problem_calls=max_problem_calls,
        max_problem_tokens=max_problem_tokens,
        price_model=model_ids["generator"],
    )
    source_hash = file_sha256(candidates) if candidates.is_file() else canonical_hash(sorted(groups))
    settings = {
        **spec.settings(),
        **models.settings(),
        "models": model_ids,
        "stage": "select",
        "candidates": str(candidates.resolve()),
        "candidates_sha256": source_hash,
    }
    everything = full_problem_set(problems_source, data_dir=data_dir)
    problems = [p for p in everything if p.id in groups]
    unknown = sorted(set(groups) - {p.id for p in problems})
    if not problems:
        raise UsageError(f"{candidates}: none of its problem ids are in {problems_source} (e.g. {unknown[0]!r})")
    data = data_block(problems, source=problems_source, files=getattr(everything, "files", ()))
    target = (
        run_dir
        or Path("runs")
        / f"select_{slug(candidates.stem)}_{spec.resolved()['selector']}_"
        f"{canonical_hash({'s': settings, 'd': data})[:8]}"
    )
    precheck(target, settings=settings, data=data, kind="select")
    program = spec.build(lms=models.build())

    def solve(problem, index):
        started = time.perf_counter()
        pred = program.select(problem, groups[problem.id])
        return record_from_trace(problem, index, trace_json(pred.trace), model_ids, started, program=pred.program)

    run_with_progress(
        problems,
        run_dir=target,
        label=f"select {spec.resolved()['selector']}",
        solve=solve,
        settings=settings,
        data=data,
        models=model_ids,
        command=command_line(),
        concurrency=concurrency,
        kind="select",
        runtime={"concurrency": concurrency},
    )
    if unknown:
        console.print(f"note: {len(unknown)} candidate problem ids are not in {problems_source} and were skipped")
    console.print(f"next: sstar score {target} --problems {problems_source}")


def register(app: typer.Typer) -> None:
    """Add ``sstar select`` to the app."""
    app.command("select")(select)
