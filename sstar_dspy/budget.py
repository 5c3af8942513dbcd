"""Per-problem LM budgets and the usage ledger that enforces them.

A :class:`Budget` caps LM calls and tokens for one ``SStar`` call. The :class:`UsageLedger`
counts usage per role (thread-safe: stage 1 samples and duels run concurrently) and refuses a new
call once a cap is reached by raising :class:`BudgetExhaustedError`, which the program turns into a
graceful stop with the best answer so far. The call cap is exact (checked and reserved
atomically); the token cap is checked before each call, so calls already in flight may overshoot
it by at most one answer each.

Example:
    >>> ledger = UsageLedger(Budget(max_lm_calls=1))
    >>> ledger.reserve("generator")
    >>> try:
    ...     ledger.reserve("generator")
    ... except BudgetExhaustedError as stop:
    ...     print(stop)
    LM-call budget exhausted (1/1 calls)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sstar_dspy.errors import BudgetError
from sstar_dspy.trace import RoleUsage

__all__ = ["ROLES", "Budget", "BudgetExhaustedError", "CallUsage", "UsageLedger"]

ROLES = ("generator", "debugger", "test_generator", "judge")
"""The LM roles of S*; each may use its own LM (see ``sstar_dspy.program.RoleLMs``)."""


class Budget(BaseModel):
    """Per-problem caps; None means unlimited.

    Attributes:
        max_lm_calls: Maximum predictor calls (all roles, cache hits included).
        max_tokens: Maximum prompt + completion tokens (all roles).
    """

    model_config = ConfigDict(frozen=True)

    max_lm_calls: int | None = Field(None, ge=1)
    max_tokens: int | None = Field(None, ge=1)

    def __init__(self, **caps: Any):
        """Validate the caps; a bad value raises one clear :class:`BudgetError` line."""
        try:
            super().__init__(**caps)
        except ValidationError as err:
            first = err.errors()[0]
            raise BudgetError(
                f"budget {'.'.join(map(str, first['loc']))}: {first['msg']}; use a positive integer or None"
            ) from None


class BudgetExhaustedError(Exception):
    """Raised by :meth:`UsageLedger.reserve` when a cap is reached (internal control flow)."""


@dataclass(frozen=True)
class CallUsage:
    """What one predictor call cost: the tokens the LM reported (0 for a cache hit) and its wall time.

    Example:
        >>> CallUsage(prompt_tokens=120, completion_tokens=30, wall_s=0.5).total_tokens
        150
    """

    prompt_tokens: int = 0
    completion_tokens: int = 0
    wall_s: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class UsageLedger:
    """Thread-safe usage counts per role, checked against a :class:`Budget`."""

    def __init__(self, budget: Budget | None = None):
        self.budget = budget or Budget()
        self.usage: dict[str, RoleUsage] = {}
        self.stop_reason: str | None = None
        self._lock = threading.Lock()

    def _total_calls(self) -> int:
        return sum(u.calls for u in self.usage.values())

    def _total_tokens(self) -> int:
        return sum(u.total_tokens for u in self.usage.values())

    def reserve(self, role: str) -> None:
        """Count one call of ``role``, or raise :class:`BudgetExhaustedError` if a cap forbids it."""
        with self._lock:
            calls, tokens = self._total_calls(), self._total_tokens()
            cap_calls, cap_tokens = self.budget.max_lm_calls, self.budget.max_tokens
            reason = None
            if cap_calls is not None and calls >= cap_calls:
                reason = f"LM-call budget exhausted ({calls}/{cap_calls} calls)"
            elif cap_tokens is not None and tokens >= cap_tokens:
                reason = f"token budget exhausted ({tokens}/{cap_tokens} tokens)"
            if reason:
                self.stop_reason = self.stop_reason or reason
                raise BudgetExhaustedError(reason)
            self.usage.setdefault(role, RoleUsage()).calls += 1

    def record(
        self, role: str, usage_by_model: dict[str, dict[str, Any]], *, failed: bool = False, wall_s: float = 0.0
    ) -> CallUsage:
        """Add the usage DSPy reported for one call (``dspy.track_usage`` totals by model); returns that call's
        usage (with ``wall_s``, the call's wall time as measured by the caller)."""
        prompt = sum(int(u.get("prompt_tokens") or 0) for u in usage_by_model.values())
        completion = sum(int(u.get("completion_tokens") or 0) for u in usage_by_model.values())
        with self._lock:
            entry = self.usage.setdefault(role, RoleUsage())
            entry.prompt_tokens += prompt
            entry.completion_tokens += completion
            entry.failed += int(failed)
            entry.cached += int(not failed and prompt + completion == 0)
        return CallUsage(prompt_tokens=prompt, completion_tokens=completion, wall_s=wall_s)

    def snapshot(self) -> dict[str, RoleUsage]:
        """A copy of the per-role usage, for the trace."""
        with self._lock:
            return {role: u.model_copy() for role, u in self.usage.items()}
