"""LM-written test inputs made usable: shown the exact format, repaired, validated, run, filtered.

Selection runs candidates on inputs the LM writes (``generate_tests``, ``distinguish``). Small
models often write them in the wrong form (stdin-style ``1 1 2 1 3`` for a function of
``nums, k``), and an input every candidate rejects says nothing about which one is right. So:

1. The prompt shows what a valid input looks like: the function's ``parameters`` (parsed from the
   starter code with ``ast``) and one public test input as an ``example``, written exactly as an
   answer item (:meth:`~sstar_dspy.selection.input_format.InputFormat.prompt_fields`).
2. Every written input is normalised to the test encoding before anything runs
   (:meth:`~sstar_dspy.selection.input_format.InputFormat.normalize`): functional arguments go through
   :func:`~sstar_dspy.selection.arguments.parse_arguments` (arity and types checked, common wrong
   forms repaired); stdin text gets cheap checks against the public inputs' shape.
3. :func:`gather_inputs` runs the pool on the valid ones, drops inputs on which every candidate
   fails, and asks once more (new ``rollout_id``, with feedback on what was wrong) when fewer than
   ``min_inputs`` remain. Everything is counted in the selection's
   :class:`~sstar_dspy.trace.InputReport`.

Example:
    >>> from sstar_dspy.sandbox.results import Status, TestResult
    >>> crash = TestResult(status=Status.RUNTIME_ERROR, input="[]\\n0", error="IndexError: list index out of range")
    >>> all_failed_reason([crash, crash])
    'every candidate failed: runtime_error (IndexError: list index out of range)'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sstar_dspy.budget import BudgetExhaustedError
from sstar_dspy.candidate import Candidate
from sstar_dspy.problem import Mode
from sstar_dspy.sandbox.results import TestResult
from sstar_dspy.selection.clustering import run_pool
from sstar_dspy.selection.input_format import (
    InputFormat,
    InvalidInputError,
    UsableInput,
    clip,
    expand_nested,
    normalize_all,
)
from sstar_dspy.signatures import TestInput
from sstar_dspy.solve_context import LMCallError, SolveContext
from sstar_dspy.trace import DroppedInput, InputReport

__all__ = [
    "Gathered",
    "InputFormat",
    "InvalidInputError",
    "UsableInput",
    "all_failed_reason",
    "expand_nested",
    "gather_inputs",
    "normalize_all",
    "run_and_filter",
]


def all_failed_reason(results: Sequence[TestResult]) -> str | None:
    """Why no candidate ran an input cleanly (e.g. ``every candidate failed: runtime_error (IndexError...)``),
    or None when at least one did."""
    if not results or any(r.status.ran_cleanly for r in results):
        return None
    statuses = sorted({r.status.value for r in results})
    error = next((r.error.strip().splitlines()[-1] for r in results if r.error.strip()), "")
    return f"every candidate failed: {', '.join(statuses)}" + (f" ({error[:120]})" if error else "")


def run_and_filter(
    ctx: SolveContext,
    candidates: Sequence[Candidate],
    pool: Sequence[int],
    inputs: Sequence[UsableInput],
    *,
    with_expected: bool = False,
) -> tuple[list[UsableInput], dict[int, list[TestResult]], list[DroppedInput]]:
    """Run the pool on ``inputs``; (inputs some candidate ran cleanly, the pool's results on them, the
    inputs every candidate failed on, as ``all_failed`` drops)."""
    kept: list[UsableInput] = []
    results: dict[int, list[TestResult]] = {i: [] for i in pool}
    dropped: list[DroppedInput] = []
    if not inputs:
        return kept, results, dropped
    ran = run_pool(ctx, candidates, pool, [v.case(with_expected=with_expected) for v in inputs])
    for k, v in enumerate(inputs):
        failed = all_failed_reason([ran[i][k] for i in pool])
        if failed:
            dropped.append(DroppedInput(input=clip(v.input), stage="all_failed", reason=failed, source=v.source))
            continue
        kept.append(v)
        for i in pool:
            results[i].append(ran[i][k])
    return kept, results, dropped


@dataclass
class Gathered:
    """The usable generated inputs of a selection and the pool's results on them.

    Attributes:
        inputs: Usable inputs, in order.
        results: Per pool candidate, its results on ``inputs`` (aligned).
        why_none: Why there are no usable inputs (None when there are some).
    """

    inputs: list[UsableInput] = field(default_factory=list)
    results: dict[int, list[TestResult]] = field(default_factory=dict)
    why_none: str | None = None


def _ask(ctx: SolveContext, fmt: InputFormat, feedback: str, attempt: int) -> tuple[list[TestInput], str | None, bool]:
    """One ``generate_tests`` call: (proposals, why it failed, whether a budget forbids asking again)."""
    try:
        pred = ctx.predict(
            "generate_tests",
            rollout_id=attempt or None,
            **ctx.problem_inputs(),
            **fmt.prompt_fields(),
            feedback=feedback,
        )
    except BudgetExhaustedError as err:
        return [], f"test generation failed ({err})", True
    except LMCallError as err:
        return [], f"test generation failed ({err})", False
    return expand_nested(pred.test_inputs or []), None, False


def _feedback(dropped: Sequence[DroppedInput], fmt: InputFormat, min_inputs: int) -> str:
    lines = [f"Too few of the earlier inputs were usable; write at least {min_inputs} new, different ones."]
    for d in dropped[:6]:
        lines.append(f"- {d.input[:80]!r} could not be used: {d.reason}")
    if fmt.mode is Mode.FUNCTIONAL and fmt.params:
        lines.append("Write each `input` as an object keyed by the parameter names, exactly like `example`.")
    else:
        lines.append("Write each `input` as complete standard input text, exactly like `example`.")
    return "\n".join(lines)


def gather_inputs(
    ctx: SolveContext,
    candidates: Sequence[Candidate],
    pool: Sequence[int],
    report: InputReport,
    *,
    max_inputs: int,
    min_inputs: int = 2,
    regenerate: bool = True,
    with_expected: bool = False,
) -> Gathered:
    """Ask for test inputs, normalise and validate them, run the pool, keep the usable ones.

    At most ``1 + regenerate`` ``generate_tests`` calls; everything is counted in ``report``.

    Args:
        ctx: The solve context.
        candidates: Every candidate.
        pool: The candidates to run.
        report: Filled in (generated, usable, dropped with reasons, regenerated).
        max_inputs: Cap on usable inputs (extra valid ones are counted as ``unused``).
        min_inputs: Ask once more when fewer usable inputs remain.
        regenerate: Allow that second call.
        with_expected: Run with the predicted outputs as expected outputs (pass/fail results).
    """
    fmt = InputFormat.of(ctx.problem)
    out = Gathered(results={i: [] for i in pool})
    seen: set[str] = set()
    feedback, why_failed = "", None
    for attempt in range(1 + int(regenerate)):
        if attempt:
            report.regenerated += 1
        proposals, why_failed, stop = _ask(ctx, fmt, feedback, attempt)
        if stop:
            break
        report.generated += len(proposals)
        valid, dropped = normalize_all(fmt, proposals, source="generated", attempt=attempt)
        fresh = []
        for v in valid:
            if v.input.strip() in seen:
                dropped.append(
                    DroppedInput(
                        input=clip(v.input), stage="duplicate", reason="same as an earlier input", attempt=attempt
                    )
                )
            elif len(out.inputs) + len(fresh) >= max_inputs:
                report.unused += 1
            else:
                seen.add(v.input.strip())
                fresh.append(v)
        kept, results, failed = run_and_filter(ctx, candidates, pool, fresh, with_expected=with_expected)
        for f in failed:
            f.attempt = attempt
        dropped.extend(failed)
        out.inputs.extend(kept)
        for i in pool:
            out.results[i].extend(results[i])
        report.dropped.extend(dropped)
        if len(out.inputs) >= min(min_inputs, max_inputs):
            break
        feedback = _feedback([d for d in dropped if d.stage != "duplicate"], fmt, min_inputs)
    usable = [v for v in out.inputs if v.source == "generated"]
    report.usable += len(usable)
    for v in usable:
        if v.repair:
            report.repaired += 1
            report.repairs[v.repair] = report.repairs.get(v.repair, 0) + 1
    if not out.inputs:
        out.why_none = why_failed if why_failed and not report.generated else _why_none(report)
    return out


def _why_none(report: InputReport) -> str:
    if not report.generated:
        return "test generation returned no inputs"
    stages: dict[str, int] = {}
    for d in report.dropped:
        stages[d.stage] = stages.get(d.stage, 0) + 1
    detail = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in stages.items())
    return f"none of {report.generated} generated inputs was usable ({detail})"
