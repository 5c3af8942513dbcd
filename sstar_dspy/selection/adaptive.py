"""S*'s adaptive selection: clusters by behaviour on generated inputs, then judged duels.

1. Keep the candidates that pass every public test (none: the first with the best public
   accuracy, no LM call; one distinct program: it, no LM call).
2. One ``generate_tests`` call for test inputs; run every kept candidate on them; cluster by
   canonical outputs (:mod:`~sstar_dspy.selection.clustering`). Steps 1-2 are shared with the
   baselines (:class:`~sstar_dspy.selection.pool.SelectionPool`).
3. One cluster: everyone agrees, return its representative. Otherwise optionally keep only the
   ``top_k`` largest clusters (consensus pre-rank), then play duels between cluster
   *representatives* (one per cluster, as in the paper's Algorithm 1; the reference code duels
   every cross-cluster pair, which costs the product of the cluster sizes), largest pairs first,
   at most ``max_duels``, concurrently.
4. A consistent win scores 1 for the winner's cluster, a consistent tie 0.5 for each. The cluster
   with most points wins (ties: larger cluster, then lower index); if no duel was decisive, the
   largest cluster wins (consensus fallback).

Example:
    >>> sel = AdaptiveSelector(max_duels=6, top_k=4)
    >>> sel.name
    'adaptive'
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from sstar_dspy.candidate import Candidate
from sstar_dspy.selection.base import public_pool
from sstar_dspy.selection.clustering import clusters_from_signatures, separating_inputs
from sstar_dspy.selection.duel import play_duel
from sstar_dspy.selection.pool import SelectionPool
from sstar_dspy.solve_context import SolveContext
from sstar_dspy.trace import Cluster, Duel, SelectionTrace

__all__ = ["AdaptiveSelector"]


@dataclass
class AdaptiveSelector:
    """S* selection (see the module docstring).

    Args:
        max_duels: Cap on duels per problem (each costs up to 3 LM calls); None = all pairs.
        top_k: Keep only the k largest clusters before duelling (consensus pre-rank); None = all.
        max_test_inputs: Cap on generated test inputs used for clustering.
        synthesize_inputs: Ask for distinguishing inputs per duel (S*). False gives the paper's
            "LLM judge" baseline, judging on the generated inputs only.
        separating_per_duel: How many separating generated inputs to add to each duel.
    """

    max_duels: int | None = 10
    top_k: int | None = None
    max_test_inputs: int = 10
    synthesize_inputs: bool = True
    separating_per_duel: int = 3
    name: str = "adaptive"
    evaluation_only: bool = False

    def select(self, ctx: SolveContext, candidates: list[Candidate]) -> SelectionTrace:
        """Choose one candidate (never raises; fallbacks are named in ``reason``)."""
        opening = SelectionPool.open(
            self.name, ctx, candidates, public_pool(candidates), one_program_is_one_candidate=True
        )
        if opening.decided:
            return opening.trace
        trace, pool, note, programs = opening.trace, opening.pool, opening.note, opening.programs
        inputs, why_none = opening.generate_inputs(self.max_test_inputs)
        if inputs:
            opening.run_and_cluster(inputs)
        else:  # no inputs: every distinct program is its own cluster; duels still synthesise inputs
            trace.clusters = clusters_from_signatures({i: (programs[i].strip(),) for i in pool})
            for c in trace.clusters:
                c.output_keys = []
        clusters = trace.clusters
        if len(clusters) == 1:
            trace.chosen = clusters[0].representative
            trace.reason = f"{note}; all agree on {len(inputs)} generated inputs"
            return trace

        contenders = clusters if self.top_k is None else clusters[: self.top_k]
        pairs = sorted(
            combinations(contenders, 2), key=lambda p: (-(len(p[0].members) + len(p[1].members)), p[0].id, p[1].id)
        )
        if self.max_duels is not None and len(pairs) > self.max_duels:
            pairs, trace.duel_cap_reached = pairs[: self.max_duels], True
        input_texts = [t.input for t in inputs]

        def duel(pair: tuple[Cluster, Cluster]) -> Duel:
            x, y = pair
            known = separating_inputs(x, y, input_texts, limit=self.separating_per_duel) if input_texts else []
            return play_duel(
                ctx,
                x.representative,
                y.representative,
                programs[x.representative],
                programs[y.representative],
                known_inputs=known,
                synthesize=self.synthesize_inputs,
            )

        trace.duels = ctx.map(duel, pairs)
        trace.chosen, trace.reason = self._choose(contenders, trace.duels, note, why_none)
        trace.scores = {str(c.representative): c.wins for c in contenders}
        return trace

    def _choose(self, contenders: list[Cluster], duels: list[Duel], note: str, why_none: str | None) -> tuple[int, str]:
        by_rep = {c.representative: c for c in contenders}
        decisive = 0
        for d in duels:
            if d.outcome in ("a", "b"):
                by_rep[d.winner].wins += 1.0
                decisive += 1
            elif d.outcome == "tie":
                by_rep[d.a].wins += 0.5
                by_rep[d.b].wins += 0.5
        prefix = f"{note}; {len(contenders)} clusters" + (f"; {why_none}" if why_none else "")
        if not decisive:
            return contenders[0].representative, f"{prefix}; no decisive duel, largest cluster"
        rank = {c.id: position for position, c in enumerate(contenders)}  # size, then fewer crashes
        best = max(contenders, key=lambda c: (c.wins, -rank[c.id]))
        return best.representative, f"{prefix}; {decisive} decisive duels, cluster {best.id} won {best.wins:g}"
