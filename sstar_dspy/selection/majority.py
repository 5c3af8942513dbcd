"""The paper's majority-vote baseline: agreement of outputs on generated inputs (MBR-exec style).

Generated inputs as every test-based selector gets them (validated, inputs every candidate fails dropped;
:class:`~sstar_dspy.selection.pool.SelectionPool`); every candidate runs on every input; for each pair of candidates
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
            self.name,
            ctx,
            candidates,
            candidate_pool(candidates, public_only=self.public_only),
            one_program_is_one_candidate=True,
        )
        if opening.decided:
            return opening.trace
        trace, pool, note = opening.trace, opening.pool, opening.note
        gathered = opening.gather(self.max_test_inputs)
        if not gathered.inputs:
            trace.chosen, trace.reason = pool[0], f"{note}; {gathered.why_none}; first candidate"
            return trace
        opening.cluster(gathered)
        results = gathered.results
        scores = dict.fromkeys(pool, 0.0)
        for t in range(len(gathered.inputs)):
            keys = {i: behaviour_key(results[i][t]) for i in pool if results[i][t].status.ran_cleanly}
            counts = Counter(keys.values())
            for i, key in keys.items():
                scores[i] += counts[key] - 1  # agreeing partners on this input
        best = max(pool, key=lambda i: (scores[i], -i))
        trace.scores = {str(i): s for i, s in scores.items()}
        trace.chosen = best
        trace.reason = (
            f"{note}; highest output agreement ({scores[best]:g}) on {len(gathered.inputs)} usable generated inputs"
        )
        return trace
