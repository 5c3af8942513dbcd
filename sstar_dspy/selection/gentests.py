"""The paper's "generated tests" baseline: most passes on LM-generated (input, output) tests.

Generated tests as every test-based selector gets them (validated, inputs every candidate fails dropped;
:class:`~sstar_dspy.selection.pool.SelectionPool`); only tests with a predicted expected output count. Among the
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
        opening = SelectionPool.open(
            self.name, ctx, candidates, public_pool(candidates), one_program_is_one_candidate=True
        )
        if opening.decided:
            return opening.trace
        trace, pool, note = opening.trace, opening.pool, opening.note
        gathered = opening.gather(self.max_test_inputs, with_expected=True)
        checked = [k for k, t in enumerate(gathered.inputs) if t.expected_output is not None]
        if not checked:
            trace.chosen = pool[0]
            why = gathered.why_none or "no generated test has an expected output"
            trace.reason = f"{note}; {why}; first of them"
            return trace
        scores = {i: float(sum(gathered.results[i][k].passed for k in checked)) for i in pool}
        best = max(pool, key=lambda i: (scores[i], -i))
        trace.scores = {str(i): s for i, s in scores.items()}
        trace.chosen = best
        trace.reason = f"{note}; passes {scores[best]:g}/{len(checked)} generated tests (most)"
        return trace
