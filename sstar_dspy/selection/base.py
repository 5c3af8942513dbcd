"""The selector protocol and the helpers every selector shares.

A selector is a small object with a ``name`` and ``select(ctx, candidates) -> SelectionTrace``.
It may call the ``generate_tests``, ``distinguish`` and ``judge`` predictors and the sandbox, but
only through the :class:`~sstar_dspy.solve_context.SolveContext`, so role LMs, budgets and usage
accounting apply. Selectors never raise on LM or sandbox failures: they fall back and say why in
``SelectionTrace.reason``.

Example:
    >>> from sstar_dspy.candidate import Candidate
    >>> public_pool([Candidate(index=0, program="x"), Candidate(index=1, program="")])
    ([0], '1 candidates pass the public tests')
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from sstar_dspy.candidate import Candidate
from sstar_dspy.solve_context import SolveContext
from sstar_dspy.trace import SelectionTrace

__all__ = ["NO_PROGRAM", "Selector", "best_public_fallback", "candidate_pool", "programs_by_index", "public_pool"]

NO_PROGRAM = "no candidate produced a program"  # the reason of every selection that has nothing to choose


@runtime_checkable
class Selector(Protocol):
    """Chooses one candidate; see the module docstring.

    Attributes:
        name: Short name used in traces and by ``sstar_dspy.selection.build``.
        evaluation_only: True if the selector reads hidden tests (oracle).
    """

    name: str
    evaluation_only: bool

    def select(self, ctx: SolveContext, candidates: list[Candidate]) -> SelectionTrace:
        """Choose among ``candidates`` (all of them, in sample order)."""
        ...


def programs_by_index(candidates: list[Candidate]) -> dict[int, str]:
    """Every candidate's program by its index."""
    return {c.index: c.program for c in candidates}


def public_pool(candidates: list[Candidate]) -> tuple[list[int], str]:
    """Indices of candidates with a program that pass every public test, and a one-line note."""
    pool = [c.index for c in candidates if c.passes_public]  # passes_public is False for an empty program
    return pool, f"{len(pool)} candidates pass the public tests"


def candidate_pool(candidates: list[Candidate], *, public_only: bool) -> tuple[list[int], str]:
    """Indices of candidates with a program, narrowed to the public-passing ones when ``public_only``
    and any pass; with a one-line note saying which pool it is."""
    pool = [c.index for c in candidates if c.program.strip()]
    note = f"{len(pool)} candidates with a program"
    if public_only:
        passing, passing_note = public_pool(candidates)
        if passing:
            return passing, passing_note
    return pool, note


def best_public_fallback(selector: str, candidates: list[Candidate], *, note: str = "") -> SelectionTrace:
    """The reference's answer when nothing passes the public tests: the first candidate with the
    best public accuracy (no LM call)."""
    with_code = [c for c in candidates if c.program.strip()]
    if not with_code:
        return SelectionTrace(selector=selector, chosen=None, reason=NO_PROGRAM)
    best = max(with_code, key=lambda c: (c.public_accuracy, -c.index))
    why = f"no candidate passes the public tests; first with the best public accuracy ({best.public_accuracy:.2f})"
    return SelectionTrace(selector=selector, chosen=best.index, reason=f"{note}{why}")
