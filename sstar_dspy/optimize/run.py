"""One optimization experiment: split, compile, save the variant, measure before/after on held-out problems.

The run directory keeps everything needed to audit the result:

* ``split.json``: train and validation problem ids and the seed;
* ``optimizer.log``, ``progress.jsonl``, ``demo_evidence.json`` (and ``gepa/`` or ``mipro/``): the
  optimizer's own log, one line per metric call, and which traced calls became demo material;
* ``val-<start>/`` and ``val-<variant>/``: ordinary eval runs (records + manifest) of the starting
  variant and the new one on the validation split, with the full (not the cheaper inner) settings;
* ``comparison.json`` / ``comparison.md``: pass@1 with the paired bootstrap interval of the gain;
* ``result.json``: the variant path, settings and the headline numbers.

The validation split is never shown to the optimizer (GEPA and MIPROv2 select on the train split).

Example:
    >>> report = run_optimization(problems, name="bootstrap-dev", settings=OptimizeSettings(),  # doctest: +SKIP
    ...                           build_program=lambda n, rounds: SStar(n=n, rounds=rounds), run_dir="runs/opt")
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dspy

from sstar_dspy.optimize.comparison import Comparison, compare_runs
from sstar_dspy.optimize.demo_filter import Grader, hidden_test_grader
from sstar_dspy.optimize.optimizers import (
    OptimizeSettings,
    compile_program,
    resolve_tuned,
    split_problems,
    top_level_predictors,
)
from sstar_dspy.optimize.variant_eval import evaluate_variant
from sstar_dspy.problem import Problem
from sstar_dspy.variants import PAPER, apply_variant, save_variant

logger = logging.getLogger(__name__)

BuildProgram = Callable[[int, int], dspy.Module]
"""``build_program(n, rounds)`` -> a fresh program with its LMs (prompts: the code's defaults)."""


@dataclass
class OptimizationReport:
    """What :func:`run_optimization` produced."""

    variant_path: Path
    run_dir: Path
    train_ids: list[str]
    val_ids: list[str]
    comparison: Comparison | None
    wall_s: float


def _examples(problems: Sequence[Problem]) -> list[dspy.Example]:
    return [dspy.Example(problem=p).with_inputs("problem") for p in problems]


def _default_metric() -> Callable[..., Any]:
    from sstar_dspy.metric import execution_metric

    return execution_metric


def run_optimization(
    problems: Sequence[Problem],
    *,
    name: str | Path,
    settings: OptimizeSettings,
    build_program: BuildProgram,
    run_dir: str | Path,
    train: float | int = 0.5,
    val: float | int = 0.5,
    inner: tuple[int, int] = (2, 1),
    final: tuple[int, int] = (4, 1),
    start_from: str | Path = PAPER,
    task_lm: dspy.LM | None = None,
    reflection_lm: dspy.LM | None = None,
    prompt_lm: dspy.LM | None = None,
    models: dict[str, str] | None = None,
    metric: Callable[..., Any] | None = None,
    grader: Grader = hidden_test_grader,
    evaluate: bool = True,
    concurrency: int = 1,
    description: str = "",
    command: list[str] | None = None,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> OptimizationReport:
    """Optimize on a train split, save the variant, and compare it with ``start_from`` on a validation split.

    Args:
        problems: The suite (gradable problems).
        name: Variant name (written to ``signatures/<name>.json``) or a ``.json`` path.
        settings: Optimizer, tuned predictors and budget knobs.
        build_program: ``(n, rounds) -> program`` with LMs attached.
        run_dir: Where logs, splits and evaluation runs go.
        train: Train split size (count, or fraction of the suite).
        val: Validation split size (count, or fraction); 0 is not allowed when ``evaluate``.
        inner: ``(n, rounds)`` used while optimizing (cheaper).
        final: ``(n, rounds)`` used for the before/after evaluation.
        start_from: Variant the optimization starts from (and the baseline of the comparison).
        task_lm: ``dspy.settings.lm`` during the compile.
        reflection_lm: GEPA's reflection LM.
        prompt_lm: MIPROv2's instruction-proposal LM.
        models: Model id per role, for manifests and provenance (never keys).
        metric: The execution metric (default ``sstar_dspy.metric.execution_metric``).
        grader: Per-call demo evidence grader (default: the sandbox on hidden tests).
        evaluate: Run the before/after evaluation on the validation split.
        concurrency: Problems evaluated at once in the before/after evaluation.
        description: Stored in the variant.
        command: The command line, stored in provenance and manifests.
        on_progress: Called with each metric-call event during the compile.
    """
    started = time.perf_counter()
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    metric = metric or _default_metric()
    command = command or list(sys.argv)
    train_set, val_set = split_problems(problems, train=train, val=val, seed=settings.seed)
    split = {"seed": settings.seed, "train": [p.id for p in train_set], "val": [p.id for p in val_set]}
    (run_dir / "split.json").write_text(json.dumps(split, indent=2) + "\n", encoding="utf-8")

    student = apply_variant(build_program(*inner), start_from)
    tuned = resolve_tuned(settings.tune, top_level_predictors(student))
    compiled = compile_program(
        student,
        _examples(train_set),
        settings,
        metric=metric,
        task_lm=task_lm,
        reflection_lm=reflection_lm,
        prompt_lm=prompt_lm,
        grader=grader,
        log_dir=run_dir,
        on_progress=on_progress,
    )
    evidence_path = run_dir / "demo_evidence.json"
    provenance = {
        "optimizer": settings.model_dump(mode="json"),
        "tuned": tuned,
        "start_from": str(start_from),
        "inner": {"n": inner[0], "rounds": inner[1]},
        "models": models or {},
        "split": split,
        "demo_evidence": json.loads(evidence_path.read_text()) if evidence_path.exists() else None,
        "command": command,
    }
    variant_path = save_variant(compiled, name, description=description, provenance=provenance)
    variant_name = Path(variant_path).stem

    comparison = None
    if evaluate:
        runs = []
        names = [Path(str(start_from)).stem, variant_name]
        if names[0] == names[1]:
            names[1] = f"{variant_name}-new"
        for label, variant in zip(names, [start_from, variant_path], strict=True):
            runs.append(
                evaluate_variant(
                    variant,
                    val_set,
                    run_dir=run_dir / f"val-{label}",
                    build_program=lambda: build_program(*final),
                    settings={"n": final[0], "rounds": final[1], "seed": settings.seed},
                    models=models,
                    concurrency=concurrency,
                    command=command,
                )
            )
        comparison = compare_runs(runs, names=names)
        (run_dir / "comparison.json").write_text(json.dumps(comparison.to_json(), indent=2) + "\n")
        (run_dir / "comparison.md").write_text(comparison.to_markdown() + "\n")
    wall = round(time.perf_counter() - started, 2)
    result = {
        "variant": str(variant_path),
        "provenance": provenance,
        "final": {"n": final[0], "rounds": final[1]},
        "comparison": comparison.to_json() if comparison else None,
        "wall_s": wall,
    }
    (run_dir / "result.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return OptimizationReport(variant_path, run_dir, split["train"], split["val"], comparison, wall)
