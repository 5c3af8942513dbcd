"""sstar-dspy: S* test-time scaling for code generation as an optimizable DSPy program.

Example:
    >>> import sstar_dspy
    >>> problem = sstar_dspy.load_problems("example:sum-two")[0]
    >>> program = sstar_dspy.presets.sstar(n=4, rounds=2)       # or sstar_dspy.load_variant("paper")
    >>> # pred = program(problem=problem); pred.program, pred.trace.summary()
"""

import os as _os

_os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from sstar_dspy import presets  # noqa: E402
from sstar_dspy.budget import Budget  # noqa: E402
from sstar_dspy.candidate import Candidate, DebugRound  # noqa: E402
from sstar_dspy.errors import SStarError  # noqa: E402
from sstar_dspy.lm import resolve_lm  # noqa: E402
from sstar_dspy.metric import coverage, execution_metric, pass_at_k, to_examples  # noqa: E402
from sstar_dspy.problem import Mode, Problem, TestCase  # noqa: E402
from sstar_dspy.problems import ProblemSet, load_problems  # noqa: E402
from sstar_dspy.program import RoleLMs, SStar  # noqa: E402
from sstar_dspy.sandbox import Limits, Sandbox, Status, TestResult  # noqa: E402
from sstar_dspy.variants import load_variant, save_variant  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "Budget",
    "Candidate",
    "DebugRound",
    "Limits",
    "Mode",
    "Problem",
    "ProblemSet",
    "RoleLMs",
    "SStar",
    "SStarError",
    "Sandbox",
    "Status",
    "TestCase",
    "TestResult",
    "__version__",
    "coverage",
    "execution_metric",
    "load_problems",
    "load_variant",
    "pass_at_k",
    "presets",
    "resolve_lm",
    "save_variant",
    "to_examples",
]
