"""The oracle: picks a candidate that passes the HIDDEN tests. Evaluation only.

It measures coverage (pass@N of the pool), the upper bound of any selector. Its choice uses the
grading tests, so its score is never a method's pass@1; traces mark it ``evaluation_only``.

Example:
    >>> OracleSelector().evaluation_only
    True
"""

from __future__ import annotations

from dataclasses import dataclass

from sstar_dspy.candidate import Candidate
from sstar_dspy.selection.base import NO_PROGRAM, candidate_pool, programs_by_index
from sstar_dspy.solve_context import SolveContext
from sstar_dspy.trace import SelectionTrace

__all__ = ["OracleSelector"]


@dataclass
class OracleSelector:
    """First candidate passing every hidden test, else the one passing most (evaluation only)."""

    name: str = "oracle"
    evaluation_only: bool = True

    def select(self, ctx: SolveContext, candidates: list[Candidate]) -> SelectionTrace:
        """Grade every candidate on the hidden tests and pick the best."""
        pool, _ = candidate_pool(candidates, public_only=False)
        trace = SelectionTrace(selector=self.name, evaluation_only=True, pool=pool)
        if not pool:
            trace.reason = NO_PROGRAM
            return trace
        hidden = ctx.problem.hidden_tests
        if not hidden:
            trace.chosen, trace.reason = pool[0], "no hidden tests; first candidate (evaluation only)"
            return trace
        programs = programs_by_index(candidates)
        results = ctx.run_many([(programs[i], hidden) for i in pool])
        passed = {i: sum(r.passed for r in res) for i, res in zip(pool, results, strict=False)}
        trace.scores = {str(i): float(p) for i, p in passed.items()}
        best = max(pool, key=lambda i: (passed[i], -i))
        full = passed[best] == len(hidden)
        trace.chosen = best
        trace.reason = (
            f"passes all {len(hidden)} hidden tests"
            if full
            else f"no candidate passes all hidden tests; best passes {passed[best]}/{len(hidden)}"
        )
        trace.reason += " (evaluation only: uses hidden tests)"
        return trace
