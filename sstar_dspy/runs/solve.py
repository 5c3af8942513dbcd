"""Turn one S* solve into a :class:`ProblemRecord`: run the program, grade the choice and every candidate.

Example:
    >>> from sstar_dspy.problem import Problem
    >>> import dspy
    >>> class Echo(dspy.Module):
    ...     def forward(self, problem):
    ...         return dspy.Prediction(program="", candidates=[], trace=None)
    >>> record = solve_fn(Echo())(Problem(id="p", statement="s"), 0)
    >>> record.problem_id, record.passed
    ('p', None)
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sstar_dspy.metric import resolve_graded_on
from sstar_dspy.problem import Problem
from sstar_dspy.runs.cost import usage_cost
from sstar_dspy.runs.grading import grade
from sstar_dspy.runs.record import ProblemRecord, RoleUsage
from sstar_dspy.runs.runner import SolveFn

logger = logging.getLogger(__name__)


def _trace_json(trace: Any) -> dict[str, Any] | None:
    if trace is None:
        return None
    if hasattr(trace, "model_dump"):
        return trace.model_dump(mode="json")
    return dict(trace) if isinstance(trace, dict) else None


def usage_from_trace(trace: dict[str, Any] | None, models: dict[str, str] | None = None) -> dict[str, RoleUsage]:
    """LM usage per role from a SolveTrace JSON (``usage: {role: {calls, prompt_tokens, ...}}``).

    ``models`` maps roles to model ids; the cost is filled in where litellm knows the price.
    """
    usage: dict[str, RoleUsage] = {}
    if not trace:
        return usage
    for role, value in (trace.get("usage") or {}).items():
        if isinstance(value, dict):
            prompt, completion = int(value.get("prompt_tokens", 0) or 0), int(value.get("completion_tokens", 0) or 0)
            cost = value.get("cost_usd", value.get("cost"))
            model = (models or {}).get(role)
            if cost is None and model:
                cost = usage_cost(model, prompt, completion)
            usage[role] = RoleUsage(
                calls=int(value.get("calls", 0) or 0), prompt_tokens=prompt, completion_tokens=completion, cost_usd=cost
            )
    return usage


def budget_stop_from_trace(trace: dict[str, Any] | None) -> str | None:
    """Why the per-problem budget ended the solve early, if the trace says so."""
    if not trace:
        return None
    value = trace.get("budget_stop") or trace.get("stopped_by")
    return str(value) if value else None


def solve_fn(
    program: Any,
    *,
    sandbox: Any | None = None,
    grade_candidates: bool = True,
    models: dict[str, str] | None = None,
    graded_on: str | None = None,
) -> SolveFn:
    """Build the runner's ``solve(problem, index) -> ProblemRecord`` around an SStar-like program.

    Errors the program recovered from (failed LM calls, unparsable replies) are listed in the trace; the
    record's ``error`` names the first, and its status is ``error`` when they left no program at all.

    Args:
        program: Called as ``program(problem=problem)``; returns a Prediction with ``program``,
            ``candidates`` and ``trace``.
        sandbox: Sandbox used to grade (the shared default when None).
        grade_candidates: Also grade every candidate (oracle pass@N, coverage curves).
        models: Model id per role, to price the usage (litellm's table; None where unknown).
        graded_on: ``"all"`` (public + hidden tests, LiveCodeBench's rule) or ``"hidden"``; None =
            ``$SSTAR_GRADE_ON`` or "all", resolved once here so every record of the run uses one rule.
    """
    rule = resolve_graded_on(graded_on)

    def solve(problem: Problem, index: int) -> ProblemRecord:
        start = time.perf_counter()
        pred = program(problem=problem)
        wall = time.perf_counter() - start
        chosen = getattr(pred, "program", "") or ""
        trace = _trace_json(getattr(pred, "trace", None))
        verdict = grade(problem, chosen, sandbox, graded_on=rule)
        candidates = list(getattr(pred, "candidates", None) or [])
        passed_each: list[bool] = []
        if grade_candidates and problem.gradable:
            cache: dict[str, bool] = {chosen: bool(verdict.passed)} if chosen.strip() else {}
            for cand in candidates:
                code = cand.program
                if code not in cache:
                    cache[code] = bool(grade(problem, code, sandbox, graded_on=rule).passed)
                passed_each.append(cache[code])
        usage = usage_from_trace(trace, models)
        errors = [str(e) for e in (trace or {}).get("errors") or []]
        error = f"{len(errors)} errors during the solve; first: {errors[0]}" if errors else None
        return ProblemRecord(
            status="error" if errors and not chosen.strip() else "ok",
            error=error,
            problem_id=problem.id,
            index=index,
            **verdict.record_fields(),
            program=chosen,
            candidates_passed=passed_each,
            usage=usage,
            total=sum(usage.values(), RoleUsage()),
            wall_s=round(wall, 3),
            budget_stop=budget_stop_from_trace(trace),
            trace=trace,
        )

    return solve
