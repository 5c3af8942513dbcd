"""The paper's "public only" baseline: the first candidate that passes every public test.

Example:
    >>> FirstSelector().name
    'first'
"""

from __future__ import annotations

from dataclasses import dataclass

from sstar_dspy.candidate import Candidate
from sstar_dspy.selection.base import best_public_fallback, public_pool
from sstar_dspy.solve_context import SolveContext
from sstar_dspy.trace import SelectionTrace

__all__ = ["FirstSelector"]


@dataclass
class FirstSelector:
    """Return the lowest-index public-passing candidate (no LM call, no execution)."""

    name: str = "first"
    evaluation_only: bool = False

    def select(self, ctx: SolveContext, candidates: list[Candidate]) -> SelectionTrace:
        """Choose the first public-passing candidate, else the first with the best public accuracy."""
        pool, note = public_pool(candidates)
        if not pool:
            return best_public_fallback(self.name, candidates)
        return SelectionTrace(selector=self.name, pool=pool, chosen=pool[0], reason=f"{note}; first of them")
