"""Grade programs on a problem's hidden tests through the sandbox (the only place untrusted code runs).

Example:
    >>> from sstar_dspy.problem import Problem, TestCase
    >>> p = Problem(id="sum", statement="Print a+b.", hidden_tests=[TestCase(input="1 2\\n", output="3\\n")])
    >>> grade(p, "a, b = map(int, input().split())\\nprint(a + b)").passed
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sstar_dspy.problem import Problem
from sstar_dspy.sandbox.results import Status

_SNIPPET = 200


@dataclass(frozen=True)
class Verdict:
    """Hidden-test verdict of one program. ``passed`` is None when the problem is not gradable."""

    passed: bool | None
    hidden_passed: int = 0
    hidden_total: int = 0
    first_failure: dict[str, Any] | None = None


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= _SNIPPET:
        return text
    return text[:_SNIPPET] + f"... [{len(text) - _SNIPPET} more chars]"


def grade(problem: Problem, program: str, sandbox: Any | None = None) -> Verdict:
    """Run ``program`` on ``problem.hidden_tests`` and summarise the outcome.

    Args:
        problem: The problem (its hidden tests are never shown to the program under test).
        program: Python source; "" counts as failing.
        sandbox: A ``sstar_dspy.sandbox.Sandbox``; the process-wide default when None.
    """
    if not problem.gradable:
        return Verdict(passed=None)
    total = len(problem.hidden_tests)
    if not program.strip():
        return Verdict(passed=False, hidden_total=total, first_failure={"status": "no_program"})
    if sandbox is None:
        from sstar_dspy.sandbox import default_sandbox

        sandbox = default_sandbox()
    tests = problem.hidden_tests
    results = sandbox.run(program, tests, mode=problem.mode, function_name=problem.function_name)
    retry = [i for i, r in enumerate(results) if r.status is Status.SANDBOX_ERROR]
    if retry:  # the sandbox itself failed (not the program): grade those tests once more
        again = sandbox.run(program, [tests[i] for i in retry], mode=problem.mode, function_name=problem.function_name)
        for i, result in zip(retry, again, strict=True):
            results[i] = result
    passed = sum(r.passed for r in results)
    failure = next((r for r in results if not r.passed), None)
    first = None
    if failure is not None:
        first = {
            "status": failure.status.value,
            "input": _clip(failure.input),
            "expected": _clip(failure.expected),
            "actual": _clip(failure.actual),
            "error": _clip(failure.error),
        }
    return Verdict(passed=passed == total, hidden_passed=passed, hidden_total=total, first_failure=first)
