"""Optimization: compile SStar's prompts with DSPy optimizers, evaluate variants, compare runs.

* :mod:`~sstar_dspy.optimize.optimizers`: compile with BootstrapFewShot / MIPROv2 / GEPA (what is tuned,
  frozen predictors, logs); its names are re-exported here.
* :mod:`~sstar_dspy.optimize.demo_filter`: per-call demo evidence (``DemoFilteringMetric`` keeps failed
  samples out of bootstrapped demos).
* :mod:`~sstar_dspy.optimize.run`: one experiment (split -> compile -> save variant -> before/after on val).
* :mod:`~sstar_dspy.optimize.variant_eval`: run a variant into a run directory (``runs.run_eval``).
* :mod:`~sstar_dspy.optimize.comparison`: paired comparison of runs (``sstar compare``).

The old top-level modules (``sstar_dspy.optimize_run``, ``variant_eval``, ``comparison``, ``stats``,
``demos``) re-export these and are deprecated.
"""

from sstar_dspy.optimize.demo_filter import DemoFilteringMetric, Grader, hidden_test_grader
from sstar_dspy.optimize.optimizers import (
    FrozenModule,
    OptimizeError,
    OptimizerName,
    OptimizeSettings,
    ProgressLog,
    build_optimizer,
    compile_program,
    freeze,
    optimizer_log,
    resolve_tuned,
    split_problems,
    top_level_predictors,
    unfreeze,
)

__all__ = [
    "DemoFilteringMetric",
    "FrozenModule",
    "Grader",
    "OptimizeError",
    "OptimizeSettings",
    "OptimizerName",
    "ProgressLog",
    "build_optimizer",
    "compile_program",
    "freeze",
    "hidden_test_grader",
    "optimizer_log",
    "resolve_tuned",
    "split_problems",
    "top_level_predictors",
    "unfreeze",
]
