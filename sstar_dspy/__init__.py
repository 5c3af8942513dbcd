"""sstar-dspy: S* test-time scaling for code generation as an optimizable DSPy program."""

import os as _os

_os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from sstar_dspy.candidate import Candidate, DebugRound  # noqa: E402
from sstar_dspy.problem import Mode, Problem, TestCase  # noqa: E402
from sstar_dspy.sandbox.results import Limits, Status, TestResult  # noqa: E402

__version__ = "0.1.0"

__all__ = ["Candidate", "DebugRound", "Limits", "Mode", "Problem", "Status", "TestCase", "TestResult", "__version__"]
