"""Per-run budget: caps on LM calls, tokens and dollars summed over every problem of a run.

The per-problem budget belongs to the program (``sstar_dspy.budget.Budget``); this one decides whether the run
may start another problem. Problems already running always finish (a solve cut short would be a worse result
counted in pass@1), so the run admits a problem only if the caps still hold when every running problem and
the new one spend as much as one problem can: ``spent + (running + 1) * per_problem <= cap``. ``per_problem``
is the program's worst case where it is known (LM calls: ``SStar.estimate_calls()``, capped by the per-problem
call budget), else the most any finished problem of the run spent. When even one more problem does not fit,
the run stops. With a known worst case (calls) the cap is never exceeded; for tokens and dollars the largest
problem so far is an estimate, and before any problem has finished nothing is known, so those caps can still
be overshot by the problems in flight. :meth:`RunBudget.overshoot` states by how much; the manifest's session
entry and the end-of-run summary carry that line.

Example:
    >>> from sstar_dspy.runs.record import RoleUsage
    >>> budget = RunBudget(max_calls=12)
    >>> budget.admit(RoleUsage(calls=0), running=1, per_problem=PerProblem(calls=5))  # 0 + 2 * 5 <= 12
    (True, None)
    >>> budget.admit(RoleUsage(calls=5), running=1, per_problem=PerProblem(calls=5))  # wait for the running one
    (False, None)
    >>> budget.admit(RoleUsage(calls=10), running=0, per_problem=PerProblem(calls=5))[1]
    'run budget reached: 2 LM calls left of --max-run-calls 12, less than one problem may use (5 LM calls)'
    >>> RunBudget(max_calls=10).exceeded(RoleUsage(calls=12))
    'run budget reached: 12 LM calls >= --max-run-calls 10'
    >>> print(RunBudget(max_calls=10).overshoot(RoleUsage(calls=12)))
    run budget overshot: 12 LM calls > --max-run-calls 10 (by 2 LM calls; problems in flight when it was reached ...)
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from sstar_dspy.runs.record import RoleUsage


class PerProblem(BaseModel):
    """How much one problem may spend (None = unknown): the admission rule's per-problem amount."""

    calls: int | None = None
    tokens: int | None = None
    cost_usd: float | None = None

    @classmethod
    def estimate(cls, finished: Iterable[RoleUsage], *, calls: int | None = None) -> PerProblem:
        """``calls`` (a known worst case) where given, else the largest amount any finished problem spent.

        Example:
            >>> PerProblem.estimate([RoleUsage(calls=3, prompt_tokens=90), RoleUsage(calls=5, prompt_tokens=40)])
            PerProblem(calls=5, tokens=90, cost_usd=None)
        """
        done = list(finished)
        costs = [u.cost_usd for u in done if u.cost_usd is not None]
        return cls(
            calls=calls if calls is not None else max((u.calls for u in done), default=None),
            tokens=max((u.tokens for u in done), default=None),
            cost_usd=max(costs, default=None),
        )

    def grow(self, usage: RoleUsage) -> PerProblem:
        """This estimate after one more finished problem (each amount becomes the larger of the two).

        Example:
            >>> PerProblem(calls=4, tokens=100).grow(RoleUsage(calls=2, prompt_tokens=300)).tokens
            300
        """
        return PerProblem(
            calls=max(self.calls or 0, usage.calls),
            tokens=max(self.tokens or 0, usage.tokens),
            cost_usd=self.cost_usd if usage.cost_usd is None else max(self.cost_usd or 0.0, usage.cost_usd),
        )


class RunBudget(BaseModel):
    """Caps for a whole run; None means unlimited."""

    max_calls: int | None = Field(None, gt=0)
    max_tokens: int | None = Field(None, gt=0)
    max_cost_usd: float | None = Field(None, gt=0)

    def _caps(self, total: RoleUsage, per_problem: PerProblem | None = None):
        per = per_problem or PerProblem()
        yield "LM calls", "--max-run-calls", self.max_calls, total.calls, per.calls
        yield "tokens", "--max-run-tokens", self.max_tokens, total.tokens, per.tokens
        yield "dollars", "--max-run-cost", self.max_cost_usd, total.cost_usd or 0.0, per.cost_usd

    def exceeded(self, total: RoleUsage) -> str | None:
        """Why the run must stop starting new problems, or None."""
        if self.max_calls is not None and total.calls >= self.max_calls:
            return f"run budget reached: {total.calls} LM calls >= --max-run-calls {self.max_calls}"
        if self.max_tokens is not None and total.tokens >= self.max_tokens:
            return f"run budget reached: {total.tokens} tokens >= --max-run-tokens {self.max_tokens}"
        if self.max_cost_usd is not None and (total.cost_usd or 0.0) >= self.max_cost_usd:
            return f"run budget reached: ${total.cost_usd:.4f} >= --max-run-cost {self.max_cost_usd}"
        return None

    def admit(self, spent: RoleUsage, *, running: int, per_problem: PerProblem) -> tuple[bool, str | None]:
        """(may another problem start now, why the run must stop for good).

        ``(False, None)`` means: wait for a running problem to finish, then ask again.
        """
        reason = self.exceeded(spent)
        if reason is not None:
            return False, reason
        for unit, option, cap, used, per in self._caps(spent, per_problem):
            if cap is None or per is None or used + (running + 1) * per <= cap:
                continue
            if running:
                return False, None
            left, one = _quantity(unit, cap - used), _quantity(unit, per)
            return False, f"run budget reached: {left} left of {option} {cap:g}, less than one problem may use ({one})"
        return True, None

    def overshoot(self, total: RoleUsage) -> str | None:
        """One line stating by how much ``total`` exceeds a cap, or None when every cap holds."""
        for unit, option, cap, used, _ in self._caps(total):
            if cap is not None and used > cap:
                return (
                    f"run budget overshot: {_quantity(unit, used)} > {option} {cap:g} "
                    f"(by {_quantity(unit, used - cap)}; problems in flight when it was reached finished)"
                )
        return None


def _quantity(unit: str, value: float) -> str:
    return f"${value:.4f}" if unit == "dollars" else f"{int(value)} {unit}"
