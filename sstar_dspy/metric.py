"""Execution-grounded metrics: the optimizer/Evaluate metric, unbiased pass@k, and coverage.

Grading rule (as LiveCodeBench and the S* paper): a program passes a problem only when it passes ALL
its tests, the public ones (for LeetCode, the statement's examples) and the hidden ones, identical tests
counted once (:func:`grading_tests`). ``graded_on="hidden"`` (or ``SSTAR_GRADE_ON=hidden``) is the
opt-in to grade on the hidden tests only. A problem without hidden tests is not gradable under either
rule (public tests alone never produce a pass rate).

:func:`execution_metric` grades ``pred.program`` that way and returns ``dspy.Prediction(score,
feedback)``, the shape GEPA needs and a number for ``dspy.Evaluate``, BootstrapFewShot and MIPROv2.
The feedback says what went wrong: the failing input (public or hidden) with expected vs actual
output or the crash, and "wrong selection" when another candidate was correct. Called per predictor
(GEPA's ``pred_name``), it adds feedback aimed at that predictor: samples that fail (generate), debug
rounds that did not fix the public tests (debug), inputs that did not separate right from wrong
programs (generate_tests, distinguish), and verdicts against the grading tests (judge). The metric
never edits a bootstrapping ``trace``: wrap it in ``sstar_dspy.optimize.demo_filter.DemoFilteringMetric`` (what
``sstar_dspy.optimize`` does) so that only calls whose own output the grading tests confirm (a
generate/debug program that passes, a correct verdict) can become demos; the per-call evidence it
needs is the traced outputs plus :func:`grade_program`.

Example:
    >>> round(pass_at_k(n=10, c=3, k=1), 4)
    0.3
    >>> round(pass_at_k(n=10, c=3, k=5), 4)
    0.9167
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from math import prod
from typing import Any, Literal

import dspy

from sstar_dspy.candidate import Candidate
from sstar_dspy.errors import SStarError
from sstar_dspy.problem import Problem, TestCase
from sstar_dspy.sandbox.results import Status, TestResult
from sstar_dspy.trace import SolveTrace

__all__ = [
    "GRADE_ON_ENV",
    "GradedOn",
    "coverage",
    "execution_metric",
    "grade_program",
    "grading_rule_text",
    "grading_tests",
    "pass_at_k",
    "resolve_graded_on",
    "to_examples",
]

_SNIPPET = 300

GradedOn = Literal["all", "hidden"]
GRADE_ON_ENV = "SSTAR_GRADE_ON"
_RULES: dict[str, str] = {
    "all": "graded on all tests (public + hidden), as LiveCodeBench",
    "hidden": "graded on hidden tests only (public tests left out; opt-in, not LiveCodeBench's rule)",
}


class GradingRuleError(SStarError, ValueError):
    """An unknown grading rule (``graded_on`` / ``SSTAR_GRADE_ON``)."""


def resolve_graded_on(graded_on: str | None = None) -> GradedOn:
    """The grading rule to use: ``graded_on`` if given, else ``$SSTAR_GRADE_ON``, else ``"all"``.

    Example:
        >>> resolve_graded_on("hidden"), resolve_graded_on(None) in ("all", "hidden")
        ('hidden', True)

    Raises:
        GradingRuleError: A value other than ``all`` or ``hidden``.
    """
    value = graded_on if graded_on is not None else (os.environ.get(GRADE_ON_ENV) or "all")
    value = value.strip().lower()
    if value not in _RULES:
        raise GradingRuleError(f"grading rule {value!r}: use 'all' (public + hidden tests, default) or 'hidden'")
    return value  # type: ignore[return-value]


def grading_rule_text(graded_on: str | None) -> str:
    """How a verdict was graded, in words for reports (``None``/unknown values are named as such).

    Example:
        >>> grading_rule_text("all")
        'graded on all tests (public + hidden), as LiveCodeBench'
    """
    if graded_on is None:
        return "grading rule not recorded"
    return _RULES.get(graded_on, f"graded on {graded_on}")


def grading_tests(problem: Problem, graded_on: str | None = None) -> list[TestCase]:
    """The tests a verdict is made on: public + hidden (default) or hidden only; identical tests once.

    Public tests come first (those without an expected output are skipped). ``[]`` when the problem is
    not gradable (no hidden tests with expected outputs): public tests alone never grade a problem.

    Example:
        >>> pub, hid = TestCase(input="1", output="1"), TestCase(input="2", output="4")
        >>> p = Problem(id="sq", statement="square", public_tests=[pub], hidden_tests=[hid, pub])
        >>> [t.input for t in grading_tests(p)], [t.input for t in grading_tests(p, "hidden")]
        (['1', '2'], ['2', '1'])
    """
    if not problem.gradable:
        return []
    if resolve_graded_on(graded_on) == "hidden":
        return list(problem.hidden_tests)
    seen: set[tuple[str, str | None]] = set()
    tests: list[TestCase] = []
    for test in [*problem.public_tests, *problem.hidden_tests]:
        key = (test.input, test.output)
        if test.output is not None and key not in seen:
            seen.add(key)
            tests.append(test)
    return tests


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


def describe_failure(result: TestResult, number: int, total: int, kind: str = "hidden") -> str:
    """One readable paragraph about a failed test (``kind``: hidden, public, or "" when not known)."""
    what = f"{kind} test" if kind else "test"
    parts = [f"{what} {number} of {total} ({result.status.value.replace('_', ' ')}); input: {_clip(result.input)!r}"]
    if result.expected is not None:
        parts.append(f"expected: {_clip(result.expected)!r}")
    if result.actual is not None:
        parts.append(f"actual: {_clip(result.actual)!r}")
    if result.error:
        parts.append(f"error: {_clip(result.error)}")
    return "; ".join(parts)


def _run_tests(problem: Problem, program: str, tests: list[TestCase], sandbox: Any) -> list[TestResult]:
    if sandbox is None:
        from sstar_dspy.sandbox import default_sandbox

        sandbox = default_sandbox()
    results = sandbox.run(program, tests, mode=problem.mode, function_name=problem.function_name)
    if any(r.status is Status.SANDBOX_ERROR for r in results):  # an infrastructure hiccup: retry once
        results = sandbox.run(program, tests, mode=problem.mode, function_name=problem.function_name)
    return results


def _scope(rule: GradedOn) -> str:
    return "all tests" if rule == "all" else "the hidden tests"


def grade_program(
    problem: Problem, program: str, sandbox: Any = None, graded_on: str | None = None
) -> tuple[bool, str]:
    """Run ``program`` on the grading tests (:func:`grading_tests`): (passes all, one-line feedback).

    Every test is checked: one failing test anywhere (public or hidden) fails the program.
    """
    rule = resolve_graded_on(graded_on)
    if not problem.gradable:
        return False, f"problem {problem.id} has no hidden tests with expected outputs; it cannot be graded"
    if not program.strip():
        return False, "no program was produced"
    tests = grading_tests(problem, rule)
    public = {(t.input, t.output) for t in problem.public_tests}
    results = _run_tests(problem, program, tests, sandbox)
    total = len(results)
    for number, (test, r) in enumerate(zip(tests, results, strict=True), 1):
        if not r.passed:
            kind = "hidden" if rule == "hidden" or (test.input, test.output) not in public else "public"
            return False, f"fails {describe_failure(r, number, total, kind)}"
    if rule == "hidden":
        return True, f"passes all {total} hidden tests"
    return True, f"passes all {total} tests (public + hidden)"


class _Grades:
    """Verdicts of distinct programs under one grading rule, computed once per metric call."""

    def __init__(self, problem: Problem, sandbox: Any, graded_on: str | None = None):
        self.problem, self.sandbox, self._cache = problem, sandbox, {}
        self.rule: GradedOn = resolve_graded_on(graded_on)
        self.scope = _scope(self.rule)

    def __call__(self, program: str) -> tuple[bool, str]:
        key = program.strip()
        if key not in self._cache:
            self._cache[key] = grade_program(self.problem, program, self.sandbox, self.rule)
        return self._cache[key]


def _predictor_feedback(name: str, trace: SolveTrace | None, candidates: Sequence[Candidate], grades: _Grades) -> str:
    """Feedback aimed at one predictor (GEPA reflection)."""
    short = name.split(".")[0]
    if short == "generate":
        firsts = [c for c in candidates if c.rounds and c.rounds[0].program.strip()]
        ok = [c for c in firsts if grades(c.rounds[0].program)[0]]
        lines = [f"{len(ok)} of {len(candidates)} first samples pass {grades.scope}."]
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
        # only the generate_tests inputs count here (synthesized ones are the distinguish predictor's work)
        generated = [k for k, t in enumerate(selection.test_inputs) if t.get("source", "generated") == "generated"]
        groups: dict[tuple[str | None, ...], list[int]] = {}
        for cl in selection.clusters:
            key = tuple(cl.output_keys[k] for k in generated if k < len(cl.output_keys))
            groups.setdefault(key, []).extend(cl.members)
        mixed = [g for g in groups.values() if len({grades(by_index[m].program)[0] for m in g}) > 1]
        return f"{len(generated)} usable generated test inputs gave {len(groups)} behaviour clusters; " + (
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
                    f"Duel #{d.a} vs #{d.b}: #{right} is correct (passes {grades.scope}) but the verdicts "
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
    graded_on: str | None = None,
) -> dspy.Prediction:
    """Grade ``pred.program`` on ``example.problem``'s tests: ``Prediction(score, feedback)``.

    ``score`` is 1.0 when every grading test passes (public + hidden, LiveCodeBench's rule), else 0.0.
    ``graded_on="hidden"`` grades on the hidden tests only (default: ``$SSTAR_GRADE_ON``, else
    ``"all"``; bind it with ``functools.partial``). ``sandbox`` defaults to the shared default sandbox.
    Works with ``dspy.Evaluate`` (2 arguments), bootstrapping (``trace``) and GEPA (5 arguments).

    Example:
        >>> from sstar_dspy.problem import TestCase
        >>> p = Problem(id="dbl", statement="Print 2n.", public_tests=[TestCase(input="1", output="2")],
        ...             hidden_tests=[TestCase(input="0", output="0")])
        >>> wrong = "n = int(input())\\nprint(0 if n == 0 else 3)"  # wrong on the public example only
        >>> ex = to_examples([p])[0]
        >>> execution_metric(ex, dspy.Prediction(program=wrong)).score
        0.0
        >>> execution_metric(ex, dspy.Prediction(program=wrong), graded_on="hidden").score
        1.0
    """
    problem: Problem = example.problem
    grades = _Grades(problem, sandbox, graded_on)
    program = getattr(pred, "program", "") or ""
    candidates: list[Candidate] = list(getattr(pred, "candidates", None) or [])
    solve_trace: SolveTrace | None = getattr(pred, "trace", None)
    passed, what = grades(program)
    lines = [f"The chosen program {what}." if program.strip() else f"No program was chosen: {what}."]
    if candidates and problem.gradable:
        correct = [c.index for c in candidates if c.program.strip() and grades(c.program)[0]]
        lines.append(f"{len(correct)} of {len(candidates)} candidates pass {grades.scope}.")
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


def coverage(
    problem: Problem, candidates: Iterable[Candidate], sandbox: Any = None, graded_on: str | None = None
) -> bool:
    """True when any candidate passes every grading test (the oracle's pass@1, i.e. pass@N)."""
    grades = _Grades(problem, sandbox, graded_on)
    return any(c.program.strip() and grades(c.program)[0] for c in candidates)


def to_examples(problems: Iterable[Problem]) -> list[dspy.Example]:
    """Problems as DSPy examples for Evaluate and optimizers (``problem`` is the only input)."""
    return [dspy.Example(problem=p).with_inputs("problem") for p in problems]
