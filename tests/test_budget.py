"""Budget validation and the thread-safe usage ledger."""

from __future__ import annotations

import threading

import pytest

from sstar_dspy.budget import Budget, BudgetExhaustedError, UsageLedger
from sstar_dspy.errors import BudgetError


def test_invalid_caps_are_one_clear_error():
    with pytest.raises(BudgetError, match="budget max_lm_calls: .*greater than or equal to 1"):
        Budget(max_lm_calls=0)
    with pytest.raises(BudgetError, match="max_tokens"):
        Budget(max_tokens="lots")


def test_call_cap_is_exact_under_concurrency():
    ledger = UsageLedger(Budget(max_lm_calls=50))
    refused = []

    def worker():
        for _ in range(20):
            try:
                ledger.reserve("generator")
            except BudgetExhaustedError:
                refused.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ledger.usage["generator"].calls == 50 and len(refused) == 160 - 50
    assert ledger.stop_reason == "LM-call budget exhausted (50/50 calls)"


def test_tokens_are_recorded_per_role_and_stop_new_calls():
    ledger = UsageLedger(Budget(max_tokens=100))
    ledger.reserve("judge")
    ledger.reserve("generator")
    ledger.record("generator", {})  # a cache hit
    ledger.record("judge", {"m": {"prompt_tokens": 90, "completion_tokens": 20}})
    with pytest.raises(BudgetExhaustedError, match="token budget exhausted \\(110/100 tokens\\)"):
        ledger.reserve("debugger")
    snap = ledger.snapshot()
    assert snap["judge"].total_tokens == 110 and snap["generator"].cached == 1
    assert "debugger" not in snap


def test_unlimited_by_default():
    ledger = UsageLedger()
    for _ in range(1000):
        ledger.reserve("generator")
    assert ledger.stop_reason is None
