"""One S* duel: distinguishing inputs, both programs run, the judge asked in both orders.

Only a consistent verdict scores: the judge must name the same program when it is shown as A and
when it is shown as B (position bias cancels out). Both "tie" answers make a tie; anything else
is ``inconsistent``. A failed judge call makes the duel ``failed`` (no score). When both programs
behave identically on every input the judge has nothing to decide: the duel is a ``tie`` and costs no
judge call.

Example:
    >>> combine_verdicts("A", "B")   # a wins when shown first, and again when shown second
    'a'
    >>> combine_verdicts("A", "A")
    'inconsistent'
"""

from __future__ import annotations

from sstar_dspy.budget import BudgetExhaustedError
from sstar_dspy.problem import TestCase
from sstar_dspy.sandbox.results import TestResult
from sstar_dspy.selection.clustering import behaviour_key
from sstar_dspy.signatures import ExecutionComparison
from sstar_dspy.solve_context import LMCallError, SolveContext
from sstar_dspy.trace import Duel, DuelOutcome

__all__ = ["combine_verdicts", "play_duel", "render_run"]

_MAX_OUTPUT_CHARS = 1000


def combine_verdicts(verdict_ab: str | None, verdict_ba: str | None) -> DuelOutcome:
    """Outcome from the verdict with ``a`` shown as A and the verdict with ``b`` shown as A."""
    if verdict_ab is None or verdict_ba is None:
        return "failed"
    if verdict_ab == "A" and verdict_ba == "B":
        return "a"
    if verdict_ab == "B" and verdict_ba == "A":
        return "b"
    if verdict_ab == "tie" and verdict_ba == "tie":
        return "tie"
    return "inconsistent"


def render_run(result: TestResult) -> str:
    """What the judge sees of one run: the output, or the failure and its error tail."""
    if result.status.ran_cleanly:
        out = result.actual or ""
        return out if len(out) <= _MAX_OUTPUT_CHARS else out[:_MAX_OUTPUT_CHARS] + "...[truncated]"
    tail = f": {result.error[-300:]}" if result.error else ""
    return f"<{result.status.value}{tail}>"


def _synthesize(ctx: SolveContext, program_a: str, program_b: str, limit: int) -> tuple[list[str], str | None]:
    p = ctx.problem
    try:
        pred = ctx.predict(
            "distinguish",
            problem=p.statement,
            mode=p.mode.value,
            function_name=p.function_name or "",
            program_a=program_a,
            program_b=program_b,
        )
    except (LMCallError, BudgetExhaustedError) as err:
        return [], f"distinguishing inputs failed: {err}"
    return [t.input for t in (pred.distinguishing_inputs or []) if t.input.strip()][:limit], None


def _judge(
    ctx: SolveContext, program_a: str, program_b: str, executions: list[ExecutionComparison]
) -> tuple[str | None, str | None, str | None]:
    """(verdict, the judge's analysis, why the call failed); verdict None on failure."""
    try:
        pred = ctx.predict(
            "judge", problem=ctx.problem.statement, program_a=program_a, program_b=program_b, executions=executions
        )
    except (LMCallError, BudgetExhaustedError) as err:
        return None, None, str(err)
    return pred.verdict, getattr(pred, "analysis", None), None


def play_duel(
    ctx: SolveContext,
    a: int,
    b: int,
    program_a: str,
    program_b: str,
    *,
    known_inputs: list[str],
    synthesize: bool = True,
    max_inputs: int = 5,
) -> Duel:
    """Play one duel between candidates ``a`` and ``b``; never raises.

    Args:
        ctx: The solve context.
        a: Index of the first candidate.
        b: Index of the second candidate.
        program_a: Its program.
        program_b: The other program.
        known_inputs: Already known inputs separating the two (from the generated tests).
        synthesize: Ask the ``distinguish`` predictor for new inputs (S*); False = judge on the
            known inputs only (the paper's "LLM judge" baseline).
        max_inputs: Cap on synthesised inputs.
    """
    error = None
    inputs: list[str] = []
    if synthesize:
        inputs, error = _synthesize(ctx, program_a, program_b, max_inputs)
    synthesized = len(inputs)
    for text in known_inputs:
        if text.strip() not in {i.strip() for i in inputs}:
            inputs.append(text)
    tests = [TestCase(input=t if t.endswith("\n") else t + "\n") for t in inputs]
    results_a, results_b = ctx.run_many([(program_a, tests), (program_b, tests)])
    # identical behaviour on every input leaves the judge nothing to decide: a tie at no LM cost
    judged = not tests or [behaviour_key(r) for r in results_a] != [behaviour_key(r) for r in results_b]
    verdict_ab = verdict_ba = analysis_ab = analysis_ba = None
    outcome: DuelOutcome = "tie"
    if judged:
        executions = [
            ExecutionComparison(input=t.input, output_a=render_run(ra), output_b=render_run(rb))
            for t, ra, rb in zip(tests, results_a, results_b, strict=False)
        ]
        verdict_ab, analysis_ab, judge_error = _judge(ctx, program_a, program_b, executions)
        if verdict_ab is not None:
            swapped = [ExecutionComparison(input=e.input, output_a=e.output_b, output_b=e.output_a) for e in executions]
            verdict_ba, analysis_ba, judge_error = _judge(ctx, program_b, program_a, swapped)
        outcome = combine_verdicts(verdict_ab, verdict_ba)
        if outcome == "failed":
            error = "; ".join(filter(None, [error, f"judge call failed: {judge_error or 'no verdict'}"]))
    return Duel(
        a=a,
        b=b,
        inputs=[t.input for t in tests],
        synthesized_inputs=synthesized,
        results_a=results_a,
        results_b=results_b,
        verdict_ab=verdict_ab,
        verdict_ba=verdict_ba,
        analysis_ab=analysis_ab,
        analysis_ba=analysis_ba,
        outcome=outcome,
        error=error,
        judged=judged,
    )
