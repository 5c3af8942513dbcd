"""Per-run budget: caps on LM calls, tokens and dollars summed over every problem of a run.

The per-problem budget belongs to the program (``sstar_dspy.budget.Budget``); this one stops the run from
starting new problems once the total is reached. Problems already running finish and are recorded, so
the total can overshoot by at most ``concurrency`` problems.

Example:
    >>> from sstar_dspy.runs.record import RoleUsage
    >>> RunBudget(max_calls=10).exceeded(RoleUsage(calls=12))
    'run budget reached: 12 LM calls >= --max-run-calls 10'
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from sstar_dspy.runs.record import RoleUsage


class RunBudget(BaseModel):
    """Caps for a whole run; None means unlimited."""

    max_calls: int | None = Field(None, gt=0)
    max_tokens: int | None = Field(None, gt=0)
    max_cost_usd: float | None = Field(None, gt=0)

    def exceeded(self, total: RoleUsage) -> str | None:
        """Why the run must stop starting new problems, or None."""
        if self.max_calls is not None and total.calls >= self.max_calls:
            return f"run budget reached: {total.calls} LM calls >= --max-run-calls {self.max_calls}"
        if self.max_tokens is not None and total.tokens >= self.max_tokens:
            return f"run budget reached: {total.tokens} tokens >= --max-run-tokens {self.max_tokens}"
        if self.max_cost_usd is not None and (total.cost_usd or 0.0) >= self.max_cost_usd:
            return f"run budget reached: ${total.cost_usd:.4f} >= --max-run-cost {self.max_cost_usd}"
        return None
