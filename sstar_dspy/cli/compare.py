"""``sstar compare``: pass@1 of prompt variants with paired bootstrap intervals of each difference, plus cost.

Each argument is either an existing run directory (``sstar eval`` / ``sstar compare`` output; nothing is
re-run) or a variant (``paper``, a name in ``signatures/``, or a ``.json`` path) that is evaluated on
``--suite`` into ``<out>/<variant>/`` with the same problems, n, rounds and seed (resumable). The first
argument is the baseline.

Example:
    sstar compare paper bootstrap-dev --suite dev-leetcode --n 2 --rounds 1 --model embedded-fast
    sstar compare runs/eval-paper runs/eval-tuned
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sstar_dspy.cli.common import (
    ApiBaseOpt,
    ApiKeyOpt,
    DataDirOpt,
    FormatOpt,
    JudgeModelOpt,
    LimitOpt,
    MaxTokensOpt,
    ModelOpt,
    ModelSettings,
    TemperatureOpt,
    UsageError,
    console,
    env,
    load_problem_set,
)
from sstar_dspy.cli.progress import command_line


def is_run_dir(item: str) -> bool:
    """True for an existing run directory (or a bare records ``.jsonl``)."""
    path = Path(item)
    return (path.is_dir() and (path / "records.jsonl").is_file()) or (path.is_file() and path.suffix == ".jsonl")


def label_of(item: str) -> str:
    """Short display name: a run directory's or variant file's name."""
    return Path(item.rstrip("/")).stem if item.endswith((".json", ".jsonl")) else Path(item.rstrip("/")).name


def compare_command(
    items: Annotated[list[str], typer.Argument(help="Variants and/or run directories; the first is the baseline.")],
    suite: Annotated[
        str | None, typer.Option("--suite", "-s", envvar=env("suite"), help="Suite to run variants on.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", envvar=env("out"), help="Where variant runs go (default runs/compare).")
    ] = None,
    n: Annotated[int, typer.Option("--n", envvar=env("n"), min=1, help="Samples per problem.")] = 4,
    rounds: Annotated[int, typer.Option("--rounds", envvar=env("rounds"), min=0, help="Debug rounds.")] = 1,
    seed: Annotated[int, typer.Option("--seed", envvar=env("seed"), help="Rollout seed (same for every variant).")] = 0,
    concurrency: Annotated[int, typer.Option("--concurrency", envvar=env("concurrency"), min=1)] = 1,
    resamples: Annotated[
        int,
        typer.Option("--resamples", envvar=env("resamples"), min=100, help="Bootstrap resamples (the differences)."),
    ] = 10_000,
    confidence: Annotated[
        float, typer.Option("--confidence", envvar=env("confidence"), min=0.5, max=0.999, help="Interval coverage.")
    ] = 0.95,
    json_out: Annotated[
        Path | None, typer.Option("--json", envvar=env("json"), help="Also write the comparison as JSON here.")
    ] = None,
    model: ModelOpt = None,
    api_base: ApiBaseOpt = None,
    api_key: ApiKeyOpt = None,
    temperature: TemperatureOpt = None,
    max_tokens: MaxTokensOpt = None,
    judge_model: JudgeModelOpt = None,
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = None,
    limit: LimitOpt = None,
) -> None:
    """Compare variants (run on --suite) and/or existing runs: pass@1, paired bootstrap CI of each difference, cost."""
    from sstar_dspy.cli.optimize import sstar_factory
    from sstar_dspy.optimize.comparison import compare_runs
    from sstar_dspy.optimize.variant_eval import evaluate_variant
    from sstar_dspy.program import SStar
    from sstar_dspy.runs import data_block, load_run
    from sstar_dspy.variants import apply_variant

    if len(items) < 2:
        raise UsageError("compare needs at least two variants or run directories (the first is the baseline)")
    variants = [item for item in items if not is_run_dir(item)]
    for item in variants:  # unknown variant or changed layout: one clear line before any model starts
        apply_variant(SStar(), item)
    labels = [label_of(item) for item in items]
    if len(set(labels)) != len(labels):
        raise UsageError(f"two arguments share the name {labels}; rename a variant file or run directory")
    problems = None
    build = None
    models = ModelSettings(model, api_base, api_key, temperature, max_tokens, judge_model)
    if variants:
        if suite is None:
            raise UsageError(f"{variants[0]} is a variant, not a run directory: pass --suite to run it (or a run dir)")
        problems = load_problem_set(suite, data_dir=data_dir, limit=limit, fmt=fmt)
        build = sstar_factory(models.build(), seed=seed)
    out_dir = out or Path("runs") / "compare"
    runs = []
    for item, label in zip(items, labels, strict=True):
        if is_run_dir(item):
            runs.append(load_run(item))
            continue
        console.print(f"running {label} on {suite} (n={n}, rounds={rounds}, seed={seed}) -> {out_dir / label}")
        runs.append(
            evaluate_variant(
                item,
                problems,
                run_dir=out_dir / label,
                build_program=lambda: build(n, rounds),
                settings={"method": "sstar", "n": n, "rounds": rounds, "seed": seed, **models.settings()},
                models=models.model_ids(),
                data=data_block(problems, source=suite, files=getattr(problems, "files", ())),
                concurrency=concurrency,
                command=command_line(),
                on_record=lambda r, label=label: console.print(f"  {label}: {r.problem_id} passed={r.passed}"),
            )
        )
    comparison = compare_runs(runs, names=labels, resamples=resamples, confidence=confidence, seed=seed)
    console.print(comparison.to_markdown())
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(comparison.to_json(), indent=2) + "\n", encoding="utf-8")
    if variants:
        (out_dir / "comparison.md").write_text(comparison.to_markdown() + "\n", encoding="utf-8")
        (out_dir / "comparison.json").write_text(json.dumps(comparison.to_json(), indent=2) + "\n", encoding="utf-8")


def register(app: typer.Typer) -> None:
    """Add ``sstar compare`` to the app."""
    app.command("compare")(compare_command)
