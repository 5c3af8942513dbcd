"""The opening steps the test-based selectors share (adaptive and judge, gentests, majority).

1. Filter the candidates to a pool (the public-test filter, or every candidate with a program).
2. Decide without any LM call when there is nothing to choose between: an empty pool falls back to the
   first candidate with the best public accuracy (none if no candidate wrote a program); a pool of one
   candidate (optionally: of one distinct program) is the answer.
3. Test inputs from ``generate_tests``, made valid and filtered by
   :func:`~sstar_dspy.selection.inputs.gather_inputs` (repaired, validated, run on the pool, inputs every
   candidate fails dropped, asked once more when too few remain), recorded in the trace.
4. Cluster the pool by behaviour on the usable inputs, recorded in the trace.

Each selector then only adds what is its own: duels, pass counts on predicted outputs, agreement votes.

Example:
    >>> from sstar_dspy.candidate import Candidate, DebugRound
    >>> from sstar_dspy.selection.base import public_pool
    >>> same = [Candidate(index=i, program="print(1)", rounds=[DebugRound(round=0, program="print(1)")])
    ...         for i in range(2)]
    >>> opening = SelectionPool.open("adaptive", None, same, public_pool(same), one_program_is_one_candidate=True)
    >>> opening.decided, opening.trace.chosen, opening.trace.reason
    (True, 0, '2 candidates pass the public tests; all have the same program')
"""

from __future__ import annotations

from dataclasses import dataclass

from sstar_dspy.candidate import Candidate
from sstar_dspy.selection.base import best_public_fallback, programs_by_index
from sstar_dspy.selection.clustering import cluster_results
from sstar_dspy.selection.inputs import Gathered, gather_inputs
from sstar_dspy.solve_context import SolveContext
from sstar_dspy.trace import InputReport, SelectionTrace

__all__ = ["SelectionPool"]


@dataclass
class SelectionPool:
    """One selection in progress: the pool, the note on how it was formed, and the trace so far.

    Attributes:
        ctx: The solve context (LM calls and the sandbox).
        candidates: Every candidate, in sample order.
        trace: The selection trace being filled in (``trace.pool`` is the pool).
        note: One line on the pool (e.g. "3 candidates pass the public tests"), the start of every reason.
    """

    ctx: SolveContext
    candidates: list[Candidate]
    trace: SelectionTrace
    note: str

    @classmethod
    def open(
        cls,
        selector: str,
        ctx: SolveContext,
        candidates: list[Candidate],
        pool_and_note: tuple[list[int], str],
        *,
        one_program_is_one_candidate: bool = False,
    ) -> SelectionPool:
        """Start a selection on a pool (from ``public_pool`` or ``candidate_pool``), deciding at once
        when the pool is empty or holds a single candidate (see the module docstring).

        Args:
            selector: The selector's name (for the trace).
            ctx: The solve context.
            candidates: Every candidate.
            pool_and_note: The pool's indices and its one-line note.
            one_program_is_one_candidate: Also decide at once when every pool member has the same program.
        """
        pool, note = pool_and_note
        if not pool:
            return cls(ctx, candidates, best_public_fallback(selector, candidates), note)
        trace = SelectionTrace(selector=selector, pool=pool)
        programs = programs_by_index(candidates)
        distinct = {programs[i].strip() for i in pool}
        if len(pool) == 1 or (one_program_is_one_candidate and len(distinct) == 1):
            why = "only one" if len(pool) == 1 else "all have the same program"
            trace.chosen, trace.reason = pool[0], f"{note}; {why}"
        return cls(ctx, candidates, trace, note)

    @property
    def pool(self) -> list[int]:
        return self.trace.pool

    @property
    def decided(self) -> bool:
        """True when the opening already chose (or found nothing to choose): return ``trace`` as it is."""
        return self.trace.chosen is not None or not self.trace.pool

    @property
    def programs(self) -> dict[int, str]:
        """Every candidate's program by index."""
        return programs_by_index(self.candidates)

    def gather(
        self, max_inputs: int, *, min_inputs: int = 2, regenerate: bool = True, with_expected: bool = False
    ) -> Gathered:
        """Usable generated inputs and the pool's results on them (see :func:`gather_inputs`); the inputs and
        what became of every written one are recorded in the trace."""
        self.trace.inputs = InputReport()
        gathered = gather_inputs(
            self.ctx,
            self.candidates,
            self.pool,
            self.trace.inputs,
            max_inputs=max_inputs,
            min_inputs=min_inputs,
            regenerate=regenerate,
            with_expected=with_expected,
        )
        self.trace.test_inputs = [v.record() for v in gathered.inputs]
        return gathered

    def cluster(self, gathered: Gathered) -> None:
        """Record the behaviour clusters of the pool on the gathered inputs in the trace."""
        self.trace.clusters = cluster_results(gathered.results)
