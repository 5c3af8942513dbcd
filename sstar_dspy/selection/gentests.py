"""The paper's "generated tests" baseline: most passes on LM-generated (input, output) tests.

One ``generate_tests`` call; only tests with a predicted expected output count. Among the
public-passing candidates, the one passing most of those tests wins (ties: lowest index). Without
any predicted output it falls back to the first public-passing candidate.

Example:
    >>> GeneratedTestsSelector().name
    'gentests'
"""

from __future__ import annotations

from dataclasses import dataclass

from sstar_dspy.candidate import Candidate
from sstar_dspy.selection.base import public_pool
from sstar_dspy.selection.pool import SelectionPool
from sstar_dspy.solve_context import SolveContext
from sstar_dspy.trace import SelectionTrace

__all__ = ["GeneratedTestsSelector"]


@dataclass
class GeneratedTestsSelector:
    """Choose by pass count on generated tests (see the module docstring)."""

    max_test_inputs: int = 10
    name: str = "gentests"
    evaluation_only: bool = False

    def select(self, ctx: SolveContext, candidates: list[Candidate]) -> SelectionTrace:
        """Choose the public-passing candidate passing most generated tests."""
        opening = SelectionPool.open(self.name, ctx, candidates, public_pool(candidates))
        if opening.decided:
            return opening.trace
        trace, pool, note = opening.trace, opening.pool, opening.note
        inputs, why_none = opening.generate_inputs(self.max_test_inputs)
        checked = [t for t in inputs if t.expected_output is not None]
        if not checked:
            trace.chosen = pool[0]
            trace.reason = f"{note}; {why_none or 'no generated test has an expected output'}; first of them"
            return trace
        results = opening.run(checked, with_expected=True)
        scores = {i: float(sum(r.passed for r in results[i])) for i in pool}
        best = max(pool, key=lambda i: (scores[i], -i))
        trace.scores = {str(i): s for i, s in scores.items()}
        trace.chosen = best
        trace.reason = f"{note}; passes {scores[best]:g}/{len(checked)} generated tests (most)"
        return trace
