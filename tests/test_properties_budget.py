"""Budgets at exact equality: per-problem caps (sstar_dspy.budget) and run caps (--max-run-calls/-tokens/-cost).

A cap of C allows spending up to C and refuses the next call/problem once C is reached (``>=``); a problem is
admitted when ``spent + (running + 1) * per_problem <= cap`` (equality admits). Each boundary is tested both
by a hand-picked case and by hypothesis over arbitrary amounts.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sstar_dspy.budget import Budget, BudgetExhaustedError, UsageLedger
from sstar_dspy.problem import Problem, TestCase
from sstar_dspy.runs.budget import PerProblem, RunBudget
from sstar_dspy.runs.record import ProblemRecord, RoleUsage
from sstar_dspy.runs.rundir import RunDirectory
from sstar_dspy.runs.runner import EvalRunner

FAST = settings(max_examples=60, deadline=None)
PROBLEMS = [Problem(id=f"p{i}", statement="s", hidden_tests=[TestCase(input="1", output="1")]) for i in range(5)]


def _ledger_after(tokens: int, cap: int) -> UsageLedger:
    ledger = UsageLedger(Budget(max_tokens=cap))
    ledger.reserve("generator")
    ledger.record("generator", {"m": {"prompt_tokens": tokens, "completion_tokens": 0}})
    return ledger


# ---- per-problem caps (sstar_dspy/budget.py) ----


def test_token_cap_stops_at_exact_equality():
    with pytest.raises(BudgetExhaustedError, match=r"token budget exhausted \(100/100 tokens\)"):
        _ledger_after(100, 100).reserve("debugger")
    _ledger_after(99, 100).reserve("debugger")  # one token left: the next call may start


def test_call_cap_stops_at_exact_equality():
    ledger = UsageLedger(Budget(max_lm_calls=2))
    ledger.reserve("generator")
    ledger.reserve("debugger")  # the second call is the last one allowed
    with pytest.raises(BudgetExhaustedError, match=r"\(2/2 calls\)"):
        ledger.reserve("judge")
    assert ledger.stop_reason is not None and sum(u.calls for u in ledger.snapshot().values()) == 2


@FAST
@given(cap=st.integers(1, 10_000), spent=st.integers(0, 20_000), split=st.integers(0, 20_000))
def test_token_cap_refuses_exactly_when_spent_reaches_it(cap, spent, split):
    ledger = UsageLedger(Budget(max_tokens=cap))
    ledger.reserve("generator")
    prompt = min(split, spent)
    ledger.record("generator", {"a": {"prompt_tokens": prompt}, "b": {"completion_tokens": spent - prompt}})
    if spent >= cap:
        with pytest.raises(BudgetExhaustedError):
            ledger.reserve("generator")
    else:
        ledger.reserve("generator")


@FAST
@given(cap=st.integers(1, 30), attempts=st.integers(0, 40))
def test_call_cap_allows_exactly_cap_calls(cap, attempts):
    ledger = UsageLedger(Budget(max_lm_calls=cap))
    granted = 0
    for _ in range(attempts):
        try:
            ledger.reserve("generator")
            granted += 1
        except BudgetExhaustedError:
            pass
    assert granted == min(cap, attempts)


# ---- run caps (sstar_dspy/runs/budget.py) ----


def test_run_token_and_cost_caps_stop_at_exact_equality():
    assert RunBudget(max_tokens=100).exceeded(RoleUsage(prompt_tokens=60, completion_tokens=40)) == (
        "run budget reached: 100 tokens >= --max-run-tokens 100"
    )
    assert RunBudget(max_tokens=100).exceeded(RoleUsage(prompt_tokens=99)) is None
    assert RunBudget(max_cost_usd=0.5).exceeded(RoleUsage(cost_usd=0.5)) == (
        "run budget reached: $0.5000 >= --max-run-cost 0.5"
    )
    assert RunBudget(max_cost_usd=0.5).exceeded(RoleUsage(cost_usd=0.4999)) is None
    assert RunBudget(max_calls=3).exceeded(RoleUsage(calls=3)) is not None
    assert RunBudget(max_calls=3).exceeded(RoleUsage(calls=2)) is None


def test_admission_is_inclusive_at_exact_equality():
    per = PerProblem(calls=5, tokens=50, cost_usd=0.25)
    assert RunBudget(max_tokens=150).admit(RoleUsage(prompt_tokens=50), running=1, per_problem=per) == (True, None)
    assert RunBudget(max_tokens=149).admit(RoleUsage(prompt_tokens=50), running=1, per_problem=per) == (False, None)
    assert RunBudget(max_cost_usd=0.75).admit(RoleUsage(cost_usd=0.25), running=1, per_problem=per) == (True, None)
    admitted, why = RunBudget(max_cost_usd=0.45).admit(RoleUsage(cost_usd=0.25), running=0, per_problem=per)
    assert not admitted and why == (
        "run budget reached: $0.2000 left of --max-run-cost 0.45, less than one problem may use ($0.2500)"
    )
    admitted, why = RunBudget(max_tokens=99).admit(RoleUsage(prompt_tokens=50), running=0, per_problem=per)
    assert not admitted and why == (
        "run budget reached: 49 tokens left of --max-run-tokens 99, less than one problem may use (50 tokens)"
    )


@FAST
@given(
    cap=st.integers(1, 500),
    spent=st.integers(0, 600),
    running=st.integers(0, 4),
    per=st.integers(0, 200),
    unit=st.sampled_from(["calls", "tokens"]),
)
def test_admission_rule_matches_its_formula(cap, spent, running, per, unit):
    budget = RunBudget(**{"max_calls" if unit == "calls" else "max_tokens": cap})
    usage = RoleUsage(calls=spent) if unit == "calls" else RoleUsage(prompt_tokens=spent)
    admitted, why = budget.admit(usage, running=running, per_problem=PerProblem(**{unit: per}))
    assert admitted == (spent < cap and spent + (running + 1) * per <= cap)
    if spent >= cap:
        assert why is not None and ">=" in why  # reached: the run stops for good
    assert (budget.overshoot(usage) is not None) == (spent > cap)


def _record(problem: Problem, index: int, tokens: int = 0, cost: float | None = None) -> ProblemRecord:
    total = RoleUsage(calls=1, prompt_tokens=tokens, cost_usd=cost)
    return ProblemRecord(problem_id=problem.id, index=index, total=total)


def test_runner_stops_when_run_tokens_reach_the_cap_exactly(tmp_path):
    with RunDirectory.open(tmp_path) as run:
        budget = RunBudget(max_tokens=300)
        outcome = EvalRunner(run, lambda p, i: _record(p, i, tokens=100), budget=budget).run(PROBLEMS)
        assert len(run.records()) == 3  # 3 x 100 = 300 tokens: the cap, exactly; no fourth problem starts
    assert outcome.stopped_by == "run budget reached: 300 tokens >= --max-run-tokens 300"
    assert outcome.overshoot is None and outcome.not_started == 2


def test_runner_stops_when_run_cost_reaches_the_cap_exactly(tmp_path):
    with RunDirectory.open(tmp_path) as run:
        budget = RunBudget(max_cost_usd=0.5)
        outcome = EvalRunner(run, lambda p, i: _record(p, i, cost=0.25), budget=budget).run(PROBLEMS)
        assert len(run.records()) == 2
    assert outcome.stopped_by == "run budget reached: $0.5000 >= --max-run-cost 0.5"
    assert outcome.overshoot is None


def test_cli_run_budget_options_reach_the_run_budget():
    from sstar_dspy.cli.options import Options

    opts = Options({"max_run_calls": 7, "max_run_tokens": 300, "max_run_cost": 0.5})
    assert opts.run_budget() == RunBudget(max_calls=7, max_tokens=300, max_cost_usd=0.5)
