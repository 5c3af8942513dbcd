"""Execution-grounded metrics: the optimizer/Evaluate metric, unbiased pass@k, and coverage.

:func:`execution_metric` grades ``pred.program`` on ``example.problem.hidden_tests`` and returns
``dspy.Prediction(score, feedback)``, the shape GEPA needs and a number for ``dspy.Evaluate``,
BootstrapFewShot and MIPROv2. The feedback says what went wrong: the failing input with expected
vs actual output or the crash, and "wrong selection" when another candidate was correct. Called
per predictor (GEPA's ``pred_name``), it adds feedback aimed at that predictor: samples that fail
(generate), debug rounds that did not fix the public tests (debug), inputs that did not separate
right from wrong programs (generate_tests, distinguish), and verdicts against the hidden tests
(judge). The metric never edits a bootstrapping ``trace``: wrap it in
``sstar_dspy.demos.DemoFilteringMetric`` (what ``sstar_dspy.optimize`` does) so that only calls
whose own output the hidden tests confirm (a generate/debug program that passes, a correct
verdict) can become demos; the per-call evidence it needs is the traced outputs plus
:func:`grade_program`.

Example:
    >>> round(pass_at_k(n=10, c=3, k=1), 4)
    0.3
    >>> round(pass_at_k(n=10, c=3, k=5), 4)
    0.9167
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from math import prod
from typing import Any

import dspy

from sstar_dspy.candidate import Candidate
from sstar_dspy.problem import Problem
from sstar_dspy.sandbox.results import Status, TestResult
from sstar_dspy.trace import SolveTrace

__all__ = ["coverage", "execution_metric", "grade_program", "pass_at_k", "to_examples"]

_SNIPPET = 300


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k (Chen et al. 2021) in the numerically stable product form.

    Args:
        n: Samples drawn.
        c: Correct samples among them.
        k: Budget of attempts.

    Raises:
        ValueError: ``k > n`` (not estimable from n samples), ``k < 1``, or ``c`` outside 0..n.
    """
    if not 0 <= c <= n:
        raise ValueError(f"pass_at_k: need 0 <= c <= n (got n={n}, c={c})")
    if k < 1 or k > n:
        raise ValueError(f"pass_at_k: need 1 <= k <= n (got n={n}, k={k}); draw at least k samples")
    if c == 0:
        return 0.0
    if n - c < k:
        return 1.0
    return 1.0 - prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def _clip(text: str | None) -> str:
    text = "" if text is None else text.rstrip("\n")
    return text if len(text) <= _SNIPPET else text[:_SNIPPET] + f"...[{len(text) - _SNIPPET} more chars]"


def describe_failure(result: TestResult, number: int, total: int) -> str:
    """One readable paragraph about a failed test."""
    parts = [
        f"hidden test {number} of {total} ({result.status.value.replace('_', ' ')}); input: {_clip(result.input)!r}"
    ]
    if result.expected is not None:
        parts.append(f"expected: {_clip(result.expected)!r}")
    if result.actual is not None:
        parts.append(f"actual: {_clip(result.actual)!r}")
    if result.error:
        parts.append(f"error: {_clip(result.error)}")
    return "; ".join(parts)


def _run_hidden(problem: Problem, program: str, sandbox: Any) -> list[TestResult]:
    if sandbox is None:
        from sstar_dspy.sandbox import default_sandbox

        sandbox = default_sandbox()
    results = sandbox.run(program, problem.hidden_tests, mode=problem.mode, function_name=problem.function_name)
    if any(r.status is Status.SANDBOX_ERROR for r in results):  # an infrastructure hiccup: retry once
        results = sandbox.run(program, problem.hidden_tests, mode=problem.mode, function_name=problem.function_name)
    return results


def grade_program(problem: Problem, program: str, sandbox: Any = None) -> tuple[bool, str]:
    """Run ``program`` on the hidden tests: (passes all, one-line feedback)."""
    if not problem.gradable:
        return False, f"problem {problem.id} has no hidden tests with expected outputs; it cannot be graded"
    if not program.strip():
        return False, "no program was produced"
    results = _run_hidden(problem, program, sandbox)
    total = len(results)
    for number, r in enumerate(results, 1):
        if not r.passed:
            return False, f"fails {describe_failure(r, number, total)}"
    return True, f"passes all {total} hidden tests"


class _Grades:
    """Hidden-test verdicts of distinct programs, computed once per metric call."""

    def __init__(self, problem: Problem, sandbox: Any):
        self.problem, self.sandbox, self._cache = problem, sandbox, {}

    def __call__(self, program: str) -> tuple[bool, str]:
        key = program.strip()
        if key not in self._cache:
            self._cache[key] = grade_program(self.problem, program, self.sandbox)
        return self._cache[key]


def _predictor_feedback(name: str, trace: SolveTrace | None, candidates: Sequence[Candidate], grades: _Grades) -> str:
    """Feedback aimed at one predictor (GEPA reflection)."""
    short = name.split(".")[0]
    if short == "generate":
        firsts = [c for c in candidates if c.rounds and c.rounds[0].program.strip()]
        ok = [c for c in firsts if grades(c.rounds[0].program)[0]]
        lines = [f"{len(ok)} of {len(candidates)} first samples pass the hidden tests."]
        bad = next((c for c in firsts if c not in ok), None)
        if bad is not None:
            lines.append(f"Sample #{bad.index} {grades(bad.rounds[0].program)[1]}.")
        if len(firsts) < len(candidates):
            lines.append(f"{len(candidates) - len(firsts)} samples produced no code (failed or unparsable answer).")
        return " ".join(lines)
    if short == "debug":
        debugged = [c for c in candidates if len(c.rounds) > 1]
        fixed = [c for c in debugged if c.passes_public and not c.rounds[0].passes_public]
        lines = [f"{len(debugged)} samples were debugged; {len(fixed)} of them then passed the public tests."]
        for c in debugged:
            if not c.passes_public:
                last = c.rounds[-1]
                why = last.lm_error or f"still passes {last.public_passed}/{len(last.public_results)} public tests"
                lines.append(f"Sample #{c.index} after {len(c.rounds) - 1} debug rounds: {why}.")
                break
        fixed_but_wrong = [c for c in fixed if not grades(c.program)[0]]
        if fixed_but_wrong:
            lines.append(
                f"{len(fixed_but_wrong)} debugged programs pass the public tests but fail hidden tests "
                "(over-fitted to the examples)."
            )
        return " ".join(lines)
    selection = trace.selection if trace else None
    if selection is None:
        return "No selection was run."
    by_index = {c.index: c for c in candidates}
    if short == "generate_tests":
        mixed = [cl for cl in selection.clusters if len({grades(by_index[m].program)[0] for m in cl.members}) > 1]
        return f"{len(selection.test_inputs)} test inputs gave {len(selection.clusters)} behaviour clusters; " + (
            f"{len(mixed)} clusters mix correct and wrong programs (the inputs did not separate them)."
            if mixed
            else "no cluster mixes correct and wrong programs."
        )
    if short == "distinguish":
        same = [
            d
            for d in selection.duels
            if d.inputs
            and all(ra.output_key == rb.output_key for ra, rb in zip(d.results_a, d.results_b, strict=False))
        ]
        return (
            f"{len(selection.duels)} duels; in {len(same)} of them both programs gave identical outputs on every "
            "input, so the inputs did not distinguish them."
        )
    if short == "judge":
        lines = []
        for d in selection.duels:
            a_ok, b_ok = grades(by_index[d.a].program)[0], grades(by_index[d.b].program)[0]
            if a_ok == b_ok:
                continue
            right = d.a if a_ok else d.b
            if d.winner != right:
                lines.append(
                    f"Duel #{d.a} vs #{d.b}: #{right} is correct (passes the hidden tests) but the verdicts "
                    f"were {d.verdict_ab} (#{d.a} shown as A) and {d.verdict_ba} (#{d.b} shown as A)."
                )
            else:
                lines.append(f"Duel #{d.a} vs #{d.b}: correctly chose #{right} in both orders.")
        return " ".join(lines) or "No duel had exactly one correct program."
    return ""


def execution_metric(
    example: Any,
    pred: Any,
    trace: Any = None,
    pred_name: str | None = None,
    pred_trace: Any = None,
    *,
    sandbox: Any = None,
) -> dspy.Prediction:
    """Grade ``pred.program`` on ``example.problem``'s hidden tests: ``Prediction(score, feedback)``.

    ``score`` is 1.0 when every hidden test passes, else 0.0. ``sandbox`` defaults to the shared
    default sandbox. Works with ``dspy.Evaluate`` (2 arguments), bootstrapping (``trace``) and
    GEPA (5 arguments).
    """
    problem: Problem = example.problem
    grades = _Grades(problem, sandbox)
    program = getattr(pred, "program", "") or ""
    candidates: list[Candidate] = list(getattr(pred, "candidates", None) or [])
    solve_trace: SolveTrace | None = getattr(pred, "trace", None)
    passed, what = grades(program)
    lines = [f"The chosen program {what}." if program.strip() else f"No program was chosen: {what}."]
    if candidates and problem.gradable:
        correct = [c.index for c in candidates if c.program.strip() and grades(c.program)[0]]
        lines.append(f"{len(correct)} of {len(candidates)} candidates pass the hidden tests.")
        if correct and not passed:
            chosen = solve_trace.chosen if solve_trace else None
            lines.append(f"Wrong selection: candidate #{correct[0]} was correct but #{chosen} was chosen.")
    if solve_trace is not None:
        if solve_trace.budget_stop:
            lines.append(f"A budget stopped the solve early: {solve_trace.budget_stop}.")
        if solve_trace.errors:
            lines.append(f"{len(solve_trace.errors)} errors, first: {solve_trace.errors[0]}")
    if pred_name:
        extra = _predictor_feedback(pred_name, solve_trace, candidates, grades)
        if extra:
            lines.append(f"For {pred_name}: {extra}")
    return dspy.Prediction(score=1.0 if passed else 0.0, feedback=" ".join(lines))


def coverage(problem: Problem, candidates: Iterable[Candidate], sandbox: Any = None) -> bool:
    """True when any candidate passes every hidden test (the oracle's pass@1, i.e. pass@N)."""
    grades = _Grades(problem, sandbox)
    return any(c.program.strip() and grades(c.program)[0] for c in candidates)


def to_examples(problems: Iterable[Problem]) -> list[dspy.Example]:
    """Problems as DSPy examples for Evaluate and optimizers (``problem`` is the only input)."""
    return [dspy.Example(problem=p).with_inputs("problem") for p in problems]
