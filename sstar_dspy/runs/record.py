"""One JSONL record per problem of a run: the chosen program, its verdict, the cost and the full trace.

A :class:`ProblemRecord` is written once, when a problem finishes (or fails). It carries everything a
report needs without re-running anything: the hidden-test verdict of the chosen program, the hidden
verdict of every candidate (for oracle pass@N and coverage curves), LM usage per role and wall time.

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


class ProblemRecord(BaseModel):
    """What happened on one problem.

    Attributes:
        problem_id: The problem's id.
        index: Position of the problem in the run's problem list (records are appended in finish order).
        status: ``ok`` (solved, right or wrong), ``error`` (an exception ended the solve; see ``error``).
        error: One line describing the failure (exception type and message), or None.
        passed: Hidden-test verdict of the chosen program; None when the problem is not gradable.
        hidden_passed: Hidden tests passed by the chosen program.
        hidden_total: Hidden tests of the problem.
        first_failure: Status, input and expected/actual (truncated) of the first failing hidden test.
        program: The chosen program ("" when nothing was produced).
        candidates_passed: Hidden verdict of every candidate (oracle pass@N, coverage@k).
        usage: LM usage per role.
        total: LM usage summed over roles.
        wall_s: Wall-clock seconds of the solve (grading excluded).
        budget_stop: Why the per-problem budget stopped the solve early, or None.
        trace: The program's SolveTrace as JSON (every candidate, round, cluster, duel, verdict).
        finished_at: UTC time the record was written.
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
    program: str = ""
    candidates_passed: list[bool] = Field(default_factory=list)
    usage: dict[str, RoleUsage] = Field(default_factory=dict)
    total: RoleUsage = Field(default_factory=RoleUsage)
    wall_s: float = 0.0
    budget_stop: str | None = None
    trace: dict[str, Any] | None = None
    finished_at: str = Field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    @property
    def n_candidates(self) -> int:
        return len(self.candidates_passed)

    @property
    def oracle_passed(self) -> bool | None:
        """True when any candidate passes the hidden tests (None when nothing was graded)."""
        if self.passed is None and not self.candidates_passed:
            return None
        return any(self.candidates_passed) or bool(self.passed)

    def comparable(self) -> dict[str, Any]:
        """The record without timing fields: equal for two runs of the same deterministic config."""
        return self.model_dump(mode="json", exclude={"wall_s", "finished_at", "trace", "index"})
