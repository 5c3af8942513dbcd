"""Stage 1 of S*: sample a program, then debug it on the public tests with execution feedback.

Each sample keeps one ``rollout_id`` for its whole chain (generation and every debug round), so
samples differ under DSPy's cache while a re-run with the same seed replays the same chain.
A sample stops as soon as it passes every public test. If a debug call fails (LM error,
unparsable answer, empty code, budget) or its answer is worse than the program it replaces (it no
longer compiles, or passes fewer public tests), the sample keeps its last good program and stops.
Every round records its cost (:class:`~sstar_dspy.candidate.RoundCost`): the tokens and wall time of
its LM call and the wall time of running its code on the public tests.

Example:
    >>> from sstar_dspy.problem import TestCase
    >>> from sstar_dspy.sandbox.results import Status, TestResult
    >>> r = TestResult(status=Status.WRONG_ANSWER, input="1 2\\n", expected="3\\n", actual="1\\n")
    >>> print(format_feedback([r]))
    Test 1: FAILED (wrong answer)
      input:
    1 2
      expected output:
    3
      actual output:
    1
    Passed 0 of 1 public tests.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Literal

from sstar_dspy.budget import BudgetExhaustedError, CallUsage
from sstar_dspy.candidate import Candidate, DebugRound, RoundCost
from sstar_dspy.problem import Mode, TestCase
from sstar_dspy.program_hints import silent_program_hint
from sstar_dspy.sandbox.results import Status, TestResult
from sstar_dspy.signatures import extract_code
from sstar_dspy.solve_context import LMCallError, SolveContext

__all__ = ["ContextMode", "format_feedback", "format_history", "run_sample"]

logger = logging.getLogger(__name__)

ContextMode = Literal["full", "last"]

_MAX_FIELD_CHARS = 1500
_NOTHING_PRINTED = "(nothing: the program printed nothing; it must read the input and print the answer)"
_STATUS_TEXT = {
    Status.WRONG_ANSWER: "wrong answer",
    Status.RUNTIME_ERROR: "runtime error",
    Status.TIME_LIMIT: "time limit exceeded",
    Status.MEMORY_LIMIT: "memory limit exceeded",
    Status.OUTPUT_LIMIT: "output limit exceeded",
    Status.COMPILE_ERROR: "the program does not compile",
    Status.SANDBOX_ERROR: "the sandbox could not run it",
}


def _clip(text: str | None, limit: int = _MAX_FIELD_CHARS) -> str:
    text = "" if text is None else text.rstrip("\n")
    return text if len(text) <= limit else text[: limit // 2] + "\n...[truncated]...\n" + text[-limit // 2 :]


def format_feedback(results: list[TestResult], program: str | None = None) -> str:
    """Render public-test results for the debugger: input, expected vs actual, error tail.

    Args:
        results: The public-test results of one program.
        program: The stdin program that produced them (None for functional problems). When every
            failing test printed nothing, a static hint from :func:`silent_program_hint` (e.g. "defines
            main() but never calls it") is appended.
    """
    if not results:
        return "There are no public tests."
    blocks = []
    for i, r in enumerate(results, 1):
        if r.passed:
            blocks.append(f"Test {i}: passed\n  input:\n{_clip(r.input)}\n  output:\n{_clip(r.actual)}")
            continue
        lines = [f"Test {i}: FAILED ({_STATUS_TEXT.get(r.status, r.status.value)})", "  input:", _clip(r.input)]
        if r.expected is not None:
            lines += ["  expected output:", _clip(r.expected)]
        if r.actual is not None and r.status is not Status.COMPILE_ERROR:
            lines += ["  actual output:", _clip(r.actual) or _NOTHING_PRINTED]
        if r.error:
            lines += ["  error:", _clip(r.error, 800)]
        blocks.append("\n".join(lines))
    passed = sum(r.passed for r in results)
    blocks.append(f"Passed {passed} of {len(results)} public tests.")
    failed = [r for r in results if not r.passed]
    if program and failed and all(r.status is Status.WRONG_ANSWER and not (r.actual or "").strip() for r in failed):
        hint = silent_program_hint(program)
        if hint:
            blocks.append(hint)
    return "\n".join(blocks)


def _stdin_program(program: str, mode: Mode | None) -> str | None:
    return program if mode is Mode.STDIN else None


def format_history(rounds: list[DebugRound], mode: Mode | None = None) -> str:
    """Earlier rounds (all but the latest) as text for the full-history context mode (``mode``: hints for stdin)."""
    parts = []
    for r in rounds:
        part = [f"[Round {r.round} program]", r.program or "(no program)"]
        if r.reasoning:  # round 0 has one only in the code-reasoning form (its reasoning before the code)
            part[0:0] = [f"[Round {r.round} {'reasoning' if r.round == 0 else 'diagnosis'}]", r.reasoning]
        part += [f"[Round {r.round} feedback]", format_feedback(r.public_results, _stdin_program(r.program, mode))]
        parts.append("\n".join(part))
    return "\n\n".join(parts)


def _regression(before: list[TestResult], after: list[TestResult]) -> str | None:
    """Why a debugged program is worse than the one it replaces, or None if it is not."""
    if after and all(r.status is Status.COMPILE_ERROR for r in after):
        return f"the new code does not compile ({after[0].error[:120]})"
    passed_before, passed_after = sum(r.passed for r in before), sum(r.passed for r in after)
    if passed_after < passed_before:
        return f"the new code passes {passed_after}/{len(after)} public tests, the previous one {passed_before}"
    return None


def _stop_reason(err: Exception) -> str:
    return f"budget: {err}" if isinstance(err, BudgetExhaustedError) else str(err)


def _usage_of(err: Exception) -> CallUsage:
    """What a failed call cost (a budget refusal sent nothing)."""
    return err.usage if isinstance(err, LMCallError) else CallUsage()


def _round_cost(usage: CallUsage, sandbox_wall_s: float = 0.0) -> RoundCost:
    return RoundCost(
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        lm_wall_s=usage.wall_s,
        sandbox_wall_s=sandbox_wall_s,
    )


def _run_public(ctx: SolveContext, program: str, public: Sequence[TestCase]) -> tuple[list[TestResult], float]:
    """Results of ``program`` on the public tests, and the wall seconds the run took."""
    started = time.perf_counter()
    results = ctx.run(program, public)
    return results, time.perf_counter() - started


def run_sample(ctx: SolveContext, index: int, rollout_id: int, rounds: int, context: ContextMode = "full") -> Candidate:
    """Generate sample ``index`` and debug it for up to ``rounds`` rounds; never raises."""
    public = ctx.problem.public_tests
    history: list[DebugRound] = []
    try:
        pred, usage = ctx.predict_with_usage("generate", rollout_id=rollout_id, **ctx.problem_inputs())
        program, error = extract_code(pred.code), None
        reasoning = getattr(pred, "reasoning", None) or None  # the code-reasoning form's text before the code
        if not program:
            error = "generate returned no code"
            ctx.note_error(f"sample {index}: {error}")
    except (LMCallError, BudgetExhaustedError) as err:
        program, error, usage, reasoning = "", _stop_reason(err), _usage_of(err), None
    results, sandbox_s = _run_public(ctx, program, public) if program else ([], 0.0)
    history.append(
        DebugRound(
            round=0,
            program=program,
            reasoning=reasoning,
            public_results=results,
            lm_error=error,
            cost=_round_cost(usage, sandbox_s),
        )
    )
    if not program:
        return Candidate(index=index, rollout_id=rollout_id, program="", rounds=history)

    for round_no in range(1, rounds + 1):
        last = history[-1]
        if last.passes_public:  # also true when the problem has no public tests (nothing to debug against)
            break
        earlier = history[:-1] if context == "full" else []
        try:
            pred, usage = ctx.predict_with_usage(
                "debug",
                rollout_id=rollout_id,
                **ctx.problem_inputs(),
                history=format_history(earlier, ctx.problem.mode),
                program=last.program,
                feedback=format_feedback(last.public_results, _stdin_program(last.program, ctx.problem.mode)),
            )
            fixed = extract_code(pred.code)
            if not fixed:
                raise LMCallError("debug returned no code", usage)
        except (LMCallError, BudgetExhaustedError) as err:
            # keep the last good program (the reference implementation wiped it)
            history.append(
                DebugRound(
                    round=round_no,
                    program=last.program,
                    public_results=last.public_results,
                    lm_error=_stop_reason(err),
                    cost=_round_cost(_usage_of(err)),
                )
            )
            break
        results, sandbox_s = _run_public(ctx, fixed, public)
        cost = _round_cost(usage, sandbox_s)
        rejected = _regression(last.public_results, results)
        if rejected:
            # a debug answer that no longer compiles (often prose in the code field) or passes fewer public
            # tests is treated like a failed parse: keep the better program, record why, stop this chain
            first_line = fixed.strip().splitlines()[0][:120]
            history.append(
                DebugRound(
                    round=round_no,
                    program=last.program,
                    reasoning=pred.diagnosis,
                    public_results=last.public_results,
                    lm_error=f"rejected: {rejected}; kept the previous program (rejected code began: {first_line!r})",
                    cost=cost,
                )
            )
            break
        history.append(
            DebugRound(round=round_no, program=fixed, reasoning=pred.diagnosis, public_results=results, cost=cost)
        )
    logger.debug(
        "sample %d of %s: %d rounds, passes public: %s", index, ctx.problem.id, len(history), history[-1].passes_public
    )
    return Candidate(index=index, rollout_id=rollout_id, program=history[-1].program, rounds=history)
