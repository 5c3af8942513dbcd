"""The random baseline: a seeded random candidate.

The reference implementation picks among all N samples, unfiltered (``public_only=False``);
``public_only=True`` picks among the public-passing ones. The choice depends only on the seed and
the problem id, so re-runs reproduce it.

Example:
    >>> RandomSelector(seed=40).name
    'random'
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass

from sstar_dspy.candidate import Candidate
from sstar_dspy.selection.base import NO_PROGRAM, candidate_pool
from sstar_dspy.solve_context import SolveContext
from sstar_dspy.trace import SelectionTrace

__all__ = ["RandomSelector"]


@dataclass
class RandomSelector:
    """Pick a candidate at random (see the module docstring).

    Args:
        seed: Base seed (the reference used 40).
        public_only: Restrict the choice to public-passing candidates (when there are any).
    """

    seed: int = 40
    public_only: bool = False
    name: str = "random"
    evaluation_only: bool = False

    def select(self, ctx: SolveContext, candidates: list[Candidate]) -> SelectionTrace:
        """Choose a random candidate with a program."""
        pool, note = candidate_pool(candidates, public_only=self.public_only)
        if not pool:
            return SelectionTrace(selector=self.name, chosen=None, reason=NO_PROGRAM)
        rng = random.Random(self.seed * 1_000_003 + zlib.crc32(ctx.problem.id.encode()))
        return SelectionTrace(
            selector=self.name, pool=pool, chosen=rng.choice(pool), reason=f"{note}; random choice (seed {self.seed})"
        )
