"""``sstar optimize``: compile SStar's prompts on a train split and save them as a variant.

Example:
    sstar optimize --suite dev-leetcode --name bootstrap-dev --optimizer bootstrap --tune generation \\
        --train 8 --val 12 --inner-n 2 --inner-rounds 1 --n 2 --rounds 1 --model embedded-fast

Problems are chosen like ``sstar eval``'s: ``--difficulty easy``, ``--ids a,b``, ``--exclude-ids c``, then
``--limit N``; the train/validation split is drawn from what is left.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
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
    build_lm_from_spec,
    console,
    env,
    load_problem_set,
)
from sstar_dspy.cli.problem_filter import DifficultyOpt, ExcludeIdsOpt, IdsOpt, select_problems
from sstar_dspy.cli.programs import check_variant_ref
from sstar_dspy.cli.progress import command_line


def parse_split(value: str, option: str) -> float | int:
    """``"0.3"`` -> fraction 0.3, ``"12"`` -> 12 problems.

    Example:
        >>> parse_split("0.25", "--val"), parse_split("8", "--train")
        (0.25, 8)
    """
    try:
        number = float(value)
    except ValueError:
        raise UsageError(f"{option} {value!r}: give a problem count (e.g. 8) or a fraction (e.g. 0.5)") from None
    if number <= 0:
        raise UsageError(f"{option} {value!r}: must be positive")
    if number < 1:
        return number
    if number != int(number):
        raise UsageError(f"{option} {value!r}: a count must be a whole number")
    return int(number)


def sstar_factory(lms: dict[str, object], *, seed: int, num_threads: int = 2) -> Callable[[int, int], object]:
    """``(n, rounds) -> SStar`` (the ``sstar`` preset, as ``sstar eval``) with the command's role LMs, built once."""
    from sstar_dspy import presets
    from sstar_dspy.program import RoleLMs

    roles = RoleLMs(**lms)

    def build(n: int, rounds: int) -> object:
        return presets.sstar(n=n, rounds=rounds, lms=roles, seed=seed, num_threads=num_threads)

    return build


def optimize_command(
    suite: Annotated[str, typer.Option("--suite", "-s", envvar=env("suite"), help="Suite name or problem file.")],
    name: Annotated[
        str, typer.Option("--name", envvar=env("name"), help="Variant name (signatures/<name>.json) or a .json path.")
    ],
    optimizer: Annotated[
        str, typer.Option("--optimizer", envvar=env("optimizer"), help="bootstrap (demos), mipro, or gepa.")
    ] = "bootstrap",
    tune: Annotated[
        list[str] | None,
        typer.Option(
            "--tune",
            envvar=env("tune"),
            help="Predictors to tune (repeat or comma-separate): generate, debug, generate_tests, distinguish, judge, "
            "or the groups generation, selection, all. The others stay frozen.",
        ),
    ] = None,
    train: Annotated[str, typer.Option("--train", envvar=env("train"), help="Train split: count or fraction.")] = "0.5",
    val: Annotated[str, typer.Option("--val", envvar=env("val"), help="Validation split: count or fraction.")] = "0.5",
    seed: Annotated[int, typer.Option("--seed", envvar=env("seed"), help="Split, optimizer and rollout seed.")] = 0,
    n: Annotated[int, typer.Option("--n", envvar=env("n"), min=1, help="Samples per problem in evaluation.")] = 4,
    rounds: Annotated[
        int, typer.Option("--rounds", envvar=env("rounds"), min=0, help="Debug rounds in evaluation.")
    ] = 1,
    inner_n: Annotated[
        int, typer.Option("--inner-n", envvar=env("inner_n"), min=1, help="Samples per problem while optimizing.")
    ] = 2,
    inner_rounds: Annotated[
        int, typer.Option("--inner-rounds", envvar=env("inner_rounds"), min=0, help="Debug rounds while optimizing.")
    ] = 1,
    start_from: Annotated[
        str,
        typer.Option(
            "--start-from",
            envvar=env("start_from"),
            callback=check_variant_ref,
            help="Variant to start from (and compare with).",
        ),
    ] = "paper",
    max_bootstrapped_demos: Annotated[
        int, typer.Option("--max-bootstrapped-demos", envvar=env("max_bootstrapped_demos"), min=0)
    ] = 1,
    max_rounds: Annotated[
        int, typer.Option("--max-rounds", envvar=env("max_rounds"), min=1, help="BootstrapFewShot tries per problem.")
    ] = 1,
    auto: Annotated[
        str | None, typer.Option("--auto", envvar=env("auto"), help="MIPROv2/GEPA budget: light, medium or heavy.")
    ] = None,
    num_trials: Annotated[int | None, typer.Option("--num-trials", envvar=env("num_trials"), min=1)] = None,
    max_metric_calls: Annotated[
        int | None,
        typer.Option("--max-metric-calls", envvar=env("max_metric_calls"), min=1, help="GEPA budget (full S* runs)."),
    ] = None,
    num_threads: Annotated[
        int, typer.Option("--num-threads", envvar=env("num_threads"), min=1, help="Parallel metric calls.")
    ] = 1,
    reflection_model: Annotated[
        str | None, typer.Option("--reflection-model", envvar=env("reflection_model"), help="GEPA/MIPRO prompt LM.")
    ] = None,
    run_dir: Annotated[
        Path | None, typer.Option("--run-dir", envvar=env("run_dir"), help="Default: runs/optimize-<name>.")
    ] = None,
    evaluate: Annotated[
        bool, typer.Option("--eval/--no-eval", envvar=env("eval"), help="Before/after on the validation split.")
    ] = True,
    concurrency: Annotated[int, typer.Option("--concurrency", envvar=env("concurrency"), min=1)] = 1,
    description: Annotated[
        str, typer.Option("--description", envvar=env("description"), help="Stored in the variant file.")
    ] = "",
    model: ModelOpt = None,
    api_base: ApiBaseOpt = None,
    api_key: ApiKeyOpt = None,
    temperature: TemperatureOpt = None,
    max_tokens: MaxTokensOpt = None,
    judge_model: JudgeModelOpt = None,
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = None,
    limit: LimitOpt = None,
    difficulty: DifficultyOpt = None,
    ids: IdsOpt = None,
    exclude_ids: ExcludeIdsOpt = None,
) -> None:
    """Optimize SStar's prompts (GEPA / MIPROv2 / BootstrapFewShot) and save them to signatures/<name>.json."""
    from sstar_dspy.optimize import OptimizerName, OptimizeSettings, resolve_tuned, top_level_predictors
    from sstar_dspy.optimize.run import run_optimization
    from sstar_dspy.program import SStar
    from sstar_dspy.variants import apply_variant

    try:
        optimizer_name = OptimizerName(optimizer)
    except ValueError:
        raise UsageError(f"--optimizer {optimizer!r}: choose bootstrap, mipro or gepa") from None
    if auto is not None and auto not in ("light", "medium", "heavy"):
        raise UsageError(f"--auto {auto!r}: choose light, medium or heavy")
    if optimizer_name is OptimizerName.MIPRO and auto is None and num_trials is None:
        auto = "light"
    settings = OptimizeSettings(
        optimizer=optimizer_name,
        tune=tune or ["all"],
        max_bootstrapped_demos=max_bootstrapped_demos,
        max_rounds=max_rounds,
        auto=auto,  # type: ignore[arg-type]
        num_trials=num_trials,
        max_metric_calls=max_metric_calls,
        num_threads=num_threads,
        seed=seed,
    )
    train_size, val_size = parse_split(train, "--train"), parse_split(val, "--val")
    resolve_tuned(settings.tune, top_level_predictors(SStar()))  # bad --tune: one line before any model starts
    apply_variant(SStar(), start_from)  # unknown or incompatible --start-from, likewise
    everything = load_problem_set(suite, data_dir=data_dir, fmt=fmt)
    selected = select_problems(everything, difficulty=difficulty, ids=ids, exclude_ids=exclude_ids, source=suite)
    problems = selected[:limit]
    if not all(p.gradable for p in problems):
        raise UsageError(f"{suite}: optimization needs problems with hidden tests (the metric grades on them)")
    models = ModelSettings(model, api_base, api_key, temperature, max_tokens, judge_model)
    lms = models.build()
    build = sstar_factory(lms, seed=seed)
    task_lm = lms["generator"]
    reflection_lm = task_lm
    if reflection_model:
        from sstar_dspy.lm.preflight import preflight

        reflection_lm = build_lm_from_spec(reflection_model, **models.kwargs)
        preflight(reflection_lm, reflection_model)
    variant_label = Path(name).stem
    target_dir = run_dir or Path("runs") / f"optimize-{variant_label}"
    console.print(f"optimizing {settings.optimizer.value} on {suite} -> {target_dir}")

    def show(event: dict) -> None:
        console.print(f"  metric call {event['call']}: {event['problem_id']} score={event['score']:.2f}")

    report = run_optimization(
        list(problems),
        name=name,
        settings=settings,
        build_program=build,
        run_dir=target_dir,
        train=train_size,
        val=val_size,
        inner=(inner_n, inner_rounds),
        final=(n, rounds),
        start_from=start_from,
        task_lm=task_lm,
        reflection_lm=reflection_lm,
        prompt_lm=reflection_lm,
        models=models.model_ids(),
        evaluate=evaluate,
        concurrency=concurrency,
        description=description,
        command=command_line(),
        on_progress=show,
    )
    console.print(f"variant written to {report.variant_path}")
    console.print(f"log and splits in {report.run_dir} ({len(report.train_ids)} train, {len(report.val_ids)} val)")
    if report.comparison is not None:
        console.print(report.comparison.to_markdown())
    console.print(f"wall {report.wall_s:.1f}s; command: {shlex.join(command_line())}")


def register(app: typer.Typer) -> None:
    """Add ``sstar optimize`` to the app."""
    app.command("optimize")(optimize_command)
