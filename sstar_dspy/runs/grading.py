"""Grade programs through the sandbox (the only place untrusted code runs), as LiveCodeBench does.

A program passes only when it passes ALL the problem's tests, public and hidden, identical tests counted
once (``sstar_dspy.metric.grading_tests``). ``graded_on="hidden"`` (or ``SSTAR_GRADE_ON=hidden``) is the
opt-in to grade on hidden tests only. A problem without hidden tests is not gradable (``passed=None``).
Every :class:`Grade` also counts the hidden tests alone, so ``hidden_passed/hidden_total`` keep their
meaning under either rule.

Example:
    >>> from sstar_dspy.problem import Problem, TestCase
    >>> p = Problem(id="sum", statement="Print a+b.", public_tests=[TestCase(input="3 4\\n", output="7\\n")],
    ...             hidden_tests=[TestCase(input="1 2\\n", output="3\\n")])
    >>> v = grade(p, "a, b = map(int, input().split())\\nprint(a + b)")
    >>> v.passed, v.tests_passed, v.tests_total, v.graded_on
    (True, 2, 2, 'all')
    >>> wrong = "a, b = map(int, input().split())\\nprint(3)"  # right on the hidden test only
    >>> grade(p, wrong).passed, grade(p, wrong, graded_on="hidden").passed
    (False, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sstar_dspy.metric import GradedOn, grading_tests, resolve_graded_on
from sstar_dspy.problem import Problem
from sstar_dspy.sandbox.results import Status

_SNIPPET = 200


@dataclass(frozen=True)
class Grade:
    """The grade of one program on the grading tests. ``passed`` is None when the problem is not gradable.

    Attributes:
        passed: Every grading test passed (``graded_on`` says which tests those are).
        hidden_passed: Hidden tests passed (under either rule).
        hidden_total: Hidden tests of the problem.
        first_failure: Status, kind (public/hidden), input, expected/actual (truncated) of the first failure.
        tests_passed: Grading tests passed (public + hidden, de-duplicated; = hidden under ``"hidden"``).
        tests_total: Grading tests run.
        graded_on: The rule: ``"all"`` (public + hidden, LiveCodeBench) or ``"hidden"``.
    """

    passed: bool | None
    hidden_passed: int = 0
    hidden_total: int = 0
    first_failure: dict[str, Any] | None = None
    tests_passed: int = 0
    tests_total: int = 0
    graded_on: GradedOn = "all"

    def record_fields(self) -> dict[str, Any]:
        """The ``ProblemRecord`` fields this grade sets (``graded_on`` stays None when nothing was graded)."""
        return {
            "passed": self.passed,
            "hidden_passed": self.hidden_passed,
            "hidden_total": self.hidden_total,
            "first_failure": self.first_failure,
            "tests_passed": self.tests_passed,
            "tests_total": self.tests_total,
            "graded_on": self.graded_on if self.passed is not None else None,
        }


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= _SNIPPET:
        return text
    return text[:_SNIPPET] + f"... [{len(text) - _SNIPPET} more chars]"


Verdict = Grade  # deprecated alias (the judge's A/B/tie is signatures.JudgeVerdict)


def grade(problem: Problem, program: str, sandbox: Any | None = None, *, graded_on: str | None = None) -> Grade:
    """Run ``program`` on the problem's grading tests and summarise the outcome.

    Args:
        problem: The problem (its hidden tests are never shown to the program under test).
        program: Python source; "" counts as failing.
        sandbox: A ``sstar_dspy.sandbox.Sandbox``; the process-wide default when None.
        graded_on: ``"all"`` (public + hidden, the default) or ``"hidden"``; None = ``$SSTAR_GRADE_ON`` or "all".
    """
    rule = resolve_graded_on(graded_on)
    if not problem.gradable:
        return Grade(passed=None, graded_on=rule)
    tests = grading_tests(problem, rule)
    where = {(t.input, t.output): i for i, t in enumerate(tests)}
    hidden_at = [where[(t.input, t.output)] for t in problem.hidden_tests]
    public = {(t.input, t.output) for t in problem.public_tests}
    hidden_total, total = len(problem.hidden_tests), len(tests)
    if not program.strip():
        return Grade(
            passed=False,
            hidden_total=hidden_total,
            first_failure={"status": "no_program"},
            tests_total=total,
            graded_on=rule,
        )
    if sandbox is None:
        from sstar_dspy.sandbox import default_sandbox

        sandbox = default_sandbox()
    results = sandbox.run(program, tests, mode=problem.mode, function_name=problem.function_name)
    retry = [i for i, r in enumerate(results) if r.status is Status.SANDBOX_ERROR]
    if retry:  # the sandbox itself failed (not the program): grade those tests once more
        again = sandbox.run(program, [tests[i] for i in retry], mode=problem.mode, function_name=problem.function_name)
        for i, result in zip(retry, again, strict=True):
            results[i] = result
    passed = sum(r.passed for r in results)
    failed_at = next((i for i, r in enumerate(results) if not r.passed), None)
    first = None
    if failed_at is not None:
        failure, key = results[failed_at], (tests[failed_at].input, tests[failed_at].output)
        first = {
            "status": failure.status.value,
            "kind": "public" if rule == "all" and key in public else "hidden",
            "input": _clip(failure.input),
            "expected": _clip(failure.expected),
            "actual": _clip(failure.actual),
            "error": _clip(failure.error),
        }
    return Grade(
        passed=passed == total,
        hidden_passed=sum(results[i].passed for i in hidden_at),
        hidden_total=hidden_total,
        first_failure=first,
        tests_passed=passed,
        tests_total=total,
        graded_on=rule,
    )
