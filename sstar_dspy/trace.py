"""SolveTrace: the self-contained, serialisable record of one S* solve.

Everything a run needs to explain its answer is in here: every candidate with every debug round
and its public-test results, the generated test inputs, the clusters, every duel with both judge
verdicts, LM calls and tokens per role, wall time per stage, why a budget stopped a stage, and
the errors met on the way. ``trace.model_dump(mode="json")`` gives plain JSON for JSONL records.

Example:
    >>> t = SolveTrace(problem_id="sum")
    >>> SolveTrace.model_validate(t.model_dump(mode="json")) == t
    True
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from sstar_dspy.candidate import Candidate, DebugRound
from sstar_dspy.sandbox.results import TestResult

__all__ = ["Cluster", "Duel", "RoleUsage", "SelectionTrace", "SolveTrace"]

DuelOutcome = Literal["a", "b", "tie", "inconsistent", "failed"]


class RoleUsage(BaseModel):
    """LM usage of one role (generator, debugger, test_generator, judge) within one solve.

    Attributes:
        calls: Predictor calls started (cache hits included).
        failed: Calls that raised (LM error or unparsable answer).
        cached: Calls answered from DSPy's cache (no tokens).
        prompt_tokens: Input tokens reported by the LM.
        completion_tokens: Output tokens reported by the LM.
    """

    calls: int = 0
    failed: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class Cluster(BaseModel):
    """Candidates that behaved identically on every generated input.

    Attributes:
        id: Cluster number (0 = largest).
        members: Candidate indices, ascending; ``members[0]`` is the representative.
        output_keys: The shared behaviour per generated input: the canonical output key, or
            ``"!<status>"`` (e.g. ``"!runtime_error"``) when the program crashed or hit a limit.
        wins: Consistent duel wins.
    """

    id: int
    members: list[int]
    output_keys: list[str | None] = Field(default_factory=list)
    wins: float = 0.0

    @property
    def representative(self) -> int:
        return self.members[0]


class Duel(BaseModel):
    """One pairwise duel between two candidates (cluster representatives).

    Attributes:
        a: Candidate index shown first in the first judging order.
        b: The other candidate.
        inputs: The inputs both programs ran on: first the synthesised ones, then separating
            generated inputs.
        synthesized_inputs: How many of ``inputs`` (from the start) the ``distinguish`` predictor wrote.
        results_a: What ``a`` did on them.
        results_b: What ``b`` did on them.
        verdict_ab: Judge verdict with ``a`` shown as program A ("A", "B", "tie" or None on failure).
        verdict_ba: Judge verdict with ``b`` shown as program A.
        analysis_ab: The judge's reasoning behind ``verdict_ab`` (None if the call failed).
        analysis_ba: The judge's reasoning behind ``verdict_ba``.
        outcome: ``a``/``b`` (consistent win), ``tie``, ``inconsistent`` or ``failed``.
        error: Why the duel failed, if it did.
        judged: False when the judge was not asked because both programs behaved identically on every
            input (the outcome is then ``tie`` at no LM cost).
    """

    a: int
    b: int
    inputs: list[str] = Field(default_factory=list)
    synthesized_inputs: int = 0
    results_a: list[TestResult] = Field(default_factory=list)
    results_b: list[TestResult] = Field(default_factory=list)
    verdict_ab: str | None = None
    verdict_ba: str | None = None
    analysis_ab: str | None = None
    analysis_ba: str | None = None
    outcome: DuelOutcome = "failed"
    error: str | None = None
    judged: bool = True

    @property
    def winner(self) -> int | None:
        return {"a": self.a, "b": self.b}.get(self.outcome)


class SelectionTrace(BaseModel):
    """What a selector did.

    Attributes:
        selector: The selector's name.
        evaluation_only: True when the selector looked at hidden tests (oracle); never report
            such a result as a method's pass@1.
        chosen: The chosen candidate index, or None when there was nothing to choose.
        reason: One line on why this candidate was chosen (including fallbacks).
        pool: Candidates that entered selection (after the public-test filter).
        test_inputs: Generated test inputs (and predicted outputs, when the selector used them).
        clusters: Behaviour clusters on the generated inputs.
        duels: Every duel played.
        duel_cap_reached: True when ``max_duels`` stopped the tournament early.
        scores: Per-candidate scores of score-based selectors (index as string key).
    """

    selector: str
    evaluation_only: bool = False
    chosen: int | None = None
    reason: str = ""
    pool: list[int] = Field(default_factory=list)
    test_inputs: list[dict[str, Any]] = Field(default_factory=list)
    clusters: list[Cluster] = Field(default_factory=list)
    duels: list[Duel] = Field(default_factory=list)
    duel_cap_reached: bool = False
    scores: dict[str, float] = Field(default_factory=dict)


class SolveTrace(BaseModel):
    """The full record of one ``SStar`` call on one problem.

    Attributes:
        problem_id: The problem solved.
        config: The program's settings (n, rounds, context, selector, budget, seed).
        candidates: Every sample with every round and its public-test results.
        selection: What the selector did.
        chosen: Index of the returned candidate, or None.
        usage: LM usage per role.
        wall_s: Wall-clock seconds per stage (``generation``, ``selection``, ``total``).
        budget_stop: Why a budget ended a stage early (None if no budget was hit).
        errors: Errors met (failed LM calls, parse failures, sandbox problems), one line each.
    """

    problem_id: str
    config: dict[str, Any] = Field(default_factory=dict)
    candidates: list[Candidate] = Field(default_factory=list)
    selection: SelectionTrace | None = None
    chosen: int | None = None
    usage: dict[str, RoleUsage] = Field(default_factory=dict)
    wall_s: dict[str, float] = Field(default_factory=dict)
    budget_stop: str | None = None
    errors: list[str] = Field(default_factory=list)

    @property
    def lm_calls(self) -> int:
        return sum(u.calls for u in self.usage.values())

    @property
    def total_tokens(self) -> int:
        return sum(u.total_tokens for u in self.usage.values())

    def summary(self) -> str:
        """A few human-readable lines: candidates (one line each: every round's public passes and cost),
        selection, usage, time."""
        passing = sum(c.passes_public for c in self.candidates)
        lines = [f"problem {self.problem_id}: {len(self.candidates)} candidates, {passing} pass the public tests"]
        for c in self.candidates:
            rounds = " -> ".join(_round_summary(r) for r in c.rounds)
            lines.append(f"  #{c.index} (rollout {c.rollout_id}): {rounds}")
        if self.selection:
            s = self.selection
            lines.append(
                f"selection {s.selector}: chose #{s.chosen} ({s.reason}); {len(s.clusters)} clusters, "
                f"{len(s.duels)} duels" + (" [evaluation only]" if s.evaluation_only else "")
            )
            for d in s.duels:
                verdicts = f"{d.verdict_ab}/{d.verdict_ba}" if d.judged else "same outputs, not judged"
                lines.append(f"  duel #{d.a} vs #{d.b}: {verdicts} -> {d.outcome}")
        usage = ", ".join(f"{role} {u.calls} calls {u.total_tokens} tok" for role, u in self.usage.items())
        lines.append(f"usage: {usage or 'none'}; wall: " + ", ".join(f"{k} {v:.2f}s" for k, v in self.wall_s.items()))
        if self.budget_stop:
            lines.append(f"budget stop: {self.budget_stop}")
        lines.extend(f"error: {e}" for e in self.errors)
        return "\n".join(lines)


def _round_summary(r: DebugRound) -> str:
    """``r1:1/1 (1043 tok, lm 2.10s, run 0.05s)[error]``: public passes, then the round's cost when recorded."""
    text = f"r{r.round}:{r.public_passed}/{len(r.public_results)}"
    if r.cost is not None:
        c = r.cost
        text += f" ({c.total_tokens} tok, lm {c.lm_wall_s:.2f}s, run {c.sandbox_wall_s:.2f}s)"
    return text + (f"[{r.lm_error}]" if r.lm_error else "")
