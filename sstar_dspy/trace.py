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

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, Field

from sstar_dspy.candidate import Candidate, DebugRound
from sstar_dspy.sandbox.results import TestResult

__all__ = [
    "Cluster",
    "DroppedInput",
    "Duel",
    "InputReport",
    "RoleUsage",
    "SelectionTrace",
    "SolveTrace",
    "usable_input_counts",
]

DuelOutcome = Literal["a", "b", "tie", "inconsistent", "failed"]
DropStage = Literal["invalid", "duplicate", "all_failed"]
InputSource = Literal["generated", "synthesized"]


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


class DroppedInput(BaseModel):
    """An LM-written input that was not used, and why.

    Attributes:
        input: The input as written (clipped to 200 characters).
        stage: ``invalid`` (no repair gives a valid input; nothing ran), ``duplicate`` (same as an
            earlier one) or ``all_failed`` (every candidate crashed, hit a limit or rejected it).
        reason: One line: what is wrong with it.
        source: ``generated`` (``generate_tests``) or ``synthesized`` (``distinguish``).
        attempt: Which ``generate_tests`` call wrote it (0 = the first, 1 = the regeneration).
    """

    input: str
    stage: DropStage
    reason: str
    source: InputSource = "generated"
    attempt: int = 0


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
        proposed_inputs: How many inputs the ``distinguish`` call wrote (before validation).
        dropped_inputs: Written or known inputs not used: invalid ones, and those both programs failed on.
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
    proposed_inputs: int = 0
    dropped_inputs: list[DroppedInput] = Field(default_factory=list)
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


class InputReport(BaseModel):
    """What became of the inputs the LM wrote during one selection.

    Attributes:
        generated: Inputs the ``generate_tests`` calls proposed (every attempt).
        usable: Of those, inputs used for clustering: valid (after repair) and run cleanly by at
            least one candidate.
        repaired: Of the usable ones, how many needed a repair (the forms are in ``repairs``).
        repairs: Count of usable generated inputs per repair applied (``"Python literals"``...).
        unused: Valid inputs left out because ``max_test_inputs`` was reached (not counted as unusable).
        regenerated: Extra ``generate_tests`` calls made because too few inputs were usable.
        synthesized: Inputs the ``distinguish`` calls proposed (agreement probe and duels).
        synthesized_usable: Of those, inputs that were valid and ran.
        probe: True when the candidates could not be told apart on generated inputs and one
            ``distinguish`` call looked for inputs that separate them (before any duel).
        dropped: Every input not used, with the reason.
    """

    generated: int = 0
    usable: int = 0
    repaired: int = 0
    repairs: dict[str, int] = Field(default_factory=dict)
    unused: int = 0
    regenerated: int = 0
    synthesized: int = 0
    synthesized_usable: int = 0
    probe: bool = False
    dropped: list[DroppedInput] = Field(default_factory=list)

    @property
    def considered(self) -> int:
        """Generated inputs that count for the usable share: all but duplicates and unused ones."""
        duplicates = sum(d.stage == "duplicate" and d.source == "generated" for d in self.dropped)
        return self.generated - duplicates - self.unused

    @property
    def usable_share(self) -> float | None:
        """``usable / considered`` (None when the LM wrote no inputs)."""
        return self.usable / self.considered if self.considered > 0 else None

    def line(self) -> str:
        """One line for :meth:`SolveTrace.summary`."""
        share = self.usable_share
        text = f"generated inputs: {self.generated} written, {self.usable} usable"
        text += f" ({share:.0%})" if share is not None else ""
        if self.repaired:
            text += f", {self.repaired} repaired (" + ", ".join(f"{k}: {v}" for k, v in self.repairs.items()) + ")"
        stages: dict[str, int] = {}
        for d in self.dropped:
            if d.source == "generated":
                stages[d.stage] = stages.get(d.stage, 0) + 1
        if stages:
            text += "; dropped " + ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in stages.items())
        if self.unused:
            text += f"; {self.unused} over the cap"
        if self.regenerated:
            text += f"; regenerated {self.regenerated}x"
        if self.synthesized:
            text += f"; synthesized {self.synthesized}, {self.synthesized_usable} usable"
        return text + ("; agreement probed" if self.probe else "")


class SelectionTrace(BaseModel):
    """What a selector did.

    Attributes:
        selector: The selector's name.
        evaluation_only: True when the selector looked at hidden tests (oracle); never report
            such a result as a method's pass@1.
        chosen: The chosen candidate index, or None when there was nothing to choose.
        reason: One line on why this candidate was chosen (including fallbacks).
        pool: Candidates that entered selection (after the public-test filter).
        test_inputs: The usable inputs the clusters are built on, in the test encoding:
            ``{"input", "expected_output", "source", "repair"}``, aligned with ``Cluster.output_keys``.
        inputs: What became of every LM-written input (usable, repaired, dropped with reasons);
            None when the selector wrote none.
        clusters: Behaviour clusters on the usable inputs.
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
    inputs: InputReport | None = None
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

    def usable_inputs(self) -> tuple[int, int] | None:
        """(usable, considered) generated inputs of this solve's selection; None when none were written.

        See :class:`InputReport`; sum both over a run for its usable share.
        """
        report = self.selection.inputs if self.selection else None
        return (report.usable, report.considered) if report is not None and report.considered > 0 else None

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
            if s.inputs is not None:
                lines.append(f"  {s.inputs.line()}")
                shown = [d for d in s.inputs.dropped if d.stage != "duplicate"][:5]  # duplicates: counted above
                lines.extend(f"  dropped {d.stage}: {d.input[:60]!r}: {d.reason}" for d in shown)
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


def usable_input_counts(traces: Iterable[SolveTrace | dict[str, Any] | None]) -> tuple[int, int]:
    """Usable and considered generated inputs summed over solves (traces or their JSON); for run summaries.

    Example:
        >>> t = SolveTrace(problem_id="p", selection=SelectionTrace(selector="adaptive",
        ...                inputs=InputReport(generated=4, usable=3)))
        >>> usable_input_counts([t, t.model_dump(mode="json"), None])
        (6, 8)
    """
    usable = considered = 0
    for trace in traces:
        if isinstance(trace, SolveTrace):
            report = trace.selection.inputs if trace.selection else None
        else:  # a record's trace JSON: read only the input report, not the whole trace
            raw = ((trace or {}).get("selection") or {}).get("inputs")
            report = InputReport.model_validate(raw) if raw else None
        if report is not None and report.considered > 0:
            usable, considered = usable + report.usable, considered + report.considered
    return usable, considered
