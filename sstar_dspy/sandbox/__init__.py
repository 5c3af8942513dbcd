"""Sandboxed execution of untrusted programs (see ``sstar_dspy/sandbox/README`` in the docstrings)."""

from sstar_dspy.sandbox.results import Limits, Status, TestResult

__all__ = ["Limits", "Status", "TestResult"]
