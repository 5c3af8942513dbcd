"""One JSONL record per problem of a run: the chosen program, its verdict, the cost and the full trace.

A :class:`ProblemRecord` is written once, when a problem finishes (or fails). It carries everything a
report needs without re-running anything: the verdict of the chosen program, the verdict of every
candidate (for oracle pass@N and coverage curves), LM usage per role and wall time. Verdicts are graded
on all tests, public + hidden, as LiveCodeBench (``graded_on="all"``) unless a run opted in to hidden
tests only (``"hidden"``); records written before ``graded_on`` existed were graded on hidden tests only
(:attr:`ProblemRecord.grading_rule` says ``"hidden"`` for them).

Example:
    >>> r = ProblemRecord(problem_id="sum", index=0, status="ok", passed=True, program="print(1)")
    >>> ProblemRecord.model_validate_json(r.model_dump_json()).passed
    True
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, Field

RECORD_SCHEMA_VERSION = 1


class RoleUsage(BaseModel):
    """LM usage of one role (generator, debugger, test_generator, judge) or of a whole problem."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: RoleUsage) -> RoleUsage:
        cost = (
            None if self.cost_usd is None and other.cost_usd is None else (self.cost_usd or 0) + (other.cost_usd or 0)
        )
        return RoleUsage(
            calls=self.calls + other.calls,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cost_usd=cost,
        )


class StageCost(BaseModel):
    """What one stage of the method spent on a problem: LM usage per role, their sum and wall seconds."""

    usage: dict[str, RoleUsage] = Field(default_factory=dict)
    total: RoleUsage = Field(default_factory=RoleUsage)
    wall_s: float = 0.0

    def __add__(self, other: StageCost) -> StageCost:
        roles = sorted(set(self.usage) | set(other.usage))
        return StageCost(
            usage={r: self.usage.get(r, RoleUsage()) + other.usage.get(r, RoleUsage()) for r in roles},
            total=self.total + other.total,
            wall_s=round(self.wall_s + other.wall_s, 3),
        )


class StageSplit(BaseModel):
    """The cost of a problem solved in two runs: stage 1 (``sstar generate``) and stage 2 (``sstar select``).

    ``stage1`` is carried from the generate run's record (``source`` = that run), ``stage2`` is what the select
    run spent (the record's own ``usage``/``total``/``wall_s``), ``total`` is the full method's cost.

    Example:
        >>> one = StageCost(total=RoleUsage(calls=8), wall_s=2.0)
        >>> two = StageCost(total=RoleUsage(calls=3), wall_s=0.5)
        >>> split = StageSplit.of(one, two, source="runs/gen")
        >>> split.total.total.calls, split.total.wall_s
        (11, 2.5)
    """

    source: str | None = None
    stage1: StageCost
    stage2: StageCost
    total: StageCost

    @classmethod
    def of(cls, stage1: StageCost, stage2: StageCost, *, source: str | None = None) -> StageSplit:
        """Both stages and their sum."""
        return cls(source=source, stage1=stage1, stage2=stage2, total=stage1 + stage2)


class ProblemRecord(BaseModel):
    """What happened on one problem.

    Attributes:
        problem_id: The problem's id.
        index: Position of the problem in the run's problem list (records are appended in finish order).
        status: ``ok`` (solved, right or wrong), ``error`` (an exception ended the solve; see ``error``).
        error: One line describing the failure (exception type and message), or None.
        passed: Verdict of the chosen program under ``graded_on``; None when the problem is not gradable.
        hidden_passed: Hidden tests passed by the chosen program (under either rule).
        hidden_total: Hidden tests of the problem.
        first_failure: Status, kind (public/hidden), input and expected/actual (truncated) of the first failing
            grading test.
        tests_passed: Grading tests passed by the chosen program (public + hidden, de-duplicated, under ``"all"``).
        tests_total: Grading tests of the problem (0 in older records and where nothing was graded).
        graded_on: ``"all"`` (public + hidden, LiveCodeBench's rule), ``"hidden"`` (opt-in), or None (older
            records: graded on hidden tests only; records of problems whose solve raised before grading).
        program: The chosen program ("" when nothing was produced).
        candidates_passed: Verdict of every candidate under the same rule (oracle pass@N, coverage@k).
        usage: LM usage per role.
        total: LM usage summed over roles.
        wall_s: Wall-clock seconds of the solve (grading excluded).
        budget_stop: Why the per-problem budget stopped the solve early, or None.
        stages: For stage 2 of a stage split (``sstar select`` on a generate run, and ``sstar score`` of that):
            stage-1 cost carried from the generate run's record, this record's stage-2 cost, and their total.
            ``usage``/``total``/``wall_s`` stay what this record's own solve spent. None otherwise.
        trace: The program's SolveTrace as JSON (every candidate, round, cluster, duel, verdict).
        finished_at: UTC time the record was written.
        attempt: Id of the solve attempt that made the record (matches its LM calls in ``inflight.jsonl``).
    """

    schema_version: int = RECORD_SCHEMA_VERSION
    problem_id: str
    index: int = 0
    status: Literal["ok", "error"] = "ok"
    error: str | None = None
    passed: bool | None = None
    hidden_passed: int = 0
    hidden_total: int = 0
    first_failure: dict[str, Any] | None = None
    tests_passed: int = 0
    tests_total: int = 0
    graded_on: Literal["all", "hidden"] | None = None
    program: str = ""
    candidates_passed: list[bool] = Field(default_factory=list)
    usage: dict[str, RoleUsage] = Field(default_factory=dict)
    total: RoleUsage = Field(default_factory=RoleUsage)
    wall_s: float = 0.0
    budget_stop: str | None = None
    stages: StageSplit | None = None
    trace: dict[str, Any] | None = None
    finished_at: str = Field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    attempt: str | None = None

    @property
    def n_candidates(self) -> int:
        return len(self.candidates_passed)

    @property
    def method_total(self) -> RoleUsage:
        """LM usage of the full method on this problem (both stages of a stage split)."""
        return self.stages.total.total if self.stages is not None else self.total

    @property
    def method_wall_s(self) -> float:
        """Wall seconds of the full method on this problem (both stages of a stage split)."""
        return self.stages.total.wall_s if self.stages is not None else self.wall_s

    @property
    def grading_rule(self) -> str | None:
        """Which tests ``passed`` was graded on: ``"all"`` or ``"hidden"``; None when no test ran.

        Records without ``graded_on`` that hold a verdict from a run were written before the field existed,
        when every verdict was graded on hidden tests only.

        Example:
            >>> ProblemRecord(problem_id="old", passed=True, hidden_passed=3, hidden_total=3).grading_rule
            'hidden'
            >>> ProblemRecord(problem_id="new", passed=True, graded_on="all").grading_rule
            'all'
        """
        if self.graded_on is not None:
            return self.graded_on
        if self.passed is None and not self.candidates_passed:
            return None
        if self.status == "error" and not self.program and not self.candidates_passed:
            return None  # the solve raised before anything was graded
        return "hidden"

    @property
    def oracle_passed(self) -> bool | None:
        """True when any candidate passes the grading tests (None when nothing was graded)."""
        if self.passed is None and not self.candidates_passed:
            return None
        return any(self.candidates_passed) or bool(self.passed)

    def comparable(self) -> dict[str, Any]:
        """The record without timing fields: equal for two runs of the same deterministic config."""
        return self.model_dump(mode="json", exclude={"wall_s", "finished_at", "trace", "index", "attempt"})
