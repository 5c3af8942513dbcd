"""S*'s adaptive selection: clusters by behaviour on generated inputs, then judged duels.

1. Keep the candidates that pass every public test (none: the first with the best public
   accuracy, no LM call; one distinct program: it, no LM call).
2. Test inputs from ``generate_tests``, made valid by construction and filtered
   (:mod:`~sstar_dspy.selection.inputs`: repaired, validated, inputs every candidate fails dropped,
   asked once more when fewer than ``min_test_inputs`` remain); run every kept candidate on them;
   cluster by canonical outputs (:mod:`~sstar_dspy.selection.clustering`). Steps 1-2 are shared with
   the baselines (:class:`~sstar_dspy.selection.pool.SelectionPool`).
3. Nothing separates the candidates (no usable input, or one cluster holding different programs):
   agreement on no evidence, or on weak evidence, is not agreement. One ``distinguish`` call on the two
   most common programs (the agreement probe) writes inputs meant to split them; the pool runs on those
   too and is clustered again. Without any usable input, each distinct program is its own cluster.
4. One cluster: everyone agrees, return its representative. Otherwise optionally keep only the
   ``top_k`` largest clusters (consensus pre-rank), then play duels between cluster
   *representatives* (one per cluster, as in the paper's Algorithm 1; the reference code duels
   every cross-cluster pair, which costs the product of the cluster sizes), largest pairs first,
   at most ``max_duels``, concurrently.
5. A consistent win scores 1 for the winner's cluster, a consistent tie 0.5 for each. The cluster
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
from sstar_dspy.selection.clustering import cluster_results, clusters_from_signatures, separating_inputs
from sstar_dspy.selection.duel import play_duel, synthesize_inputs
from sstar_dspy.selection.inputs import Gathered, run_and_filter
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
        min_test_inputs: Ask ``generate_tests`` once more when fewer usable inputs remain.
        regenerate_inputs: Allow that second call.
        probe_agreement: Run the agreement probe (step 3) when nothing separates different programs.
        probe_inputs: Cap on the probe's synthesised inputs.
    """

    max_duels: int | None = 10
    top_k: int | None = None
    max_test_inputs: int = 10
    synthesize_inputs: bool = True
    separating_per_duel: int = 3
    min_test_inputs: int = 2
    regenerate_inputs: bool = True
    probe_agreement: bool = True
    probe_inputs: int = 5
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
        gathered = opening.gather(
            self.max_test_inputs, min_inputs=self.min_test_inputs, regenerate=self.regenerate_inputs
        )
        why_none = gathered.why_none
        if self.synthesize_inputs and self.probe_agreement and not _separated(gathered, programs):
            self._probe(opening, gathered)
        generated = sum(v.source == "generated" for v in gathered.inputs)
        evidence = f"{generated} usable generated inputs"
        if len(gathered.inputs) > generated:
            evidence += f" and {len(gathered.inputs) - generated} synthesized inputs"
        if gathered.inputs:
            opening.cluster(gathered)
        else:  # no usable input: every distinct program is its own cluster; duels still synthesise inputs
            trace.clusters = clusters_from_signatures({i: (programs[i].strip(),) for i in pool})
            for c in trace.clusters:
                c.output_keys = []
        clusters = trace.clusters
        if len(clusters) == 1:
            trace.chosen = clusters[0].representative
            trace.reason = f"{note}; all agree on {evidence}"
            return trace

        contenders = clusters if self.top_k is None else clusters[: self.top_k]
        pairs = sorted(
            combinations(contenders, 2), key=lambda p: (-(len(p[0].members) + len(p[1].members)), p[0].id, p[1].id)
        )
        if self.max_duels is not None and len(pairs) > self.max_duels:
            pairs, trace.duel_cap_reached = pairs[: self.max_duels], True
        input_texts = [t.input for t in gathered.inputs]

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
        report = trace.inputs
        if report is not None:
            report.synthesized += sum(d.proposed_inputs for d in trace.duels)
            report.synthesized_usable += sum(d.synthesized_inputs for d in trace.duels)
        trace.chosen, trace.reason = self._choose(contenders, trace.duels, note, why_none)
        trace.scores = {str(c.representative): c.wins for c in contenders}
        return trace

    def _probe(self, opening: SelectionPool, gathered: Gathered) -> None:
        """The agreement probe (step 3): one ``distinguish`` call on the two most common programs; its
        usable inputs (at least one candidate runs them cleanly) join ``gathered``."""
        programs = opening.programs
        by_text: dict[str, list[int]] = {}
        for i in opening.pool:
            by_text.setdefault(programs[i].strip(), []).append(i)
        a, b = (group[0] for group in sorted(by_text.values(), key=lambda g: (-len(g), g[0]))[:2])
        synth = synthesize_inputs(opening.ctx, programs[a], programs[b], self.probe_inputs)
        report = opening.trace.inputs
        assert report is not None
        report.probe = True
        report.synthesized += synth.proposed
        report.dropped.extend(synth.dropped)
        kept, results, failed = run_and_filter(opening.ctx, opening.candidates, opening.pool, synth.inputs)
        report.dropped.extend(failed)
        report.synthesized_usable += len(kept)
        gathered.inputs.extend(kept)
        opening.trace.test_inputs.extend(v.record() for v in kept)
        for i in opening.pool:
            gathered.results[i].extend(results[i])

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


def _separated(gathered: Gathered, programs: dict[int, str]) -> bool:
    """True when the usable inputs split the pool into two or more behaviours, or the pool holds one program."""
    if len({programs[i].strip() for i in gathered.results}) <= 1:
        return True
    return bool(gathered.inputs) and len(cluster_results(gathered.results)) > 1
