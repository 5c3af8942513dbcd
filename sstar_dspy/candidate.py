"""Candidates: the programs S* generates, with the history of their debugging rounds.

A :class:`Candidate` is one of the N parallel samples. Round 0 is the initial generation; each
later round is one debugging step driven by execution feedback on the public tests. Candidates
serialise to JSONL so generation and selection can run separately (``sstar generate`` /
``sstar select``), including on candidates produced by another system (rounds may be empty then).

Rounds and candidates judge the public tests by one rule (:func:`passes_public_tests`): an empty
program never passes; a program passes when every public test passed, so with no public tests
any non-empty program passes.

Example:
    >>> DebugRound(round=0, program="print(1)").passes_public   # no public tests
    True
    >>> DebugRound(round=0, program="", lm_error="no code").passes_public
    False
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from sstar_dspy.sandbox.results import TestResult

__all__ = ["Candidate", "DebugRound", "RoundCost", "passes_public_tests"]


def passes_public_tests(program: str, public_results: list[TestResult]) -> bool:
    """The public-test verdict of a program: it is not empty and every public test passed.

    Args:
        program: The program's code.
        public_results: Its results on the public tests (empty when the problem has none).

    Example:
        >>> passes_public_tests("print(1)", [])
        True
        >>> passes_public_tests("  ", [])
        False
    """
    return bool(program.strip()) and all(r.passed for r in public_results)


class RoundCost(BaseModel):
    """What one round cost: its LM call (generate for round 0, debug after) and its public-test run.

    Attributes:
        prompt_tokens: Input tokens of the round's LM call (0: a cache hit, or no call was made).
        completion_tokens: Output tokens of that call.
        lm_wall_s: Wall seconds of that call (0 when a budget cap refused it).
        sandbox_wall_s: Wall seconds of running the round's new code on the public tests (0 when nothing
            ran; a rejected debug answer did run, so it counts).

    Example:
        >>> RoundCost(prompt_tokens=900, completion_tokens=150, lm_wall_s=4.2, sandbox_wall_s=0.1).total_tokens
        1050
    """

    prompt_tokens: int = Field(0, ge=0)
    completion_tokens: int = Field(0, ge=0)
    lm_wall_s: float = Field(0.0, ge=0)
    sandbox_wall_s: float = Field(0.0, ge=0)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class DebugRound(BaseModel):
    """One round of a sample: the program it held and how it did on the public tests.

    Attributes:
        round: 0 for the initial generation, 1.. for debugging rounds.
        program: The code after this round (the last good code if the LM call failed).
        reasoning: The model's diagnosis (debug rounds) or reasoning, if any.
        public_results: Results on the public tests.
        lm_error: Why the LM call of this round failed (parse error, timeout, budget), or None.
        cost: What the round cost (tokens, LM and sandbox seconds); None when not recorded (traces
            written before it existed, rounds added to external candidates by ``SStar.select``).
    """

    round: int = Field(ge=0)
    program: str
    reasoning: str | None = None
    public_results: list[TestResult] = Field(default_factory=list)
    lm_error: str | None = None
    cost: RoundCost | None = None

    @property
    def public_passed(self) -> int:
        return sum(r.passed for r in self.public_results)

    @property
    def passes_public(self) -> bool:
        """See :func:`passes_public_tests` (never for an empty program)."""
        return passes_public_tests(self.program, self.public_results)


class Candidate(BaseModel):
    """One sample of S* stage 1.

    Attributes:
        index: Sample index within the problem (0..N-1).
        rollout_id: The DSPy ``rollout_id`` used for all of this sample's LM calls.
        program: The final program (last round).
        rounds: Every round, in order.
        source: Who produced it ("sstar" or an external system's name).
    """

    index: int = Field(ge=0)
    rollout_id: int | None = None
    program: str
    rounds: list[DebugRound] = Field(default_factory=list)
    source: str = "sstar"

    @property
    def public_results(self) -> list[TestResult]:
        return self.rounds[-1].public_results if self.rounds else []

    @property
    def passes_public(self) -> bool:
        """True when the candidate has a program and its last round passed every public test
        (see :func:`passes_public_tests`)."""
        return passes_public_tests(self.program, self.public_results)

    @property
    def public_accuracy(self) -> float:
        res = self.public_results
        return sum(r.passed for r in res) / len(res) if res else 0.0
