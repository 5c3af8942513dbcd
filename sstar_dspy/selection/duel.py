"""One S* duel: distinguishing inputs, both programs run, the judge asked in both orders.

Only a consistent verdict scores: the judge must name the same program when it is shown as A and
when it is shown as B (position bias cancels out). Both "tie" answers make a tie; anything else
is ``inconsistent``. A failed judge call makes the duel ``failed`` (no score). Synthesised inputs are
normalised and validated like generated ones (:mod:`~sstar_dspy.selection.inputs`), and inputs on which
both programs fail are dropped. When both programs behave identically on every remaining input the judge
has nothing to decide: the duel is a ``tie`` and costs no judge call.

Example:
    >>> combine_verdicts("A", "B")   # a wins when shown first, and again when shown second
    'a'
    >>> combine_verdicts("A", "A")
    'inconsistent'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sstar_dspy.budget import BudgetExhaustedError
from sstar_dspy.sandbox.results import TestResult
from sstar_dspy.selection.clustering import behaviour_key
from sstar_dspy.selection.inputs import InputFormat, UsableInput, all_failed_reason, expand_nested, normalize_all
from sstar_dspy.signatures import ExecutionComparison
from sstar_dspy.solve_context import LMCallError, SolveContext
from sstar_dspy.trace import DroppedInput, Duel, DuelOutcome

__all__ = ["Synthesized", "combine_verdicts", "play_duel", "render_run", "synthesize_inputs"]

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


@dataclass
class Synthesized:
    """What one ``distinguish`` call gave: valid inputs (normalised), the dropped ones, and the count written.

    Attributes:
        inputs: Valid inputs in the test encoding (at most the limit asked for).
        dropped: Written inputs that no repair makes valid (``invalid``/``duplicate``).
        proposed: How many inputs the call wrote.
        error: Why the call failed (None when it did not).
    """

    inputs: list[UsableInput] = field(default_factory=list)
    dropped: list[DroppedInput] = field(default_factory=list)
    proposed: int = 0
    error: str | None = None


def synthesize_inputs(ctx: SolveContext, program_a: str, program_b: str, limit: int = 5) -> Synthesized:
    """One ``distinguish`` call for inputs that tell two programs apart, normalised and validated; never raises."""
    fmt = InputFormat.of(ctx.problem)
    try:
        pred = ctx.predict(
            "distinguish",
            **ctx.problem_inputs(starter_code=False),
            **fmt.prompt_fields(),
            program_a=program_a,
            program_b=program_b,
        )
    except (LMCallError, BudgetExhaustedError) as err:
        return Synthesized(error=f"distinguishing inputs failed: {err}")
    proposals = expand_nested(pred.distinguishing_inputs or [])
    valid, dropped = normalize_all(fmt, proposals, source="synthesized")
    return Synthesized(inputs=valid[:limit], dropped=dropped, proposed=len(proposals))


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

    Inputs on which both programs fail (crash, limit, invalid) are dropped before judging: they show
    nothing about which program is right. Without any input left the judge decides from the code alone.

    Args:
        ctx: The solve context.
        a: Index of the first candidate.
        b: Index of the second candidate.
        program_a: Its program.
        program_b: The other program.
        known_inputs: Already known inputs separating the two (usable generated inputs, test encoding).
        synthesize: Ask the ``distinguish`` predictor for new inputs (S*); False = judge on the
            known inputs only (the paper's "LLM judge" baseline).
        max_inputs: Cap on synthesised inputs.
    """
    synth = synthesize_inputs(ctx, program_a, program_b, max_inputs) if synthesize else Synthesized()
    error = synth.error
    inputs = list(synth.inputs)
    for text in known_inputs:
        if text.strip() not in {i.input.strip() for i in inputs}:
            inputs.append(UsableInput(input=text))
    tests = [i.case() for i in inputs]
    results_a, results_b = ctx.run_many([(program_a, tests), (program_b, tests)])
    dropped = list(synth.dropped)
    keep = []
    for k, inp in enumerate(inputs):
        failed = all_failed_reason([results_a[k], results_b[k]])
        if failed:
            dropped.append(DroppedInput(input=inp.input[:200], stage="all_failed", reason=failed, source=inp.source))
        else:
            keep.append(k)
    tests = [tests[k] for k in keep]
    results_a, results_b = [results_a[k] for k in keep], [results_b[k] for k in keep]
    synthesized = sum(inputs[k].source == "synthesized" for k in keep)
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
        proposed_inputs=synth.proposed,
        dropped_inputs=dropped,
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
