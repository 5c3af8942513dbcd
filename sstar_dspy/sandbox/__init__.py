"""Sandboxed execution of untrusted programs: :class:`Sandbox` is the entry point.

Example:
    >>> from sstar_dspy.problem import TestCase
    >>> from sstar_dspy.sandbox import default_sandbox
    >>> default_sandbox().run("print(input()[::-1])", [TestCase(input="abc", output="cba")], mode="stdin")[0].passed
    True
"""

from sstar_dspy.sandbox.backend import ExecRequest, RawRun, SandboxBackend
from sstar_dspy.sandbox.compare import Comparator, get_comparator
from sstar_dspy.sandbox.local import LocalForkServerBackend
from sstar_dspy.sandbox.results import Limits, Status, TestResult
from sstar_dspy.sandbox.sandbox import Job, Sandbox, SandboxUsageError, default_sandbox
from sstar_dspy.sandbox.sandboxfusion import SandboxFusionBackend

__all__ = [
    "Comparator",
    "ExecRequest",
    "Job",
    "Limits",
    "LocalForkServerBackend",
    "RawRun",
    "Sandbox",
    "SandboxBackend",
    "SandboxFusionBackend",
    "SandboxUsageError",
    "Status",
    "TestResult",
    "default_sandbox",
    "get_comparator",
]
