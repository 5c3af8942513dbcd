"""The paper's majority-vote baseline: agreement of outputs on generated inputs (MBR-exec style).

One ``generate_tests`` call; every candidate runs on every input; for each pair of candidates
and each input where both produce the same clean output, both get one point. The highest score
wins (ties: lowest index). As in the reference, candidates are not filtered by the public tests
unless ``public_only=True``.

Example:
    >>> MajorityVoteSelector().name
    'majority'
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sstar_dspy.candidate import Candidate
from sstar_dspy.selection.base import candidate_pool
from sstar_dspy.selection.clustering import behaviour_key
from sstar_dspy.selection.pool import SelectionPool
from sstar_dspy.solve_context import SolveContext
from sstar_dspy.trace import SelectionTrace

__all__ = ["MajorityVoteSelector"]


@dataclass
class MajorityVoteSelector:
    """Choose the candidate whose outputs agree most with the others' (see the module docstring).

    Args:
        public_only: Vote among public-passing candidates only (when there are any).
        max_test_inputs: Cap on generated inputs.
    """

    public_only: bool = False
    max_test_inputs: int = 10
    name: str = "majority"
    evaluation_only: bool = False

    def select(self, ctx: SolveContext, candidates: list[Candidate]) -> SelectionTrace:
        """Choose by pairwise output agreement."""
        opening = SelectionPool.open(
            self.name, ctx, candidates, candidate_pool(candidates, public_only=self.public_only)
        )
        if opening.decided:
            return opening.trace
        trace, pool, note = opening.trace, opening.pool, opening.note
        inputs, why_none = opening.generate_inputs(self.max_test_inputs)
        if not inputs:
            trace.chosen, trace.reason = pool[0], f"{note}; {why_none}; first candidate"
            return trace
        results = opening.run_and_cluster(inputs)
        scores = dict.fromkeys(pool, 0.0)
        for t in range(len(inputs)):
            keys = {i: behaviour_key(results[i][t]) for i in pool if results[i][t].status.ran_cleanly}
            counts = Counter(keys.values())
            for i, key in keys.items():
                scores[i] += counts[key] - 1  # agreeing partners on this input
        best = max(pool, key=lambda i: (scores[i], -i))
        trace.scores = {str(i): s for i, s in scores.items()}
        trace.chosen = best
        trace.reason = f"{note}; highest output agreement ({scores[best]:g}) on {len(inputs)} generated inputs"
        return trace
