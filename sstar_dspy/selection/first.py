"""The paper's "public only" baseline: the first candidate that passes every public test.

Example:
    >>> FirstSelector().name
    'first'
"""

from __future__ import annotations

from dataclasses import dataclass

from sstar_dspy.candidate import Candidate
from sstar_dspy.selection.base import public_pool
from sstar_dspy.selection.pool import SelectionPool
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
        opening = SelectionPool.open(self.name, ctx, candidates, public_pool(candidates))
        if not opening.decided:
            opening.trace.chosen, opening.trace.reason = opening.pool[0], f"{opening.note}; first of them"
        return opening.trace
